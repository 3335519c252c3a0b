using System.Text.Json;
using Azure.Storage.Queues;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Moderation.Core.Delivery;
using Moderation.Core.Workflow;
using Moderation.Functions.Functions;
using Moderation.Storage;
using Moderation.Storage.Queues;

namespace Moderation.Functions.Tests;

/// <summary>The queue trigger: decode, screen, start cases through the injected case client (its Durable client binding is unused here).</summary>
public class ScreenInboundMessageTests
{
    [StorageFact]
    public async Task A_suspicious_inbound_message_starts_its_case_on_Durable_Functions()
    {
        var scenario = new ScreeningScenario(score: 0.97);
        var function = new ScreenInboundMessage(await AdmissionAsync(), scenario.Coalescer, OfflinePoisonQueue(), Options.Create(new StorageOptions()));

        await function.RunAsync(new BinaryData(InboundMessageCodec.Encode(Samples.Message(id: "msg-555"))), null!, FakeFunctionContext.ForQueueMessage("q-1", 1));

        Assert.Equal("msg-555", Assert.Single(scenario.Cases.Started).CaseId);
        Assert.Empty(scenario.Delivery.Released);
    }

    [StorageFact]
    public async Task A_clean_inbound_message_is_released_without_a_case()
    {
        var scenario = new ScreeningScenario(score: 0.01);
        var function = new ScreenInboundMessage(await AdmissionAsync(), scenario.Coalescer, OfflinePoisonQueue(), Options.Create(new StorageOptions()));
        var message = Samples.Message(id: "msg-556") with { Text = "See you at nine tomorrow." };

        await function.RunAsync(new BinaryData(InboundMessageCodec.Encode(message)), null!, FakeFunctionContext.ForQueueMessage("q-2", 1));

        Assert.Empty(scenario.Cases.Started);
        Assert.Equal(Disposition.Released, Assert.Single(scenario.Delivery.Released).Outcome.Disposition);
    }

    [StorageFact]
    public async Task An_undecodable_inbound_message_goes_to_the_poison_queue_with_the_reason_and_is_not_screened()
    {
        await using var poison = await AzuritePoisonQueue.CreateAsync();
        var scenario = new ScreeningScenario(score: 0.97);
        var function = new ScreenInboundMessage(
            await AdmissionAsync(),
            scenario.Coalescer,
            poison.Queue,
            poison.Options);
        const string body = "{\"schemaVersion\": 7, \"messageId\": \"msg-9\"}";

        await function.RunAsync(new BinaryData(body), null!, FakeFunctionContext.ForQueueMessage("queue-message-42", 1));

        var received = (await poison.Client.ReceiveMessageAsync()).Value;
        Assert.NotNull(received);
        using var envelope = JsonDocument.Parse(received.Body.ToString());
        var root = envelope.RootElement;
        Assert.Contains("schemaVersion", root.GetProperty("reason").GetString(), StringComparison.Ordinal);
        Assert.Equal(body, root.GetProperty("originalBody").GetString());
        Assert.Equal(1, root.GetProperty("dequeueCount").GetInt64());
        Assert.Empty(scenario.Prefilter.Scored);
        Assert.Empty(scenario.Cases.Started);
    }

    [StorageFact]
    public async Task A_message_that_fails_on_its_last_attempt_is_poisoned_in_the_self_hosted_hosts_envelope_with_the_last_error()
    {
        await using var poison = await AzuritePoisonQueue.CreateAsync(maxDequeueCount: 3);
        var scenario = new ScreeningScenario(score: 0.97);
        scenario.Cases.Fails = true;
        var function = new ScreenInboundMessage(
            await AdmissionAsync(),
            scenario.Coalescer,
            poison.Queue,
            poison.Options);
        var body = InboundMessageCodec.Encode(Samples.Message(id: "msg-77"));

        // Before the last attempt the failure propagates, so the runtime redelivers the message.
        await Assert.ThrowsAsync<InvalidOperationException>(() => function.RunAsync(new BinaryData(body), null!, FakeFunctionContext.ForQueueMessage("queue-message-77", 2)));
        Assert.Null((await poison.Client.ReceiveMessageAsync()).Value);

        await function.RunAsync(new BinaryData(body), null!, FakeFunctionContext.ForQueueMessage("queue-message-77", 3));

        var received = (await poison.Client.ReceiveMessageAsync()).Value;
        Assert.NotNull(received);
        using var envelope = JsonDocument.Parse(received.Body.ToString());
        var root = envelope.RootElement;
        Assert.Equal(PoisonQueue.ExhaustedReason(3, new InvalidOperationException(RecordingCaseClient.Failure)), root.GetProperty("reason").GetString());
        Assert.Equal(body, root.GetProperty("originalBody").GetString());
        Assert.Equal(3, root.GetProperty("dequeueCount").GetInt64());
    }

