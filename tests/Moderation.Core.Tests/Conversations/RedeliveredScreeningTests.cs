using Moderation.Core.Conversations;
using Moderation.Core.Delivery;
using Moderation.Core.Messages;
using Moderation.Core.Screening;

namespace Moderation.Core.Tests.Conversations;

/// <summary>
/// Screening is stable across redeliveries: a later copy of a message whose id was already released or routed reuses
/// that decision although its conversation or its sender's history changed meanwhile; a copy nothing was done for is
/// screened afresh (or, while its first copy may still be screening, waits for the next delivery); first copies pay
/// nothing for this, and a batch reads and writes each conversation once.
/// </summary>
public partial class ConversationScreeningTests
{
    private static readonly Redelivery LongAgo = new(T0, LastAttempt: false);

    [Fact]
    public async Task A_released_message_redelivered_after_earlier_parts_arrived_is_released_again_not_routed()
    {
        var screening = Create();

        // The last part arrives first and is released; the earlier parts arrive after it.
        Assert.Equal(ScreeningRoute.Released, (await ScreenOne(screening, Say("m3", "cust", "0142", 2))).Route);
        await ScreenOne(screening, Say("m1", "cust", "212", 0));
        await ScreenOne(screening, Say("m2", "cust", "555", 1));

        var again = await ScreenCopy(screening, Say("m3", "cust", "0142", 2), LongAgo);

        var result = Assert.IsType<ScreeningResult>(again.Result);
        Assert.False(result.Decision.IsSuspicious);
        Assert.Contains(result.Decision.Reasons, r => r.Contains("earlier delivery", StringComparison.Ordinal));
        Assert.Empty(cases.Started);
        Assert.Equal(2, delivery.Released.Count(o => o.Message.MessageId == "m3"));
    }

    [Fact]
    public async Task A_released_message_screened_again_without_knowing_it_is_a_copy_would_be_routed()
    {
        // The defect the look-up removes: the same copy, not known as one, is judged against the conversation as it is now.
        var screening = Create();
        await ScreenOne(screening, Say("m3", "cust", "0142", 2));
        await ScreenOne(screening, Say("m1", "cust", "212", 0));
        await ScreenOne(screening, Say("m2", "cust", "555", 1));

        var again = await ScreenCopy(screening, Say("m3", "cust", "0142", 2), null);

        Assert.Equal(ScreeningRoute.CaseStarted, again.Result!.Route);
    }

    [Fact]
    public async Task A_routed_message_redelivered_after_its_parts_left_the_window_keeps_its_case_and_is_not_released()
    {
        var window = new InMemoryConversationStore(windowSize: 4);
        var screening = Create(o => (o.WindowSize, o.SplitScreenMessages, o.ContextMessages) = (4, 3, 2), conversationStore: window);
        await ScreenOne(screening, Say("m1", "cust", "212", 0));
        await ScreenOne(screening, Say("m2", "cust", "555", 1));
        Assert.Equal(ScreeningRoute.CaseStarted, (await ScreenOne(screening, Say("m3", "cust", "0142", 2))).Route);
        for (var i = 0; i < 4; i++)
        {
            await ScreenOne(screening, Say($"r{i}", "pro", "ok", 3 + i));
        }

        Assert.DoesNotContain(window.All, t => t.MessageId is "m1" or "m2");

        var again = await ScreenCopy(screening, Say("m3", "cust", "0142", 2), LongAgo);

        var result = Assert.IsType<ScreeningResult>(again.Result);
        Assert.Equal(ScreeningRoute.CaseAlreadyExists, result.Route);
        Assert.True(result.Decision.IsSuspicious);
        Assert.Single(cases.Started);
        Assert.DoesNotContain(delivery.Released, o => o.Message.MessageId == "m3");
    }

    [Fact]
    public async Task A_released_message_redelivered_after_its_sender_was_blocked_meanwhile_is_not_routed()
    {
        // Released at the normal threshold; a block since lowers this sender's threshold below its score.
        var screening = Create(policy: p => p.RecentBlockPrefilterThreshold = 0.2);
        Assert.Equal(ScreeningRoute.Released, (await ScreenOne(screening, Say("m1", "cust", "hello there", 0), score: 0.3)).Route);
        await history.RecordAsync("cust", "other-case", blocked: true, T0.AddMinutes(5), CancellationToken.None);

        var again = await ScreenCopy(screening, Say("m1", "cust", "hello there", 0), LongAgo, score: 0.3);

        Assert.False(again.Result!.Decision.IsSuspicious);
        Assert.Empty(cases.Started);
    }

