using System.Text;
using Azure.Data.Tables;
using Moderation.Core.Conversations;
using Moderation.Core.Delivery;
using Moderation.Core.Messages;
using Moderation.Core.Policy;
using Moderation.Storage.Conversations;
using Moderation.Storage.Queues;

namespace Moderation.Storage.Tests;

/// <summary>
/// On real table storage: admission tells a later copy of an id from its first; what was done for an id is read from
/// the delivery ledger and the case client as a case-first decision; a batch of one conversation is written, and the
/// window trimmed, together, also when two batches of one conversation race.
/// </summary>
public sealed class RedeliveryStorageTests
{
    private static readonly DateTimeOffset T0 = Samples.SentAt;

    [StorageFact]
    public async Task Admission_marks_only_later_copies_of_an_id_with_its_first_admission_time()
    {
        await using var account = await StorageTestAccount.CreateAsync();
        var admission = account.Admission();
        var before = DateTimeOffset.UtcNow.AddSeconds(-5);
        var earlier = Samples.Message(id: "m-earlier");
        var first = await admission.AdmitAsync(Body(earlier), CancellationToken.None);
        var again = await admission.AdmitAsync(Body(earlier), CancellationToken.None);

        // A batch: a new id, a known one, and the new id's second copy.
        var fresh = Samples.Message(id: "m-fresh");
        var batch = await admission.AdmitAllAsync([Body(fresh), Body(earlier), Body(fresh)], CancellationToken.None);

        Assert.Null(first.FirstAdmittedAt);
        Assert.InRange(again.FirstAdmittedAt!.Value, before, DateTimeOffset.UtcNow.AddSeconds(5));
        Assert.True(batch.All(r => r.Succeeded));
        Assert.Equal([false, true, true], batch.Select(r => r.FirstAdmittedAt is not null));
        Assert.Equal(again.FirstAdmittedAt, batch[1].FirstAdmittedAt);
    }

    [StorageFact]
    public async Task What_was_done_for_an_id_is_read_from_the_delivery_ledger_and_the_case_client_case_first()
    {
        await using var account = await StorageTestAccount.CreateAsync();
        var delivery = account.DeliveryGateway();
        var cases = new FakeCaseClient();
        var acted = new DeliveryLedgerActedDecisions(account.Connection, account.WrappedOptions, cases, TimeProvider.System);

        await delivery.TryReleaseAllAsync([Order("m-released", Disposition.Released)], CancellationToken.None);
        await cases.StartCaseAsync(Moderation.Testing.Samples.Case("m-case-released"), CancellationToken.None);
        await delivery.ReleaseAsync(Order("m-case-released", Disposition.Released), CancellationToken.None);
        await cases.StartCaseAsync(Moderation.Testing.Samples.Case("m-case-running"), CancellationToken.None);
        await delivery.BlockAsync(Order("m-blocked-purged", Disposition.Blocked), CancellationToken.None);

        Assert.Equal(ActedDecision.Released, await acted.FindAsync("m-released", CancellationToken.None));
        Assert.Equal(ActedDecision.Routed, await acted.FindAsync("m-case-released", CancellationToken.None));
        Assert.Equal(ActedDecision.Routed, await acted.FindAsync("m-case-running", CancellationToken.None));
        Assert.Equal(ActedDecision.Routed, await acted.FindAsync("m-blocked-purged", CancellationToken.None));
        Assert.Equal(ActedDecision.None, await acted.FindAsync("m-unknown", CancellationToken.None));
    }

    [StorageFact]
    public async Task A_batch_is_written_with_the_window_trimmed_leaving_exactly_the_newest_rows()
    {
        await using var account = await StorageTestAccount.CreateAsync();
        var store = Store(account, window: 4);
        await store.AppendAllAsync([Say("m0", 0), Say("m1", 1), Say("m2", 2)], CancellationToken.None);

        // Newer messages push the oldest out; a late one older than the window is not kept; a repeated copy is one row.
        await store.AppendAllAsync([Say("m3", 3), Say("m4", 4), Say("m4", 4), Say("late", -10), Say("other", 5) with { ConversationId = "conv-2" }], CancellationToken.None);

        Assert.Equal(["m1", "m2", "m3", "m4"], (await store.ReadRecentAsync("conv-1", 10, CancellationToken.None)).Select(t => t.MessageId));
        Assert.Equal(4, await CountRowsAsync(store, "conv-1"));
        Assert.Equal(["other"], (await store.ReadRecentAsync("conv-2", 10, CancellationToken.None)).Select(t => t.MessageId));
    }

    [StorageFact]
    public async Task Racing_batches_of_one_conversation_both_land_and_the_window_still_holds()
    {
        await using var account = await StorageTestAccount.CreateAsync();
        var store = Store(account, window: 5);
        await store.AppendAllAsync(Enumerable.Range(0, 5).Select(i => Say($"s{i}", i)).ToList(), CancellationToken.None);

        // Both batches see the same head and delete the same rows past the window: one transaction finds a row gone.
        await Task.WhenAll(
            Task.Run(() => store.AppendAllAsync(Enumerable.Range(10, 4).Select(i => Say($"a{i}", i)).ToList(), CancellationToken.None)),
            Task.Run(() => store.AppendAllAsync(Enumerable.Range(20, 4).Select(i => Say($"b{i}", i)).ToList(), CancellationToken.None)));
        await store.AppendAllAsync([Say("last", 30)], CancellationToken.None);

        Assert.Equal(["b21", "b22", "b23", "last"], (await store.ReadRecentAsync("conv-1", 4, CancellationToken.None)).Select(t => t.MessageId));
        Assert.Equal(5, await CountRowsAsync(store, "conv-1"));
    }

    private static async Task<int> CountRowsAsync(TableConversationStore store, string conversationId)
    {
        var count = 0;
        await foreach (var _ in store.Table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {conversationId}"), select: ["RowKey"]))
        {
            count++;
        }

        return count;
    }

    private static DeliveryOrder Order(string id, Disposition disposition) =>
        new(Samples.Message(id: id), new ModerationOutcome(id, disposition, disposition == Disposition.Released ? DecidedBy.Prefilter : DecidedBy.Llm, disposition == Disposition.Released ? PolicyCategory.Clean : PolicyCategory.Spam, [], T0.UtcDateTime));

    private static ChatMessage Say(string id, int minute) =>
        new(id, "conv-1", "alice", ParticipantRole.Customer, "bob", ParticipantRole.Professional, $"text of {id}", T0.AddMinutes(minute));

    private static TableConversationStore Store(StorageTestAccount account, int window) =>
        new(account.Connection, account.WrappedOptions, new ConversationStorageTests.StaticMonitor(new ConversationOptions { WindowSize = window }));

    private static BinaryData Body(ChatMessage message) => new(Encoding.UTF8.GetBytes(InboundMessageCodec.Encode(message)));
}
