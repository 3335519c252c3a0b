// Everything inside the resource group; see main.bicep for the parameters' meaning.
param environmentName string
param location string
param tags object
param openAiLocation string
param openAiDeploymentName string
param openAiModelName string
param openAiModelVersion string
param openAiDeploymentSku string
param openAiCapacity int

@secure()
param reviewSigningSecret string

param taskHubName string
param reviewTimeout string
param maximumInstanceCount int
param instanceMemoryMB int
param inboundSenderPrincipalId string
param reviewerAuthClientId string
param reviewerAuthTenantId string
param reviewerAuthExcludedPaths array
param alertEmail string
param reviewBacklogMaxAgeHours int
param llmFailureRatePercent int
param routedShareMinPercent int
param routedShareMaxPercent int

var resourceToken = toLower(uniqueString(subscription().id, resourceGroup().id, environmentName, location))
var functionAppName = 'func-moderation-${resourceToken}'

module monitoring 'monitoring.bicep' = {
  name: 'monitoring'
  params: {
    location: location
    tags: tags
    workspaceName: 'log-${resourceToken}'
    applicationInsightsName: 'appi-${resourceToken}'
  }
}

module observability 'observability.bicep' = {
  name: 'observability'
  params: {
    location: location
    tags: tags
    workspaceId: monitoring.outputs.workspaceId
    applicationInsightsId: monitoring.outputs.applicationInsightsId
    alertEmail: alertEmail
    reviewBacklogMaxAgeHours: reviewBacklogMaxAgeHours
    llmFailureRatePercent: llmFailureRatePercent
    routedShareMinPercent: routedShareMinPercent
    routedShareMaxPercent: routedShareMaxPercent
  }
}

module storage 'storage.bicep' = {
  name: 'storage'
  params: {
    location: location
    tags: tags
    storageAccountName: 'stmod${resourceToken}'
  }
}

module openAi 'openai.bicep' = {
  name: 'openai'
  params: {
    location: openAiLocation
    tags: tags
    accountName: 'oai-${resourceToken}'
    deploymentName: openAiDeploymentName
    modelName: openAiModelName
    modelVersion: openAiModelVersion
    deploymentSku: openAiDeploymentSku
    capacity: openAiCapacity
  }
}

module keyVault 'keyvault.bicep' = {
  name: 'keyvault'
  params: {
    location: location
    tags: tags
    keyVaultName: 'kv-mod-${take(resourceToken, 13)}'
    reviewSigningSecret: reviewSigningSecret
  }
}

module functionApp 'functionapp.bicep' = {
  name: 'functionapp'
  params: {
    location: location
    tags: tags
    functionAppName: functionAppName
    planName: 'plan-${resourceToken}'
    storageAccountName: storage.outputs.storageAccountName
    deploymentContainerName: storage.outputs.deploymentContainerName
    applicationInsightsConnectionString: monitoring.outputs.applicationInsightsConnectionString
    openAiEndpoint: openAi.outputs.endpoint
    openAiDeploymentName: openAi.outputs.deploymentName
    reviewSigningSecretUri: keyVault.outputs.reviewSigningSecretUri
    taskHubName: taskHubName
    inboundQueueName: storage.outputs.inboundQueueName
    reviewTimeout: reviewTimeout
    maximumInstanceCount: maximumInstanceCount
    instanceMemoryMB: instanceMemoryMB
    reviewerAuthClientId: reviewerAuthClientId
    reviewerAuthTenantId: reviewerAuthTenantId
    reviewerAuthExcludedPaths: reviewerAuthExcludedPaths
  }
}

module roles 'roles.bicep' = {
  name: 'roles'
  params: {
    principalId: functionApp.outputs.principalId
    storageAccountName: storage.outputs.storageAccountName
    inboundQueueName: storage.outputs.inboundQueueName
    openAiAccountName: openAi.outputs.accountName
    keyVaultName: keyVault.outputs.keyVaultName
    applicationInsightsName: monitoring.outputs.applicationInsightsName
    inboundSenderPrincipalId: inboundSenderPrincipalId
  }
}

output functionAppName string = functionApp.outputs.functionAppName
output functionAppUrl string = functionApp.outputs.url
output storageAccountName string = storage.outputs.storageAccountName
output inboundQueueUrl string = storage.outputs.inboundQueueUrl
output openAiEndpoint string = openAi.outputs.endpoint
output keyVaultName string = keyVault.outputs.keyVaultName
output workbookId string = observability.outputs.workbookId
