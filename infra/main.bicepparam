using './main.bicep'

// azd fills these from the environment (azd env set ...); with the az CLI, export them before deploying.

// The azd environment name, e.g. "moderation-prod"; resource names and the resource group derive from it.
param environmentName = readEnvironmentVariable('AZURE_ENV_NAME', 'moderation-dev')

// A region that offers the Flex Consumption plan (az functionapp list-flexconsumption-locations).
param location = readEnvironmentVariable('AZURE_LOCATION', 'swedencentral')

// The LLM tier's model. To use a fine-tuned model set MODERATION_OPENAI_MODEL to its id, MODERATION_OPENAI_MODEL_VERSION
// to "1", MODERATION_OPENAI_SKU to "Standard", and MODERATION_OPENAI_DEPLOYMENT to a new deployment name.
param openAiDeploymentName = readEnvironmentVariable('MODERATION_OPENAI_DEPLOYMENT', 'moderation')
param openAiModelName = readEnvironmentVariable('MODERATION_OPENAI_MODEL', 'gpt-4o-mini')
param openAiModelVersion = readEnvironmentVariable('MODERATION_OPENAI_MODEL_VERSION', '2024-07-18')
param openAiDeploymentSku = readEnvironmentVariable('MODERATION_OPENAI_SKU', 'GlobalStandard')
param openAiCapacity = int(readEnvironmentVariable('MODERATION_OPENAI_CAPACITY', '50'))

// The review-callback HMAC secret (at least 32 characters), e.g. from `openssl rand -base64 48`. Never commit it.
param reviewSigningSecret = readEnvironmentVariable('MODERATION_REVIEW_SIGNING_SECRET')

// How long a case waits for a reviewer (d.hh:mm:ss).
param reviewTimeout = readEnvironmentVariable('MODERATION_REVIEW_TIMEOUT', '1.00:00:00')

// Optional: the product's managed identity (object id), allowed to send to the inbound queue only.
param inboundSenderPrincipalId = readEnvironmentVariable('MODERATION_INBOUND_SENDER_PRINCIPAL_ID', '')

// Optional: the Entra app registration reviewers sign in with (client id; tenant defaults to the subscription's).
// Set it to put the review console and the HTTP APIs behind Microsoft Entra ID (App Service authentication).
param reviewerAuthClientId = readEnvironmentVariable('MODERATION_REVIEWER_AUTH_CLIENT_ID', '')
