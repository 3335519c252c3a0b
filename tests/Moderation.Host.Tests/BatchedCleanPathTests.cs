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
    public async Task A_batch_with_one_message_whose_release_fails_releases_the_others_once_and_poisons_that_one_after_its_retries()
    {
        var (harness, faults) = await CreateAsync(ReleaseGuarantee.AtLeastOnce, maxDequeueCount: 2);
        await using var disposing = harness;
        faults.FailReleasesOf = "bad-1";
        foreach (var id in new[] { "ok-1", "bad-1", "ok-2", "ok-3" })
        {
            await harness.EnqueueAsync(Message(id));
        }

        Assert.Equal(4, await harness.Listener.PollOnceAsync(CancellationToken.None));
        Assert.Equal(1, await harness.InboundCountAsync());

        // The retry comes after the first copy's hold on the id ran out (as a visibility timeout longer than the
        // ledger lease makes it); within the lease it would wait for that copy first.
        await AgeAdmissionAsync(harness, "bad-1");
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

        // 32 sends + 32 deletes + 1 receive, and per table partition touched: content binding and ledger record (2
        // partitions each; the first copies hold their ids since admission, so no reservation) and audit (4
        // partitions): at most 65 + 2 + 2 + 4.
        Assert.InRange(calls, 65, 73);
        Assert.Equal(2, faults.LedgerCalls);
        Assert.Equal(32, (await harness.ReleasedIdsAsync()).Distinct().Count());
        Assert.Equal([AuditStage.Screened, AuditStage.Delivered], (await harness.AuditAsync("m-17")).Select(r => r.Stage));
    }

    [StorageFact]
    public async Task At_most_once_a_redelivery_after_a_crash_between_send_and_mark_does_not_release_again()
    {
        var (harness, faults) = await CreateAsync(ReleaseGuarantee.AtMostOnce);
        await using var disposing = harness;
        await CrashBetweenSendAndMarkAsync(harness, faults, "crash-1", "ok-1", reserved: true);

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
        await CrashBetweenSendAndMarkAsync(harness, faults, "crash-1", "ok-1", reserved: false);

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

        /// <summary>Fails sends to the released queue of the message with this id.</summary>
        public string? FailReleasesOf { get; set; }

        public string ReleasedQueue { get; set; } = string.Empty;

        private long ledgerCalls;

        public long LedgerCalls => Interlocked.Read(ref ledgerCalls);

        public string LedgerTable { get; set; } = string.Empty;

        public override void Process(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline) => throw new NotSupportedException("The app calls storage asynchronously.");

        public override ValueTask ProcessAsync(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
        {
            Interlocked.Increment(ref calls);
            if (LedgerTable.Length > 0 && (message.Request.Uri.ToString().Contains(LedgerTable, StringComparison.Ordinal) || Body(message).Contains(LedgerTable, StringComparison.Ordinal)))
            {
                Interlocked.Increment(ref ledgerCalls);
            }

            if (FailReleasesOf is { } releaseId && message.Request.Method == RequestMethod.Post && message.Request.Content is not null
                && message.Request.Uri.ToString().Contains($"/{ReleasedQueue}/messages", StringComparison.Ordinal))
            {
                var xml = System.Xml.Linq.XElement.Parse(Body(message));
                var envelope = System.Text.Encoding.UTF8.GetString(Convert.FromBase64String((string?)xml.Element("MessageText") ?? string.Empty));
                if (envelope.Contains($"\"{releaseId}\"", StringComparison.Ordinal))
                {
                    throw new RequestFailedException(403, "injected storage fault");
                }
            }

            if (FailTableWritesMentioning is { } text && message.Request.Content is not null)
            {
                var body = Body(message);

                // A single write names the table in its address, a transaction in its body.
                var ledger = message.Request.Uri.ToString().Contains(LedgerTable, StringComparison.Ordinal) || body.Contains(LedgerTable, StringComparison.Ordinal);
                if (ledger && body.Contains(text, StringComparison.Ordinal) && (!OnlySentMarks || body.Contains("\"sent\"", StringComparison.Ordinal)))
                {
                    throw new RequestFailedException(403, "injected storage fault");
                }
            }

            return ProcessNextAsync(message, pipeline);
        }

        private static string Body(HttpMessage message)
        {
            if (message.Request.Content is not { } content)
            {
                return string.Empty;
            }

            using var buffer = new MemoryStream();
            content.WriteTo(buffer, CancellationToken.None);
            return System.Text.Encoding.UTF8.GetString(buffer.ToArray()).TrimStart('\uFEFF');
        }
    }

    /// <summary>The listener harness with <see cref="StorageFaults"/> on the app's storage clients and a one-second visibility timeout.</summary>
    private static async Task<(ListenerHarness Harness, StorageFaults Faults)> CreateAsync(ReleaseGuarantee guarantee, int maxDequeueCount = 5)
    {
        var faults = new StorageFaults();
        var harness = await ListenerHarness.CreateAsync(maxDequeueCount, "00:00:01", releaseGuarantee: guarantee, storagePolicy: faults);
        faults.LedgerTable = harness.Options.Tables.Deliveries;
        faults.ReleasedQueue = harness.Options.Queues.Released;
        return (harness, faults);
    }

    /// <summary>
    /// Handles <paramref name="id"/> in a batch with <paramref name="other"/> while its "sent" record fails, then ages
    /// its hold (the content binding) and its reservation, if it has one, past the ledger lease: the state a crash
    /// right after the send leaves, as a restarted host later finds it. At most once reserves before the send (a
    /// pending row); at least once sends under the first copy's hold (no row). The inbound message is back on the
    /// queue for its redelivery.
    /// </summary>
    private static async Task CrashBetweenSendAndMarkAsync(ListenerHarness harness, StorageFaults faults, string id, string other, bool reserved)
    {
        faults.FailTableWritesMentioning = $"\"{id}\"";
        faults.OnlySentMarks = true;
        await harness.EnqueueAsync(Message(id));
        await harness.EnqueueAsync(Message(other));
        Assert.Equal(2, await harness.Listener.PollOnceAsync(CancellationToken.None));
        faults.FailTableWritesMentioning = null;

        var ledger = harness.Account.CreateTableClient(harness.Options.Tables.Deliveries);
        var row = await ledger.GetEntityIfExistsAsync<TableEntity>(SendOnceLedger.PartitionOf(id), id);
        Assert.Equal(reserved, row.HasValue);
        if (row.HasValue && row.Value is { } pending)
        {
            Assert.Equal("pending", pending.GetString("Status"));
            pending["ReservedAt"] = DateTimeOffset.UtcNow - SendOnceLedger.DefaultLease - TimeSpan.FromSeconds(1);
            await ledger.UpdateEntityAsync(pending, pending.ETag, TableUpdateMode.Merge);
        }

        await AgeAdmissionAsync(harness, id);
        await Task.Delay(TimeSpan.FromSeconds(1.5)); // the one-second visibility timeout
    }

    /// <summary>Moves the content binding of <paramref name="id"/> (the first copy's hold) back past the ledger lease.</summary>
    private static async Task AgeAdmissionAsync(ListenerHarness harness, string id)
    {
        var content = harness.Account.CreateTableClient(harness.Options.Tables.MessageContent);
        var binding = (await content.GetEntityAsync<TableEntity>(PartitionBucket.For(id, InboundMessageAdmission.Partitions), id)).Value;
        binding["FirstSeenAt"] = DateTimeOffset.UtcNow - SendOnceLedger.DefaultLease - TimeSpan.FromSeconds(1);
        await content.UpdateEntityAsync(binding, binding.ETag, TableUpdateMode.Merge);
    }
}
