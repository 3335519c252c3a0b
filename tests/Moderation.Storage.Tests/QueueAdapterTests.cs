using System.Text.Json;
using Azure.Data.Tables;
using Microsoft.Extensions.Time.Testing;
using Moderation.Core.Delivery;
using Moderation.Core.Policy;
using Moderation.Core.Serialization;
using Moderation.Storage.Queues;

namespace Moderation.Storage.Tests;

public class QueueAdapterTests
{
    [StorageFact]
    public async Task Releasing_the_same_message_twice_puts_one_envelope_on_the_released_queue()
    {
        await using var account = await StorageTestAccount.CreateAsync();
        var gateway = account.DeliveryGateway();
        var message = Samples.Message(id: Samples.NewId("msg"));
        var order = new DeliveryOrder(message, Samples.Outcome(message, Disposition.Released));

        await gateway.ReleaseAsync(order, CancellationToken.None);
        await gateway.ReleaseAsync(order, CancellationToken.None);

        var released = await account.DrainAsync(account.Options.Queues.Released);
        var envelope = JsonSerializer.Deserialize<DeliveryEnvelope>(Assert.Single(released), ModerationJson.Options)!;
        Assert.Equal(1, envelope.SchemaVersion);
        Assert.Equal(message.MessageId, envelope.DeliveryId);
        Assert.Equal(message.Text, envelope.Message.Text);
        Assert.Equal(Disposition.Released, envelope.Outcome.Disposition);
        Assert.Empty(await account.DrainAsync(account.Options.Queues.Blocked));
    }

    [StorageFact]
    public async Task Blocking_goes_to_the_blocked_queue_with_the_category_as_a_wire_name()
    {
        await using var account = await StorageTestAccount.CreateAsync();
        var message = Samples.Message(id: Samples.NewId("msg"));

        await account.DeliveryGateway().BlockAsync(new DeliveryOrder(message, Samples.Outcome(message, Disposition.Blocked, PolicyCategory.ScamPhishing, DecidedBy.Llm)), CancellationToken.None);

        var body = Assert.Single(await account.DrainAsync(account.Options.Queues.Blocked));
        using var document = JsonDocument.Parse(body);
        Assert.Equal("blocked", document.RootElement.GetProperty("outcome").GetProperty("disposition").GetString());
        Assert.Equal("scam_phishing", document.RootElement.GetProperty("outcome").GetProperty("category").GetString());
        Assert.Empty(await account.DrainAsync(account.Options.Queues.Released));
    }

    [StorageFact]
    public async Task A_block_after_a_release_of_the_same_message_still_reaches_the_blocked_queue_once()
    {
        // The product may already show the released message: it must learn of the block to retract it.
        await using var account = await StorageTestAccount.CreateAsync();
        var gateway = account.DeliveryGateway();
        var message = Samples.Message(id: Samples.NewId("msg"));
        var block = new DeliveryOrder(message, Samples.Outcome(message, Disposition.Blocked));

        await gateway.ReleaseAsync(new DeliveryOrder(message, Samples.Outcome(message, Disposition.Released)), CancellationToken.None);
        await gateway.BlockAsync(block, CancellationToken.None);
        await gateway.BlockAsync(block, CancellationToken.None);

        Assert.Single(await account.DrainAsync(account.Options.Queues.Released));
        var blocked = JsonSerializer.Deserialize<DeliveryEnvelope>(Assert.Single(await account.DrainAsync(account.Options.Queues.Blocked)), ModerationJson.Options)!;
        Assert.Equal(message.MessageId, blocked.DeliveryId);
    }

    [StorageFact]
    public async Task A_release_resent_after_a_crash_between_send_and_mark_carries_the_same_delivery_id()
    {
        // At-least-once: the one duplicate a crash can cause is recognisable by its delivery id.
        await using var account = await StorageTestAccount.CreateAsync();
        var gateway = account.DeliveryGateway();
        var message = Samples.Message(id: Samples.NewId("msg"));
        var order = new DeliveryOrder(message, Samples.Outcome(message, Disposition.Released));
        await gateway.ReleaseAsync(order, CancellationToken.None);

        // What a crash after the send and before the ledger mark leaves behind: a stale pending reservation.
        var ledger = account.Connection.CreateTableClient(account.Options.Tables.Deliveries);
        await ledger.UpsertEntityAsync(new TableEntity(SendOnceLedger.PartitionOf(message.MessageId), message.MessageId) { ["Status"] = "pending", ["ReservedAt"] = DateTimeOffset.UtcNow.AddMinutes(-5) }, TableUpdateMode.Merge);
        await gateway.ReleaseAsync(order, CancellationToken.None);

        var envelopes = (await account.DrainAsync(account.Options.Queues.Released)).Select(b => JsonSerializer.Deserialize<DeliveryEnvelope>(b, ModerationJson.Options)!).ToList();
        Assert.Equal(2, envelopes.Count);
        Assert.All(envelopes, e => Assert.Equal(message.MessageId, e.DeliveryId));
    }

