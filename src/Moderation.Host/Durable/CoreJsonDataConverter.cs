namespace Moderation.Host.Durable;

/// <summary>
/// The worker's System.Text.Json converter as DurableTask.Core's <see cref="DurableTask.Core.Serializing.DataConverter"/>,
/// for the <c>TaskHubClient</c>: inputs it writes and outputs, status and events it reads use the same contract as the
/// orchestrator (Durable Task's own default client converter is Newtonsoft-based and would not match).
/// </summary>
internal sealed class CoreJsonDataConverter(Microsoft.DurableTask.DataConverter converter) : DurableTask.Core.Serializing.DataConverter
{
    public override string? Serialize(object? value) => converter.Serialize(value);

    public override string? Serialize(object? value, bool formatted) => converter.Serialize(value);

    public override object? Deserialize(string? data, Type objectType) => converter.Deserialize(data, objectType);
}
