using Moderation.Core.Activities;
using Moderation.Core.Audit;
using Moderation.Core.Cases;
using Moderation.Core.Delivery;
using Moderation.Core.Policy;
using Moderation.Core.Review;
using Moderation.Core.Workflow;
using Moderation.Runner.Storage;

namespace Moderation.Runner.Tests;

/// <summary>Every path of the moderation workflow, run by the runner over the in-memory store.</summary>
public sealed class RunnerWorkflowTests
{
    private static readonly CancellationToken None = CancellationToken.None;

    [Fact]
    public async Task Confident_violation_is_blocked_by_the_llm_and_delivered_once()
    {
        var runner = new RunnerHarness();
        var moderationCase = TestCases.Create();
        Assert.True(await runner.Client.StartCaseAsync(moderationCase, None));

        var advance = await runner.AdvanceAsync(moderationCase.CaseId);

        Assert.Equal(CaseAdvanceStatus.Finished, advance.Status);
        var snapshot = await runner.SnapshotAsync(moderationCase.CaseId);
        Assert.Equal(CaseRuntimeState.Completed, snapshot.State);
        Assert.Equal(CaseStage.Completed, snapshot.Progress?.Stage);
        Assert.Equal(Disposition.Blocked, snapshot.Outcome?.Disposition);
        Assert.Equal(DecidedBy.Llm, snapshot.Outcome?.DecidedBy);
        Assert.Equal(PolicyCategory.Harassment, snapshot.Outcome?.Category);
        Assert.Equal(1, runner.Fakes.Delivery.CountFor(moderationCase.CaseId));
        Assert.Equal(1, runner.Fakes.Classifier.Calls);
        Assert.Equal([AuditStage.LlmClassified, AuditStage.Delivered], runner.Fakes.Audit.StagesOf(moderationCase.CaseId));
    }

    [Fact]
    public async Task Case_shows_as_decided_while_its_delivery_is_still_running()
    {
        var runner = new RunnerHarness();
        var entered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        runner.Fakes.Delivery.BeforeDelivery = async _ =>
        {
            entered.TrySetResult();
            await release.Task;
        };
        var moderationCase = TestCases.Create();
        await runner.Client.StartCaseAsync(moderationCase, None);

        var advancing = runner.AdvanceAsync(moderationCase.CaseId);
        await entered.Task.WaitAsync(TimeSpan.FromSeconds(30));
        var during = await runner.SnapshotAsync(moderationCase.CaseId);
        release.TrySetResult();
        await advancing;

        Assert.Equal(CaseRuntimeState.Running, during.State);
        Assert.Equal(CaseStage.Delivering, during.Progress?.Stage);
        Assert.True(during.IsDecided);
        Assert.Equal(Disposition.Blocked, during.Progress?.Outcome?.Disposition);
    }

    [Fact]
    public async Task Confident_clean_verdict_is_released()
    {
        var runner = new RunnerHarness();
        runner.Fakes.Classifier.Category = PolicyCategory.Clean;
        var moderationCase = TestCases.Create();
        await runner.Client.StartCaseAsync(moderationCase, None);

        await runner.AdvanceAsync(moderationCase.CaseId);

        var outcome = (await runner.SnapshotAsync(moderationCase.CaseId)).Outcome;
        Assert.Equal(Disposition.Released, outcome?.Disposition);
        Assert.Equal(DecidedBy.Llm, outcome?.DecidedBy);
        Assert.Equal(Disposition.Released, Assert.Single(runner.Fakes.Delivery.Orders).Outcome.Disposition);
    }

