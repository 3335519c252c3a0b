using System.Text.Json;
using Azure;
using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Data.Tables;
using Azure.Storage.Queues;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Moderation.Core;
using Moderation.Core.Audit;
using Moderation.Core.Cases;
using Moderation.Core.Messages;
using Moderation.Core.Screening;
using Moderation.Core.Serialization;
using Moderation.Host.Tests.Fakes;
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
        await using var harness = await BatchHarness.CreateAsync(ReleaseGuarantee.AtLeastOnce, maxDequeueCount: 2);
        harness.Faults.FailTableWritesMentioning = "\"bad-1\"";
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
        await using var harness = await BatchHarness.CreateAsync(ReleaseGuarantee.AtLeastOnce);
        for (var i = 0; i < 32; i++)
        {
            await harness.EnqueueAsync(Message($"m-{i:D2}"));
        }

        var before = harness.Faults.Calls;
        Assert.Equal(32, await harness.Listener.PollOnceAsync(CancellationToken.None));
        var calls = harness.Faults.Calls - before;

        // 32 sends + 32 deletes + 1 receive, and per table partition touched: content binding, ledger reservation,
        // ledger mark (2 partitions each) and audit (4 partitions): at most 65 + 2 + 2 + 2 + 4.
        Assert.InRange(calls, 65, 75);
        Assert.Equal(32, (await harness.ReleasedIdsAsync()).Distinct().Count());
        Assert.Equal([AuditStage.Screened, AuditStage.Delivered], (await harness.AuditAsync("m-17")).Select(r => r.Stage));
    }

    [StorageFact]
    public async Task At_most_once_a_redelivery_after_a_crash_between_send_and_mark_does_not_release_again()
    {
        await using var harness = await BatchHarness.CreateAsync(ReleaseGuarantee.AtMostOnce);
        await harness.CrashBetweenSendAndMarkAsync("crash-1", "ok-1");

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
        await using var harness = await BatchHarness.CreateAsync(ReleaseGuarantee.AtLeastOnce);
        await harness.CrashBetweenSendAndMarkAsync("crash-1", "ok-1");

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

    private sealed class BatchHarness : IAsyncDisposable
    {
        private readonly ServiceProvider services;

        private BatchHarness(ServiceProvider services, StorageOptions options, StorageConnection account, StorageFaults faults, ListLoggerProvider log)
        {
            this.services = services;
            Options = options;
            Account = account;
            Faults = faults;
            Log = log;
            Listener = services.GetRequiredService<InboundQueueListener>();
            InboundQueue = account.CreateQueueClient(options.Queues.Inbound);
        }

        public StorageOptions Options { get; }

        public StorageConnection Account { get; }

        public StorageFaults Faults { get; }

        public ListLoggerProvider Log { get; }

        public InboundQueueListener Listener { get; }

        public QueueClient InboundQueue { get; }

        public static async Task<BatchHarness> CreateAsync(ReleaseGuarantee guarantee, int maxDequeueCount = 5)
        {
            var suffix = Guid.NewGuid().ToString("N")[..10];
            var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["Moderation:Storage:Queues:Inbound"] = $"b{suffix}-inbound",
                ["Moderation:Storage:Queues:Released"] = $"b{suffix}-released",
                ["Moderation:Storage:Queues:Blocked"] = $"b{suffix}-blocked",
                ["Moderation:Storage:Queues:ReviewRequests"] = $"b{suffix}-review",
                ["Moderation:Storage:Queues:InboundPoison"] = $"b{suffix}-inbound-poison",
                ["Moderation:Storage:Tables:Audit"] = $"Audit{suffix}",
                ["Moderation:Storage:Tables:Deliveries"] = $"Deliveries{suffix}",
                ["Moderation:Storage:Tables:ReviewRequests"] = $"Reviews{suffix}",
                ["Moderation:Storage:Tables:ReviewDecisions"] = $"Decisions{suffix}",
                ["Moderation:Storage:Tables:SignatureNonces"] = $"Nonces{suffix}",
                ["Moderation:Storage:Tables:MessageContent"] = $"Content{suffix}",
                ["Moderation:Storage:PayloadContainer"] = $"b{suffix}-payloads",
                ["Moderation:Storage:BatchSize"] = "32",
                ["Moderation:Storage:MaxDequeueCount"] = maxDequeueCount.ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["Moderation:Storage:VisibilityTimeout"] = "00:00:01",
                ["Moderation:Storage:ReleaseGuarantee"] = guarantee.ToString(),
            }).Build();
            var faults = new StorageFaults { LedgerTable = $"Deliveries{suffix}" };
            var log = new ListLoggerProvider();
            var services = new ServiceCollection()
                .AddLogging(b => b.AddProvider(log))
                .AddSingleton(StorageConnection.FromConnectionString(TestEnvironment.StorageConnectionString!).WithClientOptions(o => o.AddPolicy(faults, HttpPipelinePosition.PerCall)))
                .AddModerationCore(configuration)
                .AddModerationStorage(configuration)
                .AddSingleton<IMessagePrefilter>(new KeywordPrefilter())
                .AddSingleton<IModerationCaseClient>(new FakeCaseClient())
                .AddSingleton<InboundQueueListener>()
                .BuildServiceProvider();
            var options = services.GetRequiredService<IOptions<StorageOptions>>().Value;
            var account = StorageConnection.FromConnectionString(TestEnvironment.StorageConnectionString!);
            await StorageProvisioner.EnsureCreatedAsync(account, options, CancellationToken.None);
            return new BatchHarness(services, options, account, faults, log);
        }

        public Task EnqueueAsync(string body) => InboundQueue.SendMessageAsync(body);

        public async Task<int> InboundCountAsync() => (await InboundQueue.GetPropertiesAsync()).Value.ApproximateMessagesCount;

        public Task<IReadOnlyList<AuditRecord>> AuditAsync(string id) => services.GetRequiredService<IAuditLog>().ReadCaseAsync(id, CancellationToken.None);

        /// <summary>
        /// Handles <paramref name="id"/> in a batch with <paramref name="other"/> while its "sent" mark fails, then ages
        /// its reservation past the ledger lease: the state a crash right after the send leaves, as a restarted host
        /// later finds it. The inbound message is back on the queue for its redelivery.
        /// </summary>
        public async Task CrashBetweenSendAndMarkAsync(string id, string other)
        {
            Faults.FailTableWritesMentioning = $"\"{id}\"";
            Faults.OnlySentMarks = true;
            await EnqueueAsync(Message(id));
            await EnqueueAsync(Message(other));
            Assert.Equal(2, await Listener.PollOnceAsync(CancellationToken.None));
            Faults.FailTableWritesMentioning = null;

            var ledger = Account.CreateTableClient(Options.Tables.Deliveries);
            var row = (await ledger.GetEntityAsync<TableEntity>(SendOnceLedger.PartitionOf(id), id)).Value;
            Assert.Equal("pending", row.GetString("Status"));
            row["ReservedAt"] = DateTimeOffset.UtcNow - SendOnceLedger.DefaultLease - TimeSpan.FromSeconds(1);
            await ledger.UpdateEntityAsync(row, row.ETag, TableUpdateMode.Merge);
            await Task.Delay(TimeSpan.FromSeconds(1.5)); // the one-second visibility timeout
        }

        public async Task<int> PollUntilReceivedAsync()
        {
            for (var attempt = 0; attempt < 100; attempt++)
            {
                var received = await Listener.PollOnceAsync(CancellationToken.None);
                if (received > 0)
                {
                    return received;
                }

                await Task.Delay(100);
            }

            return 0;
        }

        public async Task<IReadOnlyList<string>> ReleasedIdsAsync() =>
            (await DrainAsync(Options.Queues.Released)).Select(b => JsonSerializer.Deserialize<DeliveryEnvelope>(b, ModerationJson.Options)!.DeliveryId).ToList();

        public async Task<IReadOnlyList<string>> DrainAsync(string queueName)
        {
            var writer = services.GetRequiredService<QueueBodyWriter>();
            var queue = Account.CreateQueueClient(queueName);
            var bodies = new List<string>();
            while ((await queue.ReceiveMessagesAsync(32)).Value is { Length: > 0 } batch)
            {
                foreach (var message in batch)
                {
                    bodies.Add(await writer.ReadBodyAsync(message.Body.ToString(), CancellationToken.None));
                    await queue.DeleteMessageAsync(message.MessageId, message.PopReceipt);
                }
            }

            return bodies;
        }

        public async ValueTask DisposeAsync()
        {
            foreach (var queue in Options.Queues.All)
            {
                await Account.CreateQueueClient(queue).DeleteIfExistsAsync();
            }

            foreach (var table in Options.Tables.All)
            {
                await Account.CreateTableClient(table).DeleteAsync();
            }

            await services.DisposeAsync();
        }
    }
}
