using System.Text.Json;
using Microsoft.Extensions.Logging;
using Moderation.Core.Serialization;
using Moderation.Core.Workflow;
using Moderation.Runner.Storage;

namespace Moderation.Runner;

/// <summary>The workflow's calls no longer match its recorded history: the code changed under a running case.</summary>
public sealed class NonDeterministicWorkflowException : Exception
{
    public NonDeterministicWorkflowException()
    {
    }

    public NonDeterministicWorkflowException(string message)
        : base(message)
    {
    }

    public NonDeterministicWorkflowException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>An activity the workflow is waiting for that has no recorded result yet.</summary>
internal sealed record PendingActivity(int TaskId, string Name, string? Input, ActivityRetryPolicy? Retry);

/// <summary>An event wait with its deadline; <paramref name="IsNew"/> when its timer is not in the history yet.</summary>
internal sealed record PendingTimer(int TaskId, string EventName, DateTime FireAt, bool IsNew);

/// <summary>
/// <see cref="IOrchestrationContext"/> over a recorded history. The n-th task the workflow schedules (activity or event
/// wait) is matched with the history entries carrying task id n; a recorded result completes the call at once, a
/// missing one leaves it pending and is reported to the runner, which carries it out and replays again.
/// </summary>
internal sealed class CaseOrchestrationContext : IOrchestrationContext
{
    private readonly Dictionary<int, CaseHistoryEvent> activityResults = [];
    private readonly Dictionary<int, CaseHistoryEvent> timersCreated = [];
    private readonly Dictionary<int, CaseHistoryEvent> timersFired = [];
    private readonly List<CaseHistoryEvent> raisedEvents = [];
    private readonly HashSet<int> consumedEvents = [];
    private readonly int executedThrough;
    private readonly ILoggerFactory loggerFactory;
    private int nextTaskId;

    public CaseOrchestrationContext(string instanceId, IReadOnlyList<CaseHistoryEvent> history, int executedThrough, ILoggerFactory loggerFactory)
    {
        ArgumentNullException.ThrowIfNull(history);
        InstanceId = instanceId;
        this.executedThrough = executedThrough;
        this.loggerFactory = loggerFactory;
        var started = history.Count > 0 && history[0].Kind == CaseHistoryEventKind.CaseStarted
            ? history[0]
            : throw new InvalidOperationException($"Case '{instanceId}': the history does not begin with the case start.");
        CurrentUtcDateTime = started.Timestamp;
        IsReplaying = started.Sequence <= executedThrough;

        foreach (var e in history)
        {
            switch (e.Kind)
            {
                case CaseHistoryEventKind.ActivityCompleted or CaseHistoryEventKind.ActivityFailed:
                    activityResults[e.TaskId!.Value] = e;
                    break;
                case CaseHistoryEventKind.TimerCreated:
                    timersCreated[e.TaskId!.Value] = e;
                    break;
                case CaseHistoryEventKind.TimerFired:
                    timersFired[e.TaskId!.Value] = e;
                    break;
                case CaseHistoryEventKind.EventRaised:
                    raisedEvents.Add(e);
                    break;
            }
        }
    }

    public string InstanceId { get; }

    public DateTime CurrentUtcDateTime { get; private set; }

    public bool IsReplaying { get; private set; }

    public string? CustomStatus { get; private set; }

    /// <summary>Set when the workflow's calls diverged from the history (even if the workflow swallowed the exception).</summary>
    public NonDeterministicWorkflowException? Divergence { get; private set; }

    public List<PendingActivity> PendingActivities { get; } = [];

    public List<PendingTimer> PendingTimers { get; } = [];

    public Task<TResult> CallActivityAsync<TResult>(string activityName, object? input, ActivityRetryPolicy? retry = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(activityName);
        var taskId = nextTaskId++;
        if (timersCreated.ContainsKey(taskId))
        {
            return Diverge<TResult>($"the workflow called activity '{activityName}' as task {taskId}, but the history has an event wait there");
        }

        if (!activityResults.TryGetValue(taskId, out var recorded))
        {
            IsReplaying = false;
            PendingActivities.Add(new PendingActivity(taskId, activityName, input is null ? null : JsonSerializer.Serialize(input, input.GetType(), ModerationJson.Options), retry));
            return new TaskCompletionSource<TResult>().Task;
        }

        if (!string.Equals(recorded.Name, activityName, StringComparison.Ordinal))
        {
            return Diverge<TResult>($"the workflow called activity '{activityName}' as task {taskId}, but the history has activity '{recorded.Name}' there");
        }

        Consume(recorded);
        return recorded.Kind == CaseHistoryEventKind.ActivityCompleted
            ? Task.FromResult(JsonSerializer.Deserialize<TResult>(recorded.Payload ?? "null", ModerationJson.Options)!)
            : Task.FromException<TResult>(new ActivityFailedException(activityName, recorded.Payload ?? "failed"));
    }

