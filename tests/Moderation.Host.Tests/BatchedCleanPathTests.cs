using System.Text.Json;
using Azure;
using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Data.Tables;
using Moderation.Core.Audit;
using Moderation.Core.Messages;
using Moderation.Core.Serialization;
using Moderation.Storage;
using Moderation.Storage.Queues;

namespace Moderation.Host.Tests;

/// <summary>
/// The listener's batched clean path on Azurite (real queues and tables), with storage faults injected at the HTTP
/// pipeline of the clients the app creates.
/// </summary>
public class BatchedCleanPathTests
{
    [StorageFact]
    public async Task A_batch_with_one_message_whose_ledger_writes_fail_releases_the_others_once_and_poisons_that_one_after_its_retries()
    {
        var (harness, faults) = await CreateAsync(ReleaseGuarantee.AtLeastOnce, maxDequeueCount: 2);
        await using var disposing = harness;
        faults.FailTableWritesMentioning = "\"bad-1\"";
        foreach (var id in new[] { "ok-1", "bad-1", "ok-2", "ok-3" })
        {
            await harness.EnqueueAsync(Message(id));
        }

        Assert.Equal(4, await harness.Listener.PollOnceAsync(CancellationToken.None));
        Assert.Equal(1, await harness.InboundCountAsync());
        Assert.Equal(1, await harness.PollUntilReceivedAsync());

        Assert.Equal(["ok-1", "ok-2", "ok-3"], (await harness.ReleasedIdsAsync()).Order(StringComparer.Ordinal));
        var poison = JsonSerializer.Deserialize<PoisonEnvelope>(Assert.Single(await harness.DrainAsync(harness.Options.Queues.InboundPoison)), ModerationJson.Options)!;
        Assert.Contains("injected", poison.Reason, StringComparison.Ordinal);
        Assert.Equal(0, await harness.InboundCountAsync());
        foreach (var id in new[] { "ok-1", "ok-2", "ok-3" })
        {
            Assert.Equal([AuditStage.Screened, AuditStage.Delivered], (await harness.AuditAsync(id)).Select(r => r.Stage));
        }

        Assert.DoesNotContain(AuditStage.Delivered, (await harness.AuditAsync("bad-1")).Select(r => r.Stage));
    }

    [StorageFact]
    public async Task A_batch_of_clean_messages_takes_two_calls_per_message_plus_a_few_per_batch()
    {
        var (harness, faults) = await CreateAsync(ReleaseGuarantee.AtLeastOnce);
        await using var disposing = harness;
        for (var i = 0; i < 32; i++)
        {
            await harness.EnqueueAsync(Message($"m-{i:D2}"));
        }

        var before = faults.Calls;
        Assert.Equal(32, await harness.Listener.PollOnceAsync(CancellationToken.None));
        var calls = faults.Calls - before;

        // 32 sends + 32 deletes + 1 receive, and per table partition touched: content binding, ledger reservation,
        // ledger mark (2 partitions each) and audit (4 partitions): at most 65 + 2 + 2 + 2 + 4.
        Assert.InRange(calls, 65, 75);
        Assert.Equal(32, (await harness.ReleasedIdsAsync()).Distinct().Count());
        Assert.Equal([AuditStage.Screened, AuditStage.Delivered], (await harness.AuditAsync("m-17")).Select(r => r.Stage));
    }

    [StorageFact]
    public async Task At_most_once_a_redelivery_after_a_crash_between_send_and_mark_does_not_release_again()
    {
        var (harness, faults) = await CreateAsync(ReleaseGuarantee.AtMostOnce);
        await using var disposing = harness;
        await CrashBetweenSendAndMarkAsync(harness, faults, "crash-1", "ok-1");

        Assert.Equal(1, await harness.Listener.PollOnceAsync(CancellationToken.None));

        // Only the crashed attempt's own release: the redelivery settles the stale reservation without sending.
        Assert.Equal(["crash-1", "ok-1"], (await harness.ReleasedIdsAsync()).Order(StringComparer.Ordinal));
        Assert.Equal(0, await harness.InboundCountAsync());
        Assert.Equal([AuditStage.Screened, AuditStage.Delivered], (await harness.AuditAsync("crash-1")).Select(r => r.Stage));
        Assert.Contains(harness.Log.Lines, l => l == "inbound crash-1: duplicate (already released; nothing sent)");
    }

