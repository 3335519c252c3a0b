using DurableTask.Core.Exceptions;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Microsoft.DurableTask.Converters;
using Moderation.Core.Serialization;

namespace Moderation.Functions.Tests.Fakes;

/// <summary>
/// A hand-written <see cref="DurableTaskClient"/> over an in-memory instance table, behaving like the Functions
/// client: an instance id that exists is rejected with <see cref="OrchestrationAlreadyExistsException"/>, unknown
/// instances read as null, and payloads are JSON with the app's serializer options.
/// </summary>
internal sealed class FakeDurableTaskClient() : DurableTaskClient("fake")
{
    public static DataConverter Converter { get; } = new JsonDataConverter(ModerationJson.Options);

    public Dictionary<string, OrchestrationMetadata> Instances { get; } = new(StringComparer.Ordinal);

    public List<(TaskName Name, string? InputJson, StartOrchestrationOptions? Options)> Scheduled { get; } = [];

    public List<(string InstanceId, string EventName, string? PayloadJson)> RaisedEvents { get; } = [];

    public List<(string InstanceId, bool GetInputsAndOutputs)> Reads { get; } = [];

    /// <summary>Simulates a concurrent start: the next schedule call finds the instance already created.</summary>
    public bool NextStartRacesWithAnother { get; set; }

    public void Add(string instanceId, OrchestrationRuntimeStatus status, object? customStatus = null, object? output = null) =>
        Instances[instanceId] = new OrchestrationMetadata("ModerationWorkflow", instanceId)
        {
            RuntimeStatus = status,
            CreatedAt = new DateTimeOffset(2026, 3, 14, 9, 0, 0, TimeSpan.Zero),
            LastUpdatedAt = new DateTimeOffset(2026, 3, 14, 9, 5, 0, TimeSpan.Zero),
            SerializedCustomStatus = Converter.Serialize(customStatus),
            SerializedOutput = Converter.Serialize(output),
            DataConverter = Converter,
        };

    public override Task<string> ScheduleNewOrchestrationInstanceAsync(TaskName orchestratorName, object? input = null, StartOrchestrationOptions? options = null, CancellationToken cancellation = default)
    {
        var instanceId = options?.InstanceId ?? Guid.NewGuid().ToString("N");
        if (NextStartRacesWithAnother || Instances.ContainsKey(instanceId))
        {
            NextStartRacesWithAnother = false;
            throw new OrchestrationAlreadyExistsException($"An Orchestration instance with the ID {instanceId} already exists.");
        }

        Scheduled.Add((orchestratorName, Converter.Serialize(input), options));
        Add(instanceId, OrchestrationRuntimeStatus.Pending);
        return Task.FromResult(instanceId);
    }

    public override Task<OrchestrationMetadata?> GetInstancesAsync(string instanceId, bool getInputsAndOutputs = false, CancellationToken cancellation = default)
    {
        Reads.Add((instanceId, getInputsAndOutputs));
        return Task.FromResult(Instances.GetValueOrDefault(instanceId));
    }

    public override Task RaiseEventAsync(string instanceId, string eventName, object? eventPayload = null, CancellationToken cancellation = default)
    {
        RaisedEvents.Add((instanceId, eventName, Converter.Serialize(eventPayload)));
        return Task.CompletedTask;
    }

    public override ValueTask DisposeAsync() => ValueTask.CompletedTask;

    public override AsyncPageable<OrchestrationMetadata> GetAllInstancesAsync(OrchestrationQuery? filter = null) => throw new NotSupportedException();

    public override Task ResumeInstanceAsync(string instanceId, string? reason = null, CancellationToken cancellation = default) => throw new NotSupportedException();

    public override Task SuspendInstanceAsync(string instanceId, string? reason = null, CancellationToken cancellation = default) => throw new NotSupportedException();

    public override Task<OrchestrationMetadata> WaitForInstanceCompletionAsync(string instanceId, bool getInputsAndOutputs = false, CancellationToken cancellation = default) => throw new NotSupportedException();

    public override Task<OrchestrationMetadata> WaitForInstanceStartAsync(string instanceId, bool getInputsAndOutputs = false, CancellationToken cancellation = default) => throw new NotSupportedException();
}
