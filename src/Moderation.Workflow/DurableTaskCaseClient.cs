using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Moderation.Core.Cases;
using Moderation.Core.Delivery;
using Moderation.Core.Review;
using Moderation.Core.Workflow;

namespace Moderation.Workflow;

/// <summary>
/// The case port over durabletask-dotnet's <see cref="DurableTaskClient"/> (Durable Functions' client). The client is
/// looked up per call because Durable Functions hands it out per invocation.
/// </summary>
public sealed class DurableTaskCaseClient(Func<DurableTaskClient> client) : IModerationCaseClient
{
    /// <summary>
    /// Every runtime status: a case id is a message id, so no existing instance, running or finished, may be replaced by
    /// a second start (backends differ in what they refuse by default; this makes all of them refuse).
    /// </summary>
    public static IReadOnlyList<OrchestrationRuntimeStatus> DedupeStatuses { get; } = Enum.GetValues<OrchestrationRuntimeStatus>();

    private readonly Func<DurableTaskClient> client = client ?? throw new ArgumentNullException(nameof(client));

    public DurableTaskCaseClient(DurableTaskClient client)
        : this(() => client)
    {
        ArgumentNullException.ThrowIfNull(client);
    }

    private DurableTaskClient Client => client();

    public async Task<bool> StartCaseAsync(ModerationCase moderationCase, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(moderationCase);

        // The common duplicate (a redelivered queue message) is answered by a read; the dedupe statuses refuse the rest.
        if (await Client.GetInstanceAsync(moderationCase.CaseId, getInputsAndOutputs: false, cancellationToken) is not null)
        {
            return false;
        }

        try
        {
            await Client.ScheduleNewOrchestrationInstanceAsync(
                ModerationWorkflow.Name,
                moderationCase,
                new StartOrchestrationOptions(moderationCase.CaseId).WithDedupeStatuses([.. DedupeStatuses]),
                cancellationToken);
            return true;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // Refused because a concurrent delivery of the same message started it since the look-up: each backend
            // reports that with its own exception, so the instance's existence is what tells it from a real failure.
            if (await Client.GetInstanceAsync(moderationCase.CaseId, getInputsAndOutputs: false, cancellationToken) is not null)
            {
                return false;
            }

            throw;
        }
    }
    public async Task<CaseSnapshot?> GetCaseAsync(string caseId, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(caseId);

        // Inputs and outputs are needed for the outcome of a completed case.
        var metadata = await Client.GetInstanceAsync(caseId, getInputsAndOutputs: true, cancellationToken);
        return metadata is null ? null : ToSnapshot(metadata);
    }

    public Task RaiseReviewDecisionAsync(string caseId, ReviewDecision decision, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(caseId);
        ArgumentNullException.ThrowIfNull(decision);
        return Client.RaiseEventAsync(caseId, ModerationWorkflow.ReviewDecisionEvent, decision, cancellationToken);
    }

    public static CaseSnapshot ToSnapshot(OrchestrationMetadata metadata)
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

    public static CaseRuntimeState ToCaseState(OrchestrationRuntimeStatus status) => status switch
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
