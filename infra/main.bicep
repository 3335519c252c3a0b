// The moderation pipeline on Azure: a Flex Consumption Function App (isolated worker, Durable Functions) with a
// system-assigned managed identity, its storage account (Durable task hub, moderation queues and tables, deployment
// packages), Application Insights on Log Analytics, Azure OpenAI for the LLM tier and Key Vault for the review secret.
// Every connection is identity-based: no account keys, no API keys.
targetScope = 'subscription'

@minLength(1)
@maxLength(40)
@description('Name of the environment (azd environment name); used in resource names and the azd-env-name tag.')
param environmentName string

@minLength(1)
@description('Azure region for all resources; it must offer the Flex Consumption plan.')
param location string

@description('Azure region of the Azure OpenAI account (the model and its quota may live in another region).')
param openAiLocation string = location

@description('Name of the model deployment the LLM tier calls. A fine-tuned model is deployed under its own name.')
param openAiDeploymentName string = 'moderation'

@description('Model to deploy: a base model (gpt-4o-mini) or a fine-tuned model id (gpt-4o-mini-2024-07-18.ft-...).')
param openAiModelName string = 'gpt-4o-mini'

@description('Version of the model; fine-tuned models use "1".')
param openAiModelVersion string = '2024-07-18'

@allowed([
  'GlobalStandard'
  'Standard'
  'DataZoneStandard'
])
@description('Deployment type; fine-tuned models are deployed as Standard.')
param openAiDeploymentSku string = 'GlobalStandard'

@minValue(1)
@description('Capacity of the deployment in thousands of tokens per minute.')
param openAiCapacity int = 50

@secure()
@minLength(32)
@description('Shared secret reviewers\' tools sign review callbacks with (HMAC); stored in Key Vault.')
param reviewSigningSecret string

@minLength(3)
@maxLength(45)
@description('Durable Functions task hub name (letters and digits); change it to run a second copy on the same storage.')
param taskHubName string = 'Moderation'

@description('How long a case waits for a human reviewer before the per-category timeout action applies (d.hh:mm:ss).')
param reviewTimeout string = '1.00:00:00'

@minValue(40)
@maxValue(1000)
@description('Upper bound on Flex Consumption instances.')
param maximumInstanceCount int = 100

@allowed([
  512
  2048
  4096
])
@description('Memory per instance in MB; the ONNX pre-filter and the worker fit comfortably in 2048.')
param instanceMemoryMB int = 2048

@description('Optional: object id of the product\'s managed identity, granted Storage Queue Data Message Sender on the inbound queue only.')
param inboundSenderPrincipalId string = ''

@description('Optional: client id of the Microsoft Entra app registration reviewers sign in with. When set, App Service authentication puts the review console and every HTTP API behind Entra ID, and the signed-in user is the reviewer of a decision.')
param reviewerAuthClientId string = ''

@description('The Microsoft Entra tenant of that app registration (default: the subscription\'s tenant).')
param reviewerAuthTenantId string = subscription().tenantId

@description('Paths App Service authentication leaves to the app\'s own authentication (e.g. a review tool that signs callbacks with HMAC).')
param reviewerAuthExcludedPaths array = [
  '/api/healthz'
]
@description('Optional e-mail address for the pipeline\'s alerts (poison queue, review backlog, LLM failures, routed-share drift).')
param alertEmail string = ''

@description('Hours a case may wait for a reviewer before the review-backlog alert fires.')
@minValue(1)
param reviewBacklogMaxAgeHours int = 4

@description('LLM failure rate (percent of calls in 15 minutes) above which the alert fires.')
@minValue(1)
@maxValue(100)
param llmFailureRatePercent int = 10

@description('The routed-share band the pre-filter\'s model card predicts (models/prefilter/manifest.json: 7% to 20% on a 90/10 mix); outside it for an hour, the drift alert fires.')
@minValue(0)
@maxValue(100)
param routedShareMinPercent int = 5

@minValue(1)
@maxValue(100)
param routedShareMaxPercent int = 25

var tags = {
  'azd-env-name': environmentName
  application: 'content-moderation'
}

resource resourceGroup 'Microsoft.Resources/resourceGroups@2025-04-01' = {
  name: 'rg-${environmentName}'
  location: location
  tags: tags
}

module resources 'modules/resources.bicep' = {
  name: 'moderation-resources'
  scope: resourceGroup
  params: {
    environmentName: environmentName
    location: location
    tags: tags
    openAiLocation: openAiLocation
    openAiDeploymentName: openAiDeploymentName
    openAiModelName: openAiModelName
    openAiModelVersion: openAiModelVersion
    openAiDeploymentSku: openAiDeploymentSku
    openAiCapacity: openAiCapacity
    reviewSigningSecret: reviewSigningSecret
    taskHubName: taskHubName
    reviewTimeout: reviewTimeout
    maximumInstanceCount: maximumInstanceCount
    instanceMemoryMB: instanceMemoryMB
    inboundSenderPrincipalId: inboundSenderPrincipalId
    reviewerAuthClientId: reviewerAuthClientId
    reviewerAuthTenantId: reviewerAuthTenantId
    reviewerAuthExcludedPaths: reviewerAuthExcludedPaths
    alertEmail: alertEmail
    reviewBacklogMaxAgeHours: reviewBacklogMaxAgeHours
    llmFailureRatePercent: llmFailureRatePercent
    routedShareMinPercent: routedShareMinPercent
    routedShareMaxPercent: routedShareMaxPercent
  }
}

output AZURE_LOCATION string = location
output AZURE_RESOURCE_GROUP string = resourceGroup.name
output AZURE_FUNCTION_APP_NAME string = resources.outputs.functionAppName
output MODERATION_FUNCTION_APP_URL string = resources.outputs.functionAppUrl
output MODERATION_REVIEW_CONSOLE_URL string = '${resources.outputs.functionAppUrl}/api/review'
output MODERATION_STORAGE_ACCOUNT string = resources.outputs.storageAccountName
output MODERATION_INBOUND_QUEUE_URL string = resources.outputs.inboundQueueUrl
output MODERATION_OPENAI_ENDPOINT string = resources.outputs.openAiEndpoint
output MODERATION_WORKBOOK_ID string = resources.outputs.workbookId
output MODERATION_KEY_VAULT_NAME string = resources.outputs.keyVaultName
