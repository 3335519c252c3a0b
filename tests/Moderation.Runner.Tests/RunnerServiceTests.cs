using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Moderation.Core.Activities;
using Moderation.Core.Cases;
using Moderation.Core.Delivery;
using Moderation.Core.Review;
using Moderation.Core.Workflow;
using Moderation.Runner.Storage;

namespace Moderation.Runner.Tests;

/// <summary>The hosted service: prompt processing, polling, alarms, restarts and several instances.</summary>
public sealed class RunnerServiceTests
{
    private static readonly CancellationToken None = CancellationToken.None;

    [Fact]
    public async Task Started_case_is_advanced_by_the_hosted_service_without_waiting_for_a_poll()
    {
        var fakes = new FakeActivities();
        using var host = RunnerHost.Build(fakes, new InMemoryCaseStore());
        await host.StartAsync(None);
        var moderationCase = TestCases.Create();

        await host.Cases().StartCaseAsync(moderationCase, None);
        var done = await host.Cases().WaitForAsync(moderationCase.CaseId, s => s.State == CaseRuntimeState.Completed);

        Assert.Equal(DecidedBy.Llm, done.Outcome?.DecidedBy);
        Assert.Equal(1, fakes.Delivery.CountFor(moderationCase.CaseId));
        await host.StopAsync(None);
    }

    [Fact]
    public async Task Reviewer_decision_through_the_case_client_completes_a_waiting_case()
    {
        var fakes = new FakeActivities();
        fakes.Classifier.Confidence = 0.5;
        using var host = RunnerHost.Build(fakes, new InMemoryCaseStore());
        await host.StartAsync(None);
        var moderationCase = TestCases.Create();
        await host.Cases().StartCaseAsync(moderationCase, None);
        await host.Cases().WaitForAsync(moderationCase.CaseId, s => s.Progress?.Stage == CaseStage.AwaitingReview);

        await host.Cases().RaiseReviewDecisionAsync(moderationCase.CaseId, TestCases.Decision(ReviewAction.Release), None);
        var done = await host.Cases().WaitForAsync(moderationCase.CaseId, s => s.State == CaseRuntimeState.Completed);

        Assert.Equal((Disposition.Released, DecidedBy.Reviewer), (done.Outcome!.Disposition, done.Outcome.DecidedBy));
        await host.StopAsync(None);
    }

    [Fact]
    public async Task Review_deadline_fires_while_the_service_runs()
    {
        var fakes = new FakeActivities();
        fakes.Classifier.Confidence = 0.5;
        using var host = RunnerHost.Build(fakes, new InMemoryCaseStore());
        await host.StartAsync(None);
        var moderationCase = TestCases.Create(reviewTimeout: TimeSpan.FromSeconds(1));

        await host.Cases().StartCaseAsync(moderationCase, None);
        var done = await host.Cases().WaitForAsync(moderationCase.CaseId, s => s.State == CaseRuntimeState.Completed);

        Assert.Equal(DecidedBy.Timeout, done.Outcome?.DecidedBy);
        await host.StopAsync(None);
    }

    [Fact]
    public async Task Event_written_by_another_process_is_found_by_polling()
    {
        var fakes = new FakeActivities();
        fakes.Classifier.Confidence = 0.5;
        var store = new InMemoryCaseStore();
        using var host = RunnerHost.Build(fakes, store);
        await host.StartAsync(None);
        var moderationCase = TestCases.Create();
        await host.Cases().StartCaseAsync(moderationCase, None);
        await host.Cases().WaitForAsync(moderationCase.CaseId, s => s.Progress?.Stage == CaseStage.AwaitingReview);

        // A client whose signal reaches no runner: only the store knows about the event.
        var elsewhere = new RunnerCaseClient(store, new CaseWorkSignal(), TimeProvider.System, NullLogger<RunnerCaseClient>.Instance);
        await elsewhere.RaiseReviewDecisionAsync(moderationCase.CaseId, TestCases.Decision(), None);
        var done = await host.Cases().WaitForAsync(moderationCase.CaseId, s => s.State == CaseRuntimeState.Completed);

        Assert.Equal(DecidedBy.Reviewer, done.Outcome?.DecidedBy);
        await host.StopAsync(None);
    }

