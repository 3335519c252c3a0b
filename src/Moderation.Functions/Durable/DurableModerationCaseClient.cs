using DurableTask.Core.Exceptions;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Moderation.Core.Cases;
using Moderation.Core.Delivery;
using Moderation.Core.Review;
using Moderation.Core.Workflow;

namespace Moderation.Functions.Durable;

/// <summary>
/// The case port on Durable Functions. The <see cref="DurableTaskClient"/> comes from the <c>[DurableClient]</c>
/// binding of each invocation, so functions build this adapter per call.
/// </summary>
internal sealed class DurableModerationCaseClient(DurableTaskClient client) : IModerationCaseClient
{
    private readonly DurableTaskClient client = client ?? throw new ArgumentNullException(nameof(client));

    public async Task<bool> StartCaseAsync(ModerationCase moderationCase, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(moderationCase);

        // Durable Functions on Azure Storage overwrites a completed instance with the same id, so a duplicate message
        // that arrives after its case finished would run the case again: look first.
        if (await client.GetInstanceAsync(moderationCase.CaseId, getInputsAndOutputs: false, cancellationToken) is not null)
        {
            return false;
        }

        try
        {
            await client.ScheduleNewOrchestrationInstanceAsync(
                ModerationWorkflow.Name,
                moderationCase,
                new StartOrchestrationOptions { InstanceId = moderationCase.CaseId },
                cancellationToken);
            return true;
        }
        catch (OrchestrationAlreadyExistsException)
        {
            // A concurrent delivery of the same message started it between the look-up and here.
            return false;
        }
    }

    public async Task<CaseSnapshot?> GetCaseAsync(string caseId, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(caseId);

        // Inputs and outputs are needed for the outcome of a completed case.
        var metadata = await client.GetInstanceAsync(caseId, getInputsAndOutputs: true, cancellationToken);
        return metadata is null ? null : ToSnapshot(metadata);
    }

    public Task RaiseReviewDecisionAsync(string caseId, ReviewDecision decision, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(caseId);
        ArgumentNullException.ThrowIfNull(decision);
        return client.RaiseEventAsync(caseId, ModerationWorkflow.ReviewDecisionEvent, decision, cancellationToken);
    }

    internal static CaseSnapshot ToSnapshot(OrchestrationMetadata metadata)
    {
        var state = ToCaseState(metadata.RuntimeStatus);
        var progress = metadata.SerializedCustomStatus is { Length: > 0 } ? metadata.ReadCustomStatusAs<CaseProgress>() : null;
        var outcome = state == CaseRuntimeState.Completed && metadata.SerializedOutput is { Length: > 0 }
            ? metadata.ReadOutputAs<ModerationOutcome>()
            : null;
        return new CaseSnapshot(
            metadata.InstanceId,
            state,
            progress,
            outcome,
            metadata.CreatedAt.UtcDateTime,
            metadata.LastUpdatedAt.UtcDateTime);
    }

    internal static CaseRuntimeState ToCaseState(OrchestrationRuntimeStatus status) => status switch
    {
        OrchestrationRuntimeStatus.Pending => CaseRuntimeState.Pending,
        OrchestrationRuntimeStatus.Completed => CaseRuntimeState.Completed,
        OrchestrationRuntimeStatus.Failed => CaseRuntimeState.Failed,
        OrchestrationRuntimeStatus.Terminated => CaseRuntimeState.Terminated,

        // Running, Suspended (paused by an operator, not decided) and the obsolete ContinuedAsNew and Canceled (never
        // reported for these cases): the case still waits for its outcome and may still take a reviewer's decision.
        _ => CaseRuntimeState.Running,
    };
}
