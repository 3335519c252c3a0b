using Microsoft.DurableTask;
using Microsoft.Extensions.Logging;
using Moderation.Core.Workflow;

namespace Moderation.Functions.Durable;

/// <summary>
/// The orchestration port on Durable Functions: each member maps one for one onto <see cref="TaskOrchestrationContext"/>.
/// This is orchestrator code: it runs on the orchestrator thread and replays, so it adds no I/O, no clock and no
/// ConfigureAwait.
/// </summary>
internal sealed class DurableOrchestrationContext(TaskOrchestrationContext context) : IOrchestrationContext
{
    private readonly TaskOrchestrationContext context = context ?? throw new ArgumentNullException(nameof(context));

    public string InstanceId => context.InstanceId;

    public DateTime CurrentUtcDateTime => context.CurrentUtcDateTime;

    public bool IsReplaying => context.IsReplaying;

    public async Task<TResult> CallActivityAsync<TResult>(string activityName, object? input, ActivityRetryPolicy? retry = null)
    {
        try
        {
            return await context.CallActivityAsync<TResult>(activityName, input, ToTaskOptions(retry));
        }
        catch (TaskFailedException ex)
        {
            // The workflow only knows the port's failure type; the Durable failure stays attached for diagnostics.
            throw new ActivityFailedException(activityName, ex.FailureDetails.ErrorMessage, ex);
        }
    }

    public async Task<ExternalEventResult<T>> WaitForExternalEventAsync<T>(string eventName, TimeSpan timeout)
    {
        try
        {
            // Durable races a durable timer against the event; when the timer wins, the event task is cancelled
            // (TaskCanceledException). Nothing else cancels this wait, so any cancellation means the timeout.
            var value = await context.WaitForExternalEvent<T>(eventName, timeout);
            return ExternalEventResult<T>.Arrived(value);
        }
        catch (OperationCanceledException)
        {
            return ExternalEventResult<T>.TimedOut;
        }
    }

    public void SetCustomStatus(object? customStatus) => context.SetCustomStatus(customStatus);

    public ILogger CreateReplaySafeLogger(string categoryName) => context.CreateReplaySafeLogger(categoryName);

    /// <summary>The port's retry policy as Durable's; attempts include the first call in both.</summary>
    internal static TaskOptions? ToTaskOptions(ActivityRetryPolicy? retry) =>
        retry is null
            ? null
            : TaskOptions.FromRetryPolicy(new RetryPolicy(
                retry.MaxAttempts,
                retry.FirstRetryInterval,
                retry.BackoffCoefficient,
                retry.MaxRetryInterval));
}
