using Moderation.Core.Classification;
using Moderation.Core.Delivery;
using Moderation.Core.Messages;
using Moderation.Core.Policy;
using Moderation.Core.Screening;
using Moderation.Core.Workflow;

namespace Moderation.Core.Review;

/// <summary>
/// One case in the review queue: what a reviewer needs to decide it, and once it is decided, the outcome. Built from
/// the <see cref="ReviewRequest"/> the workflow sends, so the queue never has to read workflow state.
/// </summary>
/// <param name="Reason">Why the case needs a human; when <paramref name="Verdict"/> is null it says why the LLM gave none.</param>
/// <param name="Outcome">The delivered outcome; null while the case waits.</param>
public sealed record ReviewQueueEntry(
    string CaseId,
    ChatMessage Message,
    PrefilterScore Prefilter,
    LlmVerdict? Verdict,
    string Reason,
    DateTime RequestedAt,
    DateTime Deadline,
    ModerationOutcome? Outcome = null)
{
    /// <summary>The category the queue files the case under: the decided one once finished, else the LLM's; null when neither exists.</summary>
    public PolicyCategory? Category => Outcome is not null ? Outcome.Category : Verdict?.Category;

    public CaseStage Stage => Outcome is null ? CaseStage.AwaitingReview : CaseStage.Completed;

    /// <summary>The entry without any text a person wrote (see <see cref="Audit.AuditRedaction"/>): what an erasure leaves.</summary>
    public ReviewQueueEntry Redacted(string? erasedPartyId) => this with
    {
        Message = Audit.AuditRedaction.Redact(Message, erasedPartyId),
        Prefilter = Audit.AuditRedaction.Redact(Prefilter),
        Verdict = Verdict is { } verdict ? Audit.AuditRedaction.Redact(verdict) : null,
    };

    public static ReviewQueueEntry From(ReviewRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return new(request.CaseId, request.Message, request.Prefilter, request.Verdict, request.Reason, request.RequestedAt, request.Deadline);
    }
}

/// <summary>Which part of the queue to list.</summary>
/// <param name="Stage"><see cref="CaseStage.AwaitingReview"/> (oldest deadline first) or <see cref="CaseStage.Completed"/> (most recently decided first).</param>
/// <param name="Category">Only cases filed under this category.</param>
/// <param name="Disposition">Only finished cases with this disposition (ignored for waiting cases).</param>
/// <param name="ContinuationToken">Opaque token of the previous page; null for the first page.</param>
public sealed record ReviewQueueQuery(
    CaseStage Stage,
    PolicyCategory? Category = null,
    Disposition? Disposition = null,
    int PageSize = ReviewQueueQuery.DefaultPageSize,
    string? ContinuationToken = null)
{
    public const int DefaultPageSize = 50;
    public const int MaxPageSize = 200;
}

/// <summary>One page of the queue; <see cref="ContinuationToken"/> is null on the last page.</summary>
public sealed record ReviewQueuePage(IReadOnlyList<ReviewQueueEntry> Items, string? ContinuationToken);

/// <summary>How many cases wait for a reviewer, and since when the oldest waits (null when none waits).</summary>
public sealed record ReviewQueueDepth(int Waiting, DateTime? OldestRequestedAt);

/// <summary>
/// Port: the index of cases waiting for (and decided by) reviewers. The workflow's activities maintain it: the review
/// request adds a case, the delivery moves it to the finished cases. Both writes are idempotent per case, so retried
/// and replayed activities leave one entry. Listing is a range read in deadline order, never a scan of workflow instances.
/// </summary>
public interface IReviewQueue
{
    /// <summary>Files the case as waiting (idempotent: the same request files it once).</summary>
    Task AddWaitingAsync(ReviewRequest request, CancellationToken cancellationToken);

    /// <summary>Moves a waiting case to the finished cases with its outcome; does nothing for a case that never waited.</summary>
    Task FinishAsync(ModerationOutcome outcome, CancellationToken cancellationToken);

    Task<ReviewQueuePage> ListAsync(ReviewQueueQuery query, CancellationToken cancellationToken);

    Task<ReviewQueueDepth> GetDepthAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Removes finished cases decided before <paramref name="decidedBefore"/> (their rows carry message text, and the
    /// audit trail keeps what each case did); waiting cases are never removed. Returns how many cases were removed.
    /// </summary>
    Task<int> PurgeFinishedBeforeAsync(DateTime decidedBefore, CancellationToken cancellationToken);

    /// <summary>
    /// Rewrites the entries of messages written by <paramref name="senderId"/> (or of <paramref name="conversationId"/>)
    /// without their text (<see cref="ReviewQueueEntry.Redacted"/>), waiting and finished alike, so the cases stay listed
    /// and countable. Returns how many cases were rewritten; running it again rewrites none.
    /// </summary>
    Task<int> RedactAsync(string? senderId, string? conversationId, CancellationToken cancellationToken);
}
