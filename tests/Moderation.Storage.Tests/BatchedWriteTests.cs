using System.Text.Json;
using Azure.Data.Tables;
using Moderation.Core.Audit;
using Moderation.Core.Delivery;
using Moderation.Core.Serialization;
using Moderation.Storage.Queues;

namespace Moderation.Storage.Tests;

/// <summary>The batched writes of the clean path: ledger, releases, content bindings and audit rows, on Azurite.</summary>
public class BatchedWriteTests
{
    private static readonly DateTime At = Samples.SentAt.UtcDateTime;

    [StorageFact]
    public async Task A_ledger_batch_where_some_keys_were_sent_before_sends_only_the_new_ones_once()
    {
        await using var account = await StorageTestAccount.CreateAsync();
        var ledger = new SendOnceLedger(account.Connection.CreateTableClient(account.Options.Tables.Deliveries), TimeProvider.System);
        var sends = new System.Collections.Concurrent.ConcurrentBag<string>();
        SendOnceRequest Request(string key) => new(key, "released", _ =>
        {
            sends.Add(key);
            return Task.CompletedTask;
        });
        await ledger.SendOnceAsync("k-02", "released", _ => Task.CompletedTask, CancellationToken.None);

        // The reservation transaction of k-02's partition fails whole (its row exists): that partition falls back per key.
        var keys = Enumerable.Range(0, 10).Select(i => $"k-{i:D2}").ToList();
        var outcomes = await ledger.SendOnceAllAsync([.. keys.Select(Request), Request("k-05")], CancellationToken.None);

        Assert.All(outcomes, o => Assert.False(o.Failed));
        Assert.Equal(SendOnceResult.AlreadySent, outcomes[2].Result);
        Assert.Equal(SendOnceResult.AlreadySent, outcomes[10].Result); // the repeated key within the batch
        Assert.Equal(keys.Where(k => k != "k-02").Order(StringComparer.Ordinal), sends.Order(StringComparer.Ordinal));
        foreach (var key in keys)
        {
            Assert.Equal(("released", true), await ledger.FindAsync(key, CancellationToken.None));
        }
    }

    [StorageFact]
    public async Task A_failed_send_in_a_ledger_batch_fails_only_its_own_key_and_leaves_it_reserved_for_the_retry()
    {
        await using var account = await StorageTestAccount.CreateAsync();
        var ledger = new SendOnceLedger(account.Connection.CreateTableClient(account.Options.Tables.Deliveries), TimeProvider.System);

        var outcomes = await ledger.SendOnceAllAsync(
            [
                new SendOnceRequest("ok-1", "released", _ => Task.CompletedTask),
                new SendOnceRequest("bad-1", "released", _ => throw new InvalidOperationException("queue down")),
                new SendOnceRequest("ok-2", "released", _ => Task.CompletedTask),
            ],
            CancellationToken.None);

        Assert.Equal([false, true, false], outcomes.Select(o => o.Failed));
        Assert.Equal(("released", true), await ledger.FindAsync("ok-1", CancellationToken.None));
        Assert.Equal(("released", false), await ledger.FindAsync("bad-1", CancellationToken.None));
    }

    [StorageFact]
    public async Task A_batch_release_through_the_gateway_sends_each_message_once_with_its_id_and_skips_a_blocked_one()
    {
        await using var account = await StorageTestAccount.CreateAsync();
        var gateway = account.DeliveryGateway();
        var messages = Enumerable.Range(0, 12).Select(i => Samples.Message(id: $"rel-{i:D2}")).ToList();
        await gateway.BlockAsync(new DeliveryOrder(messages[3], Samples.Outcome(messages[3], Disposition.Blocked)), CancellationToken.None);

        var attempts = await gateway.TryReleaseAllAsync(messages.Select(m => new DeliveryOrder(m, Samples.Outcome(m, Disposition.Released))).ToList(), CancellationToken.None);
        var again = await gateway.TryReleaseAllAsync(messages.Select(m => new DeliveryOrder(m, Samples.Outcome(m, Disposition.Released))).ToList(), CancellationToken.None);

        Assert.Equal(11, attempts.Count(a => a.Sent));
        Assert.False(attempts[3].Sent);
        Assert.All(again, a => Assert.False(a.Sent || a.Failed));
        var released = (await account.DrainAsync(account.Options.Queues.Released)).Select(b => JsonSerializer.Deserialize<DeliveryEnvelope>(b, ModerationJson.Options)!.DeliveryId);
        Assert.Equal(messages.Where((_, i) => i != 3).Select(m => m.MessageId), released.Order(StringComparer.Ordinal));
    }

