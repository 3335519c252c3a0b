using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Moderation.Core.Delivery;
using Moderation.Core.Policy;
using Moderation.Core.Review;
using Moderation.Core.Workflow;
using Moderation.Functions.Functions;

namespace Moderation.Functions.Tests;

/// <summary>
/// The daily purge of the Functions app. The Durable side is checked by the filter it sends: the in-process test
/// engine does not implement purge by filter, and the app's real hub needs the Functions host.
/// </summary>
public sealed class PurgeFinishedCasesTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 1, 3, 17, 0, TimeSpan.Zero);

    [Fact]
    public async Task The_daily_purge_asks_the_hub_for_finished_cases_older_than_the_retention_and_purges_their_review_queue_rows()
    {
        var reviewQueue = new InMemoryReviewQueue();
        var old = Samples.Message(id: "old-case");
        await reviewQueue.AddWaitingAsync(Samples.ReviewRequest(old), CancellationToken.None);
        await reviewQueue.FinishAsync(Samples.Outcome(old, Disposition.Blocked, PolicyCategory.OffPlatformContact, DecidedBy.Reviewer), CancellationToken.None);
        var waiting = Samples.Message(id: "waiting-case");
        await reviewQueue.AddWaitingAsync(Samples.ReviewRequest(waiting), CancellationToken.None);
        var hub = new PurgeRecordingClient(purged: 3);
        var purge = new PurgeFinishedCases(reviewQueue, Options.Create(new FinishedCaseRetentionOptions { Retention = TimeSpan.FromDays(30) }), new FakeTimeProvider(Now), NullLogger<PurgeFinishedCases>.Instance);

        await purge.RunAsync(null!, hub, new FakeFunctionContext(new Dictionary<string, object?>()));

        var filter = Assert.Single(hub.Filters);
        Assert.Null(filter.CreatedFrom);
        Assert.Equal(Now.AddDays(-30), filter.CreatedTo);
        // Only finished cases: one waiting for its reviewer is never purged, however old.
        Assert.Equal([OrchestrationRuntimeStatus.Completed, OrchestrationRuntimeStatus.Failed, OrchestrationRuntimeStatus.Terminated], filter.Statuses!.Order());
        Assert.Empty((await reviewQueue.ListAsync(new ReviewQueueQuery(CaseStage.Completed), CancellationToken.None)).Items);
        Assert.Equal(["waiting-case"], (await reviewQueue.ListAsync(new ReviewQueueQuery(CaseStage.AwaitingReview), CancellationToken.None)).Items.Select(e => e.CaseId));
    }

    [Fact]
    public async Task Review_queue_rows_of_cases_decided_within_the_retention_are_kept()
    {
        var reviewQueue = new InMemoryReviewQueue();
        var recent = Samples.Message(id: "recent-case");
        await reviewQueue.AddWaitingAsync(Samples.ReviewRequest(recent), CancellationToken.None);
        await reviewQueue.FinishAsync(Samples.Outcome(recent, Disposition.Released), CancellationToken.None);
        // Decided a second after Samples.Start; the cutoff is a day earlier.
        var purge = new PurgeFinishedCases(reviewQueue, Options.Create(new FinishedCaseRetentionOptions { Retention = TimeSpan.FromDays(1) }), new FakeTimeProvider(Samples.SentAt), NullLogger<PurgeFinishedCases>.Instance);

        await purge.RunAsync(null!, new PurgeRecordingClient(purged: 0), new FakeFunctionContext(new Dictionary<string, object?>()));

        Assert.Equal(["recent-case"], (await reviewQueue.ListAsync(new ReviewQueueQuery(CaseStage.Completed), CancellationToken.None)).Items.Select(e => e.CaseId));
    }

    /// <summary>Records purge filters; every other client operation is outside these tests.</summary>
    private sealed class PurgeRecordingClient(int purged) : DurableTaskClient("recording")
    {
        public List<PurgeInstancesFilter> Filters { get; } = [];

        public override Task<PurgeResult> PurgeAllInstancesAsync(PurgeInstancesFilter filter, CancellationToken cancellation = default)
        {
            Filters.Add(filter);
            return Task.FromResult(new PurgeResult(purged));
        }

        public override ValueTask DisposeAsync() => ValueTask.CompletedTask;

        public override AsyncPageable<OrchestrationMetadata> GetAllInstancesAsync(OrchestrationQuery? filter = null) => throw new NotSupportedException();

        public override Task<OrchestrationMetadata?> GetInstancesAsync(string instanceId, bool getInputsAndOutputs = false, CancellationToken cancellation = default) => throw new NotSupportedException();

        public override Task RaiseEventAsync(string instanceId, string eventName, object? eventPayload = null, CancellationToken cancellation = default) => throw new NotSupportedException();

        public override Task ResumeInstanceAsync(string instanceId, string? reason = null, CancellationToken cancellation = default) => throw new NotSupportedException();

        public override Task<string> ScheduleNewOrchestrationInstanceAsync(TaskName orchestratorName, object? input = null, StartOrchestrationOptions? options = null, CancellationToken cancellation = default) => throw new NotSupportedException();

        public override Task SuspendInstanceAsync(string instanceId, string? reason = null, CancellationToken cancellation = default) => throw new NotSupportedException();

        public override Task<OrchestrationMetadata> WaitForInstanceCompletionAsync(string instanceId, bool getInputsAndOutputs = false, CancellationToken cancellation = default) => throw new NotSupportedException();

        public override Task<OrchestrationMetadata> WaitForInstanceStartAsync(string instanceId, bool getInputsAndOutputs = false, CancellationToken cancellation = default) => throw new NotSupportedException();
    }
}
