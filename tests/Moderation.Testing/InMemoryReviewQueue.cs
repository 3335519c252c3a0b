using Moderation.Core.Delivery;
using Moderation.Core.Review;
using Moderation.Core.Workflow;

namespace Moderation.Testing;

/// <summary>
/// <see cref="IReviewQueue"/> in memory, with the contract the table adapter keeps: idempotent filing, waiting cases
/// oldest deadline first, finished ones newest first, and a continuation token that is the next item's position.
/// </summary>
public sealed class InMemoryReviewQueue : IReviewQueue
{
    private readonly Dictionary<string, ReviewQueueEntry> entries = new(StringComparer.Ordinal);
    private readonly Lock gate = new();

    public List<string> Calls { get; } = [];

    public Task AddWaitingAsync(ReviewRequest request, CancellationToken cancellationToken)
    {
        lock (gate)
        {
            Calls.Add("add:" + request.CaseId);
            if (!entries.TryGetValue(request.CaseId, out var existing) || existing.Outcome is null)
            {
                entries[request.CaseId] = ReviewQueueEntry.From(request);
            }
        }

        return Task.CompletedTask;
    }

    public Task FinishAsync(ModerationOutcome outcome, CancellationToken cancellationToken)
    {
        lock (gate)
        {
            Calls.Add("finish:" + outcome.CaseId);
            if (entries.TryGetValue(outcome.CaseId, out var entry))
            {
                entries[outcome.CaseId] = entry with { Outcome = outcome };
            }
        }

        return Task.CompletedTask;
    }

    public Task<ReviewQueuePage> ListAsync(ReviewQueueQuery query, CancellationToken cancellationToken)
    {
        lock (gate)
        {
            var matching = entries.Values
                .Where(e => e.Stage == query.Stage)
                .Where(e => query.Category is null || e.Category == query.Category)
                .Where(e => query.Stage != CaseStage.Completed || query.Disposition is null || e.Outcome!.Disposition == query.Disposition);
            var ordered = query.Stage == CaseStage.AwaitingReview
                ? matching.OrderBy(e => e.Deadline).ThenBy(e => e.CaseId, StringComparer.Ordinal)
                : matching.OrderByDescending(e => e.Outcome!.DecidedAt).ThenBy(e => e.CaseId, StringComparer.Ordinal);
            var skip = query.ContinuationToken is { } token ? int.Parse(token, System.Globalization.CultureInfo.InvariantCulture) : 0;
            var all = ordered.ToList();
            var page = all.Skip(skip).Take(query.PageSize).ToList();
            var next = skip + page.Count < all.Count ? (skip + page.Count).ToString(System.Globalization.CultureInfo.InvariantCulture) : null;
            return Task.FromResult(new ReviewQueuePage(page, next));
        }
    }

    public Task<int> PurgeFinishedBeforeAsync(DateTime decidedBefore, CancellationToken cancellationToken)
    {
        lock (gate)
        {
            var old = entries.Values.Where(e => e.Outcome is { } o && o.DecidedAt < decidedBefore).Select(e => e.CaseId).ToList();
            old.ForEach(id => entries.Remove(id));
            return Task.FromResult(old.Count);
        }
    }

    public Task<int> RedactAsync(string? senderId, string? conversationId, CancellationToken cancellationToken)
    {
        lock (gate)
        {
            var concerned = entries.Values
                .Where(e => e.Message.Text.Length > 0 && Moderation.Core.Audit.AuditRedaction.Concerns(e.Message, senderId, conversationId))
                .ToList();
            concerned.ForEach(e => entries[e.CaseId] = e.Redacted(senderId));
            return Task.FromResult(concerned.Count);
        }
    }

    public Task<ReviewQueueDepth> GetDepthAsync(CancellationToken cancellationToken)
    {
        lock (gate)
        {
            var waiting = entries.Values.Where(e => e.Outcome is null).ToList();
            return Task.FromResult(new ReviewQueueDepth(waiting.Count, waiting.Count == 0 ? null : waiting.Min(e => e.RequestedAt)));
        }
    }
}
