using Azure;
using Azure.Data.Tables;
using Moderation.Core.Conversations;

namespace Moderation.Storage.Queues;

/// <summary>What <see cref="SendOnceLedger.SendOnceAsync(string, string, Func{CancellationToken, Task}, KeyHold, CancellationToken)"/> did.</summary>
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

/// <summary>One send of a batch: the key it is sent once under, its kind, the send itself, and a hold on the key if one was taken before.</summary>
public sealed record SendOnceRequest(string Key, string Kind, Func<CancellationToken, Task> Send, KeyHold? Hold = null);

/// <summary>
/// An exclusive hold on a ledger key taken before the ledger saw it (the first admission of a message id binds the id
/// to its content: one insert that only one copy wins): from <see cref="Since"/>, no other attempt acts on the key for
/// the ledger's lease. With <see cref="StaleReservation.Resend"/>, the holder sends without a reservation of its own
/// and records the send afterwards (one row write instead of two); any other attempt that finds no record under the
/// key before the lease from <see cref="Since"/> runs out fails with <see cref="EarlierCopyInFlightException"/>, to be
/// retried, rather than wait in hand.
/// </summary>
/// <param name="Since">When the hold was taken.</param>
/// <param name="Mine">This attempt holds the key (else another attempt took the hold).</param>
public sealed record KeyHold(DateTimeOffset Since, bool Mine);

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
    public Task<SendOnceResult> SendOnceAsync(string key, string kind, Func<CancellationToken, Task> send, CancellationToken cancellationToken) =>
        SendOnceAsync(key, kind, send, null, cancellationToken);

    /// <inheritdoc cref="SendOnceAsync(string, string, Func{CancellationToken, Task}, CancellationToken)"/>
    /// <param name="hold">A hold on the key taken before (see <see cref="KeyHold"/>), or null.</param>
    public async Task<SendOnceResult> SendOnceAsync(string key, string kind, Func<CancellationToken, Task> send, KeyHold? hold, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(send);
        if (HeldByMe(hold))
        {
            cancellationToken.ThrowIfCancellationRequested();
            await send(CancellationToken.None);
            await RecordHeldSendAsync(key, kind, hold!.Since);
            return SendOnceResult.Sent;
        }

        if (HeldByOther(hold) && !(await table.GetEntityIfExistsAsync<TableEntity>(PartitionOf(key), key, select: [StatusProperty], cancellationToken: cancellationToken)).HasValue)
        {
            // The holder may be sending right now. Waiting for it here could outlast this copy's queue visibility
            // (the copy would reappear and be counted again while still in hand): fail it, so the queue redelivers it
            // once the holder recorded its send or the hold ran out.
            throw new EarlierCopyInFlightException(key, hold!.Since);
        }

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
    /// <see cref="SendOnceAsync(string, string, Func{CancellationToken, Task}, KeyHold, CancellationToken)"/> for a
    /// batch, in three round-trip steps instead of three per send: one reservation transaction per partition (none for
    /// keys this attempt holds), all sends at once, one "sent" transaction per partition. A reservation transaction
    /// fails whole when any of its rows exists (a redelivery, a concurrent copy), so its sends fall back to the
    /// single-key path one by one, which settles each against its existing row; so do keys another attempt holds. A
    /// failed send or mark fails only its own outcome. Repeated keys in one batch are settled after the first copy
    /// (one send).
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

        // Held by this attempt with time to spare: no reservation. Held by another attempt: settled alone (retried while the holder may still send).
        var held = firsts.Where(i => HeldByMe(requests[i].Hold)).ToList();
        var waiting = firsts.Where(i => HeldByOther(requests[i].Hold)).ToList();
        var unheld = firsts.Except(held).Except(waiting).ToList();
        var reserved = new List<int>(firsts.Count);
        var contested = new List<int>(waiting);
        await Task.WhenAll(InTransactions(unheld, i => requests[i].Key).Select(async rows =>
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
        var sending = reserved.Concat(held).ToList();
        var sendErrors = await Task.WhenAll(sending.Select(i => CaptureAsync(() => requests[i].Send(CancellationToken.None))));
        var sent = new List<int>(sending.Count);
        for (var r = 0; r < sending.Count; r++)
        {
            if (sendErrors[r] is { } error)
            {
                // Left pending (or unrecorded, under a hold): a retry settles it per the lease and the stale policy.
                outcomes[sending[r]] = new SendOnceOutcome(SendOnceResult.Sent, error);
            }
            else
            {
                sent.Add(sending[r]);
            }
        }

        // One transaction per partition records the sends: a merge of the reservation, or the whole row under a hold.
        var isHeld = held.ToHashSet();
        await Task.WhenAll(InTransactions(sent, i => requests[i].Key).Select(async rows =>
        {
            try
            {
                await table.SubmitTransactionAsync(rows.Select(i => isHeld.Contains(i)
                    ? new TableTransactionAction(TableTransactionActionType.Add, SentRecord(requests[i].Key, requests[i].Kind, requests[i].Hold!.Since))
                    : new TableTransactionAction(TableTransactionActionType.UpsertMerge, SentMark(requests[i].Key))), CancellationToken.None);
                foreach (var i in rows)
                {
                    outcomes[i] = new SendOnceOutcome(SendOnceResult.Sent, null);
                }
            }
            catch (RequestFailedException)
            {
                await Task.WhenAll(rows.Select(async i => outcomes[i] = new SendOnceOutcome(SendOnceResult.Sent, await CaptureAsync(() => isHeld.Contains(i)
                    ? RecordHeldSendAsync(requests[i].Key, requests[i].Kind, requests[i].Hold!.Since)
                    : MarkSentAsync(requests[i].Key)))));
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
                outcomes[i] = new SendOnceOutcome(await SendOnceAsync(requests[i].Key, requests[i].Kind, requests[i].Send, requests[i].Hold, cancellationToken), null);
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                outcomes[i] = new SendOnceOutcome(SendOnceResult.Sent, ex);
            }
        }
    }

    /// <summary>
    /// Holds count only where a stale reservation is resent (at least once): at most once must record an attempt before
    /// its send, so it always reserves. A hold near the end of its lease is not trusted: this attempt may have stalled,
    /// and another may take the key over at any moment.
    /// </summary>
    private bool HeldByMe(KeyHold? hold) =>
        stale == StaleReservation.Resend && hold is { Mine: true } && time.GetUtcNow() - hold.Since < lease / 2;

    private bool HeldByOther(KeyHold? hold) =>
        stale == StaleReservation.Resend && hold is { Mine: false } && time.GetUtcNow() - hold.Since < lease;

    /// <summary>A send made under a hold, recorded as sent (retried like a mark). A row already there was written by another attempt that took the key over after the hold's lease: it stays.</summary>
    private Task RecordHeldSendAsync(string key, string kind, DateTimeOffset since) => WithMarkRetriesAsync(async () =>
    {
        try
        {
            await table.AddEntityAsync(SentRecord(key, kind, since), CancellationToken.None);
        }
        catch (RequestFailedException ex) when (ex.Status == 409)
        {
        }
    });

    private TableEntity SentRecord(string key, string kind, DateTimeOffset since) => new(PartitionOf(key), key)
    {
        [KindProperty] = kind,
        [StatusProperty] = SentStatus,
        [ReservedAtProperty] = since,
        ["SentAt"] = time.GetUtcNow(),
    };

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
    private Task MarkSentAsync(string key) =>
        WithMarkRetriesAsync(() => table.UpsertEntityAsync(SentMark(key), TableUpdateMode.Merge, CancellationToken.None));

    private async Task WithMarkRetriesAsync(Func<Task> write)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await write();
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
