using System.Text.Json;
using Azure.Storage.Queues;
using Microsoft.Extensions.DependencyInjection;
using Moderation.Core.Audit;
using Moderation.Core.Conversations;
using Moderation.Core.Delivery;
using Moderation.Core.Messages;
using Moderation.Core.Serialization;
using Moderation.Storage.Queues;

namespace Moderation.Host.Tests;

public class InboundQueueListenerTests
{
    [StorageFact]
    public async Task A_clean_message_is_released_audited_and_deleted_from_the_inbound_queue()
    {
        await using var harness = await ListenerHarness.CreateAsync();
        var message = Message("clean-1", "see you at nine");
        await harness.EnqueueAsync(InboundMessageCodec.Encode(message));

        Assert.Equal(1, await harness.Listener.PollOnceAsync(CancellationToken.None));

        var released = JsonSerializer.Deserialize<DeliveryEnvelope>(Assert.Single(await harness.DrainAsync(harness.Options.Queues.Released)), ModerationJson.Options)!;
        Assert.Equal("clean-1", released.DeliveryId);
        Assert.Empty(harness.Cases.Started);
        Assert.Equal(0, await harness.InboundCountAsync());
        var audit = await harness.Services.GetRequiredService<IAuditLog>().ReadCaseAsync("clean-1", CancellationToken.None);
        Assert.Equal([AuditStage.Screened, AuditStage.Delivered], audit.Select(a => a.Stage));
        Assert.Contains(harness.Log.Lines, l => l.StartsWith("inbound clean-1: released", StringComparison.Ordinal));
    }

    [StorageFact]
    public async Task A_suspicious_message_starts_a_case_and_is_deleted_without_being_released()
    {
        await using var harness = await ListenerHarness.CreateAsync();
        await harness.EnqueueAsync(InboundMessageCodec.Encode(Message("sus-1", "this is suspicious")));

        await harness.Listener.PollOnceAsync(CancellationToken.None);

        var started = Assert.Single(harness.Cases.Started);
        Assert.Equal("sus-1", started.CaseId);
        Assert.True(started.Screening.IsSuspicious);
        Assert.Empty(await harness.DrainAsync(harness.Options.Queues.Released));
        Assert.Equal(0, await harness.InboundCountAsync());
        Assert.Contains(harness.Log.Lines, l => l.StartsWith("inbound sus-1: case started", StringComparison.Ordinal));
    }

    [StorageFact]
    public async Task The_same_suspicious_message_twice_in_a_batch_opens_one_case_and_both_copies_are_deleted()
    {
        await using var harness = await ListenerHarness.CreateAsync();
        var body = InboundMessageCodec.Encode(Message("dup-1", "suspicious twice"));
        await harness.EnqueueAsync(body);
        await harness.EnqueueAsync(body);

        Assert.Equal(2, await harness.Listener.PollOnceAsync(CancellationToken.None));

        Assert.Single(harness.Cases.Started);
        Assert.Equal(0, await harness.InboundCountAsync());
        Assert.Contains(harness.Log.Lines, l => l == "inbound dup-1: duplicate (case already exists)");
    }

    [StorageFact]
    public async Task A_malformed_message_goes_to_the_poison_queue_with_the_reason_and_leaves_the_inbound_queue()
    {
        await using var harness = await ListenerHarness.CreateAsync();
        await harness.EnqueueAsync("{\"schemaVersion\":9,\"messageId\":\"x\"}");

        await harness.Listener.PollOnceAsync(CancellationToken.None);

        var poison = JsonSerializer.Deserialize<PoisonEnvelope>(Assert.Single(await harness.DrainAsync(harness.Options.Queues.InboundPoison)), ModerationJson.Options)!;
        Assert.Contains("unknown schemaVersion 9", poison.Reason, StringComparison.Ordinal);
        Assert.Equal("{\"schemaVersion\":9,\"messageId\":\"x\"}", poison.OriginalBody);
        Assert.Equal(1, poison.DequeueCount);
        Assert.Equal(0, await harness.InboundCountAsync());
        Assert.Equal(0, harness.Prefilter.Calls);
    }

