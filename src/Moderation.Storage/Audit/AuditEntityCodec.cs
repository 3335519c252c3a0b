using System.IO.Compression;
using System.Text.Json;
using Azure.Data.Tables;
using Moderation.Core.Audit;
using Moderation.Core.Serialization;

namespace Moderation.Storage.Audit;

/// <summary>
/// Maps an <see cref="AuditRecord"/> to one table entity. The record (which may hold a 100 KB message, more in JSON)
/// is stored as gzip-compressed JSON split over binary properties <c>Payload0..PayloadN</c> of at most 64 000 bytes
/// each (a property holds 64 KiB, an entity 1 MiB): one entity keeps each stage's write atomic and a read a single
/// query, with no blob to go stale. The stage, time and summary are plain columns for people browsing the table.
/// </summary>
internal static class AuditEntityCodec
{
    public const int ChunkBytes = 64_000;

    /// <summary>Room left in the 1 MiB entity after the plain columns.</summary>
    public const int MaxPayloadBytes = 15 * ChunkBytes;

    /// <summary>A message longer than this is cut when its record would not fit an entity (only incompressible text that long).</summary>
    public const int FallbackTextLength = 64 * 1024;

    private const string ChunkCountProperty = "PayloadChunks";
    private const string EncodingProperty = "PayloadEncoding";
    private const string Encoding = "gzip+json";

    /// <summary>
    /// Partitions of the audit table: cases spread over them by a stable hash of the case id, so the records of a
    /// received batch go in a few transactions (see <see cref="PartitionBucket"/>).
    /// </summary>
    public const int Partitions = 4;

    /// <summary>Separates the case id from the stage in the row key (stage keys never contain it).</summary>
    public const char KeySeparator = '|';

    public static string PartitionKey(string caseId) => PartitionBucket.For(caseId, Partitions);

    /// <summary>The row key: the case id, then the stage's order, so a case's rows are one key range in stage order.</summary>
    public static string RowKey(string caseId, AuditStage stage) => $"{RowKeyPrefix(caseId)}{(int)stage:D2}-{StageName(stage)}";

    public static string RowKeyPrefix(string caseId) => caseId + KeySeparator;

    /// <summary>True when the row belongs to exactly this case (not to a case whose id merely starts with <c>caseId|</c>).</summary>
    public static bool IsRowOf(string rowKey, string caseId) =>
        rowKey.StartsWith(RowKeyPrefix(caseId), StringComparison.Ordinal) && rowKey.AsSpan(caseId.Length + 1).IndexOf(KeySeparator) < 0;

    /// <summary>An upper bound of the entity's size in a transaction's JSON body (binary is Base64 there).</summary>
    public static int EstimatedJsonBytes(TableEntity entity) =>
        entity.Sum(p => p.Key.Length + 16 + p.Value switch
        {
            byte[] bytes => (bytes.Length + 2) / 3 * 4,
            string text => text.Length * 6,
            _ => 48,
        });

    public static string StageName(AuditStage stage) => JsonSerializer.Serialize(stage, ModerationJson.Options).Trim('"');

    public static TableEntity ToEntity(AuditRecord record)
    {
        var payload = Compress(record);
        if (payload.Length > MaxPayloadBytes && record.Message is { Text.Length: > FallbackTextLength } message)
        {
            record = record with
            {
                Message = message with { Text = message.Text[..FallbackTextLength] },
                Summary = record.Summary + $" (message text cut from {message.Text.Length} to {FallbackTextLength} characters for the audit trail)",
            };
            payload = Compress(record);
        }

        if (payload.Length > MaxPayloadBytes)
        {
            throw new InvalidOperationException($"The audit record for case {record.CaseId}, stage {record.Stage}, is {payload.Length} bytes compressed; at most {MaxPayloadBytes} fit.");
        }

        var entity = new TableEntity(PartitionKey(record.CaseId), RowKey(record.CaseId, record.Stage))
        {
            ["Stage"] = StageName(record.Stage),
            ["RecordedAt"] = DateTime.SpecifyKind(record.RecordedAt, DateTimeKind.Utc),
            ["Summary"] = record.Summary.Length <= 4000 ? record.Summary : record.Summary[..4000],
            [EncodingProperty] = Encoding,
        };
        if (record.Outcome is { } outcome)
        {
            entity["Disposition"] = JsonSerializer.Serialize(outcome.Disposition, ModerationJson.Options).Trim('"');
        }

        var chunks = 0;
        for (var offset = 0; offset < payload.Length; offset += ChunkBytes)
        {
            entity[$"Payload{chunks++}"] = payload.AsSpan(offset, Math.Min(ChunkBytes, payload.Length - offset)).ToArray();
        }

        entity[ChunkCountProperty] = chunks;
        return entity;
    }

    public static AuditRecord FromEntity(TableEntity entity)
    {
        ArgumentNullException.ThrowIfNull(entity);
        if (!string.Equals(entity.GetString(EncodingProperty), Encoding, StringComparison.Ordinal))
        {
            throw new InvalidDataException($"Audit row {entity.PartitionKey}/{entity.RowKey} has an unknown payload encoding '{entity.GetString(EncodingProperty)}'.");
        }

        var count = entity.GetInt32(ChunkCountProperty) ?? 0;
        using var compressed = new MemoryStream();
        for (var i = 0; i < count; i++)
        {
            var chunk = entity.GetBinary($"Payload{i}") ?? throw new InvalidDataException($"Audit row {entity.PartitionKey}/{entity.RowKey} misses payload chunk {i}.");
            compressed.Write(chunk);
        }

        compressed.Position = 0;
        using var json = new GZipStream(compressed, CompressionMode.Decompress);
        return JsonSerializer.Deserialize<AuditRecord>(json, ModerationJson.Options)
            ?? throw new InvalidDataException($"Audit row {entity.PartitionKey}/{entity.RowKey} holds no record.");
    }

    private static byte[] Compress(AuditRecord record)
    {
        using var buffer = new MemoryStream();
        using (var gzip = new GZipStream(buffer, CompressionLevel.Optimal, leaveOpen: true))
        {
            JsonSerializer.Serialize(gzip, record, Queues.QueueBodyWriter.JsonOptions);
        }

        return buffer.ToArray();
    }
}
