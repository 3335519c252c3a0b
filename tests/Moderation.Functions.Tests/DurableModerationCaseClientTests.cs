using Microsoft.DurableTask.Client;
using Moderation.Core.Cases;
using Moderation.Core.Delivery;
using Moderation.Core.Policy;
using Moderation.Core.Review;
using Moderation.Core.Workflow;
using Moderation.Functions.Durable;
using Moderation.Functions.Tests.Fakes;

namespace Moderation.Functions.Tests;

public class DurableModerationCaseClientTests
{
    private readonly FakeDurableTaskClient durable = new();

    private DurableModerationCaseClient Cases => new(durable);

    [Fact]
    public async Task Starting_a_case_schedules_the_workflow_with_the_message_id_as_instance_id()
    {
        var started = await Cases.StartCaseAsync(Samples.Case("msg-123"), CancellationToken.None);

        Assert.True(started);
        var (name, inputJson, options) = Assert.Single(durable.Scheduled);
        Assert.Equal(ModerationWorkflow.Name, name.Name);
        Assert.Equal("msg-123", options?.InstanceId);
        Assert.Equal("msg-123", FakeDurableTaskClient.Converter.Deserialize<ModerationCase>(inputJson)!.CaseId);
    }

    [Fact]
    public async Task Starting_a_case_that_already_exists_returns_false_and_schedules_nothing()
    {
        durable.Add("msg-123", OrchestrationRuntimeStatus.Completed, output: Outcome("msg-123"));

        var started = await Cases.StartCaseAsync(Samples.Case("msg-123"), CancellationToken.None);

        Assert.False(started);
        Assert.Empty(durable.Scheduled);
    }

    [Fact]
    public async Task A_start_the_backend_rejects_as_already_existing_returns_false()
    {
        durable.NextStartRacesWithAnother = true;

        var started = await Cases.StartCaseAsync(Samples.Case("msg-123"), CancellationToken.None);

        Assert.False(started);
    }

    [Fact]
    public async Task An_unknown_case_reads_as_null()
    {
        Assert.Null(await Cases.GetCaseAsync("msg-404", CancellationToken.None));
    }

    [Fact]
    public async Task A_running_case_reads_as_a_snapshot_with_its_custom_status_as_progress()
    {
        var deadline = Samples.Start.AddHours(24);
        durable.Add("msg-123", OrchestrationRuntimeStatus.Running, new CaseProgress(CaseStage.AwaitingReview, ReviewReason: "needs a human", ReviewDeadline: deadline));

        var snapshot = await Cases.GetCaseAsync("msg-123", CancellationToken.None);

        Assert.NotNull(snapshot);
        Assert.Equal("msg-123", snapshot.CaseId);
        Assert.Equal(CaseRuntimeState.Running, snapshot.State);
        Assert.Equal(CaseStage.AwaitingReview, snapshot.Progress?.Stage);
        Assert.Equal("needs a human", snapshot.Progress?.ReviewReason);
        Assert.Equal(deadline, snapshot.Progress?.ReviewDeadline);
        Assert.Null(snapshot.Outcome);
        Assert.False(snapshot.IsDecided);
        Assert.Equal(new DateTime(2026, 3, 14, 9, 0, 0, DateTimeKind.Utc), snapshot.CreatedAt);
        Assert.Equal(new DateTime(2026, 3, 14, 9, 5, 0, DateTimeKind.Utc), snapshot.LastUpdatedAt);
        Assert.Equal(("msg-123", true), Assert.Single(durable.Reads));
    }

    [Fact]
    public async Task A_completed_case_reads_with_the_workflow_output_as_its_outcome()
    {
        var outcome = Outcome("msg-123");
        durable.Add("msg-123", OrchestrationRuntimeStatus.Completed, new CaseProgress(CaseStage.Completed, Outcome: outcome), outcome);

        var snapshot = await Cases.GetCaseAsync("msg-123", CancellationToken.None);

        Assert.NotNull(snapshot);
        Assert.Equal(CaseRuntimeState.Completed, snapshot.State);
        Assert.Equal(Disposition.Blocked, snapshot.Outcome?.Disposition);
        Assert.Equal(DecidedBy.Reviewer, snapshot.Outcome?.DecidedBy);
        Assert.Equal(outcome.Reasons, snapshot.Outcome?.Reasons);
        Assert.True(snapshot.IsDecided);
    }

    [Theory]
    [InlineData(OrchestrationRuntimeStatus.Pending, CaseRuntimeState.Pending)]
    [InlineData(OrchestrationRuntimeStatus.Running, CaseRuntimeState.Running)]
    [InlineData(OrchestrationRuntimeStatus.Suspended, CaseRuntimeState.Running)]
    [InlineData(OrchestrationRuntimeStatus.Completed, CaseRuntimeState.Completed)]
    [InlineData(OrchestrationRuntimeStatus.Failed, CaseRuntimeState.Failed)]
    [InlineData(OrchestrationRuntimeStatus.Terminated, CaseRuntimeState.Terminated)]
    public void Each_durable_runtime_status_maps_to_the_case_state_clients_see(OrchestrationRuntimeStatus status, CaseRuntimeState expected)
    {
        Assert.Equal(expected, DurableModerationCaseClient.ToCaseState(status));
    }

    [Fact]
    public async Task A_review_decision_is_raised_as_the_workflow_event_on_the_case()
    {
        await Cases.RaiseReviewDecisionAsync("msg-123", Samples.Release("rev-2"), CancellationToken.None);

        var (instanceId, eventName, payloadJson) = Assert.Single(durable.RaisedEvents);
        Assert.Equal("msg-123", instanceId);
        Assert.Equal(ModerationWorkflow.ReviewDecisionEvent, eventName);
        Assert.Equal(Samples.Release("rev-2"), FakeDurableTaskClient.Converter.Deserialize<ReviewDecision>(payloadJson));
    }

    private static ModerationOutcome Outcome(string caseId) =>
        new(caseId, Disposition.Blocked, DecidedBy.Reviewer, PolicyCategory.OffPlatformContact, ["rule contact.phone", "reviewer rev-1: block (off_platform_contact)"], Samples.Start.AddMinutes(7));
}