    [StorageFact]
    public async Task A_release_after_a_block_of_the_same_message_is_never_delivered()
    {
        await using var account = await StorageTestAccount.CreateAsync();
        var gateway = account.DeliveryGateway();
        var message = Samples.Message(id: Samples.NewId("msg"));

        await gateway.BlockAsync(new DeliveryOrder(message, Samples.Outcome(message, Disposition.Blocked)), CancellationToken.None);
        await gateway.ReleaseAsync(new DeliveryOrder(message, Samples.Outcome(message, Disposition.Released)), CancellationToken.None);

        Assert.Single(await account.DrainAsync(account.Options.Queues.Blocked));
        Assert.Empty(await account.DrainAsync(account.Options.Queues.Released));
    }

    [StorageFact]
    public async Task A_delivery_reserved_by_an_attempt_that_crashed_before_sending_is_sent_on_retry()
    {
        await using var account = await StorageTestAccount.CreateAsync();
        var message = Samples.Message(id: Samples.NewId("msg"));
        // What a crash between reserving and sending leaves behind.
        var ledger = account.Connection.CreateTableClient(account.Options.Tables.Deliveries);
        await ledger.AddEntityAsync(new TableEntity(SendOnceLedger.PartitionOf(message.MessageId), message.MessageId) { ["Kind"] = "released", ["Status"] = "pending" });

        await account.DeliveryGateway().ReleaseAsync(new DeliveryOrder(message, Samples.Outcome(message, Disposition.Released)), CancellationToken.None);

        Assert.Single(await account.DrainAsync(account.Options.Queues.Released));
        var row = (await ledger.GetEntityAsync<TableEntity>(SendOnceLedger.PartitionOf(message.MessageId), message.MessageId)).Value;
        Assert.Equal("sent", row.GetString("Status"));
    }

    [StorageFact]
    public async Task A_shutdown_during_a_send_still_marks_it_sent_so_a_restart_does_not_send_it_again()
    {
        await using var account = await StorageTestAccount.CreateAsync();
        var ledger = new SendOnceLedger(account.Connection.CreateTableClient(account.Options.Tables.Deliveries), TimeProvider.System);
        using var shutdown = new CancellationTokenSource();
        var sends = 0;
        Task Send(CancellationToken _)
        {
            sends++;
            shutdown.Cancel();
            return Task.CompletedTask;
        }

        var first = await ledger.SendOnceAsync("m-1", "released", Send, shutdown.Token);
        var afterRestart = await ledger.SendOnceAsync("m-1", "released", Send, CancellationToken.None);

        Assert.Equal((SendOnceResult.Sent, SendOnceResult.AlreadySent, 1), (first, afterRestart, sends));
    }

