using System.Collections.Concurrent;
using System.Text.Json;
using Azure.Data.Tables;
using Moderation.Core.Conversations;
using Moderation.Core.Delivery;
using Moderation.Core.Serialization;
using Moderation.Storage.Queues;

namespace Moderation.Storage.Tests;

/// <summary>
/// The send-once ledger with keys held since a message's admission (its content binding): the holder's send needs no
/// reservation, and every other copy still makes at most the sends the guarantee allows. On Azurite.
/// </summary>
public class HeldKeyLedgerTests
{
    [StorageFact]
    public async Task A_key_held_since_admission_is_sent_without_a_reservation_and_then_recorded_as_sent()
    {
        await using var account = await StorageTestAccount.CreateAsync();
        var table = account.Connection.CreateTableClient(account.Options.Tables.Deliveries);
        var ledger = new SendOnceLedger(table, TimeProvider.System);
        var rowsAtSend = new ConcurrentDictionary<string, bool>();
        var hold = new KeyHold(DateTimeOffset.UtcNow, Mine: true);

        var outcomes = await ledger.SendOnceAllAsync(
            [.. new[] { "h-1", "h-2", "h-3" }.Select(key => new SendOnceRequest(key, "released", async _ => rowsAtSend[key] = await RowExistsAsync(table, key), hold))],
            CancellationToken.None);

        Assert.All(outcomes, o => Assert.Equal(new SendOnceOutcome(SendOnceResult.Sent, null), o));
        Assert.All(rowsAtSend.Values, Assert.False);
        Assert.Equal(3, rowsAtSend.Count);
        Assert.Equal(("released", true), await ledger.FindAsync("h-2", CancellationToken.None));
        Assert.Equal(SendOnceResult.AlreadySent, await ledger.SendOnceAsync("h-2", "released", _ => throw new InvalidOperationException("sent twice"), CancellationToken.None));
    }

    [StorageFact]
    public async Task A_later_copy_within_the_hold_is_retried_rather_than_sent_and_sends_nothing_once_the_holder_recorded_its_send()
    {
        await using var account = await StorageTestAccount.CreateAsync();
        var ledger = new SendOnceLedger(account.Connection.CreateTableClient(account.Options.Tables.Deliveries), TimeProvider.System);
        var since = DateTimeOffset.UtcNow;
        var sends = 0;
        var holderSending = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var holderMayFinish = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var holder = ledger.SendOnceAllAsync(
            [new SendOnceRequest("m-1", "released", async _ =>
            {
                Interlocked.Increment(ref sends);
                holderSending.SetResult();
                await holderMayFinish.Task;
            }, new KeyHold(since, Mine: true))],
            CancellationToken.None);
        await holderSending.Task;
        SendOnceRequest Later() => new("m-1", "released", _ =>
        {
            Interlocked.Increment(ref sends);
            return Task.CompletedTask;
        }, new KeyHold(since, Mine: false));

        // The holder's send is unrecorded: the later copy fails, to be redelivered, instead of sending or waiting in hand.
        var early = Assert.Single(await ledger.SendOnceAllAsync([Later()], CancellationToken.None));
        Assert.IsType<EarlierCopyInFlightException>(early.Error);

        holderMayFinish.SetResult();
        Assert.Equal(SendOnceResult.Sent, Assert.Single(await holder).Result);
        Assert.Equal(new SendOnceOutcome(SendOnceResult.AlreadySent, null), Assert.Single(await ledger.SendOnceAllAsync([Later()], CancellationToken.None)));
        Assert.Equal(1, sends);
    }

    [StorageFact]
    public async Task A_later_copy_after_the_holders_lease_with_nothing_recorded_sends_itself_so_no_release_is_lost()
    {
        await using var account = await StorageTestAccount.CreateAsync();
        var ledger = new SendOnceLedger(account.Connection.CreateTableClient(account.Options.Tables.Deliveries), TimeProvider.System);
        var crashedHolder = new KeyHold(DateTimeOffset.UtcNow - SendOnceLedger.DefaultLease - TimeSpan.FromSeconds(1), Mine: false);
        var sent = false;

        var outcome = Assert.Single(await ledger.SendOnceAllAsync(
            [new SendOnceRequest("m-1", "released", _ =>
            {
                sent = true;
                return Task.CompletedTask;
            }, crashedHolder)],
            CancellationToken.None));

        Assert.Equal(SendOnceResult.Sent, outcome.Result);
        Assert.True(sent);
        Assert.Equal(("released", true), await ledger.FindAsync("m-1", CancellationToken.None));
    }

    [StorageFact]
    public async Task A_hold_past_half_its_lease_is_not_trusted_and_the_send_is_reserved_first()
    {
        await using var account = await StorageTestAccount.CreateAsync();
        var table = account.Connection.CreateTableClient(account.Options.Tables.Deliveries);
        var ledger = new SendOnceLedger(table, TimeProvider.System);
        var stalled = new KeyHold(DateTimeOffset.UtcNow - (SendOnceLedger.DefaultLease / 2) - TimeSpan.FromSeconds(1), Mine: true);
        var reservedAtSend = false;

        await ledger.SendOnceAllAsync([new SendOnceRequest("m-1", "released", async _ => reservedAtSend = await RowExistsAsync(table, "m-1"), stalled)], CancellationToken.None);

        Assert.True(reservedAtSend);
    }

    [StorageFact]
    public async Task At_most_once_ignores_holds_and_reserves_before_every_send()
    {
        await using var account = await StorageTestAccount.CreateAsync();
        var table = account.Connection.CreateTableClient(account.Options.Tables.Deliveries);
        var ledger = new SendOnceLedger(table, TimeProvider.System, stale: StaleReservation.AssumeSent);
        var reservedAtSend = false;

        await ledger.SendOnceAllAsync([new SendOnceRequest("m-1", "released", async _ => reservedAtSend = await RowExistsAsync(table, "m-1"), new KeyHold(DateTimeOffset.UtcNow, Mine: true))], CancellationToken.None);

        Assert.True(reservedAtSend);
    }

    [StorageFact]
    public async Task Through_the_gateway_a_later_copy_within_the_first_copys_hold_is_retried_except_on_its_last_attempt()
    {
        await using var account = await StorageTestAccount.CreateAsync();
        var gateway = account.DeliveryGateway();
        var justBound = DateTimeOffset.UtcNow;
        var retried = Samples.Message(id: "later-1");
        var last = Samples.Message(id: "later-2");

        var attempts = await gateway.TryReleaseAllAsync(
            [
                new DeliveryOrder(retried, Samples.Outcome(retried, Disposition.Released)) { Admission = Admission.Later(justBound, lastAttempt: false) },
                new DeliveryOrder(last, Samples.Outcome(last, Disposition.Released)) { Admission = Admission.Later(justBound, lastAttempt: true) },
            ],
            CancellationToken.None);

        // Redelivered by the queue rather than held in hand; a copy the queue will not deliver again goes ahead.
        Assert.IsType<EarlierCopyInFlightException>(attempts[0].Error);
        Assert.Equal(new ReleaseAttempt(true, null), attempts[1]);
        var released = (await account.DrainAsync(account.Options.Queues.Released)).Select(b => JsonSerializer.Deserialize<DeliveryEnvelope>(b, ModerationJson.Options)!.DeliveryId);
        Assert.Equal(["later-2"], released);
    }

    private static async Task<bool> RowExistsAsync(TableClient table, string key) =>
        (await table.GetEntityIfExistsAsync<TableEntity>(SendOnceLedger.PartitionOf(key), key)).HasValue;
}
