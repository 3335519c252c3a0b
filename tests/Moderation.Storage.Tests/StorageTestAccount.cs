using Azure.Storage.Queues;
using Azure.Storage.Queues.Models;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Moderation.Storage;
using Moderation.Storage.Audit;
using Moderation.Storage.Delivery;
using Moderation.Storage.Queues;
using Moderation.Storage.Review;

namespace Moderation.Storage.Tests;

/// <summary>
/// The storage account from MODERATION_STORAGE_CONNECTION (Azurite in scripts/test.sh), with queues, tables and a
/// container whose names are unique to one test, so tests never see each other's messages.
/// </summary>
internal sealed class StorageTestAccount : IAsyncDisposable
{
    private StorageTestAccount(StorageConnection connection, StorageOptions options)
    {
        Connection = connection;
        Options = options;
        Writer = new QueueBodyWriter(connection, Microsoft.Extensions.Options.Options.Create(options));
    }

    public StorageConnection Connection { get; }

    public StorageOptions Options { get; }

    public QueueBodyWriter Writer { get; }

    public static async Task<StorageTestAccount> CreateAsync()
    {
        var connectionString = TestEnvironment.StorageConnectionString
            ?? throw new InvalidOperationException("Run storage tests with [StorageFact].");
        var names = new StorageNames();
        var options = new StorageOptions
        {
            Queues = new QueueNameOptions
            {
                Inbound = names.Queue("inbound"),
                Released = names.Queue("released"),
                Blocked = names.Queue("blocked"),
                ReviewRequests = names.Queue("review"),
                InboundPoison = names.Queue("inbound-poison"),
            },
            Tables = new TableNameOptions
            {
                Audit = names.Table("Audit"),
                Deliveries = names.Table("Deliveries"),
                ReviewRequests = names.Table("Reviews"),
                ReviewDecisions = names.Table("Decisions"),
                SignatureNonces = names.Table("Nonces"),
                MessageContent = names.Table("Content"),
                ReviewQueue = names.Table("ReviewQueue"),
                Conversations = names.Table("Conversations"),
                SenderHistory = names.Table("Senders"),
            },
            PayloadContainer = names.Container("payloads"),
        };
        Assert.True(new StorageOptionsValidator().Validate(null, options).Succeeded);
        var connection = StorageConnection.FromConnectionString(connectionString);
        await StorageProvisioner.EnsureCreatedAsync(connection, options, CancellationToken.None);
        return new StorageTestAccount(connection, options);
    }

    public IOptions<StorageOptions> WrappedOptions => Microsoft.Extensions.Options.Options.Create(Options);

    public QueueDeliveryGateway DeliveryGateway() => new(Connection, Writer, WrappedOptions, TimeProvider.System, NullLogger<QueueDeliveryGateway>.Instance);

    public QueueReviewNotifier ReviewNotifier() => new(Connection, Writer, WrappedOptions, TimeProvider.System, NullLogger<QueueReviewNotifier>.Instance);

    public PoisonQueue PoisonQueue() => new(Connection, Writer, WrappedOptions, TimeProvider.System, NullLogger<PoisonQueue>.Instance);

    public TableAuditLog AuditLog() => new(Connection, WrappedOptions);

    public TableReviewDecisionClaims DecisionClaims() => new(Connection, WrappedOptions);

    public Moderation.Storage.ReviewQueue.TableReviewQueue ReviewQueue() => new(Connection, WrappedOptions);

    public TableSignatureNonces SignatureNonces(TimeProvider? time = null) => new(Connection, WrappedOptions, time ?? TimeProvider.System);

    public InboundMessageAdmission Admission() => new(Connection, WrappedOptions, TimeProvider.System);

    public QueueClient Queue(string name) => Connection.CreateQueueClient(name);

    /// <summary>Every message on a queue (received and deleted), bodies decoded and claim checks followed.</summary>
    public async Task<IReadOnlyList<string>> DrainAsync(string queueName)
    {
        var queue = Queue(queueName);
        var bodies = new List<string>();
        while (true)
        {
            QueueMessage[] batch = (await queue.ReceiveMessagesAsync(32)).Value;
            if (batch.Length == 0)
            {
                return bodies;
            }

            foreach (var message in batch)
            {
                bodies.Add(await Writer.ReadBodyAsync(message.Body.ToString(), CancellationToken.None));
                await queue.DeleteMessageAsync(message.MessageId, message.PopReceipt);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var queue in Options.Queues.All)
        {
            await Queue(queue).DeleteIfExistsAsync();
        }

        foreach (var table in Options.Tables.All)
        {
            await Connection.CreateTableClient(table).DeleteAsync();
        }

        await Connection.CreateBlobContainerClient(Options.PayloadContainer).DeleteIfExistsAsync();
    }
}