    [StorageFact]
    public async Task At_least_once_a_redelivery_after_a_crash_between_send_and_mark_releases_again_under_the_same_delivery_id()
    {
        var (harness, faults) = await CreateAsync(ReleaseGuarantee.AtLeastOnce);
        await using var disposing = harness;
        await CrashBetweenSendAndMarkAsync(harness, faults, "crash-1", "ok-1");

        Assert.Equal(1, await harness.Listener.PollOnceAsync(CancellationToken.None));

        // The one repeat a crash can cause, recognisable by its delivery id; never lost.
        Assert.Equal(["crash-1", "crash-1", "ok-1"], (await harness.ReleasedIdsAsync()).Order(StringComparer.Ordinal));
        Assert.Equal(0, await harness.InboundCountAsync());
        Assert.Equal([AuditStage.Screened, AuditStage.Delivered], (await harness.AuditAsync("crash-1")).Select(r => r.Stage));
    }

    private static string Message(string id) =>
        InboundMessageCodec.Encode(new ChatMessage(id, "conv-1", "pro-1", ParticipantRole.Professional, "cust-1", ParticipantRole.Customer, $"see you at nine ({id})", new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero)));

    /// <summary>
    /// Counts the app's storage requests and fails, without retries, writes to the delivery ledger table whose body
    /// mentions a given text (and, when set, only "sent" marks): what a storage fault on one message's ledger row
    /// looks like to the app.
    /// </summary>
    private sealed class StorageFaults : HttpPipelinePolicy
    {
        private long calls;

        public long Calls => Interlocked.Read(ref calls);

        public string? FailTableWritesMentioning { get; set; }

        public bool OnlySentMarks { get; set; }

        public string LedgerTable { get; set; } = string.Empty;

        public override void Process(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline) => throw new NotSupportedException("The app calls storage asynchronously.");

        public override ValueTask ProcessAsync(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
        {
            Interlocked.Increment(ref calls);
            if (FailTableWritesMentioning is { } text && message.Request.Content is { } content)
            {
                using var buffer = new MemoryStream();
                content.WriteTo(buffer, CancellationToken.None);
                var body = System.Text.Encoding.UTF8.GetString(buffer.ToArray());

                // A single write names the table in its address, a transaction in its body.
                var ledger = message.Request.Uri.ToString().Contains(LedgerTable, StringComparison.Ordinal) || body.Contains(LedgerTable, StringComparison.Ordinal);
                if (ledger && body.Contains(text, StringComparison.Ordinal) && (!OnlySentMarks || body.Contains("\"sent\"", StringComparison.Ordinal)))
                {
                    throw new RequestFailedException(403, "injected storage fault");
                }
            }

            return ProcessNextAsync(message, pipeline);
        }
    }

    /// <summary>The listener harness with <see cref="StorageFaults"/> on the app's storage clients and a one-second visibility timeout.</summary>
    private static async Task<(ListenerHarness Harness, StorageFaults Faults)> CreateAsync(ReleaseGuarantee guarantee, int maxDequeueCount = 5)
    {
        var faults = new StorageFaults();
        var harness = await ListenerHarness.CreateAsync(maxDequeueCount, "00:00:01", releaseGuarantee: guarantee, storagePolicy: faults);
        faults.LedgerTable = harness.Options.Tables.Deliveries;
        return (harness, faults);
    }

    /// <summary>
    /// Handles <paramref name="id"/> in a batch with <paramref name="other"/> while its "sent" mark fails, then ages
    /// its reservation past the ledger lease: the state a crash right after the send leaves, as a restarted host
    /// later finds it. The inbound message is back on the queue for its redelivery.
    /// </summary>
    private static async Task CrashBetweenSendAndMarkAsync(ListenerHarness harness, StorageFaults faults, string id, string other)
    {
        faults.FailTableWritesMentioning = $"\"{id}\"";
        faults.OnlySentMarks = true;
        await harness.EnqueueAsync(Message(id));
        await harness.EnqueueAsync(Message(other));
        Assert.Equal(2, await harness.Listener.PollOnceAsync(CancellationToken.None));
        faults.FailTableWritesMentioning = null;

        var ledger = harness.Account.CreateTableClient(harness.Options.Tables.Deliveries);
        var row = (await ledger.GetEntityAsync<TableEntity>(SendOnceLedger.PartitionOf(id), id)).Value;
        Assert.Equal("pending", row.GetString("Status"));
        row["ReservedAt"] = DateTimeOffset.UtcNow - SendOnceLedger.DefaultLease - TimeSpan.FromSeconds(1);
        await ledger.UpdateEntityAsync(row, row.ETag, TableUpdateMode.Merge);
        await Task.Delay(TimeSpan.FromSeconds(1.5)); // the one-second visibility timeout
    }
}
