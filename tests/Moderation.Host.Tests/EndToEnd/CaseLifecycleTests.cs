using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Moderation.Core.Cases;
using Moderation.Core.Delivery;
using Moderation.Core.Policy;
using Moderation.Core.Review;
using Moderation.Core.Workflow;
using Moderation.Host.Durable;

namespace Moderation.Host.Tests.EndToEnd;

/// <summary>Cases that wait for a human, end to end: review callbacks, review timeouts, and a host restart mid-flight.</summary>
// Real time: the whole host on Azurite; review deadlines are durable timers of the Durable Task engine (its own clock).
[Trait(TestTiming.Trait, TestTiming.RealTime)]
public sealed class CaseLifecycleTests
{
    private static readonly TimeSpan LongReviewTimeout = TimeSpan.FromMinutes(10);
    private static readonly TimeSpan ReviewWait = TimeSpan.FromSeconds(45);

    private const string BlockAsJobSeeking = """{"reviewerId":"reviewer-7","action":"block","category":"job_seeking","notes":"Recruiting in a job chat."}""";
    private const string Release = """{"reviewerId":"reviewer-7","action":"release","notes":"Fine in context."}""";

    [StorageFact]
    public async Task A_review_callback_decides_a_waiting_case_and_a_second_decision_is_rejected_as_already_decided()
    {
        var storage = new PipelineStorage();
        await using var llm = await FakeChatModel.StartAsync();
        await using var host = new PipelineHost(storage, llm, LongReviewTimeout).Start();
        var blockedByKey = ChatTraffic.Message(ChatTraffic.NewId("review-key"), "Are you hiring? Send me the details, my cell is 555 010 7788.");
        var releasedBySignature = ChatTraffic.Message(ChatTraffic.NewId("review-hmac"), "I partner with a plumber, he is at 555 010 9911 if you want a second quote.");
        await storage.EnqueueAsync([blockedByKey, releasedBySignature]);
        await host.WaitUntilAwaitingReviewAsync(blockedByKey.MessageId, ReviewWait);
        await host.WaitUntilAwaitingReviewAsync(releasedBySignature.MessageId, ReviewWait);

        using (var accepted = await host.ReviewWithKeyAsync(blockedByKey.MessageId, BlockAsJobSeeking))
        {
            Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
        }

        using (var signed = await host.ReviewSignedAsync(releasedBySignature.MessageId, Release))
        {
            Assert.Equal(HttpStatusCode.Accepted, signed.StatusCode);
        }

        var ledger = new DeliveryLedger(storage);
        await ledger.AssertExactlyOnceAsync(host, [blockedByKey.MessageId, releasedBySignature.MessageId]);
        var blocked = ledger.Single(blockedByKey.MessageId);
        Assert.Equal((Disposition.Blocked, DecidedBy.Reviewer, PolicyCategory.JobSeeking), (blocked.Disposition, blocked.Outcome.DecidedBy, blocked.Outcome.Category));
        var released = ledger.Single(releasedBySignature.MessageId);
        Assert.Equal((Disposition.Released, DecidedBy.Reviewer), (released.Disposition, released.Outcome.DecidedBy));

        using var second = await host.ReviewWithKeyAsync(blockedByKey.MessageId, Release);
        Assert.Equal(HttpStatusCode.Conflict, second.StatusCode);
        Assert.Empty(await storage.DrainDeliveriesAsync());
    }

    [StorageFact]
    public async Task A_review_timeout_applies_the_default_of_the_category_the_llm_gave()
    {
        var storage = new PipelineStorage();
        await using var llm = await FakeChatModel.StartAsync();
        await using var host = new PipelineHost(storage, llm, TimeSpan.FromSeconds(3)).Start();
        // job_seeking (always reviewed) defaults to release; an unsure off_platform_contact (0.55) defaults to block.
        var jobSeeking = ChatTraffic.Message(ChatTraffic.NewId("timeout-job"), "Are you hiring helpers? I can send my resume, reach me at 555 777 1234.");
        var unsureContact = ChatTraffic.Message(ChatTraffic.NewId("timeout-contact"), "Could we talk somewhere else? My number is 555 777 4321.");
        await storage.EnqueueAsync([jobSeeking, unsureContact]);

        var ledger = new DeliveryLedger(storage);
        await ledger.AssertExactlyOnceAsync(host, [jobSeeking.MessageId, unsureContact.MessageId]);

        var released = ledger.Single(jobSeeking.MessageId);
        Assert.Equal((Disposition.Released, DecidedBy.Timeout), (released.Disposition, released.Outcome.DecidedBy));
        var blocked = ledger.Single(unsureContact.MessageId);
        Assert.Equal((Disposition.Blocked, DecidedBy.Timeout), (blocked.Disposition, blocked.Outcome.DecidedBy));
        // After the timeout decided, a late reviewer is told so.
        using var late = await host.ReviewWithKeyAsync(jobSeeking.MessageId, BlockAsJobSeeking);
        Assert.Equal(HttpStatusCode.Conflict, late.StatusCode);
    }

