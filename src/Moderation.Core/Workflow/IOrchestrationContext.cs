using Microsoft.Extensions.Logging;

namespace Moderation.Core.Workflow;

/// <summary>
/// The orchestration port: the subset of Durable Functions' <c>TaskOrchestrationContext</c> the moderation workflow
/// uses, one member for one member, so the same workflow runs on Durable Functions and on the self-hosted runner.
///
/// Contract, as in Durable Functions:
/// <list type="bullet">
/// <item>The workflow is replayed from history; every member here must return the recorded result on replay.</item>
/// <item><see cref="CallActivityAsync{TResult}"/> retries per the policy and, when all attempts fail, throws
/// <see cref="ActivityFailedException"/> (Durable: <c>TaskFailedException</c>).</item>
/// <item>External events raised before the workflow waits for them are buffered and delivered to the first matching
/// wait; event names are case-insensitive. Events raised after the workflow completed are discarded.</item>
/// <item><see cref="CurrentUtcDateTime"/> is the deterministic orchestration time, never the wall clock.</item>
/// </list>
/// </summary>
public interface IOrchestrationContext
{
    string InstanceId { get; }

    /// <summary>Deterministic current time (the time of the history event being processed).</summary>
    DateTime CurrentUtcDateTime { get; }

    bool IsReplaying { get; }

    /// <summary>Calls an activity by name. Throws <see cref="ActivityFailedException"/> once retries are exhausted.</summary>
    Task<TResult> CallActivityAsync<TResult>(string activityName, object? input, ActivityRetryPolicy? retry = null);

    /// <summary>Waits for a named event or for the timeout, whichever comes first; the result says which.</summary>
    Task<ExternalEventResult<T>> WaitForExternalEventAsync<T>(string eventName, TimeSpan timeout);

    /// <summary>Publishes a small status object that clients can read while the orchestration runs.</summary>
    void SetCustomStatus(object? customStatus);

    /// <summary>A logger that writes only when the orchestrator is not replaying.</summary>
    ILogger CreateReplaySafeLogger(string categoryName);
}

/// <summary>The outcome of waiting for an external event: the event's payload, or a timeout.</summary>
public readonly record struct ExternalEventResult<T>(bool Received, T? Value)
{
    public static ExternalEventResult<T> Arrived(T value) => new(true, value);

    public static ExternalEventResult<T> TimedOut { get; } = new(false, default);
}

/// <summary>Retry policy for an activity (maps to Durable Functions' <c>RetryPolicy</c>).</summary>
/// <param name="MaxAttempts">Attempts including the first one.</param>
public sealed record ActivityRetryPolicy(
    int MaxAttempts,
    TimeSpan FirstRetryInterval,
    double BackoffCoefficient = 1.0,
    TimeSpan? MaxRetryInterval = null)
{
    /// <summary>The wait before attempt <paramref name="attempt"/> (2 = first retry).</summary>
    public TimeSpan DelayBefore(int attempt)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(attempt, 2);
        var delay = FirstRetryInterval * Math.Pow(BackoffCoefficient, attempt - 2);
        return MaxRetryInterval is { } max && delay > max ? max : delay;
    }
}

/// <summary>An activity failed on every attempt. Carries the last failure's description.</summary>
public sealed class ActivityFailedException : Exception
{
    public ActivityFailedException()
    {
    }

    public ActivityFailedException(string message)
        : base(message)
    {
    }

    public ActivityFailedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public ActivityFailedException(string activityName, string message, Exception? innerException = null)
        : base($"Activity '{activityName}' failed: {message}", innerException)
    {
        ActivityName = activityName;
    }

    public string ActivityName { get; } = string.Empty;
}
