using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Moderation.Core.Cases;
using Moderation.Core.Review;
using Moderation.Core.Workflow;
using Moderation.Runner.Storage;

namespace Moderation.Runner.Tests;

/// <summary>Replay: recorded results are returned, time is the history's, and divergence is caught.</summary>
public sealed class ReplayTests
{
    private static readonly CancellationToken None = CancellationToken.None;

    [Fact]
    public async Task Replaying_every_prefix_of_a_finished_history_asks_for_exactly_the_next_recorded_step()
    {
        var clock = new ManualClock(new DateTimeOffset(2026, 11, 1, 12, 0, 0, TimeSpan.Zero));
        var runner = new RunnerHarness(time: clock);
        runner.Fakes.Classifier.Confidence = 0.5;
        var moderationCase = TestCases.Create();
        await runner.Client.StartCaseAsync(moderationCase, None);
        await runner.AdvanceAsync(moderationCase.CaseId);
        clock.Advance(TimeSpan.FromMinutes(1));
        await runner.Client.RaiseReviewDecisionAsync(moderationCase.CaseId, TestCases.Decision(), None);
        await runner.AdvanceAsync(moderationCase.CaseId);
        var stored = (await runner.Store.LoadAsync(moderationCase.CaseId, None))!;
        var history = stored.History;

        for (var length = 1; length < history.Count; length++)
        {
            var next = history[length];
            var replay = CaseReplay.Run(moderationCase.CaseId, history.Take(length).ToList(), 0, NullLoggerFactory.Instance);
            switch (next.Kind)
            {
                case CaseHistoryEventKind.ActivityCompleted:
                    var pending = Assert.Single(replay.PendingActivities);
                    Assert.Equal((next.TaskId, next.Name), (pending.TaskId, pending.Name));
                    break;
                case CaseHistoryEventKind.TimerCreated:
                    var timer = Assert.Single(replay.PendingTimers);
                    Assert.True(timer.IsNew);
                    Assert.Equal((next.TaskId, next.FireAt), (timer.TaskId, timer.FireAt));
                    break;
                case CaseHistoryEventKind.CaseCompleted:
                    Assert.Equal(CaseReplayStatus.Completed, replay.Status);
                    Assert.Equal(next.Payload, replay.Output);
                    break;
                default:
                    // An external event can arrive at any point; the workflow just keeps waiting.
                    Assert.Equal(CaseReplayStatus.Running, replay.Status);
                    break;
            }
        }

        var full = CaseReplay.Run(moderationCase.CaseId, history, 0, NullLoggerFactory.Instance);
        Assert.Equal(CaseReplayStatus.Completed, full.Status);
        Assert.Equal(stored.Head.Output, full.Output);
        Assert.Empty(full.PendingActivities);
    }

    [Fact]
    public async Task Recorded_activities_are_never_run_again_however_often_the_case_is_replayed()
    {
        var runner = new RunnerHarness();
        runner.Fakes.Classifier.Confidence = 0.5;
        var moderationCase = TestCases.Create();
        await runner.Client.StartCaseAsync(moderationCase, None);
        for (var i = 0; i < 3; i++)
        {
            await runner.AdvanceAsync(moderationCase.CaseId);
        }

        await runner.Client.RaiseReviewDecisionAsync(moderationCase.CaseId, TestCases.Decision(), None);
        for (var i = 0; i < 3; i++)
        {
            await runner.AdvanceAsync(moderationCase.CaseId);
        }

        Assert.Equal(1, runner.Fakes.Classifier.Calls);
        Assert.Single(runner.Fakes.Reviews.Requests);
        Assert.Equal(1, runner.Fakes.Delivery.CountFor(moderationCase.CaseId));
        Assert.Equal(4, runner.Fakes.Audit.Records.Count);
    }

    [Fact]
    public async Task Workflow_time_is_the_time_of_the_history_entry_being_replayed()
    {
        var clock = new ManualClock(new DateTimeOffset(2026, 11, 1, 12, 0, 0, TimeSpan.Zero));
        var runner = new RunnerHarness(time: clock);
        runner.Fakes.Classifier.Confidence = 0.5;
        var moderationCase = TestCases.Create(reviewTimeout: TimeSpan.FromMinutes(30));
        await runner.Client.StartCaseAsync(moderationCase, None);
        clock.Advance(TimeSpan.FromMinutes(2));
        await runner.AdvanceAsync(moderationCase.CaseId);

        // The deadline is computed inside the workflow from its time, which is the case's history, not the wall clock.
        var request = Assert.Single(runner.Fakes.Reviews.Requests);
        Assert.Equal(new DateTime(2026, 11, 1, 12, 2, 0, DateTimeKind.Utc), request.RequestedAt);
        clock.Advance(TimeSpan.FromHours(5));
        var replay = CaseReplay.Run(moderationCase.CaseId, await runner.HistoryAsync(moderationCase.CaseId), 0, NullLoggerFactory.Instance);
        Assert.Equal(request.Deadline, Assert.Single(replay.PendingTimers).FireAt);
    }