    [Fact]
    public async Task The_coalescer_of_the_functions_trigger_carries_a_copys_redelivery_into_its_batch()
    {
        var screening = Create();
        await ScreenOne(screening, Say("m3", "cust", "0142", 2));
        await ScreenOne(screening, Say("m1", "cust", "212", 0));
        await ScreenOne(screening, Say("m2", "cust", "555", 1));
        var coalescer = new ScreeningCoalescer(screening, TimeProvider.System, maxBatch: 1);
        var copy = Say("m3", "cust", "0142", 2) with { Metadata = new Dictionary<string, string> { ["score"] = "0.05" } };

        var result = await coalescer.ScreenAsync(copy, Admission.Later(LongAgo.FirstAdmittedAt, LongAgo.LastAttempt), CancellationToken.None);

        Assert.False(result.Decision.IsSuspicious);
        Assert.Empty(cases.Started);
    }

    [Fact]
    public async Task A_copy_nothing_was_done_for_is_screened_afresh_against_the_conversation_as_it_is_now()
    {
        var screening = Create();
        await ScreenOne(screening, Say("m1", "cust", "212", 0));
        await ScreenOne(screening, Say("m2", "cust", "555", 1));

        // Admitted long ago, then its host crashed before acting: nothing to reuse.
        var copy = await ScreenCopy(screening, Say("m3", "cust", "0142", 2), LongAgo);

        Assert.Equal(ScreeningRoute.CaseStarted, copy.Result!.Route);
        Assert.Equal(["m1", "m2"], Assert.Single(cases.Started).Conversation!.ContributingMessageIds);
        Assert.Contains(store.All, t => t.MessageId == "m3");
    }

    [Fact]
    public async Task A_copy_whose_first_copy_was_admitted_moments_ago_and_has_not_acted_waits_for_the_next_delivery()
    {
        var screening = Create();
        var young = new Redelivery(time.GetUtcNow().AddSeconds(-2), LastAttempt: false);

        var copy = await ScreenCopy(screening, Say("m1", "cust", "hello", 0), young);

        Assert.IsType<EarlierCopyInFlightException>(copy.Error);
        Assert.Empty(delivery.Delivered);
        Assert.Empty(cases.Started);
        Assert.Empty(store.All);
    }

    [Fact]
    public async Task A_second_copy_in_the_same_batch_as_its_first_shares_its_screening_without_a_look_up_or_a_wait()
    {
        var screening = Create();
        await ScreenOne(screening, Say("m1", "cust", "212 555", 0));
        var justNow = new Redelivery(time.GetUtcNow(), LastAttempt: false);

        var results = await ScreenBatch(screening, [Say("m2", "cust", "0142", 1), Say("m2", "cust", "0142", 1)], [null, justNow]);

        Assert.All(results, r => Assert.True(r.Result!.Decision.IsSuspicious));
        Assert.Equal([ScreeningRoute.CaseStarted, ScreeningRoute.CaseAlreadyExists], results.Select(r => r.Result!.Route).Order());
        Assert.Single(cases.Started);
        Assert.Equal(0, acted!.Lookups);
    }

    [Fact]
    public async Task A_copy_on_its_last_attempt_is_screened_rather_than_deferred()
    {
        var screening = Create();
        var lastChance = new Redelivery(time.GetUtcNow().AddSeconds(-2), LastAttempt: true);

        var copy = await ScreenCopy(screening, Say("m1", "cust", "hello", 0), lastChance);

        Assert.Equal(ScreeningRoute.Released, copy.Result!.Route);
    }

    [Fact]
    public async Task A_failed_look_up_fails_only_its_own_copy()
    {
        cases.FailReadsWith = new InvalidOperationException("engine storage down");
        var screening = Create();

        var results = await ScreenBatch(screening, [Say("m1", "cust", "hello", 0), Say("m2", "cust", "again", 1)], [null, LongAgo]);

        Assert.Equal(ScreeningRoute.Released, results[0].Result!.Route);
        Assert.IsType<InvalidOperationException>(results[1].Error);
        Assert.DoesNotContain(delivery.Released, o => o.Message.MessageId == "m2");
    }

