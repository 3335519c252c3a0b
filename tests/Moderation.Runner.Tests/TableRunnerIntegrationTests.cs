using System.Text;
using System.Text.Json;
using Azure.Data.Tables;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Moderation.Core.Cases;
using Moderation.Core.Delivery;
using Moderation.Core.Review;
using Moderation.Core.Serialization;
using Moderation.Core.Workflow;
using Moderation.Runner.Storage;
using Moderation.TestSupport;

namespace Moderation.Runner.Tests;

/// <summary>The runner on real Azure Table storage (Azurite): each test on its own fresh pair of tables.</summary>
public sealed class TableRunnerIntegrationTests
{
    private static readonly CancellationToken None = CancellationToken.None;

    private readonly string casesTable = "Cases" + Guid.NewGuid().ToString("N")[..12];
    private readonly string historyTable = "History" + Guid.NewGuid().ToString("N")[..12];

    [StorageFact]
    public async Task Review_path_runs_to_completion_on_table_storage()
    {
        var runner = new RunnerHarness(await CreateStoreAsync());
        runner.Fakes.Classifier.Confidence = 0.5;
        var moderationCase = TestCases.Create();
        Assert.True(await runner.Client.StartCaseAsync(moderationCase, None));

        Assert.Equal(CaseAdvanceStatus.Waiting, (await runner.AdvanceAsync(moderationCase.CaseId)).Status);
        Assert.Equal(CaseStage.AwaitingReview, (await runner.SnapshotAsync(moderationCase.CaseId)).Progress?.Stage);
        Assert.Equal(RaisedEventDisposition.Accepted, await runner.Client.RaiseEventAsync(moderationCase.CaseId, ModerationWorkflow.ReviewDecisionEvent, TestCases.Decision(), None));
        Assert.Equal(CaseAdvanceStatus.Finished, (await runner.AdvanceAsync(moderationCase.CaseId)).Status);

        var snapshot = await runner.SnapshotAsync(moderationCase.CaseId);
        Assert.Equal(CaseRuntimeState.Completed, snapshot.State);
        Assert.Equal(DecidedBy.Reviewer, snapshot.Outcome?.DecidedBy);
        Assert.Equal(1, runner.Fakes.Delivery.CountFor(moderationCase.CaseId));
        Assert.False(await runner.Client.StartCaseAsync(moderationCase, None));
        Assert.Equal(RaisedEventDisposition.CaseFinished, await runner.Client.RaiseEventAsync(moderationCase.CaseId, ModerationWorkflow.ReviewDecisionEvent, TestCases.Decision(), None));
        Assert.Empty(await runner.Store.FindRunningCasesAsync(None));
    }

    [StorageFact]
    public async Task Decision_raised_before_the_wait_is_buffered_in_table_storage()
    {
        var runner = new RunnerHarness(await CreateStoreAsync());
        runner.Fakes.Classifier.Confidence = 0.5;
        var moderationCase = TestCases.Create();
        await runner.Client.StartCaseAsync(moderationCase, None);
        await runner.Client.RaiseReviewDecisionAsync(moderationCase.CaseId, TestCases.Decision(ReviewAction.Release), None);

        await runner.AdvanceAsync(moderationCase.CaseId);

        Assert.Equal((Disposition.Released, DecidedBy.Reviewer), ((await runner.SnapshotAsync(moderationCase.CaseId)).Outcome!.Disposition, (await runner.SnapshotAsync(moderationCase.CaseId)).Outcome!.DecidedBy));
    }

    [StorageFact]
    public async Task Commit_against_a_stale_version_is_refused()
    {
        var store = await CreateStoreAsync();
        var runner = new RunnerHarness(store);
        var moderationCase = TestCases.Create();
        await runner.Client.StartCaseAsync(moderationCase, None);
        var read = (await store.LoadAsync(moderationCase.CaseId, None))!;
        await runner.Client.RaiseReviewDecisionAsync(moderationCase.CaseId, TestCases.Decision(), None);

        var late = new CaseHistoryEvent(2, CaseHistoryEventKind.EventRaised, read.Head.CreatedAt, Name: "Other", Payload: "{}");
        await Assert.ThrowsAsync<CaseConcurrencyException>(() => store.CommitAsync(read.Head with { HistoryLength = 2 }, [late], read.Version, None));

        var history = (await store.LoadAsync(moderationCase.CaseId, None))!.History;
        Assert.Equal(ModerationWorkflow.ReviewDecisionEvent, history[^1].Name);
        Assert.Equal(2, history.Count);
    }

    [StorageFact]
    public async Task Message_of_100_KB_round_trips_through_the_history_and_is_delivered_intact()
    {
        var runner = new RunnerHarness(await CreateStoreAsync());
        var text = LargeText(100 * 1024);
        var moderationCase = TestCases.Create(text: text);
        await runner.Client.StartCaseAsync(moderationCase, None);

        var started = (await runner.Store.LoadAsync(moderationCase.CaseId, None))!.History[0];
        Assert.Equal(text, JsonSerializer.Deserialize<ModerationCase>(started.Payload!, ModerationJson.Options)!.Message.Text);

        Assert.Equal(CaseAdvanceStatus.Finished, (await runner.AdvanceAsync(moderationCase.CaseId)).Status);
        Assert.Equal(text, Assert.Single(runner.Fakes.Delivery.Orders).Message.Text);
        Assert.Equal(text, runner.Fakes.Audit.Records.First().Message?.Text);
    }