    [Fact]
    public async Task Case_waiting_for_review_survives_a_restart_and_completes_exactly_once()
    {
        var fakes = new FakeActivities();
        fakes.Classifier.Confidence = 0.5;
        var store = new InMemoryCaseStore();
        var moderationCase = TestCases.Create();
        using (var first = RunnerHost.Build(fakes, store))
        {
            await first.StartAsync(None);
            await first.Cases().StartCaseAsync(moderationCase, None);
            await first.Cases().WaitForAsync(moderationCase.CaseId, s => s.Progress?.Stage == CaseStage.AwaitingReview);
            await first.StopAsync(None);
        }

        using var second = RunnerHost.Build(fakes, store);
        await second.StartAsync(None);
        await second.Cases().RaiseReviewDecisionAsync(moderationCase.CaseId, TestCases.Decision(), None);
        var done = await second.Cases().WaitForAsync(moderationCase.CaseId, s => s.State == CaseRuntimeState.Completed);

        Assert.Equal(DecidedBy.Reviewer, done.Outcome?.DecidedBy);
        Assert.Equal(1, fakes.Classifier.Calls);
        Assert.Single(fakes.Reviews.Requests);
        Assert.Equal(1, fakes.Delivery.CountFor(moderationCase.CaseId));
        await second.StopAsync(None);
    }

    [Fact]
    public async Task Activity_finishing_during_shutdown_is_checkpointed_and_the_next_runner_finishes_the_case()
    {
        var fakes = new FakeActivities();
        var store = new InMemoryCaseStore();
        var moderationCase = TestCases.Create();
        var deliveryEntered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        fakes.Delivery.BeforeDelivery = async cancellationToken =>
        {
            deliveryEntered.TrySetResult();

            // The delivery completes its work only once shutdown has begun.
            await Task.Delay(Timeout.Infinite, cancellationToken).ContinueWith(_ => { }, TaskScheduler.Default);
        };
        using (var first = RunnerHost.Build(fakes, store))
        {
            await first.StartAsync(None);
            await first.Cases().StartCaseAsync(moderationCase, None);
            await deliveryEntered.Task.WaitAsync(TimeSpan.FromSeconds(30));
            await first.StopAsync(None);
        }

        var afterStop = (await store.LoadAsync(moderationCase.CaseId, None))!;
        Assert.Equal(CaseRuntimeState.Running, afterStop.Head.State);
        Assert.Null(afterStop.Head.LeaseOwner);
        Assert.Contains(afterStop.History, e => e is { Kind: CaseHistoryEventKind.ActivityCompleted, Name: ModerationActivities.Deliver });

        fakes.Delivery.BeforeDelivery = null;
        using var second = RunnerHost.Build(fakes, store);
        await second.StartAsync(None);
        var done = await second.Cases().WaitForAsync(moderationCase.CaseId, s => s.State == CaseRuntimeState.Completed);

        Assert.Equal(DecidedBy.Llm, done.Outcome?.DecidedBy);
        Assert.Equal(1, fakes.Delivery.CountFor(moderationCase.CaseId));
        Assert.Equal(1, fakes.Classifier.Calls);
        await second.StopAsync(None);
    }

    [Fact]
    public async Task Invalid_runner_options_stop_the_host_at_start()
    {
        using var host = RunnerHost.Build(new FakeActivities(), s => s.AddSingleton<ICaseStore>(new InMemoryCaseStore()), new Dictionary<string, string?>
        {
            ["Moderation:Runner:MaxConcurrentCases"] = "0",
            ["Moderation:Runner:HistoryTable"] = "no_underscores",
        });

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync(None));