    [Fact]
    public async Task First_copies_pay_no_look_up_and_a_batch_reads_and_writes_each_conversation_once()
    {
        var counting = new CountingConversationStore(store);
        var screening = Create(conversationStore: counting);
        ChatMessage[] batch = [Say("a1", "cust", "hi", 0), Say("b1", "cust", "hi", 0, conversation: "conv-2"), Say("a2", "pro", "hello", 1), Say("a3", "cust", "212 555", 2), Say("a4", "cust", "0142", 3)];

        var results = await ScreenBatch(screening, batch, new Redelivery?[batch.Length]);

        Assert.Equal(0, acted!.Lookups);
        Assert.Equal((2, 2, 0), (counting.Reads, counting.BatchAppends, counting.SingleAppends));
        Assert.Equal(ScreeningRoute.CaseStarted, results[4].Result!.Route);
        Assert.Equal(5, store.All.Count());
    }

    [Fact]
    public async Task Reused_copies_neither_read_nor_write_the_conversation()
    {
        var screening = Create();
        await ScreenOne(screening, Say("m1", "cust", "hello", 0));
        var counting = new CountingConversationStore(store);
        var again = Create(conversationStore: counting);

        await ScreenCopy(again, Say("m1", "cust", "hello", 0), LongAgo);

        Assert.Equal((0, 0), (counting.Reads, counting.BatchAppends));
        Assert.Equal(1, acted!.Lookups);
    }

    [Theory]
    [InlineData(true, null, ActedDecision.Routed)]
    [InlineData(true, Disposition.Released, ActedDecision.Routed)]
    [InlineData(false, Disposition.Released, ActedDecision.Released)]
    [InlineData(false, Disposition.Blocked, ActedDecision.Routed)]
    [InlineData(false, null, ActedDecision.None)]
    public void A_case_wins_over_the_ledger_because_a_cases_own_delivery_reserves_the_same_id(bool caseExists, Disposition? delivered, ActedDecision expected) =>
        Assert.Equal(expected, ActedDecisions.From(caseExists, delivered));

    private static async Task<ScreeningAttempt> ScreenCopy(MessageScreening screening, ChatMessage message, Redelivery? redelivery, double score = 0.05) =>
        (await ScreenBatch(screening, [message], [redelivery], score)).Single();

    private static Task<IReadOnlyList<ScreeningAttempt>> ScreenBatch(MessageScreening screening, IReadOnlyList<ChatMessage> messages, IReadOnlyList<Redelivery?> redeliveries, double score = 0.05) =>
        screening.ScreenEachAsync(
            messages.Select(m => m with { Metadata = new Dictionary<string, string> { ["score"] = score.ToString(System.Globalization.CultureInfo.InvariantCulture) } }).ToList(),
            redeliveries.Select(r => r is null ? null : Admission.Later(r.FirstAdmittedAt, r.LastAttempt)).ToList(),
            CancellationToken.None);

    /// <summary>Counts the store calls screening makes, passing them to the in-memory store.</summary>
    private sealed class CountingConversationStore(IConversationStore inner) : IConversationStore
    {
        public int Reads { get; private set; }

        public int BatchAppends { get; private set; }

        public int SingleAppends { get; private set; }

        public Task AppendAsync(ChatMessage message, CancellationToken cancellationToken)
        {
            SingleAppends++;
            return inner.AppendAsync(message, cancellationToken);
        }

        public async Task AppendAllAsync(IReadOnlyList<ChatMessage> messages, CancellationToken cancellationToken)
        {
            BatchAppends++;
            foreach (var message in messages)
            {
                await inner.AppendAsync(message, cancellationToken);
            }
        }

        public Task<IReadOnlyList<ConversationTurn>> ReadRecentAsync(string conversationId, int maxTurns, CancellationToken cancellationToken)
        {
            Reads++;
            return inner.ReadRecentAsync(conversationId, maxTurns, cancellationToken);
        }

        public Task<int> EraseSenderAsync(string senderId, CancellationToken cancellationToken) => inner.EraseSenderAsync(senderId, cancellationToken);

        public Task<int> EraseConversationAsync(string conversationId, CancellationToken cancellationToken) => inner.EraseConversationAsync(conversationId, cancellationToken);

        public Task<int> PurgeSentBeforeAsync(DateTimeOffset cutoff, CancellationToken cancellationToken) => inner.PurgeSentBeforeAsync(cutoff, cancellationToken);
    }
}
