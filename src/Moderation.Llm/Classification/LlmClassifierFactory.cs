using System.ClientModel;
using System.ClientModel.Primitives;
using Azure.AI.OpenAI;
using Azure.Core;
using Azure.Identity;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Moderation.Core.Classification;
using Moderation.Llm.Configuration;
using Moderation.Llm.Costs;
using Moderation.Llm.Prompting;
using OpenAI;
using OpenAI.Chat;

namespace Moderation.Llm.Classification;

/// <summary>Builds the classifier the settings describe. Used by the DI registration and by the command-line tools.</summary>
public static class LlmClassifierFactory
{
    /// <summary>Validates <paramref name="options"/> and builds the classifier.</summary>
    /// <param name="credential">Azure token credential; null for <see cref="DefaultAzureCredential"/> (managed identity in Azure).</param>
    /// <exception cref="OptionsValidationException">The settings are invalid.</exception>
    public static ILlmClassifier Create(LlmOptions options, ILoggerFactory loggerFactory, TokenCredential? credential = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(loggerFactory);
        var validation = new LlmOptionsValidator().Validate(null, options);
        if (validation.Failed)
        {
            throw new OptionsValidationException(LlmOptions.SectionName, typeof(LlmOptions), validation.Failures);
        }

        if (options.Provider == LlmProvider.None)
        {
            return new NotConfiguredClassifier();
        }

        var prompt = ModerationPrompt.Load(options.ResolvedPromptPath);
        var completion = new ChatCompletionOptions
        {
            ResponseFormat = ClassificationContract.ResponseFormat,
            MaxOutputTokenCount = options.MaxOutputTokens,
            Temperature = options.Temperature,
        };
        return new ChatModelClassifier(
            CreateChatClient(options, credential),
            prompt,
            options.Deployment!,
            TokenPricing.From(options),
            options.RequestTimeout,
            completion,
            loggerFactory.CreateLogger<ChatModelClassifier>())
        {
            ContextBudget = new ContextTokenBudget(options.MaxContextTokens),
        };
    }

    internal static ChatClient CreateChatClient(LlmOptions options, TokenCredential? credential)
    {
        var endpoint = new Uri(options.Endpoint!, UriKind.Absolute);

        // Retries happen in one place, the workflow's activity retry policy; an SDK retry loop underneath would multiply them.
        var noRetries = new ClientRetryPolicy(maxRetries: 0);

        if (options.Provider == LlmProvider.AzureOpenAI)
        {
            var clientOptions = new AzureOpenAIClientOptions(ToServiceVersion(options.ApiVersion))
            {
                RetryPolicy = noRetries,
                NetworkTimeout = options.RequestTimeout,
            };
            var client = options.ApiKey is { Length: > 0 } key
                ? new AzureOpenAIClient(endpoint, new ApiKeyCredential(key), clientOptions)
                : new AzureOpenAIClient(endpoint, credential ?? CreateDefaultCredential(options), clientOptions);
            return client.GetChatClient(options.Deployment);
        }

        var openAiOptions = new OpenAIClientOptions
        {
            Endpoint = endpoint,
            RetryPolicy = noRetries,
            NetworkTimeout = options.RequestTimeout,
        };

        // The client insists on a key; local servers (Ollama, vLLM) accept any.
        return new ChatClient(options.Deployment, new ApiKeyCredential(options.ApiKey is { Length: > 0 } k ? k : "no-key"), openAiOptions);
    }

    private static DefaultAzureCredential CreateDefaultCredential(LlmOptions options) =>
        new(new DefaultAzureCredentialOptions
        {
            ManagedIdentityClientId = options.ManagedIdentityClientId is { Length: > 0 } id ? id : null,
        });

    private static AzureOpenAIClientOptions.ServiceVersion ToServiceVersion(string apiVersion) => apiVersion switch
    {
        "2024-10-21" => AzureOpenAIClientOptions.ServiceVersion.V2024_10_21,
        _ => throw new ArgumentOutOfRangeException(nameof(apiVersion), apiVersion, "Unsupported Azure OpenAI API version."),
    };
}