    [StorageFact]
    public async Task Case_waiting_for_review_survives_a_runner_restart_and_is_delivered_exactly_once()
    {
        var fakes = new FakeActivities();
        fakes.Classifier.Confidence = 0.5;
        var moderationCase = TestCases.Create();
        using (var first = BuildHost(fakes))
        {
            await first.StartAsync(None);
            await first.Cases().StartCaseAsync(moderationCase, None);
            await first.Cases().WaitForAsync(moderationCase.CaseId, s => s.Progress?.Stage == CaseStage.AwaitingReview);
            await first.StopAsync(None);
        }

        using var second = BuildHost(fakes);
        await second.StartAsync(None);
        await second.Cases().RaiseReviewDecisionAsync(moderationCase.CaseId, TestCases.Decision(), None);
        var done = await second.Cases().WaitForAsync(moderationCase.CaseId, s => s.State == CaseRuntimeState.Completed);

        Assert.Equal(DecidedBy.Reviewer, done.Outcome?.DecidedBy);
        Assert.Equal(1, fakes.Delivery.CountFor(moderationCase.CaseId));
        Assert.Equal(1, fakes.Classifier.Calls);
        Assert.Single(fakes.Reviews.Requests);
        await second.StopAsync(None);
    }

    [StorageFact]
    public async Task Review_deadline_that_passed_while_no_runner_ran_fires_after_restart()
    {
        var fakes = new FakeActivities();
        fakes.Classifier.Confidence = 0.5;
        var moderationCase = TestCases.Create(reviewTimeout: TimeSpan.FromSeconds(2));
        DateTime deadline;
        using (var first = BuildHost(fakes))
        {
            await first.StartAsync(None);
            await first.Cases().StartCaseAsync(moderationCase, None);
            var waiting = await first.Cases().WaitForAsync(moderationCase.CaseId, s => s.Progress?.Stage == CaseStage.AwaitingReview);
            deadline = waiting.Progress!.ReviewDeadline!.Value;
            await first.StopAsync(None);
        }

        // Nothing runs until the deadline has passed.
        var downtime = deadline - DateTime.UtcNow + TimeSpan.FromMilliseconds(200);
        if (downtime > TimeSpan.Zero)
        {
            await Task.Delay(downtime, None);
        }

        Assert.Empty(fakes.Delivery.Orders);
        using var second = BuildHost(fakes);
        await second.StartAsync(None);
        var done = await second.Cases().WaitForAsync(moderationCase.CaseId, s => s.State == CaseRuntimeState.Completed);

        Assert.Equal(DecidedBy.Timeout, done.Outcome?.DecidedBy);
        Assert.Equal(1, fakes.Delivery.CountFor(moderationCase.CaseId));
        await second.StopAsync(None);
    }

    [StorageFact]
    public async Task Second_runner_instance_leaves_a_case_alone_while_the_first_is_delivering_it()
    {
        var fakes = new FakeActivities();
        var one = new RunnerHarness(await CreateStoreAsync(), fakes: fakes);
        var two = new RunnerHarness(await CreateStoreAsync(), fakes: fakes);
        await RunnerServiceTests.AssertSecondInstanceWaitsForTheFirstAsync(one, two.Executor);
    }

    [StorageFact]
    public async Task Two_hosted_runners_on_the_same_tables_complete_every_case_once()
    {
        var fakes = new FakeActivities();
        fakes.Delivery.BeforeDelivery = _ => Task.Delay(20, None);
        using var first = BuildHost(fakes);
        using var second = BuildHost(fakes);
        await Task.WhenAll(first.StartAsync(None), second.StartAsync(None));
        var ids = new List<string>();
        for (var i = 0; i < 6; i++)
        {
            var moderationCase = TestCases.Create();
            ids.Add(moderationCase.CaseId);
            await (i % 2 == 0 ? first : second).Cases().StartCaseAsync(moderationCase, None);
        }

        foreach (var id in ids)
        {
            await first.Cases().WaitForAsync(id, s => s.State == CaseRuntimeState.Completed);
        }

        Assert.All(ids, id => Assert.Equal(1, fakes.Delivery.CountFor(id)));
        await Task.WhenAll(first.StopAsync(None), second.StopAsync(None));
    }

    private async Task<TableCaseStore> CreateStoreAsync()
    {
        var store = new TableCaseStore(new TableServiceClient(TestEnvironment.StorageConnectionString), casesTable, historyTable);
        await store.EnsureCreatedAsync(None);
        return store;
    }

    private IHost BuildHost(FakeActivities fakes) => RunnerHost.Build(
        fakes,
        services => services.AddSingleton(new TableServiceClient(TestEnvironment.StorageConnectionString)),
        new Dictionary<string, string?>
        {
            ["Moderation:Runner:CasesTable"] = casesTable,
            ["Moderation:Runner:HistoryTable"] = historyTable,
        });

    /// <summary>Mixed scripts and emoji, so chunk boundaries fall inside multi-byte characters and surrogate pairs.</summary>
    private static string LargeText(int length)
    {
        var text = new StringBuilder(length + 16);
        var pieces = new[] { "Bonjour, ça va ? ", "Привет ", "こんにちは ", "👋🏽 ", "call me at 555-0100 " };
        for (var i = 0; text.Length < length; i++)
        {
            text.Append(pieces[i % pieces.Length]);
        }

        return text.ToString();
    }
}
