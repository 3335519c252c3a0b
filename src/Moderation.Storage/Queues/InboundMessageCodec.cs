using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using System.Text.Json.Nodes;
using Moderation.Core.Messages;
using Moderation.Core.Serialization;

namespace Moderation.Storage.Queues;

/// <summary>The result of decoding one inbound queue body: a message that can be moderated, or why not.</summary>
public sealed record InboundDecodeResult(ChatMessage? Message, string? Reason)
{
    [MemberNotNullWhen(true, nameof(Message))]
    [MemberNotNullWhen(false, nameof(Reason))]
    public bool Succeeded => Message is not null;

    public static InboundDecodeResult Decoded(ChatMessage message) => new(message, null);

    public static InboundDecodeResult Rejected(string reason) => new(null, reason);
}

/// <summary>
/// The one codec for inbound queue bodies, used by both hosts. A body is a <see cref="ChatMessage"/> as camelCase JSON
/// (<see cref="ModerationJson.Options"/>, enums as snake_case wire names) plus <c>"schemaVersion": 1</c>. A message
/// that fails here can never succeed on retry, so hosts send it straight to the poison queue with the reason.
/// </summary>
public static class InboundMessageCodec
{
    /// <summary>The body version this codec writes and the only one it reads.</summary>
    public const int SchemaVersion = 1;

    /// <summary>The property carrying the version.</summary>
    public const string SchemaVersionProperty = "schemaVersion";

    /// <summary>Encodes a message the way the product must put it on the inbound queue (before the queue's Base64).</summary>
    public static string Encode(ChatMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        var node = JsonSerializer.SerializeToNode(message, ModerationJson.Options)!.AsObject();
        var versioned = new JsonObject { [SchemaVersionProperty] = SchemaVersion };
        foreach (var (name, value) in node.ToList())
        {
            node.Remove(name);
            versioned[name] = value;
        }

        return versioned.ToJsonString(ModerationJson.Options);
    }

    /// <summary>
    /// Decodes a queue body (already Base64-decoded by the queue client or the trigger). Never throws for bad input:
    /// malformed JSON, a missing or unknown <c>schemaVersion</c>, or <see cref="ChatMessage.Validate"/> problems
    /// become the rejection reason.
    /// </summary>
    public static InboundDecodeResult Decode(string? body)
    {
        if (string.IsNullOrWhiteSpace(body))
        {
            return InboundDecodeResult.Rejected("malformed: the body is empty.");
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body);
        }
        catch (JsonException ex)
        {
            return InboundDecodeResult.Rejected($"malformed JSON: {ex.Message}");
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return InboundDecodeResult.Rejected($"malformed: the body is a JSON {root.ValueKind.ToString().ToLowerInvariant()}, not an object.");
            }

            if (!TryGetProperty(root, SchemaVersionProperty, out var version))
            {
                return InboundDecodeResult.Rejected($"unknown schemaVersion: the body has no '{SchemaVersionProperty}' (expected {SchemaVersion}).");
            }

            if (version.ValueKind != JsonValueKind.Number || !version.TryGetInt32(out var number) || number != SchemaVersion)
            {
                return InboundDecodeResult.Rejected($"unknown schemaVersion {Shorten(version.GetRawText())} (this version reads {SchemaVersion}).");
            }

            ChatMessage? message;
            try
            {
                message = root.Deserialize<ChatMessage>(ModerationJson.Options);
            }
            catch (JsonException ex)
            {
                return InboundDecodeResult.Rejected($"malformed message: {ex.Message}");
            }

            if (message is null)
            {
                return InboundDecodeResult.Rejected("malformed: the body is JSON null.");
            }

            var problems = message.Validate();
            return problems.Count == 0
                ? InboundDecodeResult.Decoded(message)
                : InboundDecodeResult.Rejected("invalid message: " + string.Join(" ", problems));
        }
    }

    private static bool TryGetProperty(JsonElement root, string name, out JsonElement value)
    {
        // Web defaults read properties case-insensitively; the version must be found the same way.
        foreach (var property in root.EnumerateObject())
        {
            if (string.Equals(property.Name, name, StringComparison.OrdinalIgnoreCase))
            {
                value = property.Value;
                return true;
            }
        }

        value = default;
        return false;
    }

    private static string Shorten(string text) => text.Length <= 40 ? text : text[..40] + "...";
}