    [StorageFact]
    public async Task Concurrent_releases_of_one_message_make_one_send()
    {
        await using var account = await StorageTestAccount.CreateAsync();
        var ledger = new SendOnceLedger(account.Connection.CreateTableClient(account.Options.Tables.Deliveries), TimeProvider.System);
        var sends = 0;
        async Task Send(CancellationToken _)
        {
            Interlocked.Increment(ref sends);
            await Task.Delay(300); // hold the reservation while the other attempts arrive
        }

        var results = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => ledger.SendOnceAsync("m-1", "released", Send, CancellationToken.None)));

        Assert.Equal(1, sends);
        Assert.Single(results, r => r == SendOnceResult.Sent);
        Assert.Equal(5, results.Count(r => r == SendOnceResult.AlreadySent));
    }

    [StorageFact]
    public async Task A_reservation_left_by_a_crashed_attempt_is_taken_over_once_its_lease_expires()
    {
        await using var account = await StorageTestAccount.CreateAsync();
        var table = account.Connection.CreateTableClient(account.Options.Tables.Deliveries);
        var time = new FakeTimeProvider(Samples.SentAt);
        await table.AddEntityAsync(new TableEntity(SendOnceLedger.PartitionOf("m-1"), "m-1") { ["Kind"] = "released", ["Status"] = "pending", ["ReservedAt"] = time.GetUtcNow() });
        var ledger = new SendOnceLedger(table, time, lease: TimeSpan.FromMinutes(1));
        time.Advance(TimeSpan.FromMinutes(1) + TimeSpan.FromSeconds(1));
        var sends = 0;

        var result = await ledger.SendOnceAsync("m-1", "released", _ => { sends++; return Task.CompletedTask; }, CancellationToken.None);

        Assert.Equal((SendOnceResult.Sent, 1), (result, sends));
        Assert.Equal("sent", (await table.GetEntityAsync<TableEntity>(SendOnceLedger.PartitionOf("m-1"), "m-1")).Value.GetString("Status"));
    }

    [StorageFact]
    public async Task A_100_KB_message_is_released_through_a_claim_check_blob_and_reads_back_whole()
    {
        await using var account = await StorageTestAccount.CreateAsync();
        var message = Samples.Message(Samples.IncompressibleText(100 * 1024), Samples.NewId("msg"));

        await account.DeliveryGateway().ReleaseAsync(new DeliveryOrder(message, Samples.Outcome(message, Disposition.Released)), CancellationToken.None);

        var queue = account.Queue(account.Options.Queues.Released);
        var raw = Assert.Single((await queue.PeekMessagesAsync(10)).Value).Body.ToString();
        var pointer = JsonSerializer.Deserialize<ClaimCheckEnvelope>(raw, ModerationJson.Options)!;
        Assert.Equal(message.MessageId, pointer.Id);
        Assert.Equal(account.Options.PayloadContainer, pointer.ClaimCheck.Container);
        var envelope = JsonSerializer.Deserialize<DeliveryEnvelope>(Assert.Single(await account.DrainAsync(account.Options.Queues.Released)), ModerationJson.Options)!;
        Assert.Equal(message.Text, envelope.Message.Text);
    }

    [StorageFact]
    public async Task Requesting_review_twice_for_a_case_puts_one_request_with_the_callback_route_on_the_queue()
    {
        await using var account = await StorageTestAccount.CreateAsync();
        var notifier = account.ReviewNotifier();
        var message = Samples.Message(id: Samples.NewId("msg"));
        var request = Samples.ReviewRequest(message);

        await notifier.RequestReviewAsync(request, CancellationToken.None);
        await notifier.RequestReviewAsync(request, CancellationToken.None);

        var body = Assert.Single(await account.DrainAsync(account.Options.Queues.ReviewRequests));
        var envelope = JsonSerializer.Deserialize<ReviewRequestEnvelope>(body, ModerationJson.Options)!;
        Assert.Equal(message.MessageId, envelope.RequestId);
        Assert.Equal($"/api/reviews/{message.MessageId}", envelope.Callback.Route);
        Assert.Equal("POST", envelope.Callback.Method);
        Assert.Equal(request.Reason, envelope.Request.Reason);
        Assert.Equal(PolicyCategory.OffPlatformContact, envelope.Request.Verdict!.Category);
        Assert.Equal("contact.phone", Assert.Single(envelope.Request.Prefilter.RuleHits).RuleId);
        Assert.Equal(message.Text, envelope.Request.Message.Text);
        Assert.Equal(request.Deadline, envelope.Request.Deadline);
    }

    [StorageFact]
    public async Task A_poisoned_message_carries_the_reason_the_original_body_and_the_dequeue_count()
    {
        await using var account = await StorageTestAccount.CreateAsync();
        const string original = "{\"schemaVersion\":7}";

        await account.PoisonQueue().SendAsync(original, "unknown schemaVersion 7", 1, "queue-msg-1", CancellationToken.None);

        var envelope = JsonSerializer.Deserialize<PoisonEnvelope>(Assert.Single(await account.DrainAsync(account.Options.Queues.InboundPoison)), ModerationJson.Options)!;
        Assert.Equal("unknown schemaVersion 7", envelope.Reason);
        Assert.Equal(original, envelope.OriginalBody);
        Assert.Equal(1, envelope.DequeueCount);
        Assert.Equal("queue-msg-1", envelope.OriginalMessageId);
        Assert.Equal(account.Options.Queues.Inbound, envelope.SourceQueue);
        Assert.True(envelope.PoisonedAt > DateTime.UtcNow.AddMinutes(-5));
    }
}
