// The Function App on the Flex Consumption plan: .NET 10 isolated worker, system-assigned identity, identity-based
// connections for the host storage, the moderation storage, Application Insights and the deployment package.
param location string
param tags object
param functionAppName string
param planName string
param storageAccountName string
param deploymentContainerName string
param applicationInsightsConnectionString string
param openAiEndpoint string
param openAiDeploymentName string
param reviewSigningSecretUri string
param taskHubName string
@description('The inbound queue: the queue trigger (%Moderation:Storage:Queues:Inbound%) and the app read this one setting.')
param inboundQueueName string
param reviewTimeout string
param maximumInstanceCount int
param instanceMemoryMB int
@description('Client id of the Entra app registration reviewers sign in with; empty leaves App Service authentication off.')
param reviewerAuthClientId string = ''
param reviewerAuthTenantId string = subscription().tenantId
param reviewerAuthExcludedPaths array = []

var reviewerAuthEnabled = !empty(reviewerAuthClientId)

resource storageAccount 'Microsoft.Storage/storageAccounts@2025-06-01' existing = {
  name: storageAccountName
}

resource plan 'Microsoft.Web/serverfarms@2025-03-01' = {
  name: planName
  location: location
  tags: tags
  kind: 'functionapp'
  sku: {
    name: 'FC1'
    tier: 'FlexConsumption'
  }
  properties: {
    reserved: true
  }
}

resource functionApp 'Microsoft.Web/sites@2025-03-01' = {
  name: functionAppName
  location: location
  tags: union(tags, {
    'azd-service-name': 'moderation-functions'
  })
  kind: 'functionapp,linux'
  identity: {
    type: 'SystemAssigned'
  }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    functionAppConfig: {
      deployment: {
        storage: {
          type: 'blobContainer'
          value: '${storageAccount.properties.primaryEndpoints.blob}${deploymentContainerName}'
          authentication: {
            type: 'SystemAssignedIdentity'
          }
        }
      }
      scaleAndConcurrency: {
        maximumInstanceCount: maximumInstanceCount
        instanceMemoryMB: instanceMemoryMB
      }
      runtime: {
        name: 'dotnet-isolated'
        version: '10.0'
      }
    }
    siteConfig: {
      minTlsVersion: '1.2'
      ftpsState: 'Disabled'
      appSettings: concat([
        // Durable Functions' task hub and the Functions host: identity-based (no AzureWebJobsStorage connection string).
        {
          name: 'AzureWebJobsStorage__accountName'
          value: storageAccount.name
        }
        {
          name: 'AzureWebJobsStorage__credential'
          value: 'managedidentity'
        }
        {
          name: 'ModerationTaskHub'
          value: taskHubName
        }
        // The moderation queues and tables: the queue trigger and the app's own clients share this connection.
        {
          name: 'ModerationStorage__queueServiceUri'
          value: storageAccount.properties.primaryEndpoints.queue
        }
        {
          name: 'ModerationStorage__tableServiceUri'
          value: storageAccount.properties.primaryEndpoints.table
        }
        {
          name: 'ModerationStorage__blobServiceUri'
          value: storageAccount.properties.primaryEndpoints.blob
        }
        {
          name: 'ModerationStorage__credential'
          value: 'managedidentity'
        }
        // The one source of the inbound queue's name: the queue trigger's binding expression and the storage options.
        {
          name: 'Moderation__Storage__Queues__Inbound'
          value: inboundQueueName
        }
        // The queues, tables and container are created by this deployment; the app does not need to create them.
        {
          name: 'Moderation__Storage__CreateIfMissing'
          value: 'false'
        }
        {
          name: 'APPLICATIONINSIGHTS_CONNECTION_STRING'
          value: applicationInsightsConnectionString
        }
        {
          name: 'APPLICATIONINSIGHTS_AUTHENTICATION_STRING'
          value: 'Authorization=AAD'
        }
        {
          name: 'Moderation__Llm__Provider'
          value: 'AzureOpenAI'
        }
        {
          name: 'Moderation__Llm__Endpoint'
          value: openAiEndpoint
        }
        {
          name: 'Moderation__Llm__Deployment'
          value: openAiDeploymentName
        }
        {
          name: 'Moderation__Review__SigningSecret'
          value: '@Microsoft.KeyVault(SecretUri=${reviewSigningSecretUri})'
        }
        {
          name: 'Moderation__Policy__ReviewTimeout'
          value: reviewTimeout
        }
      ], reviewerAuthEnabled ? [
        // App Service authentication strips client-sent principal headers, so behind it they name the signed-in reviewer.
        {
          name: 'Moderation__Review__TrustAppServicePrincipal'
          value: 'true'
        }
      ] : [])
    }
  }
}

// Microsoft Entra ID in front of the review console and the HTTP APIs (App Service authentication, "Easy Auth").
// Browsers are sent to sign in; calls from the console's script (X-Requested-With) get 401 instead of a redirect.
// The sign-in uses the ID token of the app registration (enable ID tokens on it and add the redirect URI
// https://<app>.azurewebsites.net/.auth/login/aad/callback); callers with an Entra access token for the app pass too.
resource authSettings 'Microsoft.Web/sites/config@2025-03-01' = if (reviewerAuthEnabled) {
  parent: functionApp
  name: 'authsettingsV2'
  properties: {
    platform: {
      enabled: true
    }
    globalValidation: {
      requireAuthentication: true
      unauthenticatedClientAction: 'RedirectToLoginPage'
      redirectToProvider: 'azureactivedirectory'
      excludedPaths: reviewerAuthExcludedPaths
    }
    identityProviders: {
      azureActiveDirectory: {
        enabled: true
        registration: {
          clientId: reviewerAuthClientId
          openIdIssuer: '${environment().authentication.loginEndpoint}${reviewerAuthTenantId}/v2.0'
        }
        validation: {
          allowedAudiences: [
            reviewerAuthClientId
            'api://${reviewerAuthClientId}'
          ]
        }
      }
    }
    login: {
      tokenStore: {
        enabled: false
      }
    }
    httpSettings: {
      requireHttps: true
    }
  }
}

output functionAppName string = functionApp.name
output principalId string = functionApp.identity.principalId
output url string = 'https://${functionApp.properties.defaultHostName}'
