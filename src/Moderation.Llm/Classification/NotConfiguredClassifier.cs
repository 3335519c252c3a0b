using Moderation.Core.Classification;
using Moderation.Core.Messages;

namespace Moderation.Llm.Classification;

/// <summary>No LLM is configured: every suspicious message goes to human review, and the reason says why.</summary>
public sealed class NotConfiguredClassifier : ILlmClassifier
{
    public const string Detail = "No LLM provider is configured (Moderation:Llm:Provider is None).";

    public Task<LlmClassification> ClassifyAsync(ChatMessage message, CancellationToken cancellationToken) =>
        Task.FromResult(LlmClassification.NotConfigured(Detail));
}
