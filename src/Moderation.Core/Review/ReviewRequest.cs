using Moderation.Core.Classification;
using Moderation.Core.Conversations;
using Moderation.Core.Messages;
using Moderation.Core.Screening;

namespace Moderation.Core.Review;

/// <summary>Everything a reviewer needs to decide a case, sent to the review queue or tool.</summary>
/// <param name="Reason">Why the case needs a human (uncertain verdict, LLM unavailable, policy requires review).</param>
/// <param name="Deadline">When the case times out and the per-category default applies.</param>
/// <remarks>Context messages are shown for understanding only; the decision is about <paramref name="Message"/>.</remarks>
public sealed record ReviewRequest(
    string CaseId,
    ChatMessage Message,
    PrefilterScore Prefilter,
    LlmVerdict? Verdict,
    string Reason,
    DateTime RequestedAt,
    DateTime Deadline)
{
    /// <summary>The preceding messages (the same context the LLM saw), the messages that completed a split rule hit, and the sender's history.</summary>
    public ConversationContext? Conversation { get; init; }
}

/// <summary>Port: tells reviewers a case waits for them. Idempotent per case id: a retried call notifies once.</summary>
public interface IReviewNotifier
{
    Task RequestReviewAsync(ReviewRequest request, CancellationToken cancellationToken);
}
