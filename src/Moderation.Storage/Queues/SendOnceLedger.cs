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

    /// <summary>
    /// An earlier attempt reserved this key and stopped before marking it sent, so it may or may not have sent; with
    /// <see cref="StaleReservation.AssumeSent"/> nothing is sent now (at most one send, at the risk of none).
    /// </summary>
    Unconfirmed,
}

/// <summary>What an attempt does with a reservation whose lease expired before it was marked sent.</summary>
public enum StaleReservation
{
    /// <summary>Take it over and send (at least once: a send is never lost; a crash between send and mark repeats it, with the same id).</summary>
    Resend,

    /// <summary>Never send again (at most once: no repeat; a crash between reservation and send loses that send).</summary>
    AssumeSent,
}

/// <summary>One send of a batch: the key it is sent once under, its kind, and the send itself.</summary>
public sealed record SendOnceRequest(string Key, string Kind, Func<CancellationToken, Task> Send);

/// <summary>How one send of a batch settled: its result, or the error that stopped it (retry it).</summary>
public readonly record struct SendOnceOutcome(SendOnceResult Result, Exception? Error)
{
    public bool Failed => Error is not null;
}

/// <summary>
/// Makes a queue send happen once per key, with a table row as the ledger: reserve the row (insert; 409 means another
/// attempt reserved it), send, then mark the row sent. An attempt that finds a fresh reservation waits for it to be
/// marked (concurrent copies of one message make one send); one that finds a reservation older than the lease either
/// takes it over and sends (<see cref="StaleReservation.Resend"/>: the reserving attempt crashed; a send is never lost
/// as long as the caller retries, and a duplicate, carrying the same id, is only possible when an attempt crashed
/// between send and mark or stalled there longer than the lease) or settles as <see cref="SendOnceResult.Unconfirmed"/>
/// (<see cref="StaleReservation.AssumeSent"/>: never a second send). Rows live in partition
/// <see cref="PartitionBucket.For"/>(key, <see cref="Partitions"/>) with the key as row key, so
/// <see cref="SendOnceAllAsync"/> reserves and marks a batch with one transaction per partition.
/// </summary>
public sealed class SendOnceLedger(TableClient table, TimeProvider time, TimeSpan? lease = null, StaleReservation stale = StaleReservation.Resend)
{
    /// <summary>How long a reservation is honoured before another attempt may take it over.</summary>
    public static readonly TimeSpan DefaultLease = TimeSpan.FromSeconds(15);

    /// <summary>
    /// Partitions of the ledger table. Two keep a 32-message batch at about two transactions per step, and still allow
    /// about 2 x 2 000 row writes/s (Azure's per-partition target), more than one queue's 2 000 messages/s.
    /// </summary>
    public const int Partitions = 2;

    /// <summary>The most rows one entity-group transaction holds.</summary>
    internal const int MaxTransactionRows = 100;

    private static readonly TimeSpan RecheckInterval = TimeSpan.FromMilliseconds(100);

    // Retries of the "sent" mark stay well inside the lease, so no other attempt takes the row over meanwhile.
    private const int MarkAttempts = 5;
    private static readonly TimeSpan MarkRetryInterval = TimeSpan.FromMilliseconds(500);
    private const string KindProperty = "Kind";
    private const string StatusProperty = "Status";
    private const string ReservedAtProperty = "ReservedAt";
    private const string Pending = "pending";
    private const string SentStatus = "sent";
    private const string UnconfirmedStatus = "unconfirmed";

    private readonly TimeSpan lease = lease ?? DefaultLease;

    public TableClient Table => table;

    /// <summary>The partition key of a ledger row; its row key is the key itself.</summary>
    public static string PartitionOf(string key) => PartitionBucket.For(key, Partitions);

