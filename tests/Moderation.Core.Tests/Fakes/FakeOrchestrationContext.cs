using System.Text.Json;
using Microsoft.Extensions.Logging;
using Moderation.Core.Serialization;
using Moderation.Core.Workflow;

namespace Moderation.Core.Tests.Fakes;

/// <summary>One recorded step of an orchestration, as a durable runtime would keep it.</summary>
internal sealed record HistoryEvent(string Kind, string Name, string? InputJson, string? ResultJson, string? Error, DateTime At);

/// <summary>
/// A hand-written orchestration context with Durable Functions' semantics: payloads cross a JSON boundary, activities
/// are retried per policy and then fail with <see cref="ActivityFailedException"/>, external events are buffered until a
/// wait consumes them (case-insensitive names), time only moves when the orchestration does, and a run can be replayed
/// from the recorded history, where any divergence is reported as non-determinism.
/// </summary>
internal sealed class FakeOrchestrationContext : IOrchestrationContext
{
    private readonly Dictionary<string, Func<string?, int, object?>> activities = new(StringComparer.Ordinal);
    private readonly List<(string Name, string Json)> bufferedEvents = [];
    private readonly List<HistoryEvent> replayHistory;
    private int replayPosition;

    public FakeOrchestrationContext(string instanceId, DateTime startTime, IReadOnlyList<HistoryEvent>? replayFrom = null)
    {
        InstanceId = instanceId;
        CurrentUtcDateTime = startTime;
        replayHistory = replayFrom?.ToList() ?? [];
    }

    public string InstanceId { get; }

    public DateTime CurrentUtcDateTime { get; private set; }

    public bool IsReplaying => replayPosition < replayHistory.Count;

    /// <summary>How long each activity call takes in orchestration time.</summary>
    public TimeSpan ActivityDuration { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How long a reviewer takes when they answer while the workflow waits.</summary>
    public TimeSpan ReviewerLatency { get; set; } = TimeSpan.FromMinutes(7);

    /// <summary>Called when the workflow starts waiting for an event that has not arrived; may raise events.</summary>
    public Action<FakeOrchestrationContext, string>? WhenWaiting { get; set; }

    public List<HistoryEvent> History { get; } = [];

    /// <summary>Every call the workflow made, in order ("activity:Name", "wait:Name", "status:Stage").</summary>
    public List<string> Calls { get; } = [];

    public List<object?> Statuses { get; } = [];

    public List<string> Logs { get; } = [];

    public Dictionary<string, int> Attempts { get; } = new(StringComparer.Ordinal);

    public List<ActivityRetryPolicy?> RetryPolicies { get; } = [];

    /// <summary>Registers an activity. The handler receives the deserialized input and the attempt number (1-based).</summary>
    public FakeOrchestrationContext OnActivity<TInput, TResult>(string name, Func<TInput, int, TResult> handler)
    {
        activities[name] = (json, attempt) => handler(JsonSerializer.Deserialize<TInput>(json!, ModerationJson.Options)!, attempt);
        return this;
    }

    public void RaiseEvent<T>(string name, T payload) => bufferedEvents.Add((name, JsonSerializer.Serialize(payload, ModerationJson.Options)));

    public int UnconsumedEvents => bufferedEvents.Count;

    public Task<TResult> CallActivityAsync<TResult>(string activityName, object? input, ActivityRetryPolicy? retry = null)
    {
        Calls.Add("activity:" + activityName);
        RetryPolicies.Add(retry);
        var inputJson = input is null ? null : JsonSerializer.Serialize(input, input.GetType(), ModerationJson.Options);

        if (IsReplaying)
        {
            var recorded = NextRecorded("activity", activityName, inputJson);
            return recorded.Error is null
                ? Task.FromResult(Deserialize<TResult>(recorded.ResultJson))
                : Task.FromException<TResult>(new ActivityFailedException(activityName, recorded.Error));
        }

        if (!activities.TryGetValue(activityName, out var handler))
        {
            throw new InvalidOperationException($"No fake registered for activity '{activityName}'.");
        }

        var maxAttempts = retry?.MaxAttempts ?? 1;
        Exception? last = null;
        for (var attempt = 1; attempt <= maxAttempts; attempt++)
        {
            Attempts[activityName] = Attempts.GetValueOrDefault(activityName) + 1;
            if (attempt > 1)
            {
                CurrentUtcDateTime += retry!.DelayBefore(attempt);
            }

            try
            {
                var result = handler(inputJson, attempt);
                var resultJson = JsonSerializer.Serialize(result, ModerationJson.Options);
                CurrentUtcDateTime += ActivityDuration;
                History.Add(new HistoryEvent("activity", activityName, inputJson, resultJson, null, CurrentUtcDateTime));
                return Task.FromResult(Deserialize<TResult>(resultJson));
            }
#pragma warning disable CA1031 // A fake runtime records every activity failure, whatever its type.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                last = ex;
            }
        }

        CurrentUtcDateTime += ActivityDuration;
        History.Add(new HistoryEvent("activity", activityName, inputJson, null, last!.Message, CurrentUtcDateTime));
        return Task.FromException<TResult>(new ActivityFailedException(activityName, last.Message, last));
    }

