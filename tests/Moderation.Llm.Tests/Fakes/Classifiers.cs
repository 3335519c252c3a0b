using Azure.Core;
using Microsoft.Extensions.Logging.Abstractions;
using Moderation.Core.Classification;
using Moderation.Llm.Classification;
using Moderation.Llm.Configuration;

namespace Moderation.Llm.Tests.Fakes;

internal static class Classifiers
{
    public const string Deployment = "moderation-gpt4o-mini";
    public const string Key = "test-key-0123456789";

    public static LlmOptions AzureOptions(FakeChatEndpoint endpoint, string? apiKey = Key) => new()
    {
        Provider = LlmProvider.AzureOpenAI,
        Endpoint = endpoint.BaseAddress.ToString(),
        Deployment = Deployment,
        ApiKey = apiKey,
        RequestTimeout = TimeSpan.FromSeconds(5),
        InputCostPer1KTokens = 0.15m,
        OutputCostPer1KTokens = 0.60m,
    };

    public static LlmOptions OpenAICompatibleOptions(FakeChatEndpoint endpoint, string? apiKey = Key) => new()
    {
        Provider = LlmProvider.OpenAICompatible,
        Endpoint = new Uri(endpoint.BaseAddress, "v1").ToString(),
        Deployment = "llama3.1:8b",
        ApiKey = apiKey,
        RequestTimeout = TimeSpan.FromSeconds(5),
    };

    public static ILlmClassifier Create(LlmOptions options, TokenCredential? credential = null) =>
        LlmClassifierFactory.Create(options, NullLoggerFactory.Instance, credential);
}