    [StorageFact]
    public async Task Audit_records_of_many_cases_written_together_read_back_complete_per_case()
    {
        await using var account = await StorageTestAccount.CreateAsync();
        var audit = account.AuditLog();
        var messages = Enumerable.Range(0, 40).Select(i => Samples.Message(id: $"case-{i:D2}")).ToList();
        var records = messages.SelectMany(m => new[]
        {
            new AuditRecord(m.MessageId, AuditStage.Screened, At, "clean", Message: m),
            new AuditRecord(m.MessageId, AuditStage.Delivered, At, "Released by Prefilter", Outcome: Samples.Outcome(m, Disposition.Released)),
        }).ToList();
        var prefixed = Samples.Message(id: "case-01|x");

        await audit.RecordAllAsync([.. records, new AuditRecord(prefixed.MessageId, AuditStage.Screened, At, "clean", Message: prefixed)], CancellationToken.None);

        foreach (var message in messages)
        {
            var read = await audit.ReadCaseAsync(message.MessageId, CancellationToken.None);
            Assert.Equal([AuditStage.Screened, AuditStage.Delivered], read.Select(r => r.Stage));
            Assert.Equal(message.Text, read[0].Message!.Text);
        }

        Assert.Single(await audit.ReadCaseAsync("case-01|x", CancellationToken.None));
        var exported = new List<IReadOnlyList<AuditRecord>>();
        await foreach (var item in audit.ReadAllCasesAsync(CancellationToken.None))
        {
            exported.Add(item);
        }

        Assert.Equal(41, exported.Count);
        Assert.All(exported, c => Assert.Single(c.Select(r => r.CaseId).Distinct()));
    }

    [StorageFact]
    public async Task Admitting_a_batch_binds_new_ids_refuses_a_reused_id_with_other_content_and_passes_redeliveries()
    {
        await using var account = await StorageTestAccount.CreateAsync();
        var admission = account.Admission();
        var earlier = Samples.Message("the first content", "adm-03");
        Assert.True((await admission.AdmitAsync(new BinaryData(InboundMessageCodec.Encode(earlier)), CancellationToken.None)).Succeeded);
        var bodies = Enumerable.Range(0, 8).Select(i => InboundMessageCodec.Encode(Samples.Message(id: $"adm-{i:D2}"))).ToList();
        bodies.Add(bodies[0]);

        var results = await admission.AdmitAllAsync(bodies.Select(b => new BinaryData(b)).ToList(), CancellationToken.None);
        var again = await admission.AdmitAllAsync(bodies.Select(b => new BinaryData(b)).ToList(), CancellationToken.None);

        Assert.Equal(Enumerable.Range(0, 9).Select(i => i != 3), results.Select(r => r.Succeeded));
        Assert.StartsWith("content conflict", results[3].Reason, StringComparison.Ordinal);
        Assert.Equal(results.Select(r => r.Succeeded), again.Select(r => r.Succeeded));
        var row = await account.Connection.CreateTableClient(account.Options.Tables.MessageContent).GetEntityAsync<TableEntity>(PartitionBucket.For("adm-05", InboundMessageAdmission.Partitions), "adm-05");
        Assert.StartsWith("sha256:", row.Value.GetString("Hash"), StringComparison.Ordinal);
    }
}
