using Azure;
using Azure.Data.Tables;

namespace Moderation.Storage.Queues;

/// <summary>What <see cref="SendOnceLedger.SendOnceAsync"/> did.</summary>
public enum SendOnceResult
{
    /// <summary>Sent now (first time, or resent after an earlier attempt stopped before marking it sent).</summary>
    Sent,

    /// <summary>Already sent earlier; nothing was sent.</summary>
    AlreadySent,

    /// <summary>A different kind was already recorded for this key (e.g. block after release); nothing was sent.</summary>
    Conflict,
}

/// <summary>
/// Makes a queue send happen once per key, with a table row as the ledger: reserve the row (insert; 409 means another
/// attempt reserved it), send, then mark the row sent. An attempt that finds a fresh reservation waits for it to be
/// marked (concurrent copies of one message make one send); one that finds a reservation older than the lease takes
/// it over (the reserving attempt crashed) and sends. The guarantee: a send is never lost as long as the caller retries
/// after a failure; a duplicate is only possible when an attempt crashes between the send and the mark, or stalls
/// there for longer than the lease, and then it carries the same id, so the consumer can drop it.
/// </summary>
public sealed class SendOnceLedger(TableClient table, TimeProvider time, TimeSpan? lease = null)
{
    /// <summary>How long a reservation is honoured before another attempt may take it over.</summary>
    public static readonly TimeSpan DefaultLease = TimeSpan.FromSeconds(15);

    private static readonly TimeSpan RecheckInterval = TimeSpan.FromMilliseconds(100);

    // Retries of the "sent" mark stay well inside the lease, so no other attempt takes the row over meanwhile.
    private const int MarkAttempts = 5;
    private static readonly TimeSpan MarkRetryInterval = TimeSpan.FromMilliseconds(500);
    private const string RowKey = "send";
    private const string KindProperty = "Kind";
    private const string StatusProperty = "Status";
    private const string ReservedAtProperty = "ReservedAt";
    private const string Pending = "pending";
    private const string SentStatus = "sent";

    private readonly TimeSpan lease = lease ?? DefaultLease;

    public TableClient Table => table;

    /// <param name="key">The partition key: the case (= message) id.</param>
    /// <param name="kind">What is sent (e.g. <c>released</c>); a later call with another kind is refused.</param>
    public async Task<SendOnceResult> SendOnceAsync(string key, string kind, Func<CancellationToken, Task> send, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(send);
        var reservation = new TableEntity(key, RowKey)
        {
            [KindProperty] = kind,
            [StatusProperty] = Pending,
            [ReservedAtProperty] = time.GetUtcNow(),
        };
        try
        {
            await table.AddEntityAsync(reservation, cancellationToken);
        }
        catch (RequestFailedException ex) when (ex.Status == 409)
        {
            if (await AwaitOrTakeOverAsync(key, kind, cancellationToken) is { } settled)
            {
                return settled;
            }
        }

        // Past this point a cancellation (a graceful shutdown) would open the duplicate window: a send that may have
        // reached the queue but was never marked. Both calls are short, so they run to completion; only a crash can
        // still stop between them.
        cancellationToken.ThrowIfCancellationRequested();
        await send(CancellationToken.None);
        var sent = new TableEntity(key, RowKey)
        {
            [StatusProperty] = SentStatus,
            ["SentAt"] = time.GetUtcNow(),
        };
        await MarkSentAsync(sent);
        return SendOnceResult.Sent;
    }

    /// <summary>
    /// The message is on its queue: a failed mark would make the next attempt send it again, so the mark is retried
    /// here (beyond the SDK's own retries) before the failure is given up to the caller.
    /// </summary>
    private async Task MarkSentAsync(TableEntity sent)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await table.UpsertEntityAsync(sent, TableUpdateMode.Merge, CancellationToken.None);
                return;
            }
            catch (RequestFailedException) when (attempt < MarkAttempts)
            {
                await Task.Delay(MarkRetryInterval * attempt, time, CancellationToken.None);
            }
        }
    }

    /// <summary>
    /// Another attempt holds the reservation: returns how it settled (sent, or conflicting), or null once this attempt
    /// took over an expired reservation and must send itself.
    /// </summary>
    private async Task<SendOnceResult?> AwaitOrTakeOverAsync(string key, string kind, CancellationToken cancellationToken)
    {
        while (true)
        {
            var existing = (await table.GetEntityAsync<TableEntity>(key, RowKey, cancellationToken: cancellationToken)).Value;
            if (!string.Equals(existing.GetString(KindProperty), kind, StringComparison.Ordinal))
            {
                return SendOnceResult.Conflict;
            }

            if (string.Equals(existing.GetString(StatusProperty), SentStatus, StringComparison.Ordinal))
            {
                return SendOnceResult.AlreadySent;
            }

            var reservedAt = existing.GetDateTimeOffset(ReservedAtProperty) ?? DateTimeOffset.MinValue;
            if (time.GetUtcNow() - reservedAt >= lease)
            {
                // The reserving attempt stopped before marking the row: claim it (only one claimant wins the ETag).
                existing[ReservedAtProperty] = time.GetUtcNow();
                try
                {
                    await table.UpdateEntityAsync(existing, existing.ETag, TableUpdateMode.Merge, cancellationToken);
                    return null;
                }
                catch (RequestFailedException ex) when (ex.Status == 412)
                {
                    continue;
                }
            }

            // In progress elsewhere (normally milliseconds from being marked): wait for it rather than send twice.
            await Task.Delay(RecheckInterval, time, cancellationToken);
        }
    }

    /// <summary>The kind recorded for a key, or null when nothing was reserved.</summary>
    public async Task<(string Kind, bool Sent)?> FindAsync(string key, CancellationToken cancellationToken)
    {
        var row = await table.GetEntityIfExistsAsync<TableEntity>(key, RowKey, cancellationToken: cancellationToken);
        return row.HasValue && row.Value is { } entity
            ? (entity.GetString(KindProperty) ?? string.Empty, string.Equals(entity.GetString(StatusProperty), SentStatus, StringComparison.Ordinal))
            : null;
    }
}