    [Fact]
    public async Task Uncertain_verdict_waits_for_review_and_the_reviewers_decision_is_delivered()
    {
        var runner = new RunnerHarness();
        runner.Fakes.Classifier.Confidence = 0.5;
        var moderationCase = TestCases.Create();
        await runner.Client.StartCaseAsync(moderationCase, None);

        var waiting = await runner.AdvanceAsync(moderationCase.CaseId);

        Assert.Equal(CaseAdvanceStatus.Waiting, waiting.Status);
        var snapshot = await runner.SnapshotAsync(moderationCase.CaseId);
        Assert.Equal(CaseRuntimeState.Running, snapshot.State);
        Assert.Equal(CaseStage.AwaitingReview, snapshot.Progress?.Stage);
        Assert.False(snapshot.IsDecided);
        var request = Assert.Single(runner.Fakes.Reviews.Requests);
        Assert.Equal(request.Deadline, snapshot.Progress?.ReviewDeadline);
        Assert.Equal(request.Deadline, waiting.NextTimerDueAt);
        Assert.Empty(runner.Fakes.Delivery.Orders);

        Assert.Equal(RaisedEventDisposition.Accepted, await runner.Client.RaiseEventAsync(moderationCase.CaseId, ModerationWorkflow.ReviewDecisionEvent, TestCases.Decision(ReviewAction.Release), None));
        await runner.AdvanceAsync(moderationCase.CaseId);

        var outcome = (await runner.SnapshotAsync(moderationCase.CaseId)).Outcome;
        Assert.Equal(Disposition.Released, outcome?.Disposition);
        Assert.Equal(DecidedBy.Reviewer, outcome?.DecidedBy);
        Assert.Equal(1, runner.Fakes.Delivery.CountFor(moderationCase.CaseId));
        Assert.Equal(
            [AuditStage.LlmClassified, AuditStage.ReviewRequested, AuditStage.ReviewDecided, AuditStage.Delivered],
            runner.Fakes.Audit.StagesOf(moderationCase.CaseId));
    }

    [Fact]
    public async Task Decision_raised_before_the_workflow_waits_is_buffered_and_consumed_by_the_wait()
    {
        var runner = new RunnerHarness();
        runner.Fakes.Classifier.Confidence = 0.5;
        var moderationCase = TestCases.Create();
        await runner.Client.StartCaseAsync(moderationCase, None);

        // Raised before the runner ran a single step: the workflow has not reached its wait yet.
        await runner.Client.RaiseReviewDecisionAsync(moderationCase.CaseId, TestCases.Decision(ReviewAction.Block, PolicyCategory.Spam), None);
        var advance = await runner.AdvanceAsync(moderationCase.CaseId);

        Assert.Equal(CaseAdvanceStatus.Finished, advance.Status);
        var outcome = (await runner.SnapshotAsync(moderationCase.CaseId)).Outcome;
        Assert.Equal(DecidedBy.Reviewer, outcome?.DecidedBy);
        Assert.Equal(PolicyCategory.Spam, outcome?.Category);
        Assert.DoesNotContain(await runner.HistoryAsync(moderationCase.CaseId), e => e.Kind == CaseHistoryEventKind.TimerCreated);
    }

    [Fact]
    public async Task Event_names_match_case_insensitively()
    {
        var runner = new RunnerHarness();
        runner.Fakes.Classifier.Confidence = 0.5;
        var moderationCase = TestCases.Create();
        await runner.Client.StartCaseAsync(moderationCase, None);
        await runner.AdvanceAsync(moderationCase.CaseId);

        await runner.Client.RaiseEventAsync(moderationCase.CaseId, ModerationWorkflow.ReviewDecisionEvent.ToUpperInvariant(), TestCases.Decision(), None);
        await runner.AdvanceAsync(moderationCase.CaseId);

        Assert.Equal(DecidedBy.Reviewer, (await runner.SnapshotAsync(moderationCase.CaseId)).Outcome?.DecidedBy);
    }

    [Fact]
    public async Task Second_decision_raised_for_the_same_wait_is_ignored()
    {
        var runner = new RunnerHarness();
        runner.Fakes.Classifier.Confidence = 0.5;
        var moderationCase = TestCases.Create();
        await runner.Client.StartCaseAsync(moderationCase, None);
        await runner.AdvanceAsync(moderationCase.CaseId);

        await runner.Client.RaiseReviewDecisionAsync(moderationCase.CaseId, TestCases.Decision(ReviewAction.Block, PolicyCategory.Threat, "first"), None);
        await runner.Client.RaiseReviewDecisionAsync(moderationCase.CaseId, TestCases.Decision(ReviewAction.Release, reviewer: "second"), None);
        await runner.AdvanceAsync(moderationCase.CaseId);

        var outcome = (await runner.SnapshotAsync(moderationCase.CaseId)).Outcome;
        Assert.Equal(Disposition.Blocked, outcome?.Disposition);
        Assert.Equal(PolicyCategory.Threat, outcome?.Category);
        var delivered = Assert.Single(runner.Fakes.Delivery.Orders);
        Assert.Equal(Disposition.Blocked, delivered.Outcome.Disposition);
    }

