using System.Diagnostics;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Moderation.Core.Delivery;
using Moderation.Core.Policy;
using Moderation.Core.Review;
using Moderation.Host.Durable;
using Moderation.Storage;
using Xunit.Abstractions;

namespace Moderation.Host.Tests.EndToEnd;

/// <summary>The host as a real process on the real engine: killed mid-flight, and two of them sharing one task hub.</summary>
// Real time: host child processes on one task hub; crash recovery waits for the engine's partition leases and durable
// timers in another process, which no in-process clock reaches.
[Trait(TestTiming.Trait, TestTiming.RealTime)]
public sealed partial class HostProcessTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Settle = TimeSpan.FromSeconds(90);

    [StorageFact]
    public async Task A_host_killed_while_cases_wait_for_review_resumes_them_on_restart_with_timers_and_events_and_nothing_lost_or_doubled()
    {
        var storage = new PipelineStorage();
        await using var llm = await FakeChatModel.StartAsync();
        // Long enough for every case to be waiting when the host dies and to be restarted before the deadline: the
        // timers the killed host scheduled must then fire in the new one.
        var reviewTimeout = TimeSpan.FromSeconds(25);
        var settings = PipelineHost.Settings(storage, llm.Endpoint, reviewTimeout).ToList();
        var traffic = ChatTraffic.Mix(16);
        var review = traffic.Where(ChatTraffic.NeedsReview).ToList();
        Assert.True(review.Count >= 2, "the traffic needs at least two cases for review");
        var decidedWhileDown = review.Take(review.Count / 2).ToList();
        var timedOutAfterRestart = review.Skip(review.Count / 2).ToList();
        var ledger = new DeliveryLedger(storage);

        var first = await HostProcess.StartAsync(settings);
        await storage.EnqueueAsync(traffic);
        var firstDeadline = DateTime.MaxValue;
        foreach (var message in review)
        {
            var waiting = await first.WaitUntilAwaitingReviewAsync(message.MessageId, Settle);
            var deadline = waiting.GetProperty("reviewDeadline").GetDateTime().ToUniversalTime();
            firstDeadline = deadline < firstDeadline ? deadline : firstDeadline;
        }

        await ledger.WaitForAsync(traffic.Except(review).Select(m => m.MessageId), Settle);
        await first.KillAsync();
        var killedAt = Stopwatch.StartNew();

        // While no host runs, reviewers decide half of the cases (through the engine's client, as another host's
        // callback would); nobody decides the other half.
        using (var engine = new DurableTaskEngine(StorageConnection.FromConnectionString(TestEnvironment.StorageConnectionString!), Options.Create(EngineOptions(settings)), NullLoggerFactory.Instance))
        {
            var cases = new TaskHubCaseClient(engine);
            foreach (var message in decidedWhileDown)
            {
                await cases.RaiseReviewDecisionAsync(message.MessageId, new ReviewDecision("reviewer-9", ReviewAction.Block, PolicyCategory.OffPlatformContact, "Decided while the host was down.", DateTimeOffset.UtcNow), CancellationToken.None);
            }
        }

        // The scenario's precondition, read from the cases' own deadlines (not a measure of speed): decided after a
        // deadline, a case would race its timer and the test could not tell timers from events.
        Assert.True(DateTime.UtcNow < firstDeadline, $"the decisions were raised after the first review deadline ({firstDeadline:O}); the test cannot tell timers from events");
        await using var second = await HostProcess.StartAsync(settings);
        var restarted = Stopwatch.StartNew();

        await ledger.WaitForAsync(decidedWhileDown.Select(m => m.MessageId), Settle);
        output.WriteLine($"Decisions raised while the host was down were delivered {restarted.Elapsed.TotalSeconds:0.0} s after the restart.");
        await ledger.AssertExactlyOnceAsync(second, traffic.Select(m => m.MessageId).ToList());
        output.WriteLine($"After the restart (host down {killedAt.Elapsed.TotalSeconds - restarted.Elapsed.TotalSeconds:0.0} s), every interrupted case was decided and delivered within {restarted.Elapsed.TotalSeconds:0.0} s.");
        Assert.All(decidedWhileDown, m => Assert.Equal((Disposition.Blocked, DecidedBy.Reviewer), (ledger.Single(m.MessageId).Disposition, ledger.Single(m.MessageId).Outcome.DecidedBy)));
        Assert.All(timedOutAfterRestart, m => Assert.Equal(DecidedBy.Timeout, ledger.Single(m.MessageId).Outcome.DecidedBy));
        // One case per message: every case was classified once, before the crash; none was started again.
        Assert.Equal(review.Count, llm.ClassifiedTexts.Count(t => review.Any(m => m.Text == t)));
    }

    [StorageFact]
    public async Task Two_host_processes_on_one_task_hub_share_the_work_and_deliver_each_message_once()
    {
        var storage = new PipelineStorage();
        await using var llm = await FakeChatModel.StartAsync();
        var settings = PipelineHost.Settings(storage, llm.Endpoint, TimeSpan.FromSeconds(2), new Dictionary<string, string>
        {
            ["Moderation:DurableTask:PartitionCount"] = "4",
            // The orchestrator's own log line for each decided case says which process ran it.
            ["Logging:LogLevel:Moderation.Workflow"] = "Information",
        }).ToList();
        await using var a = await HostProcess.StartAsync(settings);
        await using var b = await HostProcess.StartAsync(settings);

        // Leases rebalance after the second host joins: wait until it owns partitions before sending traffic.
        await Task.Delay(TimeSpan.FromSeconds(15));
        var traffic = ChatTraffic.Mix(40);
        await storage.EnqueueAsync(traffic);

        var ledger = new DeliveryLedger(storage);
        await ledger.AssertExactlyOnceAsync(a, traffic.Select(m => m.MessageId).ToList());
        // A case logs its decision when it completes, a moment after its delivery (and the logs are written
        // asynchronously): wait, bounded, until both hosts' logs show decided cases.
        int casesByA = 0, casesByB = 0;
        await Eventually.HoldsAsync(
            () =>
            {
                casesByA = DecidedCases().Matches(a.Output).Count;
                casesByB = DecidedCases().Matches(b.Output).Count;
                return Task.FromResult(casesByA > 0 && casesByB > 0);
            },
            TimeSpan.FromSeconds(60),
            () => $"one host did all the work ({casesByA} / {casesByB})");
        output.WriteLine($"Cases decided: {casesByA} by the first host, {casesByB} by the second.");
        // Exactly once is the ledger's check; the logs (written asynchronously) only need to show both hosts at work.
        Assert.True(casesByA > 0 && casesByB > 0, $"one host did all the work ({casesByA} / {casesByB})");
    }

    private static DurableTaskHostOptions EngineOptions(IEnumerable<KeyValuePair<string, string>> settings)
    {
        var values = settings.ToDictionary(p => p.Key, p => p.Value);
        return new DurableTaskHostOptions
        {
            TaskHubName = values["Moderation:DurableTask:TaskHubName"],
            PartitionCount = int.Parse(values["Moderation:DurableTask:PartitionCount"], System.Globalization.CultureInfo.InvariantCulture),
        };
    }

    [GeneratedRegex(@"Case [^:\s]+: (Released|Blocked) by")]
    private static partial Regex DecidedCases();
}
