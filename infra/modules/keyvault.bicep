// Key Vault with RBAC authorization, holding the review-callback signing secret. The app reads it through a Key Vault
// reference app setting (Key Vault Secrets User); the secret never appears in app settings or deployment outputs.
param location string
param tags object
param keyVaultName string

@secure()
param reviewSigningSecret string

resource keyVault 'Microsoft.KeyVault/vaults@2025-05-01' = {
  name: keyVaultName
  location: location
  tags: tags
  properties: {
    tenantId: subscription().tenantId
    sku: {
      family: 'A'
      name: 'standard'
    }
    enableRbacAuthorization: true
    enableSoftDelete: true
    softDeleteRetentionInDays: 90
    enablePurgeProtection: true
    publicNetworkAccess: 'Enabled'
  }
}

resource signingSecret 'Microsoft.KeyVault/vaults/secrets@2025-05-01' = {
  parent: keyVault
  name: 'review-signing-secret'
  properties: {
    value: reviewSigningSecret
    contentType: 'text/plain'
  }
}

output keyVaultName string = keyVault.name

// The versionless URI, so a rotated secret is picked up without redeploying.
output reviewSigningSecretUri string = signingSecret.properties.secretUri