    [StorageFact]
    public async Task A_second_message_under_a_known_id_with_other_content_is_poisoned_as_a_conflict_and_never_screened()
    {
        var scenario = new ScreeningScenario(score: 0.01);
        await using var poison = await AzuritePoisonQueue.CreateAsync();
        var function = new ScreenInboundMessage(
            await AdmissionAsync(),
            scenario.Coalescer,
            poison.Queue,
            poison.Options);
        var first = Samples.Message(id: "msg-700") with { Text = "See you at nine tomorrow." };

        await function.RunAsync(new BinaryData(InboundMessageCodec.Encode(first)), null!, FakeFunctionContext.ForQueueMessage("q-3", 1));
        await function.RunAsync(new BinaryData(InboundMessageCodec.Encode(first with { Text = "Different words under the same id." })), null!, FakeFunctionContext.ForQueueMessage("q-4", 1));

        Assert.Single(scenario.Delivery.Released);
        var received = (await poison.Client.ReceiveMessageAsync()).Value;
        Assert.NotNull(received);
        using var envelope = JsonDocument.Parse(received.Body.ToString());
        Assert.Contains("content conflict", envelope.RootElement.GetProperty("reason").GetString(), StringComparison.Ordinal);
    }

    /// <summary>A poison queue of its own on Azurite, deleted after the test.</summary>
    private sealed class AzuritePoisonQueue : IAsyncDisposable
    {
        private AzuritePoisonQueue(StorageOptions storageOptions)
        {
            var connection = StorageConnection.FromConnectionString(TestEnvironment.StorageConnectionString!);
            Options = Microsoft.Extensions.Options.Options.Create(storageOptions);
            Client = connection.CreateQueueClient(storageOptions.Queues.InboundPoison);
            Queue = new PoisonQueue(connection, new QueueBodyWriter(connection, Options), Options, TimeProvider.System, NullLogger<PoisonQueue>.Instance);
        }

        public IOptions<StorageOptions> Options { get; }

        public QueueClient Client { get; }

        public PoisonQueue Queue { get; }

        public static async Task<AzuritePoisonQueue> CreateAsync(int maxDequeueCount = 5)
        {
            var storageOptions = new StorageOptions { MaxDequeueCount = maxDequeueCount };
            var names = new StorageNames();
            storageOptions.Queues.InboundPoison = names.Queue("poison");
            storageOptions.PayloadContainer = names.Container("payloads");
            var queue = new AzuritePoisonQueue(storageOptions);
            await queue.Client.CreateAsync();
            return queue;
        }

        public async ValueTask DisposeAsync() => await Client.DeleteIfExistsAsync();
    }

    /// <summary>The real admission on Azurite, with a table of its own.</summary>
    private static async Task<InboundMessageAdmission> AdmissionAsync()
    {
        var storageOptions = new StorageOptions();
        storageOptions.Tables.MessageContent = new StorageNames().Table("Content");
        var connection = StorageConnection.FromConnectionString(TestEnvironment.StorageConnectionString!);
        await connection.CreateTableClient(storageOptions.Tables.MessageContent).CreateIfNotExistsAsync();
        return new InboundMessageAdmission(connection, Options.Create(storageOptions), TimeProvider.System);
    }

    /// <summary>A poison queue whose clients are never used by these tests (no storage is contacted).</summary>
    private static PoisonQueue OfflinePoisonQueue()
    {
        var connection = StorageConnection.FromConnectionString("UseDevelopmentStorage=true");
        var options = Options.Create(new StorageOptions());
        return new PoisonQueue(connection, new QueueBodyWriter(connection, options), options, TimeProvider.System, NullLogger<PoisonQueue>.Instance);
    }
}
