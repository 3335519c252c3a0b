using System.Collections.Concurrent;
using Moderation.Core.Activities;
using Moderation.Core.Audit;
using Moderation.Core.Classification;
using Moderation.Core.Delivery;
using Moderation.Core.Messages;
using Moderation.Core.Policy;
using Moderation.Core.Review;
using Moderation.Core.Screening;
using Moderation.Core.Workflow;

namespace Moderation.Runner.Tests;

/// <summary>Answers with a fixed verdict, after failing a given number of times first.</summary>
internal sealed class ScriptedClassifier : ILlmClassifier
{
    private int calls;

    public PolicyCategory Category { get; set; } = PolicyCategory.Harassment;

    public double Confidence { get; set; } = 0.99;

    /// <summary>Answers "no LLM configured" instead of a verdict.</summary>
    public bool NotConfigured { get; set; }

    /// <summary>How many calls throw before one succeeds; int.MaxValue: never succeeds.</summary>
    public int FailuresBeforeSuccess { get; set; }

    public int Calls => Volatile.Read(ref calls);

    public Task<LlmClassification> ClassifyAsync(ChatMessage message, CancellationToken cancellationToken)
    {
        var call = Interlocked.Increment(ref calls);
        if (call <= FailuresBeforeSuccess)
        {
            throw new LlmClassificationException("the model endpoint is throttling") { IsTransient = true };
        }

        if (NotConfigured)
        {
            return Task.FromResult(LlmClassification.NotConfigured("no endpoint configured"));
        }

        return Task.FromResult(LlmClassification.Classified(new LlmVerdict(Category, Confidence, "test", [], "test-model", "p1", TokenUsage.None)));
    }
}

internal sealed class RecordingReviewNotifier : IReviewNotifier
{
    public ConcurrentQueue<ReviewRequest> Requests { get; } = new();

    public Task RequestReviewAsync(ReviewRequest request, CancellationToken cancellationToken)
    {
        Requests.Enqueue(request);
        return Task.CompletedTask;
    }
}

/// <summary>Counts every call (not idempotent on purpose), so a double delivery shows.</summary>
internal sealed class RecordingDeliveryGateway : IDeliveryGateway
{
    public ConcurrentQueue<DeliveryOrder> Orders { get; } = new();

    /// <summary>Lets a test hold delivery until it says so.</summary>
    public Func<CancellationToken, Task>? BeforeDelivery { get; set; }

    /// <summary>Every call fails (the downstream system is down).</summary>
    public bool Unavailable { get; set; }

    public int FailedCalls => Volatile.Read(ref failedCalls);

    public int CountFor(string caseId) => Orders.Count(o => o.Outcome.CaseId == caseId);

    public Task ReleaseAsync(DeliveryOrder order, CancellationToken cancellationToken) => RecordAsync(order, cancellationToken);

    public Task BlockAsync(DeliveryOrder order, CancellationToken cancellationToken) => RecordAsync(order, cancellationToken);

    private int failedCalls;

    private async Task RecordAsync(DeliveryOrder order, CancellationToken cancellationToken)
    {
        if (Unavailable)
        {
            Interlocked.Increment(ref failedCalls);
            throw new InvalidOperationException("delivery queue unavailable");
        }

        if (BeforeDelivery is { } wait)
        {
            await wait(cancellationToken);
        }

        Orders.Enqueue(order);
    }
}

internal sealed class RecordingAuditLog : IAuditLog
{
    public ConcurrentQueue<AuditRecord> Records { get; } = new();

    /// <summary>Every write fails (the audit table is down).</summary>
    public bool Unavailable { get; set; }

    public Task RecordAsync(AuditRecord record, CancellationToken cancellationToken)
    {
        if (Unavailable)
        {
            throw new InvalidOperationException("audit table unavailable");
        }

        Records.Enqueue(record);
        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<AuditRecord>> ReadCaseAsync(string caseId, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<AuditRecord>>([.. Records.Where(r => r.CaseId == caseId)]);

    public IReadOnlyList<AuditStage> StagesOf(string caseId) => [.. Records.Where(r => r.CaseId == caseId).Select(r => r.Stage)];
}

/// <summary>A clock the test moves by hand. Delays (activity retries) run on the real clock, or at once if asked.</summary>
internal sealed class ManualClock(DateTimeOffset start, bool skipDelays = false) : TimeProvider
{
    private DateTimeOffset now = start;

    public override DateTimeOffset GetUtcNow() => now;

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period) =>
        base.CreateTimer(callback, state, skipDelays && dueTime > TimeSpan.Zero ? TimeSpan.Zero : dueTime, period);

    public void Advance(TimeSpan by) => now += by;
}

/// <summary>The fake adapters behind <see cref="ModerationActivities"/>.</summary>
internal sealed class FakeActivities
{
    public ScriptedClassifier Classifier { get; } = new();

    public RecordingReviewNotifier Reviews { get; } = new();

    public RecordingDeliveryGateway Delivery { get; } = new();

    public RecordingAuditLog Audit { get; } = new();

    public ModerationActivities Create() => new(Classifier, Reviews, Delivery, Audit, TimeProvider.System);
}

internal static class TestCases
{
    /// <summary>A case whose policy reviews for <paramref name="reviewTimeout"/> and retries classification quickly.</summary>
    public static ModerationCase Create(string? caseId = null, TimeSpan? reviewTimeout = null, string text = "call me on 555 0100", int classificationAttempts = 3)
    {
        var message = new ChatMessage(caseId ?? "msg-" + Guid.NewGuid().ToString("N"), "conv-1", "sender-1", ParticipantRole.Customer, "recipient-1", ParticipantRole.Professional, text, new DateTimeOffset(2026, 11, 1, 12, 0, 0, TimeSpan.Zero));
        var policy = ModerationPolicy.Default with
        {
            ReviewTimeout = reviewTimeout ?? TimeSpan.FromMinutes(30),
            ClassificationRetry = new ActivityRetryPolicy(classificationAttempts, TimeSpan.FromMilliseconds(5)),
        };
        var score = new PrefilterScore(0.8, 0.5, "cnn-test", []);
        return new ModerationCase(message, score, new ScreeningDecision(true, 0.5, ["model score 0.8 >= threshold 0.5"]), policy);
    }

    public static ReviewDecision Decision(ReviewAction action = ReviewAction.Block, PolicyCategory category = PolicyCategory.OffPlatformContact, string reviewer = "reviewer-7") =>
        new(reviewer, action, action == ReviewAction.Release ? PolicyCategory.Clean : category, null, new DateTimeOffset(2026, 11, 1, 12, 5, 0, TimeSpan.Zero));
}
