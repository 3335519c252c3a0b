using System.Text.Json.Serialization;
using Moderation.Core.Delivery;
using Moderation.Core.Review;
using Moderation.Core.Serialization;
using Moderation.Core.Workflow;

namespace Moderation.Core.Cases;

/// <summary>The runtime state of a case's orchestration.</summary>
[JsonConverter(typeof(WireEnumConverter<CaseRuntimeState>))]
public enum CaseRuntimeState
{
    Pending,
    Running,
    Completed,
    Failed,
    Terminated,
}

/// <summary>What a client can see of a case.</summary>
public sealed record CaseSnapshot(
    string CaseId,
    CaseRuntimeState State,
    CaseProgress? Progress,
    ModerationOutcome? Outcome,
    DateTime CreatedAt,
    DateTime LastUpdatedAt)
{
    /// <summary>True once the case's fate is sealed: no reviewer decision can change it any more.</summary>
    public bool IsDecided =>
        State is CaseRuntimeState.Completed or CaseRuntimeState.Failed or CaseRuntimeState.Terminated
        || Progress?.Stage is CaseStage.Delivering or CaseStage.Completed;
}

/// <summary>
/// Port: starts cases, reads them, and delivers reviewer decisions to them (Durable Functions: <c>DurableTaskClient</c>).
/// </summary>
public interface IModerationCaseClient
{
    /// <summary>Starts the workflow with the message id as instance id. Returns false, without error, if the case already exists.</summary>
    Task<bool> StartCaseAsync(ModerationCase moderationCase, CancellationToken cancellationToken);

    /// <summary>Null when no case has this id.</summary>
    Task<CaseSnapshot?> GetCaseAsync(string caseId, CancellationToken cancellationToken);

    /// <summary>Raises <see cref="ModerationWorkflow.ReviewDecisionEvent"/> on the case.</summary>
    Task RaiseReviewDecisionAsync(string caseId, ReviewDecision decision, CancellationToken cancellationToken);
}
