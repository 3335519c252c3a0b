namespace Moderation.Core.Workflow;

/// <summary>
/// The contract of the durable moderation workflow that clients and hosts share: its name, the event a reviewer's
/// decision arrives as, and how patiently it retries storage work. The orchestrator itself lives in
/// Moderation.Workflow, on Durable Task; its decisions come from <see cref="Policy.ModerationPolicy"/>.
/// </summary>
public static class ModerationWorkflow
{
    /// <summary>The orchestration name, the same on every host.</summary>
    public const string Name = "ModerationWorkflow";

    /// <summary>The external event a reviewer's decision arrives as (Durable Task matches event names case-insensitively).</summary>
    public const string ReviewDecisionEvent = "ReviewDecision";

    /// <summary>Storage operations are cheap to retry and must not lose a decision to a transient blip.</summary>
    public static ActivityRetryPolicy StorageRetry { get; } = new(MaxAttempts: 5, FirstRetryInterval: TimeSpan.FromSeconds(2), BackoffCoefficient: 2.0, MaxRetryInterval: TimeSpan.FromMinutes(1));

    /// <summary>
    /// Carrying out a decision rides out a storage outage of about twenty minutes before the case fails (and shows as
    /// failed to operators) rather than giving up after seconds: a decided message must reach the queue it belongs on.
    /// </summary>
    public static ActivityRetryPolicy DeliveryRetry { get; } = new(MaxAttempts: 10, FirstRetryInterval: TimeSpan.FromSeconds(5), BackoffCoefficient: 2.0, MaxRetryInterval: TimeSpan.FromMinutes(5));
}