    public Task<ExternalEventResult<T>> WaitForExternalEventAsync<T>(string eventName, TimeSpan timeout)
    {
        Calls.Add($"wait:{eventName}:{timeout}");
        if (IsReplaying)
        {
            var recorded = NextRecorded(replayHistory[replayPosition].Kind == "timeout" ? "timeout" : "event", eventName, null);
            return Task.FromResult(recorded.Kind == "timeout"
                ? ExternalEventResult<T>.TimedOut
                : ExternalEventResult<T>.Arrived(Deserialize<T>(recorded.ResultJson)));
        }

        var index = bufferedEvents.FindIndex(e => string.Equals(e.Name, eventName, StringComparison.OrdinalIgnoreCase));
        if (index < 0 && WhenWaiting is { } callback)
        {
            callback(this, eventName);
            index = bufferedEvents.FindIndex(e => string.Equals(e.Name, eventName, StringComparison.OrdinalIgnoreCase));
            if (index >= 0)
            {
                CurrentUtcDateTime += ReviewerLatency < timeout ? ReviewerLatency : timeout / 2;
            }
        }

        if (index < 0)
        {
            CurrentUtcDateTime += timeout;
            History.Add(new HistoryEvent("timeout", eventName, null, null, null, CurrentUtcDateTime));
            return Task.FromResult(ExternalEventResult<T>.TimedOut);
        }

        var json = bufferedEvents[index].Json;
        bufferedEvents.RemoveAt(index);
        History.Add(new HistoryEvent("event", eventName, null, json, null, CurrentUtcDateTime));
        return Task.FromResult(ExternalEventResult<T>.Arrived(Deserialize<T>(json)));
    }

    public void SetCustomStatus(object? customStatus)
    {
        Calls.Add("status:" + (customStatus is CaseProgress p ? p.Stage.ToString() : customStatus?.ToString()));

        // Round-trip through JSON like a real runtime, so the status must be serializable.
        Statuses.Add(customStatus is null ? null : JsonSerializer.Deserialize(JsonSerializer.Serialize(customStatus, customStatus.GetType(), ModerationJson.Options), customStatus.GetType(), ModerationJson.Options));
    }

    public ILogger CreateReplaySafeLogger(string categoryName) => new ListLogger(this);

    private HistoryEvent NextRecorded(string kind, string name, string? inputJson)
    {
        var recorded = replayHistory[replayPosition++];
        if (recorded.Kind != kind || recorded.Name != name || recorded.InputJson != inputJson)
        {
            throw new InvalidOperationException(
                $"Non-deterministic orchestration: history has {recorded.Kind} '{recorded.Name}' at step {replayPosition}, the code asked for {kind} '{name}'.");
        }

        CurrentUtcDateTime = recorded.At;
        History.Add(recorded);
        return recorded;
    }

    private static T Deserialize<T>(string? json) => json is null ? default! : JsonSerializer.Deserialize<T>(json, ModerationJson.Options)!;

    private sealed class ListLogger(FakeOrchestrationContext context) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            // Replay-safe: nothing is written while the workflow replays recorded history.
            if (!context.IsReplaying)
            {
                context.Logs.Add($"{logLevel}: {formatter(state, exception)}");
            }
        }
    }
}