    [Fact]
    public async Task Decision_raised_after_completion_is_discarded_and_the_raise_says_so()
    {
        var runner = new RunnerHarness();
        var moderationCase = TestCases.Create();
        await runner.Client.StartCaseAsync(moderationCase, None);
        await runner.AdvanceAsync(moderationCase.CaseId);
        var historyLength = (await runner.HistoryAsync(moderationCase.CaseId)).Count;

        var raised = await runner.Client.RaiseEventAsync(moderationCase.CaseId, ModerationWorkflow.ReviewDecisionEvent, TestCases.Decision(ReviewAction.Release), None);

        Assert.Equal(RaisedEventDisposition.CaseFinished, raised);
        Assert.Equal(historyLength, (await runner.HistoryAsync(moderationCase.CaseId)).Count);
        Assert.Equal(Disposition.Blocked, (await runner.SnapshotAsync(moderationCase.CaseId)).Outcome?.Disposition);
    }

    [Fact]
    public async Task Raise_and_read_for_an_unknown_case_report_it_unknown()
    {
        var runner = new RunnerHarness();

        Assert.Equal(RaisedEventDisposition.UnknownCase, await runner.Client.RaiseEventAsync("no-such-case", ModerationWorkflow.ReviewDecisionEvent, TestCases.Decision(), None));
        Assert.Null(await runner.Client.GetCaseAsync("no-such-case", None));
        Assert.Equal(CaseAdvanceStatus.NotFound, (await runner.AdvanceAsync("no-such-case")).Status);
    }

    [Fact]
    public async Task Review_deadline_passing_fires_the_timer_and_the_category_default_applies()
    {
        var clock = new ManualClock(new DateTimeOffset(2026, 11, 1, 12, 0, 0, TimeSpan.Zero));
        var runner = new RunnerHarness(time: clock);
        runner.Fakes.Classifier.Category = PolicyCategory.JobSeeking; // always reviewed; times out to release
        var moderationCase = TestCases.Create(reviewTimeout: TimeSpan.FromMinutes(10));
        await runner.Client.StartCaseAsync(moderationCase, None);
        await runner.AdvanceAsync(moderationCase.CaseId);

        clock.Advance(TimeSpan.FromMinutes(9));
        Assert.Equal(CaseAdvanceStatus.Waiting, (await runner.AdvanceAsync(moderationCase.CaseId)).Status);
        Assert.DoesNotContain(await runner.HistoryAsync(moderationCase.CaseId), e => e.Kind == CaseHistoryEventKind.TimerFired);

        clock.Advance(TimeSpan.FromMinutes(2));
        Assert.Equal(CaseAdvanceStatus.Finished, (await runner.AdvanceAsync(moderationCase.CaseId)).Status);

        var outcome = (await runner.SnapshotAsync(moderationCase.CaseId)).Outcome;
        Assert.Equal(DecidedBy.Timeout, outcome?.DecidedBy);
        Assert.Equal(Disposition.Released, outcome?.Disposition);
        Assert.Contains(AuditStage.ReviewTimedOut, runner.Fakes.Audit.StagesOf(moderationCase.CaseId));
        Assert.Equal(clock.GetUtcNow().UtcDateTime, outcome?.DecidedAt);
    }

    [Fact]
    public async Task Decision_after_the_deadline_fired_is_discarded()
    {
        var clock = new ManualClock(new DateTimeOffset(2026, 11, 1, 12, 0, 0, TimeSpan.Zero));
        var runner = new RunnerHarness(time: clock);
        runner.Fakes.Classifier.Confidence = 0.5;
        var moderationCase = TestCases.Create(reviewTimeout: TimeSpan.FromMinutes(10));
        await runner.Client.StartCaseAsync(moderationCase, None);
        await runner.AdvanceAsync(moderationCase.CaseId);
        clock.Advance(TimeSpan.FromMinutes(11));
        await runner.AdvanceAsync(moderationCase.CaseId);

        Assert.Equal(RaisedEventDisposition.CaseFinished, await runner.Client.RaiseEventAsync(moderationCase.CaseId, ModerationWorkflow.ReviewDecisionEvent, TestCases.Decision(ReviewAction.Release), None));
        Assert.Equal(DecidedBy.Timeout, (await runner.SnapshotAsync(moderationCase.CaseId)).Outcome?.DecidedBy);
        Assert.Equal(1, runner.Fakes.Delivery.CountFor(moderationCase.CaseId));
    }

