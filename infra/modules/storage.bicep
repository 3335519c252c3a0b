// One storage account for the Durable task hub (AzureWebJobsStorage), the moderation queues and tables
// (ModerationStorage) and the deployment packages. Shared keys are disabled: everything uses Entra ID.
param location string
param tags object
param storageAccountName string

@description('The queues of the conventions: inbound, released, blocked, review requests and the inbound poison queue.')
param queueNames array = [
  'moderation-inbound'
  'moderation-released'
  'moderation-blocked'
  'moderation-review-requests'
  'moderation-inbound-poison'
]

@description('Audit trail, idempotency, first-decision claims, signature nonces and message content bindings.')
param tableNames array = [
  'ModerationAudit'
  'ModerationDeliveries'
  'ModerationReviewRequests'
  'ModerationReviewDecisions'
  'ModerationSignatureNonces'
  'ModerationMessageContent'
  'ModerationReviewQueue'
]

@description('Blob container for queue bodies too large for a queue message (claim checks).')
param payloadContainerName string = 'moderation-payloads'

@description('Blob container the Flex Consumption plan deploys packages from.')
param deploymentContainerName string = 'app-package'

resource storageAccount 'Microsoft.Storage/storageAccounts@2025-06-01' = {
  name: storageAccountName
  location: location
  tags: tags
  kind: 'StorageV2'
  sku: {
    name: 'Standard_LRS'
  }
  properties: {
    accessTier: 'Hot'
    allowBlobPublicAccess: false
    allowSharedKeyAccess: false
    allowCrossTenantReplication: false
    defaultToOAuthAuthentication: true
    minimumTlsVersion: 'TLS1_2'
    supportsHttpsTrafficOnly: true
    publicNetworkAccess: 'Enabled'
  }
}

resource queueService 'Microsoft.Storage/storageAccounts/queueServices@2025-06-01' = {
  parent: storageAccount
  name: 'default'
}

resource queues 'Microsoft.Storage/storageAccounts/queueServices/queues@2025-06-01' = [for name in queueNames: {
  parent: queueService
  name: name
}]

resource tableService 'Microsoft.Storage/storageAccounts/tableServices@2025-06-01' = {
  parent: storageAccount
  name: 'default'
}

resource tables 'Microsoft.Storage/storageAccounts/tableServices/tables@2025-06-01' = [for name in tableNames: {
  parent: tableService
  name: name
}]

resource blobService 'Microsoft.Storage/storageAccounts/blobServices@2025-06-01' = {
  parent: storageAccount
  name: 'default'
}

resource payloadContainer 'Microsoft.Storage/storageAccounts/blobServices/containers@2025-06-01' = {
  parent: blobService
  name: payloadContainerName
  properties: {
    publicAccess: 'None'
  }
}

resource deploymentContainer 'Microsoft.Storage/storageAccounts/blobServices/containers@2025-06-01' = {
  parent: blobService
  name: deploymentContainerName
  properties: {
    publicAccess: 'None'
  }
}

output storageAccountName string = storageAccount.name
output deploymentContainerName string = deploymentContainer.name
output inboundQueueName string = queues[0].name
output inboundQueueUrl string = '${storageAccount.properties.primaryEndpoints.queue}${queues[0].name}'