    public Task<ExternalEventResult<T>> WaitForExternalEventAsync<T>(string eventName, TimeSpan timeout)
    {
        ArgumentException.ThrowIfNullOrEmpty(eventName);
        var taskId = nextTaskId++;
        if (activityResults.TryGetValue(taskId, out var other))
        {
            return Diverge<ExternalEventResult<T>>($"the workflow waited for event '{eventName}' as task {taskId}, but the history has activity '{other.Name}' there");
        }

        // The first matching event not yet consumed, in arrival order: buffered events are delivered to the first wait.
        var arrived = raisedEvents.FirstOrDefault(e => !consumedEvents.Contains(e.Sequence) && string.Equals(e.Name, eventName, StringComparison.OrdinalIgnoreCase));
        if (!timersCreated.TryGetValue(taskId, out var timer))
        {
            if (arrived is not null)
            {
                return Task.FromResult(Receive<T>(arrived));
            }

            IsReplaying = false;
            PendingTimers.Add(new PendingTimer(taskId, eventName, CurrentUtcDateTime + timeout, IsNew: true));
            return new TaskCompletionSource<ExternalEventResult<T>>().Task;
        }

        if (!string.Equals(timer.Name, eventName, StringComparison.OrdinalIgnoreCase))
        {
            return Diverge<ExternalEventResult<T>>($"the workflow waited for event '{eventName}' as task {taskId}, but the history waited for '{timer.Name}' there");
        }

        // Whichever came first in the history decides the wait: the event or the deadline.
        timersFired.TryGetValue(taskId, out var fired);
        if (arrived is not null && (fired is null || arrived.Sequence < fired.Sequence))
        {
            return Task.FromResult(Receive<T>(arrived));
        }

        if (fired is not null)
        {
            Consume(fired);
            return Task.FromResult(ExternalEventResult<T>.TimedOut);
        }

        IsReplaying = false;
        PendingTimers.Add(new PendingTimer(taskId, eventName, timer.FireAt!.Value, IsNew: false));
        return new TaskCompletionSource<ExternalEventResult<T>>().Task;
    }

    public void SetCustomStatus(object? customStatus) =>
        CustomStatus = customStatus is null ? null : JsonSerializer.Serialize(customStatus, customStatus.GetType(), ModerationJson.Options);

    public ILogger CreateReplaySafeLogger(string categoryName) => new ReplaySafeLogger(this, loggerFactory.CreateLogger(categoryName));

    /// <summary>Task ids the history has that this run of the workflow never scheduled (it took a shorter path).</summary>
    public void CheckNothingLeftOver()
    {
        var unmatched = activityResults.Keys.Concat(timersCreated.Keys).Where(id => id >= nextTaskId).Order().ToList();
        if (unmatched.Count > 0 && Divergence is null)
        {
            Divergence = new NonDeterministicWorkflowException($"Case '{InstanceId}' diverged from its history: the history has task(s) {string.Join(", ", unmatched)} that the workflow did not schedule.");
        }
    }

    private ExternalEventResult<T> Receive<T>(CaseHistoryEvent arrived)
    {
        consumedEvents.Add(arrived.Sequence);
        Consume(arrived);
        try
        {
            return new ExternalEventResult<T>(true, JsonSerializer.Deserialize<T>(arrived.Payload ?? "null", ModerationJson.Options));
        }
        catch (JsonException)
        {
            // An unreadable body still counts as the event having arrived; the workflow decides what to do with no value.
            return new ExternalEventResult<T>(true, default);
        }
    }

    private void Consume(CaseHistoryEvent e)
    {
        if (e.Timestamp > CurrentUtcDateTime)
        {
            CurrentUtcDateTime = e.Timestamp;
        }

        IsReplaying = e.Sequence <= executedThrough;
    }

    private Task<TResult> Diverge<TResult>(string what)
    {
        Divergence ??= new NonDeterministicWorkflowException($"Case '{InstanceId}' diverged from its history: {what}. The workflow code changed while the case was running.");
        return Task.FromException<TResult>(Divergence);
    }

    /// <summary>Writes only when the workflow runs past its history, so each line appears once however often it replays.</summary>
    private sealed class ReplaySafeLogger(CaseOrchestrationContext context, ILogger inner) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => inner.BeginScope(state);

        public bool IsEnabled(LogLevel logLevel) => !context.IsReplaying && inner.IsEnabled(logLevel);

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (!context.IsReplaying)
            {
                inner.Log(logLevel, eventId, state, exception, formatter);
            }
        }
    }
}
