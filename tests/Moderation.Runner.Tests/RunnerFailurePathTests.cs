using Moderation.Core.Activities;
using Moderation.Core.Audit;
using Moderation.Core.Cases;
using Moderation.Core.Delivery;
using Moderation.Core.Workflow;
using Moderation.Runner.Storage;

namespace Moderation.Runner.Tests;

/// <summary>The workflow's paths when parts of the outside world are missing or down.</summary>
public sealed class RunnerFailurePathTests
{
    private static readonly CancellationToken None = CancellationToken.None;

    [Fact]
    public async Task Unconfigured_llm_sends_the_case_to_human_review()
    {
        var runner = new RunnerHarness();
        runner.Fakes.Classifier.NotConfigured = true;
        var moderationCase = TestCases.Create();
        await runner.Client.StartCaseAsync(moderationCase, None);

        Assert.Equal(CaseAdvanceStatus.Waiting, (await runner.AdvanceAsync(moderationCase.CaseId)).Status);

        Assert.Equal("LLM not configured", Assert.Single(runner.Fakes.Reviews.Requests).Reason);
    }

    [Fact]
    public async Task Review_timeout_without_any_verdict_applies_the_fail_safe_default()
    {
        var clock = new ManualClock(new DateTimeOffset(2026, 11, 1, 12, 0, 0, TimeSpan.Zero));
        var runner = new RunnerHarness(time: clock);
        runner.Fakes.Classifier.FailuresBeforeSuccess = int.MaxValue;
        var moderationCase = TestCases.Create(reviewTimeout: TimeSpan.FromMinutes(5), classificationAttempts: 2);
        await runner.Client.StartCaseAsync(moderationCase, None);
        await runner.AdvanceAsync(moderationCase.CaseId);

        clock.Advance(TimeSpan.FromMinutes(6));
        await runner.AdvanceAsync(moderationCase.CaseId);

        var outcome = (await runner.SnapshotAsync(moderationCase.CaseId)).Outcome;
        Assert.Equal((Disposition.Blocked, DecidedBy.Timeout), (outcome!.Disposition, outcome.DecidedBy));
        Assert.Null(outcome.Category);
    }

    [Fact]
    public async Task Audit_trail_failing_after_its_retries_does_not_stop_delivery()
    {
        var runner = new RunnerHarness(time: new ManualClock(new DateTimeOffset(2026, 11, 1, 12, 0, 0, TimeSpan.Zero), skipDelays: true));
        runner.Fakes.Audit.Unavailable = true;
        var moderationCase = TestCases.Create();
        await runner.Client.StartCaseAsync(moderationCase, None);

        Assert.Equal(CaseAdvanceStatus.Finished, (await runner.AdvanceAsync(moderationCase.CaseId)).Status);

        Assert.Equal(CaseRuntimeState.Completed, (await runner.SnapshotAsync(moderationCase.CaseId)).State);
        Assert.Equal(1, runner.Fakes.Delivery.CountFor(moderationCase.CaseId));
        var failures = (await runner.HistoryAsync(moderationCase.CaseId)).Where(e => e.Kind == CaseHistoryEventKind.ActivityFailed).ToList();
        Assert.Equal(2, failures.Count);
        Assert.All(failures, f => Assert.Equal(ModerationActivities.RecordAudit, f.Name));
    }

    [Fact]
    public async Task Delivery_failing_on_every_attempt_fails_the_case_after_the_delivery_retry_policy()
    {
        var runner = new RunnerHarness(time: new ManualClock(new DateTimeOffset(2026, 11, 1, 12, 0, 0, TimeSpan.Zero), skipDelays: true));
        runner.Fakes.Delivery.Unavailable = true;
        var moderationCase = TestCases.Create();
        await runner.Client.StartCaseAsync(moderationCase, None);

        Assert.Equal(CaseAdvanceStatus.Finished, (await runner.AdvanceAsync(moderationCase.CaseId)).Status);

        var head = (await runner.Store.ReadHeadAsync(moderationCase.CaseId, None))!.Head;
        Assert.Equal(CaseRuntimeState.Failed, head.State);
        Assert.Contains("delivery queue unavailable", head.Error, StringComparison.Ordinal);
        Assert.Equal(ModerationWorkflow.DeliveryRetry.MaxAttempts, runner.Fakes.Delivery.FailedCalls);
        Assert.DoesNotContain(AuditStage.Delivered, runner.Fakes.Audit.StagesOf(moderationCase.CaseId));
        Assert.Equal(CaseStage.Delivering, (await runner.SnapshotAsync(moderationCase.CaseId)).Progress?.Stage);
    }
}