    [StorageFact]
    public async Task A_message_that_is_not_base64_goes_to_the_poison_queue()
    {
        await using var harness = await ListenerHarness.CreateAsync();
        var plain = harness.Account.CreateQueueClient(harness.Options.Queues.Inbound, o => o.MessageEncoding = QueueMessageEncoding.None);
        await plain.SendMessageAsync("plain text, not base64 !");

        await harness.Listener.PollOnceAsync(CancellationToken.None);

        var poison = JsonSerializer.Deserialize<PoisonEnvelope>(Assert.Single(await harness.DrainAsync(harness.Options.Queues.InboundPoison)), ModerationJson.Options)!;
        Assert.Contains("not Base64", poison.Reason, StringComparison.Ordinal);
        Assert.Equal("plain text, not base64 !", poison.OriginalBody);
        Assert.Equal(0, await harness.InboundCountAsync());
    }

    [StorageFact]
    public async Task A_message_received_more_often_than_the_max_dequeue_count_is_poisoned_without_screening()
    {
        await using var harness = await ListenerHarness.CreateAsync(maxDequeueCount: 2);
        await harness.EnqueueAsync(InboundMessageCodec.Encode(Message("tired-1", "see you")));
        // Two earlier deliveries that were not completed (as after two crashed workers).
        var raw = harness.InboundQueue;
        for (var i = 0; i < 2; i++)
        {
            var received = Assert.Single((await raw.ReceiveMessagesAsync(1, TimeSpan.FromMinutes(1))).Value);
            await raw.UpdateMessageAsync(received.MessageId, received.PopReceipt, visibilityTimeout: TimeSpan.Zero);
        }

        await harness.Listener.PollOnceAsync(CancellationToken.None);

        var poison = JsonSerializer.Deserialize<PoisonEnvelope>(Assert.Single(await harness.DrainAsync(harness.Options.Queues.InboundPoison)), ModerationJson.Options)!;
        Assert.StartsWith("exceeded 2 delivery attempts", poison.Reason, StringComparison.Ordinal);
        Assert.Equal(3, poison.DequeueCount);
        Assert.Equal(0, harness.Prefilter.Calls);
        Assert.Empty(await harness.DrainAsync(harness.Options.Queues.Released));
        Assert.Equal(0, await harness.InboundCountAsync());
    }

    [StorageFact]
    public async Task A_failing_message_stays_on_the_queue_and_its_last_allowed_attempt_poisons_it_with_the_error()
    {
        await using var harness = await ListenerHarness.CreateAsync(maxDequeueCount: 2, visibilityTimeout: "00:00:01");
        harness.Cases.FailStartsWith = new InvalidOperationException("case store unavailable");
        await harness.EnqueueAsync(InboundMessageCodec.Encode(Message("fail-1", "suspicious but the store is down")));

        await harness.Listener.PollOnceAsync(CancellationToken.None);

        Assert.Equal(1, await harness.InboundCountAsync());
        Assert.Empty(await harness.DrainAsync(harness.Options.Queues.InboundPoison));
        Assert.Contains(harness.Log.Lines, l => l.StartsWith("inbound fail-1: failed on attempt 1/2", StringComparison.Ordinal));

        // The second delivery, once the (one-second) visibility timeout has passed.
        Assert.Equal(1, await harness.PollUntilReceivedAsync());

        var poison = JsonSerializer.Deserialize<PoisonEnvelope>(Assert.Single(await harness.DrainAsync(harness.Options.Queues.InboundPoison)), ModerationJson.Options)!;
        Assert.Contains("case store unavailable", poison.Reason, StringComparison.Ordinal);
        Assert.Equal(2, poison.DequeueCount);
        Assert.Equal(0, await harness.InboundCountAsync());
    }

    [StorageFact]
    public async Task One_failing_message_does_not_hold_back_the_rest_of_its_batch()
    {
        await using var harness = await ListenerHarness.CreateAsync();
        await harness.EnqueueAsync(InboundMessageCodec.Encode(Message("ok-1", "fine")));
        await harness.EnqueueAsync(InboundMessageCodec.Encode(Message("bad-1", "explode")));
        await harness.EnqueueAsync(InboundMessageCodec.Encode(Message("ok-2", "also fine")));

        Assert.Equal(3, await harness.Listener.PollOnceAsync(CancellationToken.None));

        var released = (await harness.DrainAsync(harness.Options.Queues.Released))
            .Select(b => JsonSerializer.Deserialize<DeliveryEnvelope>(b, ModerationJson.Options)!.DeliveryId)
            .Order(StringComparer.Ordinal);
        Assert.Equal(["ok-1", "ok-2"], released);
        Assert.Equal(1, await harness.InboundCountAsync());
    }

