using Moderation.Core.Delivery;
using Moderation.Core.Policy;

namespace Moderation.Host.Tests.EndToEnd;

/// <summary>
/// The whole self-hosted pipeline on Azurite: the queue listener, the shipped ONNX pre-filter, the runner, the real
/// OpenAI client against <see cref="FakeChatModel"/>, and the released/blocked/poison queues.
/// </summary>
// Real time: the whole host on Azurite, with the engine's queue polling and durable timers.
[Trait(TestTiming.Trait, TestTiming.RealTime)]
public sealed class PipelineFlowTests
{
    private static readonly TimeSpan ShortReviewTimeout = TimeSpan.FromSeconds(3);

    [StorageFact]
    public async Task Without_a_crash_every_inbound_message_ends_once_on_exactly_one_of_the_released_or_blocked_queues()
    {
        var storage = new PipelineStorage();
        await using var llm = await FakeChatModel.StartAsync();
        await using var host = new PipelineHost(storage, llm, ShortReviewTimeout).Start();
        var messages = ChatTraffic.Mix(40);

        await storage.EnqueueAsync(messages);

        var ledger = new DeliveryLedger(storage);
        await ledger.AssertExactlyOnceAsync(host, messages.Select(m => m.MessageId).ToList());
        foreach (var message in messages)
        {
            var delivered = ledger.Single(message.MessageId);
            if (ChatTraffic.SharesContact(message))
            {
                // The rule screen always flags a phone number or payment handle; the model is sure: blocked by the LLM.
                Assert.Equal((Disposition.Blocked, DecidedBy.Llm, PolicyCategory.OffPlatformContact), (delivered.Disposition, delivered.Outcome.DecidedBy, delivered.Outcome.Category));
            }
            else if (ChatTraffic.NeedsReview(message))
            {
                // Nobody reviews within the timeout; job seeking and partnership default to release.
                Assert.Equal((Disposition.Released, DecidedBy.Timeout), (delivered.Disposition, delivered.Outcome.DecidedBy));
            }
        }

        Assert.Empty(await storage.DrainPoisonAsync());
    }

    [StorageFact]
    public async Task A_message_enqueued_again_after_it_was_handled_makes_no_second_case_or_delivery()
    {
        var storage = new PipelineStorage();
        await using var llm = await FakeChatModel.StartAsync();
        await using var host = new PipelineHost(storage, llm, ShortReviewTimeout).Start();
        var clean = ChatTraffic.Message(ChatTraffic.NewId("again-clean"), "Could you come Friday morning to fix the porch light?");
        var contact = ChatTraffic.Message(ChatTraffic.NewId("again-contact"), "Text me at 555 321 7654 and we can settle the price.");
        var ledger = new DeliveryLedger(storage);
        await storage.EnqueueAsync([clean, contact]);
        await ledger.WaitForAsync([clean.MessageId, contact.MessageId]);

        // The product retried its send (or the queue redelivered): same message ids, new queue messages.
        await storage.EnqueueAsync([clean, contact]);

        await ledger.AssertExactlyOnceAsync(host, [clean.MessageId, contact.MessageId]);
        Assert.Equal(Disposition.Blocked, ledger.Single(contact.MessageId).Disposition);
        // One case means one classification: the copy never reached the LLM tier.
        Assert.Single(llm.ClassifiedTexts, t => t == contact.Text);
    }

    [StorageFact]
    public async Task Copies_of_one_message_received_at_the_same_time_by_concurrent_batches_make_one_case_and_one_delivery()
    {
        var storage = new PipelineStorage();
        await using var llm = await FakeChatModel.StartAsync();
        var clean = ChatTraffic.Message(ChatTraffic.NewId("copies-clean"), "Could you come Friday morning to fix the porch light?");
        var contact = ChatTraffic.Message(ChatTraffic.NewId("copies-contact"), "Text me at 555 321 7654 and we can settle the price.");
        // One message per receive and eight receive loops: the copies are screened side by side, not one after another.
        var concurrentSingles = new Dictionary<string, string> { ["Moderation:Storage:BatchSize"] = "1", ["Moderation:Storage:MaxConcurrentBatches"] = "8" };
        await using var host = new PipelineHost(storage, llm, ShortReviewTimeout, concurrentSingles).Start();
        await storage.EnqueueAsync(Enumerable.Range(0, 6).SelectMany(_ => new[] { clean, contact }));

        var ledger = new DeliveryLedger(storage);
        await ledger.AssertExactlyOnceAsync(host, [clean.MessageId, contact.MessageId]);
        Assert.Equal(Disposition.Blocked, ledger.Single(contact.MessageId).Disposition);
        Assert.Single(llm.ClassifiedTexts, t => t == contact.Text);
    }

    [StorageFact]
    public async Task An_unreadable_queue_message_goes_to_the_poison_queue_with_its_reason_and_the_rest_still_flow()
    {
        var storage = new PipelineStorage();
        await using var llm = await FakeChatModel.StartAsync();
        await using var host = new PipelineHost(storage, llm, ShortReviewTimeout).Start();
        var good = ChatTraffic.Message(ChatTraffic.NewId("after-poison"), "Thanks, see you at 9 tomorrow.");

        await storage.EnqueueRawAsync("{ this is not json");
        await storage.EnqueueRawAsync("""{"schemaVersion":2,"messageId":"m-2","text":"from the future"}""");
        await storage.EnqueueRawAsync("""{"schemaVersion":1,"messageId":"","conversationId":"c","senderId":"s","senderRole":"customer","recipientId":"r","recipientRole":"professional","text":"hi","sentAt":"2026-03-01T10:00:00Z"}""");
        await storage.EnqueueRawAsync("plain text, not Base64 *** ###", base64: false);
        await storage.EnqueueAsync([good]);

        var ledger = new DeliveryLedger(storage);
        await ledger.AssertExactlyOnceAsync(host, [good.MessageId]);
        var poisoned = new List<Moderation.Storage.Queues.PoisonEnvelope>();
        await Eventually.HoldsAsync(
            async () =>
            {
                poisoned.AddRange(await storage.DrainPoisonAsync());
                return poisoned.Count >= 4;
            },
            TimeSpan.FromSeconds(30),
            "four poison envelopes");

        Assert.Equal(4, poisoned.Count);
        Assert.All(poisoned, p => Assert.Equal(storage.InboundQueue, p.SourceQueue));
        Assert.Contains(poisoned, p => p.Reason.StartsWith("malformed JSON", StringComparison.Ordinal) && p.OriginalBody == "{ this is not json");
        Assert.Contains(poisoned, p => p.Reason.Contains("unknown schemaVersion 2", StringComparison.Ordinal));
        Assert.Contains(poisoned, p => p.Reason.Contains("MessageId is required", StringComparison.Ordinal));
        Assert.Contains(poisoned, p => p.Reason.Contains("not Base64", StringComparison.Ordinal));
    }
}
