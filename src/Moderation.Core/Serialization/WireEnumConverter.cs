using System.Text.Json;
using System.Text.Json.Serialization;

namespace Moderation.Core.Serialization;

/// <summary>
/// Enums travel as snake_case strings ("off_platform_contact", "release") in every serializer that honours the
/// attribute: queue bodies, HTTP bodies, Durable Functions history and table rows all agree.
/// </summary>
public sealed class WireEnumConverter<TEnum>() : JsonStringEnumConverter<TEnum>(JsonNamingPolicy.SnakeCaseLower, allowIntegerValues: false)
    where TEnum : struct, Enum;

/// <summary>The one set of JSON options the adapters use for our own payloads.</summary>
public static class ModerationJson
{
    public static JsonSerializerOptions Options { get; } = Create();

    private static JsonSerializerOptions Create()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web)
        {
            DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
            UnmappedMemberHandling = JsonUnmappedMemberHandling.Skip,
        };
        options.MakeReadOnly(populateMissingResolver: true);
        return options;
    }
}
