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
/// released nor cased under an id that already stands for other content. An admitted later copy carries the first
/// admission's time (<see cref="InboundDecodeResult.FirstAdmittedAt"/>): the screening step reuses what was done for
/// such copies, and this is how it knows them without a look-up of its own. Rows: partition
/// <see cref="PartitionBucket.For"/>(id, <see cref="Partitions"/>), row key the id, so <see cref="AdmitAllAsync"/>
/// binds a received batch with one transaction per partition.
/// </summary>
public sealed class InboundMessageAdmission
{
    /// <summary>Partitions of the content table (see <see cref="SendOnceLedger.Partitions"/> for the choice).</summary>
    public const int Partitions = 2;

    private const string HashProperty = "Hash";
    private const string FirstSeenProperty = "FirstSeenAt";

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
        var boundAt = time.GetUtcNow();
        return Admitted(decoded, await BindAsync(id, hash, boundAt, cancellationToken), hash, boundAt);
    }

    /// <summary>
    /// <see cref="AdmitAsync"/> for a received batch: the first copies of its ids are bound with one insert
    /// transaction per partition. A transaction fails whole when any of its ids is bound already (a redelivery), so
    /// its messages are then bound one by one, which reads the existing bindings. Storage errors propagate.
    /// </summary>
    public async Task<IReadOnlyList<InboundDecodeResult>> AdmitAllAsync(IReadOnlyList<BinaryData> bodies, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(bodies);
        var results = bodies.Select(InboundMessageCodec.Decode).ToArray();
        var ids = results.Select(r => r.Message?.MessageId ?? string.Empty).ToArray();
        var hashes = new string[results.Length];
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var firsts = new List<int>();
        var later = new List<int>();
        for (var i = 0; i < results.Length; i++)
        {
            if (results[i].Message is { } message)
            {
                hashes[i] = MessageContentHash.Compute(message);
                (seen.Add(ids[i]) ? firsts : later).Add(i);
            }
        }

        var boundAt = time.GetUtcNow();
        await Task.WhenAll(firsts
            .GroupBy(i => PartitionBucket.For(ids[i], Partitions), StringComparer.Ordinal)
            .SelectMany(g => g.Chunk(SendOnceLedger.MaxTransactionRows))
            .Select(async rows =>
            {
                try
                {
                    await table.SubmitTransactionAsync(rows.Select(i => new TableTransactionAction(TableTransactionActionType.Add, Binding(ids[i], hashes[i], boundAt))), cancellationToken);
                    foreach (var i in rows)
                    {
                        results[i] = results[i] with { BoundAt = boundAt };
                    }
                }
                catch (RequestFailedException ex) when (ex.Status == 409)
                {
                    await Task.WhenAll(rows.Select(async i => results[i] = Admitted(results[i], await BindAsync(ids[i], hashes[i], boundAt, cancellationToken), hashes[i], boundAt)));
                }
            }));

        foreach (var i in later)
        {
            results[i] = Admitted(results[i], await BindAsync(ids[i], hashes[i], boundAt, cancellationToken), hashes[i], boundAt);
        }

        return results;
    }

    private static InboundDecodeResult Admitted(InboundDecodeResult decoded, (string Hash, DateTimeOffset? FirstAdmittedAt) first, string hash, DateTimeOffset boundAt)
    {
        var id = decoded.Message!.MessageId;
        return string.Equals(first.Hash, hash, StringComparison.Ordinal)
            ? decoded with { FirstAdmittedAt = first.FirstAdmittedAt, BoundAt = first.FirstAdmittedAt is null ? boundAt : null }
            : InboundDecodeResult.Rejected($"content conflict: message id '{id}' is bound to content {first.Hash}; this copy has content {hash}. A message id must never be reused for other content.");
    }

    private static TableEntity Binding(string id, string hash, DateTimeOffset boundAt) =>
        new(PartitionBucket.For(id, Partitions), id) { [HashProperty] = hash, [FirstSeenProperty] = boundAt };

    /// <summary>
    /// Binds the id to the hash unless it is bound already; returns the hash the id is bound to, and when it was bound
    /// if that was before this call.
    /// </summary>
    private async Task<(string Hash, DateTimeOffset? FirstAdmittedAt)> BindAsync(string id, string hash, DateTimeOffset boundAt, CancellationToken cancellationToken)
    {
        try
        {
            await table.AddEntityAsync(Binding(id, hash, boundAt), cancellationToken);
            return (hash, null);
        }
        catch (RequestFailedException ex) when (ex.Status == 409)
        {
            var existing = (await table.GetEntityAsync<TableEntity>(PartitionBucket.For(id, Partitions), id, select: [HashProperty, FirstSeenProperty], cancellationToken: cancellationToken)).Value;

            // Bindings written before the time was kept count as long ago.
            return (existing.GetString(HashProperty) ?? string.Empty, existing.GetDateTimeOffset(FirstSeenProperty) ?? DateTimeOffset.MinValue);
        }
    }
}
