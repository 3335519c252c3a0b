using System.Text.Json;
using Microsoft.DurableTask;
using Microsoft.Extensions.Logging;
using Moderation.Core.Serialization;

namespace Moderation.Functions.Tests.Fakes;

/// <summary>
/// A hand-written <see cref="TaskOrchestrationContext"/> with the Durable runtime's observable behaviour: payloads
/// cross a JSON boundary, activities are retried per the <see cref="TaskOptions"/> and then fail with
/// <see cref="TaskFailedException"/>, events are buffered until a wait takes them (case-insensitive names), and durable
/// timers fire by moving orchestration time forward. The timeout overload of <c>WaitForExternalEvent</c> is the
/// library's own, built on <see cref="CreateTimer(DateTime, CancellationToken)"/> and the event wait implemented here.
/// </summary>
internal sealed class FakeTaskOrchestrationContext(string instanceId, DateTime start) : TaskOrchestrationContext
{
    private readonly Dictionary<string, Func<string?, int, object?>> activities = new(StringComparer.Ordinal);
    private readonly List<(string Name, string Json)> bufferedEvents = [];
    private (DateTime FireAt, TaskCompletionSource Timer)? pendingTimer;
    private int taskId;

    public override TaskName Name => "ModerationWorkflow";

    public override string InstanceId { get; } = instanceId;

    public override ParentOrchestrationInstance? Parent => null;

    public override DateTime CurrentUtcDateTime => Now;

    public override bool IsReplaying => Replaying;

    public DateTime Now { get; private set; } = start;

    public bool Replaying { get; set; }

    public TimeSpan ActivityDuration { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Every call the orchestration made, in order ("activity:Name", "timer", "wait:Name").</summary>
    public List<string> Calls { get; } = [];

    /// <summary>The options each activity call passed, in call order.</summary>
    public List<(string Activity, TaskOptions? Options)> ActivityOptions { get; } = [];

    public Dictionary<string, int> Attempts { get; } = new(StringComparer.Ordinal);

    /// <summary>Custom statuses as the runtime stores them: serialized.</summary>
    public List<string?> CustomStatuses { get; } = [];

    public List<object?> CustomStatusObjects { get; } = [];

    public List<string> Logs { get; } = [];

    protected override ILoggerFactory LoggerFactory => new ListLoggerFactory(Logs);

    public FakeTaskOrchestrationContext OnActivity<TInput, TResult>(string name, Func<TInput, int, TResult> handler)
    {
        activities[name] = (json, attempt) => handler(JsonSerializer.Deserialize<TInput>(json!, ModerationJson.Options)!, attempt);
        return this;
    }

    public void RaiseEvent<T>(string name, T payload) => bufferedEvents.Add((name, JsonSerializer.Serialize(payload, ModerationJson.Options)));

    public override T? GetInput<T>()
        where T : default => default;

    public override Task<TResult> CallActivityAsync<TResult>(TaskName name, object? input = null, TaskOptions? options = null)
    {
        var activity = name.Name;
        Calls.Add("activity:" + activity);
        ActivityOptions.Add((activity, options));
        var id = ++taskId;
        var inputJson = input is null ? null : JsonSerializer.Serialize(input, input.GetType(), ModerationJson.Options);
        if (!activities.TryGetValue(activity, out var handler))
        {
            throw new InvalidOperationException($"No fake registered for activity '{activity}'.");
        }

        var policy = options?.Retry?.Policy;
        var maxAttempts = policy?.MaxNumberOfAttempts ?? 1;
        var delay = policy?.FirstRetryInterval ?? TimeSpan.Zero;
        Exception? last = null;
        for (var attempt = 1; attempt <= maxAttempts; attempt++)
        {
            Attempts[activity] = Attempts.GetValueOrDefault(activity) + 1;
            if (attempt > 1)
            {
                Now += delay;
                delay *= policy!.BackoffCoefficient;
            }

            try
            {
                var resultJson = JsonSerializer.Serialize(handler(inputJson, attempt), ModerationJson.Options);
                Now += ActivityDuration;
                return Task.FromResult(JsonSerializer.Deserialize<TResult>(resultJson, ModerationJson.Options)!);
            }
#pragma warning disable CA1031 // A fake runtime records every activity failure, whatever its type.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                last = ex;
            }
        }

        Now += ActivityDuration;
        var details = new TaskFailureDetails(last!.GetType().FullName!, last.Message, last.StackTrace, null, null);
        return Task.FromException<TResult>(new TaskFailedException(activity, id, details));
    }

    public override Task CreateTimer(DateTime fireAt, CancellationToken cancellationToken)
    {
        Calls.Add("timer");
        var timer = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        cancellationToken.Register(() => timer.TrySetCanceled(cancellationToken));
        pendingTimer = (fireAt, timer);
        return timer.Task;
    }

    public override Task<T> WaitForExternalEvent<T>(string eventName, CancellationToken cancellationToken = default)
    {
        Calls.Add("wait:" + eventName);
        var index = bufferedEvents.FindIndex(e => string.Equals(e.Name, eventName, StringComparison.OrdinalIgnoreCase));
        if (index >= 0)
        {
            var json = bufferedEvents[index].Json;
            bufferedEvents.RemoveAt(index);
            return Task.FromResult(JsonSerializer.Deserialize<T>(json, ModerationJson.Options)!);
        }

        // Nothing will arrive: the pending durable timer fires, and the runtime cancels the event task when asked.
        var wait = new TaskCompletionSource<T>();
        cancellationToken.Register(() => wait.TrySetCanceled(cancellationToken));
        if (pendingTimer is { } timer)
        {
            pendingTimer = null;
            Now = timer.FireAt;
            timer.Timer.TrySetResult();
        }

        return wait.Task;
    }

    public override void SetCustomStatus(object? customStatus)
    {
        CustomStatusObjects.Add(customStatus);
        CustomStatuses.Add(customStatus is null ? null : JsonSerializer.Serialize(customStatus, customStatus.GetType(), ModerationJson.Options));
    }

    public override Task<TResult> CallSubOrchestratorAsync<TResult>(TaskName orchestratorName, object? input = null, TaskOptions? options = null) =>
        throw new NotSupportedException("The moderation workflow has no sub-orchestrations.");

    public override void ContinueAsNew(object? newInput = null, bool preserveUnprocessedEvents = true) =>
        throw new NotSupportedException("The moderation workflow never continues as new.");

    public override Guid NewGuid() => throw new NotSupportedException("The moderation workflow creates no ids.");

    public override void SendEvent(string instanceId, string eventName, object payload) =>
        throw new NotSupportedException("The moderation workflow sends no events.");

    private sealed class ListLoggerFactory(List<string> logs) : ILoggerFactory
    {
        public void AddProvider(ILoggerProvider provider)
        {
        }

        public ILogger CreateLogger(string categoryName) => new ListLogger(logs);

        public void Dispose()
        {
        }
    }

    private sealed class ListLogger(List<string> logs) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            logs.Add($"{logLevel}: {formatter(state, exception)}");
    }
}
