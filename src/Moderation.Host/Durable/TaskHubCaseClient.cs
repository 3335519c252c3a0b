using DurableTask.Core;
using DurableTask.Core.Exceptions;
using Moderation.Core.Cases;
using Moderation.Core.Delivery;
using Moderation.Core.Review;
using Moderation.Core.Workflow;

namespace Moderation.Host.Durable;

/// <summary>The case port on Durable Task's <see cref="TaskHubClient"/> (the self-hosted host's engine).</summary>
public sealed class TaskHubCaseClient(DurableTaskEngine engine) : IModerationCaseClient
{
    /// <summary>Every status: no existing instance, running or finished, may be replaced by a second start of its case.</summary>
    internal static readonly OrchestrationStatus[] DedupeStatuses = Enum.GetValues<OrchestrationStatus>();

    private readonly TaskHubClient client = engine.Client;

    public async Task<bool> StartCaseAsync(ModerationCase moderationCase, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(moderationCase);
        try
        {
            await client.CreateOrchestrationInstanceAsync(ModerationWorkflow.Name, string.Empty, moderationCase.CaseId, moderationCase, tags: null, DedupeStatuses);
            return true;
        }
        catch (OrchestrationAlreadyExistsException)
        {
            return false;
        }
    }

    public async Task<CaseSnapshot?> GetCaseAsync(string caseId, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(caseId);
        var state = await client.GetOrchestrationStateAsync(caseId);
        if (state is null)
        {
            return null;
        }

        var caseState = ToCaseState(state.OrchestrationStatus);
        var converter = DurableTaskEngine.DataConverter;
        var progress = state.Status is { Length: > 0 } status ? converter.Deserialize<CaseProgress>(status) : null;
        var outcome = caseState == CaseRuntimeState.Completed && state.Output is { Length: > 0 } output ? converter.Deserialize<ModerationOutcome>(output) : null;
        return new CaseSnapshot(caseId, caseState, progress, outcome, state.CreatedTime, state.LastUpdatedTime);
    }

    public Task RaiseReviewDecisionAsync(string caseId, ReviewDecision decision, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(caseId);
        ArgumentNullException.ThrowIfNull(decision);
        return client.RaiseEventAsync(new OrchestrationInstance { InstanceId = caseId }, ModerationWorkflow.ReviewDecisionEvent, decision);
    }

    internal static CaseRuntimeState ToCaseState(OrchestrationStatus status) => status switch
    {
        OrchestrationStatus.Pending => CaseRuntimeState.Pending,
        OrchestrationStatus.Completed => CaseRuntimeState.Completed,
        OrchestrationStatus.Failed => CaseRuntimeState.Failed,
        OrchestrationStatus.Terminated or OrchestrationStatus.Canceled => CaseRuntimeState.Terminated,

        // Running, Suspended (paused by an operator, not decided) and ContinuedAsNew: the case still waits for its outcome.
        _ => CaseRuntimeState.Running,
    };
}
