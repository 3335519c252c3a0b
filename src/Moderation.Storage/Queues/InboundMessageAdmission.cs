using Azure;
using Azure.Data.Tables;
using Microsoft.Extensions.Options;

namespace Moderation.Storage.Queues;

/// <summary>
/// Decides whether an inbound queue body may be moderated, for both hosts: it must decode
/// (<see cref="InboundMessageCodec"/>), and its message id must be bound to its content. The first copy of an id
/// binds the id to its <see cref="MessageContentHash"/> (an insert-if-absent in <c>ModerationMessageContent</c>,
/// atomic across instances). A later copy with the same hash is a redelivery and passes (every step after this is
/// idempotent per id); one with another hash is refused as a conflict naming both hashes, so it is poisoned and never
/// released nor cased under an id that already stands for other content.
/// </summary>
public sealed class InboundMessageAdmission
{
    private const string RowKey = "content";
    private const string HashProperty = "Hash";

    private readonly TableClient table;
    private readonly TimeProvider time;

    public InboundMessageAdmission(StorageConnection connection, IOptions<StorageOptions> options, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(options);
        table = connection.CreateTableClient(options.Value.Tables.MessageContent);
        this.time = time;
    }

    /// <summary>The message to moderate, or the reason to poison the body. Storage errors propagate (the body is retried).</summary>
    public async Task<InboundDecodeResult> AdmitAsync(BinaryData body, CancellationToken cancellationToken)
    {
        var decoded = InboundMessageCodec.Decode(body);
        if (!decoded.Succeeded)
        {
            return decoded;
        }

        var id = decoded.Message.MessageId;
        var hash = MessageContentHash.Compute(decoded.Message);
        var first = await BindAsync(id, hash, cancellationToken);
        return string.Equals(first, hash, StringComparison.Ordinal)
            ? decoded
            : InboundDecodeResult.Rejected($"content conflict: message id '{id}' is bound to content {first}; this copy has content {hash}. A message id must never be reused for other content.");
    }

    /// <summary>Binds the id to the hash unless it is bound already; returns the hash the id is bound to.</summary>
    private async Task<string> BindAsync(string id, string hash, CancellationToken cancellationToken)
    {
        try
        {
            await table.AddEntityAsync(new TableEntity(id, RowKey) { [HashProperty] = hash, ["FirstSeenAt"] = time.GetUtcNow() }, cancellationToken);
            return hash;
        }
        catch (RequestFailedException ex) when (ex.Status == 409)
        {
            var existing = await table.GetEntityAsync<TableEntity>(id, RowKey, select: [HashProperty], cancellationToken: cancellationToken);
            return existing.Value.GetString(HashProperty) ?? string.Empty;
        }
    }
}