    [StorageFact]
    public async Task A_second_message_under_a_known_id_with_other_text_is_poisoned_as_a_conflict_and_neither_released_nor_cased()
    {
        await using var harness = await ListenerHarness.CreateAsync();
        await harness.EnqueueAsync(InboundMessageCodec.Encode(Message("reused-1", "see you at nine")));
        await harness.Listener.PollOnceAsync(CancellationToken.None);
        await harness.EnqueueAsync(InboundMessageCodec.Encode(Message("reused-1", "suspicious: call me on my cell")));

        Assert.Equal(1, await harness.Listener.PollOnceAsync(CancellationToken.None));

        Assert.Single(await harness.DrainAsync(harness.Options.Queues.Released));
        Assert.Empty(harness.Cases.Started);
        var poison = JsonSerializer.Deserialize<PoisonEnvelope>(Assert.Single(await harness.DrainAsync(harness.Options.Queues.InboundPoison)), ModerationJson.Options)!;
        Assert.StartsWith("content conflict", poison.Reason, StringComparison.Ordinal);
        Assert.Equal(2, System.Text.RegularExpressions.Regex.Matches(poison.Reason, "sha256:[0-9a-f]{64}").Count);
        Assert.Equal(0, await harness.InboundCountAsync());
    }

    [StorageFact]
    public async Task A_body_that_is_not_valid_utf8_is_poisoned_with_the_reason_and_not_moderated()
    {
        await using var harness = await ListenerHarness.CreateAsync();
        var bytes = System.Text.Encoding.UTF8.GetBytes(InboundMessageCodec.Encode(Message("utf8-1", "caf#")));
        bytes[Array.IndexOf(bytes, (byte)'#')] = 0xFF;
        await harness.InboundQueue.SendMessageAsync(new BinaryData(bytes)); // the client Base64-encodes the raw bytes

        Assert.Equal(1, await harness.Listener.PollOnceAsync(CancellationToken.None));

        var poison = JsonSerializer.Deserialize<PoisonEnvelope>(Assert.Single(await harness.DrainAsync(harness.Options.Queues.InboundPoison)), ModerationJson.Options)!;
        Assert.Contains("not valid UTF-8", poison.Reason, StringComparison.Ordinal);
        Assert.Empty(await harness.DrainAsync(harness.Options.Queues.Released));
    }

    [StorageFact]
    public async Task A_graceful_stop_makes_received_but_unprocessed_messages_visible_again_at_once()
    {
        await using var harness = await ListenerHarness.CreateAsync();
        await harness.EnqueueAsync(InboundMessageCodec.Encode(Message("stop-1", "stall here")));
        await harness.EnqueueAsync(InboundMessageCodec.Encode(Message("stop-2", "and here")));
        await harness.Listener.StartAsync(CancellationToken.None);
        await harness.Prefilter.Stalled.Task.WaitAsync(TimeSpan.FromSeconds(30));

        // The host's shutdown timeout expires while the scorer is still busy.
        using (var shutdownTimeout = new CancellationTokenSource(TimeSpan.FromSeconds(1)))
        {
            await harness.Listener.StopAsync(shutdownTimeout.Token);
        }

        // Visible now (peek sees only visible messages), not after the 5-minute visibility timeout.
        var visible = (await harness.InboundQueue.PeekMessagesAsync(32)).Value.Select(m => m.Body.ToString()).ToList();
        harness.Prefilter.Stall.TrySetResult();
        Assert.Contains(visible, b => b.Contains("stop-1", StringComparison.Ordinal));
        var released = await harness.DrainAsync(harness.Options.Queues.Released);
        Assert.Equal(2, visible.Count + released.Count(b => b.Contains("stop-2", StringComparison.Ordinal)));
    }

    [StorageFact]
    public async Task A_redelivered_clean_message_is_logged_as_a_duplicate_not_as_released_again()
    {
        await using var harness = await ListenerHarness.CreateAsync();
        var body = InboundMessageCodec.Encode(Message("dup-1", "see you at nine"));
        await harness.EnqueueAsync(body);
        await harness.Listener.PollOnceAsync(CancellationToken.None);
        await harness.EnqueueAsync(body);

        await harness.Listener.PollOnceAsync(CancellationToken.None);

        Assert.Single(await harness.DrainAsync(harness.Options.Queues.Released));
        Assert.Single(harness.Log.Lines, l => l.StartsWith("inbound dup-1: released", StringComparison.Ordinal));
        Assert.Single(harness.Log.Lines, l => l.StartsWith("inbound dup-1: duplicate", StringComparison.Ordinal));
    }