    [Fact]
    public async Task History_from_a_different_workflow_fails_the_case_with_a_divergence_error()
    {
        var runner = new RunnerHarness();
        var moderationCase = TestCases.Create();
        await runner.Client.StartCaseAsync(moderationCase, None);
        var stored = (await runner.Store.LoadAsync(moderationCase.CaseId, None))!;
        var foreign = new CaseHistoryEvent(2, CaseHistoryEventKind.ActivityCompleted, stored.Head.CreatedAt, 0, "TranslateMessage", "true");
        await runner.Store.CommitAsync(stored.Head with { HistoryLength = 2 }, [foreign], stored.Version, None);

        var advance = await runner.AdvanceAsync(moderationCase.CaseId);

        Assert.Equal(CaseAdvanceStatus.Finished, advance.Status);
        var head = (await runner.Store.ReadHeadAsync(moderationCase.CaseId, None))!.Head;
        Assert.Equal(CaseRuntimeState.Failed, head.State);
        Assert.Contains("diverged", head.Error, StringComparison.Ordinal);
        Assert.Contains("TranslateMessage", head.Error, StringComparison.Ordinal);
        Assert.Equal(0, runner.Fakes.Classifier.Calls);
        Assert.Empty(runner.Fakes.Delivery.Orders);
    }

    [Fact]
    public async Task History_with_a_task_the_workflow_never_schedules_is_reported_as_divergence()
    {
        var runner = new RunnerHarness();
        var moderationCase = TestCases.Create();
        await runner.Client.StartCaseAsync(moderationCase, None);
        var stored = (await runner.Store.LoadAsync(moderationCase.CaseId, None))!;
        var stray = new CaseHistoryEvent(2, CaseHistoryEventKind.TimerCreated, stored.Head.CreatedAt, 5, ModerationWorkflow.ReviewDecisionEvent, FireAt: stored.Head.CreatedAt.AddHours(1));

        var replay = CaseReplay.Run(moderationCase.CaseId, [.. stored.History, stray], 0, NullLoggerFactory.Instance);

        Assert.Equal(CaseReplayStatus.Failed, replay.Status);
        Assert.Contains("task(s) 5", replay.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Unreadable_case_input_fails_the_case_instead_of_retrying_forever()
    {
        var started = new CaseHistoryEvent(1, CaseHistoryEventKind.CaseStarted, new DateTime(2026, 11, 1, 12, 0, 0, DateTimeKind.Utc), Payload: "{\"message\": 42}");

        var replay = CaseReplay.Run("case-1", [started], 0, NullLoggerFactory.Instance);

        Assert.Equal(CaseReplayStatus.Failed, replay.Status);
        Assert.Contains("cannot be read", replay.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Replay_safe_logger_writes_each_workflow_line_once_across_replays()
    {
        var logs = new CountingLoggerFactory();
        var runner = new RunnerHarness();
        runner.Fakes.Classifier.FailuresBeforeSuccess = int.MaxValue;
        var moderationCase = TestCases.Create(classificationAttempts: 1);
        await runner.Client.StartCaseAsync(moderationCase, None);
        var executor = new ModerationCaseExecutor(runner.Store, new ModerationActivityDispatcher(runner.Fakes.Create(), TimeProvider.System, NullLogger<ModerationActivityDispatcher>.Instance), Microsoft.Extensions.Options.Options.Create(runner.Options), TimeProvider.System, logs);

        await executor.AdvanceAsync(moderationCase.CaseId, None);
        await runner.Client.RaiseReviewDecisionAsync(moderationCase.CaseId, TestCases.Decision(ReviewAction.Release), None);
        await executor.AdvanceAsync(moderationCase.CaseId, None);

        Assert.Equal(1, logs.Count(typeof(ModerationWorkflow).FullName!, "classification failed"));
        Assert.Equal(1, logs.Count(typeof(ModerationWorkflow).FullName!, "released by reviewer"));
    }

    private sealed class CountingLoggerFactory : ILoggerFactory
    {
        private readonly System.Collections.Concurrent.ConcurrentQueue<(string Category, string Message)> lines = new();

        public int Count(string category, string fragment) =>
            lines.Count(l => l.Category == category && l.Message.Contains(fragment, StringComparison.OrdinalIgnoreCase));

        public ILogger CreateLogger(string categoryName) => new Logger(categoryName, lines);

        public void AddProvider(ILoggerProvider provider)
        {
        }

        public void Dispose()
        {
        }

        private sealed class Logger(string category, System.Collections.Concurrent.ConcurrentQueue<(string, string)> lines) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
                lines.Enqueue((category, formatter(state, exception)));
        }
    }
}
