using Moderation.Core.Conversations;
using Moderation.Core.Messages;

namespace Moderation.Core.Classification;

/// <summary>
/// Port: classifies one message into the policy taxonomy.
/// Contract: returns a verdict, or <see cref="LlmClassification.NotConfigured"/> when no LLM is set up;
/// throws <see cref="LlmClassificationException"/> (or any exception) when it cannot answer, so the caller's retry
/// policy applies. It never invents a category outside <see cref="Policy.PolicyCategory"/>.
/// </summary>
public interface ILlmClassifier
{
    Task<LlmClassification> ClassifyAsync(ChatMessage message, CancellationToken cancellationToken);

    /// <summary>
    /// Classifies the message with the preceding messages of its conversation (oldest first) as context: they help
    /// to understand it, but the verdict is about the message alone. Classifiers that cannot use context ignore it.
    /// </summary>
    Task<LlmClassification> ClassifyAsync(ChatMessage message, IReadOnlyList<ConversationTurn> context, CancellationToken cancellationToken) =>
        ClassifyAsync(message, cancellationToken);
}

/// <summary>The classification activity's input: the message and the conversation before it.</summary>
public sealed record ClassificationRequest(ChatMessage Message, IReadOnlyList<ConversationTurn> Context);

/// <summary>The LLM could not produce a valid verdict (throttled, timed out, cut off, or answered outside the schema).</summary>
public class LlmClassificationException : Exception
{
    public LlmClassificationException()
    {
    }

    public LlmClassificationException(string message)
        : base(message)
    {
    }

    public LlmClassificationException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>True when retrying may help (throttling, timeouts, outages).</summary>
    public bool IsTransient { get; init; }

    /// <summary>How long the provider asked us to wait before retrying, when it said.</summary>
    public TimeSpan? RetryAfter { get; init; }
}