    [StorageFact]
    public async Task The_purge_removes_a_finished_case_from_the_engine_and_the_review_queue_once_past_retention_and_keeps_a_waiting_one()
    {
        var storage = new PipelineStorage();
        await using var llm = await FakeChatModel.StartAsync();
        await using var host = new PipelineHost(storage, llm, LongReviewTimeout).Start();
        var decided = ChatTraffic.Message(ChatTraffic.NewId("purge-decided"), "Are you hiring? Send me the details, my cell is 555 010 7788.");
        var waiting = ChatTraffic.Message(ChatTraffic.NewId("purge-waiting"), "Are you hiring helpers? I can send my resume, reach me at 555 010 4455.");
        await storage.EnqueueAsync([decided, waiting]);
        await host.WaitUntilAwaitingReviewAsync(decided.MessageId, ReviewWait);
        await host.WaitUntilAwaitingReviewAsync(waiting.MessageId, ReviewWait);
        using (var accepted = await host.ReviewWithKeyAsync(decided.MessageId, BlockAsJobSeeking))
        {
            Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
        }

        await Eventually.HoldsAsync(async () => await host.GetCaseAsync(decided.MessageId) is { } view && PipelineHost.Stage(view) == "completed", ReviewWait, "the decided case did not complete");
        var reviewQueue = host.Services.GetRequiredService<IReviewQueue>();
        var engine = host.Services.GetRequiredService<DurableTaskEngine>();
        var worker = host.Services.GetRequiredService<DurableTaskWorkerService>();
        var retention = Options.Create(new DurableTaskHostOptions { Retention = TimeSpan.FromDays(30) });

        // Within the retention nothing goes.
        var cases = host.Services.GetRequiredService<IModerationCaseClient>();
        Assert.Equal(0, await new FinishedCasePurge(worker, engine, reviewQueue, retention, TimeProvider.System, NullLogger<FinishedCasePurge>.Instance).PurgeOnceAsync());
        Assert.NotNull(await cases.GetCaseAsync(decided.MessageId, CancellationToken.None));

        // A month and a day later the finished case goes from the engine and from the reviewers' finished list (the
        // case API still answers from the audit trail, which is kept).
        var later = new FakeTimeProvider(DateTimeOffset.UtcNow.AddDays(31));
        Assert.Equal(1, await new FinishedCasePurge(worker, engine, reviewQueue, retention, later, NullLogger<FinishedCasePurge>.Instance).PurgeOnceAsync());

        Assert.Null(await cases.GetCaseAsync(decided.MessageId, CancellationToken.None));
        Assert.DoesNotContain(decided.MessageId, (await reviewQueue.ListAsync(new ReviewQueueQuery(CaseStage.Completed), CancellationToken.None)).Items.Select(e => e.CaseId));
        Assert.Equal("awaiting_review", PipelineHost.Stage((await host.GetCaseAsync(waiting.MessageId))!.Value));
        Assert.Contains(waiting.MessageId, (await reviewQueue.ListAsync(new ReviewQueueQuery(CaseStage.AwaitingReview), CancellationToken.None)).Items.Select(e => e.CaseId));
    }

    [StorageFact]
    public async Task A_host_stopped_mid_flight_and_restarted_on_the_same_storage_loses_no_case_and_decides_none_twice()
    {
        var storage = new PipelineStorage();
        await using var llm = await FakeChatModel.StartAsync();
        var waiting = ChatTraffic.Mix(12);
        var inFlight = ChatTraffic.Mix(18);
        var whileDown = ChatTraffic.Mix(12);
        var all = waiting.Concat(inFlight).Concat(whileDown).ToList();
        var ledger = new DeliveryLedger(storage);

        await using (var first = new PipelineHost(storage, llm, LongReviewTimeout).Start())
        {
            await storage.EnqueueAsync(waiting);
            foreach (var message in waiting.Where(ChatTraffic.NeedsReview))
            {
                await first.WaitUntilAwaitingReviewAsync(message.MessageId, ReviewWait);
            }

            await ledger.WaitForAsync(waiting.Where(m => !ChatTraffic.NeedsReview(m)).Select(m => m.MessageId));
            // Stop while these are being received, screened and started as cases.
            await storage.EnqueueAsync(inFlight);
        }

        await storage.EnqueueAsync(whileDown);
        await using var second = new PipelineHost(storage, llm, LongReviewTimeout).Start();
        foreach (var message in all.Where(ChatTraffic.NeedsReview))
        {
            await second.WaitUntilAwaitingReviewAsync(message.MessageId, ReviewWait);
            using var accepted = await second.ReviewWithKeyAsync(message.MessageId, Release);
            Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
        }

        await ledger.AssertExactlyOnceAsync(second, all.Select(m => m.MessageId).ToList());
        Assert.All(all.Where(ChatTraffic.NeedsReview), m => Assert.Equal(DecidedBy.Reviewer, ledger.Single(m.MessageId).Outcome.DecidedBy));
        Assert.All(all.Where(ChatTraffic.SharesContact), m => Assert.Equal(Disposition.Blocked, ledger.Single(m.MessageId).Disposition));
    }
}