    [StorageFact]
    public async Task With_conversations_on_a_released_message_redelivered_after_its_earlier_parts_arrived_is_not_routed()
    {
        await using var harness = await ListenerHarness.CreateAsync(conversations: true);
        var last = InboundMessageCodec.Encode(Message("part-3", "0142", minute: 2));
        await harness.EnqueueAsync(last);
        await harness.Listener.PollOnceAsync(CancellationToken.None);

        // The earlier parts arrive after it: screened afresh, the last part would now complete a phone number.
        await harness.EnqueueAsync(InboundMessageCodec.Encode(Message("part-1", "212", minute: 0)));
        await harness.EnqueueAsync(InboundMessageCodec.Encode(Message("part-2", "555", minute: 1)));
        await harness.Listener.PollOnceAsync(CancellationToken.None);
        await harness.EnqueueAsync(last);

        await harness.Listener.PollOnceAsync(CancellationToken.None);

        Assert.Empty(harness.Cases.Started);
        Assert.Equal(["part-1", "part-2", "part-3"], (await harness.DrainAsync(harness.Options.Queues.Released)).Select(b => JsonSerializer.Deserialize<DeliveryEnvelope>(b, ModerationJson.Options)!.DeliveryId).Order());
        Assert.Contains(harness.Log.Lines, l => l.StartsWith("inbound part-3: duplicate", StringComparison.Ordinal));
        Assert.Equal(0, await harness.InboundCountAsync());
    }

    [StorageFact]
    public async Task With_conversations_on_the_same_message_twice_in_a_batch_is_screened_once_and_both_copies_are_deleted()
    {
        await using var harness = await ListenerHarness.CreateAsync(conversations: true);
        var body = InboundMessageCodec.Encode(Message("twice-1", "see you at nine"));
        await harness.EnqueueAsync(body);
        await harness.EnqueueAsync(body);

        Assert.Equal(2, await harness.Listener.PollOnceAsync(CancellationToken.None));

        Assert.Single(await harness.DrainAsync(harness.Options.Queues.Released));
        Assert.Equal(0, await harness.InboundCountAsync());
    }

    [StorageFact]
    public async Task With_conversations_on_a_copy_received_while_its_first_copy_has_not_acted_waits_until_it_has()
    {
        await using var harness = await ListenerHarness.CreateAsync(visibilityTimeout: "00:00:01", conversations: true);
        var message = Message("slow-1", "see you at nine");
        var body = InboundMessageCodec.Encode(message);

        // A first copy was admitted a moment ago and is still screening (or crashed before acting).
        Assert.True((await harness.Services.GetRequiredService<InboundMessageAdmission>().AdmitAsync(BinaryData.FromString(body), CancellationToken.None)).Succeeded);
        await harness.EnqueueAsync(body);

        await harness.Listener.PollOnceAsync(CancellationToken.None);

        Assert.Empty(await harness.DrainAsync(harness.Options.Queues.Released));
        Assert.Contains(harness.Log.Lines, l => l.Contains(nameof(EarlierCopyInFlightException), StringComparison.Ordinal));
        Assert.Equal(1, await harness.InboundCountAsync());

        // The first copy releases it; the waiting copy, delivered again, reuses that and is deleted.
        var outcome = new ModerationOutcome("slow-1", Disposition.Released, DecidedBy.Prefilter, Core.Policy.PolicyCategory.Clean, [], DateTime.UtcNow);
        await harness.Services.GetRequiredService<IDeliveryGateway>().ReleaseAsync(new DeliveryOrder(message, outcome), CancellationToken.None);
        await harness.PollUntilReceivedAsync();

        Assert.Single(await harness.DrainAsync(harness.Options.Queues.Released));
        Assert.Contains(harness.Log.Lines, l => l.StartsWith("inbound slow-1: duplicate", StringComparison.Ordinal));
        Assert.Empty(harness.Cases.Started);
        Assert.Equal(0, await harness.InboundCountAsync());
    }

    private static ChatMessage Message(string id, string text, int minute) =>
        new(id, "conv-1", "cust-1", ParticipantRole.Customer, "pro-1", ParticipantRole.Professional, text, new DateTimeOffset(2026, 3, 1, 12, minute, 0, TimeSpan.Zero));

    private static ChatMessage Message(string id, string text) =>
        new(id, "conv-1", "pro-1", ParticipantRole.Professional, "cust-1", ParticipantRole.Customer, text, new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero));
}
