using System.Text.Json;
using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Storage.Queues;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Moderation.Core;
using Moderation.Core.Audit;
using Moderation.Core.Cases;
using Moderation.Core.Conversations;
using Moderation.Core.Screening;
using Moderation.Core.Serialization;
using Moderation.Storage;
using Moderation.Storage.Conversations;
using Moderation.Storage.Queues;

namespace Moderation.Host.Tests;

/// <summary>The listener wired as the host wires it, on queues unique to one test, with a keyword pre-filter and a fake case client.</summary>
internal sealed class ListenerHarness : IAsyncDisposable
{
    private ListenerHarness(ServiceProvider services, StorageOptions options, StorageConnection account, KeywordPrefilter prefilter, FakeCaseClient cases, ListLoggerProvider log)
    {
        Services = services;
        Options = options;
        Account = account;
        Prefilter = prefilter;
        Cases = cases;
        Log = log;
        Listener = services.GetRequiredService<InboundQueueListener>();
        InboundQueue = account.CreateQueueClient(options.Queues.Inbound);
    }

    public ServiceProvider Services { get; }

    public StorageOptions Options { get; }

    public StorageConnection Account { get; }

    public KeywordPrefilter Prefilter { get; }

    public FakeCaseClient Cases { get; }

    public ListLoggerProvider Log { get; }

    public InboundQueueListener Listener { get; }

    public QueueClient InboundQueue { get; }

    /// <param name="conversations">Conversation-aware screening on, with a digit-run rule screen and the real acted-decision look-up.</param>
    /// <param name="storagePolicy">Added to every storage client the app creates (counting calls, injecting faults); the harness's own <see cref="Account"/> goes without it.</param>
    public static async Task<ListenerHarness> CreateAsync(
        int maxDequeueCount = 5,
        string visibilityTimeout = "00:05:00",
        bool conversations = false,
        ReleaseGuarantee releaseGuarantee = ReleaseGuarantee.AtLeastOnce,
        HttpPipelinePolicy? storagePolicy = null)
    {
        var names = new StorageNames();
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Moderation:Conversations:Enabled"] = conversations ? "true" : "false",
            ["Moderation:Storage:Tables:Conversations"] = names.Table("Conversations"),
            ["Moderation:Storage:Tables:SenderHistory"] = names.Table("Senders"),
            [StorageConnection.Name] = TestEnvironment.StorageConnectionString,
            ["Moderation:Storage:Queues:Inbound"] = names.Queue("inbound"),
            ["Moderation:Storage:Queues:Released"] = names.Queue("released"),
            ["Moderation:Storage:Queues:Blocked"] = names.Queue("blocked"),
            ["Moderation:Storage:Queues:ReviewRequests"] = names.Queue("review"),
            ["Moderation:Storage:Queues:InboundPoison"] = names.Queue("inbound-poison"),
            ["Moderation:Storage:Tables:Audit"] = names.Table("Audit"),
            ["Moderation:Storage:Tables:Deliveries"] = names.Table("Deliveries"),
            ["Moderation:Storage:Tables:ReviewRequests"] = names.Table("Reviews"),
            ["Moderation:Storage:Tables:ReviewDecisions"] = names.Table("Decisions"),
            ["Moderation:Storage:Tables:SignatureNonces"] = names.Table("Nonces"),
            ["Moderation:Storage:Tables:MessageContent"] = names.Table("Content"),
            ["Moderation:Storage:Tables:ReviewQueue"] = names.Table("ReviewQueue"),
            ["Moderation:Storage:PayloadContainer"] = names.Container("payloads"),
            ["Moderation:Storage:MaxDequeueCount"] = maxDequeueCount.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Moderation:Storage:VisibilityTimeout"] = visibilityTimeout,
            ["Moderation:Storage:ReleaseGuarantee"] = releaseGuarantee.ToString(),
        }).Build();
        var prefilter = new KeywordPrefilter();
        var cases = new FakeCaseClient();
        var log = new ListLoggerProvider();
        var services = new ServiceCollection().AddLogging(b => b.AddProvider(log));
        if (storagePolicy is not null)
        {
            services.AddSingleton(StorageConnection.FromConnectionString(TestEnvironment.StorageConnectionString!).WithClientOptions(o => o.AddPolicy(storagePolicy, HttpPipelinePosition.PerCall)));
        }

        services
            .AddModerationCore(configuration)
            .AddModerationStorage(configuration)
            .AddSingleton<IMessagePrefilter>(prefilter)
            .AddSingleton<IModerationCaseClient>(cases)
            .AddSingleton<InboundQueueListener>();
        if (conversations)
        {
            services
                .AddSingleton<ITextRuleScreen, DigitRunScreen>()
                .AddSingleton<IActedDecisions, DeliveryLedgerActedDecisions>()
                .AddSingleton<ConversationScreening>();
        }

        var provider = services.BuildServiceProvider();
        var options = provider.GetRequiredService<IOptions<StorageOptions>>().Value;
        var account = StorageConnection.FromConnectionString(TestEnvironment.StorageConnectionString!);
        await StorageProvisioner.EnsureCreatedAsync(account, options, CancellationToken.None);
        return new ListenerHarness(provider, options, account, prefilter, cases, log);
    }

    public Task EnqueueAsync(string body) => InboundQueue.SendMessageAsync(body);

    public Task<IReadOnlyList<AuditRecord>> AuditAsync(string id) => Services.GetRequiredService<IAuditLog>().ReadCaseAsync(id, CancellationToken.None);

    /// <summary>The delivery ids on the released queue (drained).</summary>
    public async Task<IReadOnlyList<string>> ReleasedIdsAsync() =>
        (await DrainAsync(Options.Queues.Released)).Select(b => JsonSerializer.Deserialize<DeliveryEnvelope>(b, ModerationJson.Options)!.DeliveryId).ToList();

    public async Task<int> InboundCountAsync() => (await InboundQueue.GetPropertiesAsync()).Value.ApproximateMessagesCount;

    /// <summary>Polls until the listener receives something (a failed message reappearing after its visibility timeout).</summary>
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

    public async Task<IReadOnlyList<string>> DrainAsync(string queueName)
    {
        var writer = Services.GetRequiredService<QueueBodyWriter>();
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

        await Account.CreateBlobContainerClient(Options.PayloadContainer).DeleteIfExistsAsync();
        await Services.DisposeAsync();
    }
}
