// Azure OpenAI with local (key) auth disabled: the app calls it with its managed identity (Cognitive Services OpenAI
// User). The custom subdomain is what Entra ID token auth requires.
param location string
param tags object
param accountName string
param deploymentName string
param modelName string
param modelVersion string
param deploymentSku string
param capacity int

resource account 'Microsoft.CognitiveServices/accounts@2025-06-01' = {
  name: accountName
  location: location
  tags: tags
  kind: 'OpenAI'
  sku: {
    name: 'S0'
  }
  properties: {
    customSubDomainName: accountName
    disableLocalAuth: true
    publicNetworkAccess: 'Enabled'
  }
}

resource deployment 'Microsoft.CognitiveServices/accounts/deployments@2025-06-01' = {
  parent: account
  name: deploymentName
  sku: {
    name: deploymentSku
    capacity: capacity
  }
  properties: {
    model: {
      format: 'OpenAI'
      name: modelName
      version: modelVersion
    }
  }
}

output accountName string = account.name
output endpoint string = account.properties.endpoint
output deploymentName string = deployment.name
