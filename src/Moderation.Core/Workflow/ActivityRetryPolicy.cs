namespace Moderation.Core.Workflow;

/// <summary>How often and how patiently the workflow retries an activity (the hosts map it onto Durable Task's <c>RetryPolicy</c>).</summary>
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