    /// <param name="key">The row key: the case (= message) id.</param>
    /// <param name="kind">What is sent (e.g. <c>released</c>); a later call with another kind is refused.</param>
    public async Task<SendOnceResult> SendOnceAsync(string key, string kind, Func<CancellationToken, Task> send, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(send);
        try
        {
            await table.AddEntityAsync(Reservation(key, kind), cancellationToken);
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
        await MarkSentAsync(key);
        return SendOnceResult.Sent;
    }

    /// <summary>
    /// <see cref="SendOnceAsync"/> for a batch, in three round-trip steps instead of three per send: one reservation
    /// transaction per partition, all sends at once, one "sent" transaction per partition. A reservation transaction
    /// fails whole when any of its rows exists (a redelivery, a concurrent copy), so its sends fall back to
    /// <see cref="SendOnceAsync"/> one by one, which settles each against its existing row. A failed send or mark
    /// fails only its own outcome. Repeated keys in one batch are settled after the first copy (one send).
    /// </summary>
    public async Task<IReadOnlyList<SendOnceOutcome>> SendOnceAllAsync(IReadOnlyList<SendOnceRequest> requests, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(requests);
        var outcomes = new SendOnceOutcome[requests.Count];
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var firsts = new List<int>(requests.Count);
        var repeats = new List<int>();
        for (var i = 0; i < requests.Count; i++)
        {
            (seen.Add(requests[i].Key) ? firsts : repeats).Add(i);
        }

        var reserved = new List<int>(firsts.Count);
        var contested = new List<int>();
        await Task.WhenAll(InTransactions(firsts, i => requests[i].Key).Select(async rows =>
        {
            try
            {
                await table.SubmitTransactionAsync(rows.Select(i => new TableTransactionAction(TableTransactionActionType.Add, Reservation(requests[i].Key, requests[i].Kind))), cancellationToken);
                lock (reserved)
                {
                    reserved.AddRange(rows);
                }
            }
            catch (RequestFailedException)
            {
                lock (contested)
                {
                    contested.AddRange(rows);
                }
            }
        }));

        // As in SendOnceAsync: once reserved, the sends and marks run to completion, whatever a shutdown says.
        cancellationToken.ThrowIfCancellationRequested();
        var singles = Task.WhenAll(contested.Select(i => SettleAloneAsync(i)));
        var sendErrors = await Task.WhenAll(reserved.Select(i => CaptureAsync(() => requests[i].Send(CancellationToken.None))));
        var sent = new List<int>(reserved.Count);
        for (var r = 0; r < reserved.Count; r++)
        {
            if (sendErrors[r] is { } error)
            {
                // Left pending: a retry finds the reservation and settles it per the lease and the stale policy.
                outcomes[reserved[r]] = new SendOnceOutcome(SendOnceResult.Sent, error);
            }
            else
            {
                sent.Add(reserved[r]);
            }
        }

        await Task.WhenAll(InTransactions(sent, i => requests[i].Key).Select(async rows =>
        {
            try
            {
                await table.SubmitTransactionAsync(rows.Select(i => new TableTransactionAction(TableTransactionActionType.UpsertMerge, SentMark(requests[i].Key))), CancellationToken.None);
                foreach (var i in rows)
                {
                    outcomes[i] = new SendOnceOutcome(SendOnceResult.Sent, null);
                }
            }
            catch (RequestFailedException)
            {
                await Task.WhenAll(rows.Select(async i => outcomes[i] = new SendOnceOutcome(SendOnceResult.Sent, await CaptureAsync(() => MarkSentAsync(requests[i].Key)))));
            }
        }));

        await singles;
        foreach (var i in repeats)
        {
            await SettleAloneAsync(i);
        }

        return outcomes;

        async Task SettleAloneAsync(int i)
        {
            try
            {
                outcomes[i] = new SendOnceOutcome(await SendOnceAsync(requests[i].Key, requests[i].Kind, requests[i].Send, cancellationToken), null);
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                outcomes[i] = new SendOnceOutcome(SendOnceResult.Sent, ex);
            }
        }
    }

    /// <summary>Indexes grouped by partition, at most <see cref="MaxTransactionRows"/> per group.</summary>
    private static IEnumerable<int[]> InTransactions(IEnumerable<int> indexes, Func<int, string> key) =>
        indexes.GroupBy(i => PartitionOf(key(i)), StringComparer.Ordinal).SelectMany(g => g.Chunk(MaxTransactionRows));

    private static async Task<Exception?> CaptureAsync(Func<Task> work)
    {
        try
        {
            await work();
            return null;
        }
        catch (Exception ex)
        {
            return ex;
        }
    }

    private TableEntity Reservation(string key, string kind) => new(PartitionOf(key), key)
    {
        [KindProperty] = kind,
        [StatusProperty] = Pending,
        [ReservedAtProperty] = time.GetUtcNow(),
    };

    private TableEntity SentMark(string key) => new(PartitionOf(key), key)
    {
        [StatusProperty] = SentStatus,
        ["SentAt"] = time.GetUtcNow(),
    };

    /// <summary>
    /// The message is on its queue: a failed mark would make the next attempt send it again, so the mark is retried
    /// here (beyond the SDK's own retries) before the failure is given up to the caller.
    /// </summary>
    private async Task MarkSentAsync(string key)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await table.UpsertEntityAsync(SentMark(key), TableUpdateMode.Merge, CancellationToken.None);
                return;
            }
            catch (RequestFailedException) when (attempt < MarkAttempts)
            {
                await Task.Delay(MarkRetryInterval * attempt, time, CancellationToken.None);
            }
        }
    }

    /// <summary>
    /// Another attempt holds the reservation: returns how it settled (sent, conflicting, unconfirmed), or null once
    /// this attempt took over an expired reservation and must send itself.
    /// </summary>
    private async Task<SendOnceResult?> AwaitOrTakeOverAsync(string key, string kind, CancellationToken cancellationToken)
    {
        var partition = PartitionOf(key);
        while (true)
        {
            var existing = (await table.GetEntityAsync<TableEntity>(partition, key, cancellationToken: cancellationToken)).Value;
            if (!string.Equals(existing.GetString(KindProperty), kind, StringComparison.Ordinal))
            {
                return SendOnceResult.Conflict;
            }

            var status = existing.GetString(StatusProperty);
            if (string.Equals(status, SentStatus, StringComparison.Ordinal))
            {
                return SendOnceResult.AlreadySent;
            }

            if (string.Equals(status, UnconfirmedStatus, StringComparison.Ordinal))
            {
                return SendOnceResult.Unconfirmed;
            }

            var reservedAt = existing.GetDateTimeOffset(ReservedAtProperty) ?? DateTimeOffset.MinValue;
            if (time.GetUtcNow() - reservedAt >= lease)
            {
                // The reserving attempt stopped before marking the row: claim it (only one claimant wins the ETag),
                // to send, or to settle it as unconfirmed for good.
                existing[ReservedAtProperty] = time.GetUtcNow();
                if (stale == StaleReservation.AssumeSent)
                {
                    existing[StatusProperty] = UnconfirmedStatus;
                }

                try
                {
                    await table.UpdateEntityAsync(existing, existing.ETag, TableUpdateMode.Merge, cancellationToken);
                    return stale == StaleReservation.AssumeSent ? SendOnceResult.Unconfirmed : null;
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
        var row = await table.GetEntityIfExistsAsync<TableEntity>(PartitionOf(key), key, cancellationToken: cancellationToken);
        return row.HasValue && row.Value is { } entity
            ? (entity.GetString(KindProperty) ?? string.Empty, string.Equals(entity.GetString(StatusProperty), SentStatus, StringComparison.Ordinal))
            : null;
    }
}
