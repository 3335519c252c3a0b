using System.Diagnostics.CodeAnalysis;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Moderation.Core.Delivery;
using Moderation.Core.Messages;
using Moderation.Core.Serialization;

namespace Moderation.Storage.Queues;

/// <summary>The result of decoding one inbound queue body: a message that can be moderated, or why not.</summary>
public sealed record InboundDecodeResult(ChatMessage? Message, string? Reason)
{
    [MemberNotNullWhen(true, nameof(Message))]
    [MemberNotNullWhen(false, nameof(Reason))]
    public bool Succeeded => Message is not null;

    /// <summary>
    /// When the message's id was first admitted, if before this copy (a redelivery or a second copy of the id); null
    /// for the copy that bound the id.
    /// </summary>
    public DateTimeOffset? FirstAdmittedAt { get; init; }

    /// <summary>When this copy bound the id to its content (the first copy); null for later copies and before admission.</summary>
    public DateTimeOffset? BoundAt { get; init; }

    /// <summary>How this copy was admitted, for screening: the first copy, or a later one; null before admission.</summary>
    /// <param name="lastAttempt">The queue will not deliver this copy again.</param>
    public Admission? ToAdmission(bool lastAttempt) =>
        FirstAdmittedAt is { } first ? Admission.Later(first, lastAttempt)
        : BoundAt is { } bound ? Admission.First(bound)
        : null;

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

    // Throws on invalid bytes instead of substituting U+FFFD: a silently altered text must not be moderated.
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>The message's own property names: the only names a rejection reason may repeat.</summary>
    private static readonly HashSet<string> KnownProperties = new(
        [SchemaVersionProperty, .. typeof(ChatMessage).GetProperties().Select(p => JsonNamingPolicy.CamelCase.ConvertName(p.Name))],
        StringComparer.OrdinalIgnoreCase);

    /// <summary>
    /// Decodes a queue body from its bytes (after the queue's Base64): bytes that are not valid UTF-8 are rejected
    /// with the offset of the first bad byte rather than replaced.
    /// </summary>
    public static InboundDecodeResult Decode(BinaryData body)
    {
        ArgumentNullException.ThrowIfNull(body);
        string text;
        try
        {
            text = StrictUtf8.GetString(body.ToMemory().Span);
        }
        catch (DecoderFallbackException ex)
        {
            return InboundDecodeResult.Rejected($"malformed: the body is not valid UTF-8 (first invalid byte at offset {ex.Index}).");
        }

        return Decode(text);
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
            // Position only: the parser's message may quote the body, and the reason is logged.
            return InboundDecodeResult.Rejected($"malformed JSON at line {ex.LineNumber + 1}, byte {ex.BytePositionInLine + 1}.");
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return InboundDecodeResult.Rejected($"malformed: the body is a JSON {root.ValueKind.ToString().ToLowerInvariant()}, not an object.");
            }

            if (FindRepeatedProperty(root) is { } repeated)
            {
                // Parsers disagree on which copy wins; the producer and the moderation must see the same message.
                return InboundDecodeResult.Rejected($"malformed: duplicate property {repeated} in the body.");
            }

            if (!TryGetProperty(root, SchemaVersionProperty, out var version))
            {
                return InboundDecodeResult.Rejected($"unknown schemaVersion: the body has no '{SchemaVersionProperty}' (expected {SchemaVersion}).");
            }

            if (version.ValueKind != JsonValueKind.Number || !version.TryGetInt32(out var number) || number != SchemaVersion)
            {
                return InboundDecodeResult.Rejected($"unknown schemaVersion {(version.ValueKind == JsonValueKind.Number ? Shorten(version.GetRawText()) : "(a JSON " + version.ValueKind.ToString().ToLowerInvariant() + ")")} (this version reads {SchemaVersion}).");
            }

            ChatMessage? message;
            try
            {
                message = root.Deserialize<ChatMessage>(ModerationJson.Options);
            }
            catch (JsonException ex)
            {
                // The serializer's message names the JSON path, which can hold property names the sender chose.
                return InboundDecodeResult.Rejected($"malformed message: {DescribeTopLevel(ex.Path)} has a value of the wrong type or format.");
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

    /// <summary>A repeated property name (compared as binding compares them: ignoring case) at any depth, described safely; null when none.</summary>
    private static string? FindRepeatedProperty(JsonElement element)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
                foreach (var property in element.EnumerateObject())
                {
                    if (!seen.Add(property.Name))
                    {
                        return KnownProperties.Contains(property.Name) ? $"'{property.Name}'" : "(a property not in the message schema)";
                    }

                    if (FindRepeatedProperty(property.Value) is { } inner)
                    {
                        return inner;
                    }
                }

                return null;
            case JsonValueKind.Array:
                foreach (var item in element.EnumerateArray())
                {
                    if (FindRepeatedProperty(item) is { } inner)
                    {
                        return inner;
                    }
                }

                return null;
            default:
                return null;
        }
    }

    /// <summary>Names the top-level property of a JSON path when it is one of ours; never repeats a sender's name.</summary>
    private static string DescribeTopLevel(string? path)
    {
        if (path is { Length: > 2 } && path.StartsWith("$.", StringComparison.Ordinal))
        {
            var name = path[2..].Split('.', '[')[0];
            if (KnownProperties.Contains(name))
            {
                return $"'{name}'";
            }
        }

        return "a property";
    }

    private static string Shorten(string text) => text.Length <= 40 ? text : text[..40] + "...";
}
