using Microsoft.DurableTask;
using Microsoft.Extensions.Logging;
using Moderation.Core.Workflow;
using Moderation.Functions.Durable;
using Moderation.Functions.Tests.Fakes;

namespace Moderation.Functions.Tests;

public class DurableOrchestrationContextTests
{
    private readonly FakeTaskOrchestrationContext durable = new("msg-001", Samples.Start);

    [Fact]
    public async Task An_activity_call_passes_the_workflow_retry_policy_as_a_durable_retry_policy()
    {
        durable.OnActivity<string, int>("Measure", (text, _) => text.Length);
        var retry = new ActivityRetryPolicy(MaxAttempts: 5, FirstRetryInterval: TimeSpan.FromSeconds(2), BackoffCoefficient: 2.0, MaxRetryInterval: TimeSpan.FromMinutes(1));

        var result = await new DurableOrchestrationContext(durable).CallActivityAsync<int>("Measure", "four", retry);

        Assert.Equal(4, result);
        var (activity, options) = Assert.Single(durable.ActivityOptions);
        Assert.Equal("Measure", activity);
        var policy = options?.Retry?.Policy;
        Assert.NotNull(policy);
        Assert.Equal(5, policy.MaxNumberOfAttempts);
        Assert.Equal(TimeSpan.FromSeconds(2), policy.FirstRetryInterval);
        Assert.Equal(2.0, policy.BackoffCoefficient);
        Assert.Equal(TimeSpan.FromMinutes(1), policy.MaxRetryInterval);
    }

    [Fact]
    public async Task An_activity_call_without_a_retry_policy_passes_no_task_options()
    {
        durable.OnActivity<string, int>("Measure", (text, _) => text.Length);

        await new DurableOrchestrationContext(durable).CallActivityAsync<int>("Measure", "four");

        Assert.Null(Assert.Single(durable.ActivityOptions).Options);
    }

    [Fact]
    public async Task An_activity_that_fails_every_attempt_surfaces_as_ActivityFailedException_with_the_failure_message()
    {
        durable.OnActivity<string, int>("Measure", (_, attempt) => throw new IOException($"storage unavailable (attempt {attempt})"));
        var retry = new ActivityRetryPolicy(MaxAttempts: 3, FirstRetryInterval: TimeSpan.FromSeconds(1));

        var failure = await Assert.ThrowsAsync<ActivityFailedException>(() => new DurableOrchestrationContext(durable).CallActivityAsync<int>("Measure", "four", retry));

        Assert.Equal("Measure", failure.ActivityName);
        Assert.Contains("storage unavailable (attempt 3)", failure.Message, StringComparison.Ordinal);
        Assert.IsType<TaskFailedException>(failure.InnerException);
        Assert.Equal(3, durable.Attempts["Measure"]);
    }

    [Fact]
    public async Task A_raised_event_arrives_as_the_wait_result()
    {
        durable.RaiseEvent("reviewdecision", Samples.Block("rev-7"));

        var result = await new DurableOrchestrationContext(durable).WaitForExternalEventAsync<Moderation.Core.Review.ReviewDecision>(ModerationWorkflow.ReviewDecisionEvent, TimeSpan.FromHours(24));

        Assert.True(result.Received);
        Assert.Equal(Samples.Block("rev-7"), result.Value);
        Assert.Equal(Samples.Start, durable.Now);
    }

    [Fact]
    public async Task A_wait_whose_durable_timer_fires_first_reports_a_timeout_instead_of_throwing()
    {
        var result = await new DurableOrchestrationContext(durable).WaitForExternalEventAsync<Moderation.Core.Review.ReviewDecision>(ModerationWorkflow.ReviewDecisionEvent, TimeSpan.FromHours(24));

        Assert.False(result.Received);
        Assert.Null(result.Value);
        Assert.Equal(Samples.Start.AddHours(24), durable.Now);
        Assert.Equal(["timer", "wait:" + ModerationWorkflow.ReviewDecisionEvent], durable.Calls);
    }

    [Fact]
    public void Identity_time_and_custom_status_pass_through_unchanged()
    {
        var adapter = new DurableOrchestrationContext(durable);
        var progress = new CaseProgress(CaseStage.AwaitingReview, ReviewReason: "needs a human", ReviewDeadline: Samples.Start.AddHours(24));
        durable.Replaying = true;

        adapter.SetCustomStatus(progress);

        Assert.Equal("msg-001", adapter.InstanceId);
        Assert.Equal(Samples.Start, adapter.CurrentUtcDateTime);
        Assert.True(adapter.IsReplaying);
        Assert.Same(progress, Assert.Single(durable.CustomStatusObjects));
    }

    [Fact]
    public void The_replay_safe_logger_writes_only_when_the_orchestration_is_not_replaying()
    {
        var log = new DurableOrchestrationContext(durable).CreateReplaySafeLogger("Moderation.Workflow");

        durable.Replaying = true;
        log.LogInformation("while replaying");
        durable.Replaying = false;
        log.LogInformation("live");

        Assert.Equal(["Information: live"], durable.Logs);
    }
}