        Assert.Contains(error.Failures, f => f.Contains("MaxConcurrentCases", StringComparison.Ordinal));
        Assert.Contains(error.Failures, f => f.Contains("HistoryTable", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Two_runner_instances_on_one_store_deliver_each_case_once()
    {
        var runner = new RunnerHarness();
        runner.Fakes.Delivery.BeforeDelivery = _ => Task.Delay(20, None);
        var other = runner.NewExecutor();
        var ids = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            var moderationCase = TestCases.Create();
            ids.Add(moderationCase.CaseId);
            await runner.Client.StartCaseAsync(moderationCase, None);
        }

        await Task.WhenAll(ids.SelectMany(id => new[] { AdvanceUntilFinishedAsync(runner.Executor, id), AdvanceUntilFinishedAsync(other, id) }));

        Assert.All(ids, id => Assert.Equal(1, runner.Fakes.Delivery.CountFor(id)));
        Assert.Equal(5, runner.Fakes.Classifier.Calls);
    }

    [Fact]
    public async Task Case_leased_by_a_crashed_instance_is_taken_over_once_the_lease_expires()
    {
        var clock = new ManualClock(new DateTimeOffset(2026, 11, 1, 12, 0, 0, TimeSpan.Zero));
        var runner = new RunnerHarness(time: clock, leaseDuration: TimeSpan.FromMinutes(1));
        var moderationCase = TestCases.Create();
        await runner.Client.StartCaseAsync(moderationCase, None);
        var stored = (await runner.Store.ReadHeadAsync(moderationCase.CaseId, None))!;
        await runner.Store.CommitAsync(stored.Head with { LeaseOwner = "crashed-instance", LeaseExpiresAt = clock.GetUtcNow().UtcDateTime.AddMinutes(1) }, [], stored.Version, None);

        Assert.Equal(CaseAdvanceStatus.Busy, (await runner.AdvanceAsync(moderationCase.CaseId)).Status);
        Assert.Equal(0, runner.Fakes.Classifier.Calls);

        clock.Advance(TimeSpan.FromMinutes(2));
        Assert.Equal(CaseAdvanceStatus.Finished, (await runner.AdvanceAsync(moderationCase.CaseId)).Status);
        Assert.Equal(1, runner.Fakes.Delivery.CountFor(moderationCase.CaseId));
    }

    [Fact]
    public async Task Second_runner_instance_leaves_a_case_alone_while_the_first_is_delivering_it()
    {
        var runner = new RunnerHarness();
        await AssertSecondInstanceWaitsForTheFirstAsync(runner, runner.NewExecutor());
    }

    /// <summary>
    /// Holds the first instance inside the delivery, lets the second try the same case, then lets the first finish:
    /// the case must be delivered once, and the second instance must not have run anything.
    /// </summary>
    internal static async Task AssertSecondInstanceWaitsForTheFirstAsync(RunnerHarness first, ModerationCaseExecutor second)
    {
        var entered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var deliveries = 0;
        first.Fakes.Delivery.BeforeDelivery = async _ =>
        {
            if (Interlocked.Increment(ref deliveries) == 1)
            {
                entered.TrySetResult();
                await release.Task;
            }
        };
        var moderationCase = TestCases.Create();
        await first.Client.StartCaseAsync(moderationCase, None);

        var firstRun = first.Executor.AdvanceAsync(moderationCase.CaseId, None);
        await entered.Task.WaitAsync(TimeSpan.FromSeconds(30));
        var secondRun = await second.AdvanceAsync(moderationCase.CaseId, None);
        release.TrySetResult();
        var firstResult = await firstRun;

        Assert.Equal(CaseAdvanceStatus.Busy, secondRun.Status);
        Assert.Equal(CaseAdvanceStatus.Finished, firstResult.Status);
        Assert.Equal(1, first.Fakes.Delivery.CountFor(moderationCase.CaseId));
        Assert.Equal(1, first.Fakes.Classifier.Calls);
        Assert.Equal(CaseAdvanceStatus.Finished, (await second.AdvanceAsync(moderationCase.CaseId, None)).Status);
    }

    internal static async Task AdvanceUntilFinishedAsync(ModerationCaseExecutor executor, string caseId)
    {
        for (var i = 0; i < 2000; i++)
        {
            if ((await executor.AdvanceAsync(caseId, None)).Status == CaseAdvanceStatus.Finished)
            {
                return;
            }

            await Task.Delay(5, None);
        }

        throw new TimeoutException($"Case {caseId} did not finish.");
    }
}
