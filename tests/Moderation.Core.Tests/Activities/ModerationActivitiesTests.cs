using Microsoft.Extensions.Time.Testing;
using Moderation.Core.Activities;
using Moderation.Core.Classification;
using Moderation.Core.Delivery;
using Moderation.Core.Messages;
using Moderation.Core.Policy;
using Moderation.Core.Review;
using Moderation.Core.Workflow;

namespace Moderation.Core.Tests.Activities;

/// <summary>The activities are the workflow's only contact with the outside world; they route to the right port.</summary>
public class ModerationActivitiesTests
{
    private readonly RecordingDeliveryGateway delivery = new();
    private readonly InMemoryAuditLog audit = new();

    [Fact]
    public async Task Delivery_releases_or_blocks_according_to_the_outcome()
    {
        var activities = Create(new ScriptedClassifier(_ => Samples.Classified(PolicyCategory.Clean, 0.9)));
        var message = Samples.Message();

        await activities.DeliverAsync(new DeliveryOrder(message, Outcome(Disposition.Released)), CancellationToken.None);
        await activities.DeliverAsync(new DeliveryOrder(message, Outcome(Disposition.Blocked)), CancellationToken.None);

        Assert.Single(delivery.Released);
        Assert.Single(delivery.Blocked);
    }

    [Fact]
    public async Task A_throttled_classification_waits_out_the_services_retry_after_before_failing_for_the_retry_policy()
    {
        var time = new FakeTimeProvider(Samples.SentAt);
        var throttled = new LlmClassificationException("429") { IsTransient = true, RetryAfter = TimeSpan.FromSeconds(20) };
        var activities = Create(new ScriptedClassifier(_ => throw throttled), time);

        var call = activities.ClassifyAsync(Samples.Message(), CancellationToken.None);
        Assert.False(call.IsCompleted);
        time.Advance(TimeSpan.FromSeconds(19));
        Assert.False(call.IsCompleted);
        time.Advance(TimeSpan.FromSeconds(1));

        Assert.Same(throttled, await Assert.ThrowsAsync<LlmClassificationException>(() => call));
    }

    [Fact]
    public async Task A_huge_retry_after_is_capped()
    {
        var time = new FakeTimeProvider(Samples.SentAt);
        var activities = Create(new ScriptedClassifier(_ => throw new LlmClassificationException("503") { IsTransient = true, RetryAfter = TimeSpan.FromHours(1) }), time);

        var call = activities.ClassifyAsync(Samples.Message(), CancellationToken.None);
        time.Advance(ModerationActivities.MaxRetryAfterWait);

        await Assert.ThrowsAsync<LlmClassificationException>(() => call);
    }

    [Fact]
    public async Task A_permanent_failure_fails_at_once()
    {
        var activities = Create(new ScriptedClassifier(_ => throw new LlmClassificationException("401") { RetryAfter = TimeSpan.FromMinutes(1) }), new FakeTimeProvider(Samples.SentAt));

        var call = activities.ClassifyAsync(Samples.Message(), CancellationToken.None);

        Assert.True(call.IsCompleted);
        await Assert.ThrowsAsync<LlmClassificationException>(() => call);
    }

    [Fact]
    public async Task A_review_request_files_the_case_in_the_review_queue_before_reviewers_are_told()
    {
        var queue = new InMemoryReviewQueue();
        var notifier = new QueueSnapshotNotifier(queue);
        var activities = new ModerationActivities(new ScriptedClassifier(_ => Samples.Classified(PolicyCategory.Clean, 0.9)), notifier, delivery, audit, TimeProvider.System, queue);

        await activities.RequestReviewAsync(Request("msg-001"), CancellationToken.None);

        Assert.Equal(["add:msg-001"], notifier.QueueCallsWhenNotified);
        var waiting = await queue.ListAsync(new ReviewQueueQuery(CaseStage.AwaitingReview), CancellationToken.None);
        Assert.Equal("msg-001", Assert.Single(waiting.Items).CaseId);
    }

    [Fact]
    public async Task Delivery_moves_a_reviewed_case_from_the_waiting_cases_to_the_finished_ones_with_its_outcome()
    {
        var queue = new InMemoryReviewQueue();
        var activities = new ModerationActivities(new ScriptedClassifier(_ => Samples.Classified(PolicyCategory.Clean, 0.9)), new RecordingReviewNotifier(), delivery, audit, TimeProvider.System, queue);
        await activities.RequestReviewAsync(Request("msg-001"), CancellationToken.None);

        await activities.DeliverAsync(new DeliveryOrder(Samples.Message(), Outcome(Disposition.Blocked)), CancellationToken.None);

        Assert.Empty((await queue.ListAsync(new ReviewQueueQuery(CaseStage.AwaitingReview), CancellationToken.None)).Items);
        var blocked = await queue.ListAsync(new ReviewQueueQuery(CaseStage.Completed, Disposition: Disposition.Blocked), CancellationToken.None);
        Assert.Equal(Disposition.Blocked, Assert.Single(blocked.Items).Outcome!.Disposition);
        Assert.Single(delivery.Blocked);
    }

    private static ReviewRequest Request(string caseId) =>
        new(caseId, Samples.Message(id: caseId), Samples.Score(0.8, Samples.PhoneHit), null, "LLM unavailable", Samples.Start, Samples.Start.AddHours(1));

    private ModerationActivities Create(ILlmClassifier classifier, TimeProvider? time = null) =>
        new(classifier, new RecordingReviewNotifier(), delivery, audit, time ?? TimeProvider.System);

    private static ModerationOutcome Outcome(Disposition disposition) =>
        new("msg-001", disposition, DecidedBy.Llm, PolicyCategory.Clean, ["test"], Samples.Start);

    /// <summary>Remembers what the review queue had seen at the moment reviewers were notified.</summary>
    private sealed class QueueSnapshotNotifier(InMemoryReviewQueue queue) : IReviewNotifier
    {
        public List<string> QueueCallsWhenNotified { get; } = [];

        public Task RequestReviewAsync(ReviewRequest request, CancellationToken cancellationToken)
        {
            QueueCallsWhenNotified.AddRange(queue.Calls);
            return Task.CompletedTask;
        }
    }
}