    [Fact]
    public async Task Invalid_decision_is_ignored_and_the_wait_goes_on_to_the_original_deadline()
    {
        var clock = new ManualClock(new DateTimeOffset(2026, 11, 1, 12, 0, 0, TimeSpan.Zero));
        var runner = new RunnerHarness(time: clock);
        runner.Fakes.Classifier.Confidence = 0.5;
        var moderationCase = TestCases.Create(reviewTimeout: TimeSpan.FromMinutes(10));
        await runner.Client.StartCaseAsync(moderationCase, None);
        var first = await runner.AdvanceAsync(moderationCase.CaseId);

        clock.Advance(TimeSpan.FromMinutes(3));
        await runner.Client.RaiseEventAsync(moderationCase.CaseId, ModerationWorkflow.ReviewDecisionEvent, TestCases.Decision(reviewer: " "), None);
        var second = await runner.AdvanceAsync(moderationCase.CaseId);

        Assert.Equal(CaseAdvanceStatus.Waiting, second.Status);
        Assert.Equal(first.NextTimerDueAt, second.NextTimerDueAt);
        clock.Advance(TimeSpan.FromMinutes(8));
        await runner.AdvanceAsync(moderationCase.CaseId);
        Assert.Equal(DecidedBy.Timeout, (await runner.SnapshotAsync(moderationCase.CaseId)).Outcome?.DecidedBy);
    }

    [Fact]
    public async Task Classifier_failing_every_attempt_is_retried_per_policy_then_the_case_goes_to_human_review()
    {
        var runner = new RunnerHarness();
        runner.Fakes.Classifier.FailuresBeforeSuccess = int.MaxValue;
        var moderationCase = TestCases.Create(classificationAttempts: 3);
        await runner.Client.StartCaseAsync(moderationCase, None);

        var advance = await runner.AdvanceAsync(moderationCase.CaseId);

        Assert.Equal(CaseAdvanceStatus.Waiting, advance.Status);
        Assert.Equal(3, runner.Fakes.Classifier.Calls);
        Assert.Equal([AuditStage.LlmFailed, AuditStage.ReviewRequested], runner.Fakes.Audit.StagesOf(moderationCase.CaseId));
        var failure = Assert.Single(await runner.HistoryAsync(moderationCase.CaseId), e => e.Kind == CaseHistoryEventKind.ActivityFailed);
        Assert.Equal(ModerationActivities.Classify, failure.Name);
        Assert.Contains("throttling", failure.Payload, StringComparison.Ordinal);
        Assert.Null(Assert.Single(runner.Fakes.Reviews.Requests).Verdict);
    }

    [Fact]
    public async Task Classifier_failing_once_is_retried_and_its_verdict_decides()
    {
        var runner = new RunnerHarness();
        runner.Fakes.Classifier.FailuresBeforeSuccess = 1;
        var moderationCase = TestCases.Create(classificationAttempts: 3);
        await runner.Client.StartCaseAsync(moderationCase, None);

        await runner.AdvanceAsync(moderationCase.CaseId);

        Assert.Equal(2, runner.Fakes.Classifier.Calls);
        Assert.Equal(DecidedBy.Llm, (await runner.SnapshotAsync(moderationCase.CaseId)).Outcome?.DecidedBy);
    }

    [Fact]
    public async Task Starting_a_case_twice_is_a_no_op()
    {
        var runner = new RunnerHarness();
        var moderationCase = TestCases.Create();
        Assert.True(await runner.Client.StartCaseAsync(moderationCase, None));
        await runner.AdvanceAsync(moderationCase.CaseId);
        var history = await runner.HistoryAsync(moderationCase.CaseId);

        Assert.False(await runner.Client.StartCaseAsync(moderationCase with { Message = moderationCase.Message with { Text = "different" } }, None));

        Assert.Equal(history, await runner.HistoryAsync(moderationCase.CaseId));
        Assert.Equal(CaseRuntimeState.Completed, (await runner.SnapshotAsync(moderationCase.CaseId)).State);
        Assert.Equal(1, runner.Fakes.Delivery.CountFor(moderationCase.CaseId));
    }

    [Fact]
    public async Task Advancing_a_finished_case_again_runs_nothing()
    {
        var runner = new RunnerHarness();
        var moderationCase = TestCases.Create();
        await runner.Client.StartCaseAsync(moderationCase, None);
        await runner.AdvanceAsync(moderationCase.CaseId);

        Assert.Equal(CaseAdvanceStatus.Finished, (await runner.AdvanceAsync(moderationCase.CaseId)).Status);
        Assert.Equal(1, runner.Fakes.Classifier.Calls);
        Assert.Equal(1, runner.Fakes.Delivery.CountFor(moderationCase.CaseId));
    }
}
