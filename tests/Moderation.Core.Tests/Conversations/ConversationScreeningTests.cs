using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Moderation.Core.Activities;
using Moderation.Core.Conversations;
using Moderation.Core.Delivery;
using Moderation.Core.Messages;
using Moderation.Core.Policy;
using Moderation.Core.Screening;
using Moderation.Core.Tests.Screening;

namespace Moderation.Core.Tests.Conversations;

/// <summary>
/// The conversation step of tier one: rule hits split over a sender's messages are caught, context never decides a
/// message on its own, and routed cases carry the context and the sender's history.
/// </summary>
public partial class ConversationScreeningTests
{
    private static readonly DateTimeOffset T0 = new(2026, 3, 14, 9, 0, 0, TimeSpan.Zero);

    private readonly InMemoryConversationStore store = new();
    private readonly InMemorySenderHistory history = new();
    private readonly FakeCaseClient cases = new();
    private readonly RecordingDeliveryGateway delivery = new();
    private readonly InMemoryAuditLog audit = new();
    private readonly FixedClock time = new(T0.AddHours(1));
    private RecordedActedDecisions? acted;

    [Fact]
    public async Task Digits_split_one_group_per_message_are_caught_on_the_message_that_completes_them()
    {
        var screening = Create();

        var first = await ScreenOne(screening, Say("m1", "cust", "212", 0));
        var second = await ScreenOne(screening, Say("m2", "cust", "555", 1));
        var third = await ScreenOne(screening, Say("m3", "cust", "0142", 2));

        Assert.Equal(ScreeningRoute.Released, first.Route);
        Assert.Equal(ScreeningRoute.Released, second.Route);
        Assert.Equal(ScreeningRoute.CaseStarted, third.Route);
        var started = Assert.Single(cases.Started);
        Assert.Equal(["m1", "m2"], started.Conversation!.ContributingMessageIds);
        var hit = Assert.Single(started.Prefilter.RuleHits);
        Assert.Contains("split across 3 messages", hit.Description, StringComparison.Ordinal);
        Assert.Equal((0, 4), (hit.Start, hit.Length));
        Assert.Equal(["m1", "m2"], started.Conversation.Preceding.Select(t => t.MessageId));
    }

    [Fact]
    public async Task A_clean_message_after_a_violating_one_is_not_routed_for_the_earlier_one()
    {
        var screening = Create();
        await ScreenOne(screening, Say("m1", "cust", "call 212 555 0142", 0));

        var next = await ScreenOne(screening, Say("m2", "cust", "thanks, see you then", 1));

        Assert.Equal(ScreeningRoute.Released, next.Route);
        Assert.Empty(next.Score.RuleHits);
    }

    [Fact]
    public async Task Only_the_senders_own_messages_are_joined()
    {
        var screening = Create();
        await ScreenOne(screening, Say("m1", "pro", "212 555", 0));

        var reply = await ScreenOne(screening, Say("m2", "cust", "0142", 1));

        Assert.Equal(ScreeningRoute.Released, reply.Route);
    }

    [Fact]
    public async Task Earlier_messages_outside_the_split_window_are_not_joined()
    {
        var screening = Create(o => o.SplitScreenWithin = TimeSpan.FromMinutes(5));
        await ScreenOne(screening, Say("m1", "cust", "212 555", 0));

        var late = await ScreenOne(screening, Say("m2", "cust", "0142", 30));

        Assert.Equal(ScreeningRoute.Released, late.Route);
    }

    [Fact]
    public async Task A_split_inside_one_batch_is_caught_because_a_conversation_is_read_in_send_order()
    {
        var screening = Create();

        var results = await screening.ScreenAsync([Say("m2", "cust", "0142", 2), Say("m1", "cust", "212 555", 1)], CancellationToken.None);

        Assert.Equal([ScreeningRoute.CaseStarted, ScreeningRoute.Released], results.Select(r => r.Route));
    }

    [Fact]
    public async Task A_redelivered_message_is_not_joined_with_itself()
    {
        var screening = Create();
        await ScreenOne(screening, Say("m1", "cust", "212 555 0142 0142", 0));

        var again = await screening.ScreenAsync([Say("m1", "cust", "212 555 0142 0142", 0)], CancellationToken.None);

        Assert.Single(store.All);
        Assert.DoesNotContain(again[0].Score.RuleHits, h => h.Description.Contains("split", StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_conversation_window_bounds_the_context_of_a_routed_case()
    {
        var screening = Create(o => o.ContextMessages = 2);
        for (var i = 0; i < 5; i++)
        {
            await ScreenOne(screening, Say($"c{i}", i % 2 == 0 ? "pro" : "cust", $"turn {i}", i));
        }

        await ScreenOne(screening, Say("sus", "cust", "suspicious", 10), score: 0.9);

        Assert.Equal(["c3", "c4"], Assert.Single(cases.Started).Conversation!.Preceding.Select(t => t.MessageId));
    }

    [Fact]
    public async Task Senders_with_recent_blocks_face_the_lower_threshold_and_others_do_not()
    {
        await history.RecordAsync("repeat", "old-case", blocked: true, T0, CancellationToken.None);
        var screening = Create(policy: p => p.RecentBlockPrefilterThreshold = 0.2);

        var repeat = await ScreenOne(screening, Say("m1", "repeat", "hello there", 0), score: 0.3);
        var newcomer = await ScreenOne(screening, Say("m2", "newcomer", "hello there", 0, conversation: "other"), score: 0.3);

        Assert.Equal(ScreeningRoute.CaseStarted, repeat.Route);
        Assert.Contains(repeat.Decision.Reasons, r => r.Contains("blocked case", StringComparison.Ordinal));
        Assert.Equal(ScreeningRoute.Released, newcomer.Route);
        Assert.Equal(new SenderHistory(1, 0, TimeSpan.FromDays(30)), Assert.Single(cases.Started).Conversation!.SenderHistory);
    }

    [Fact]
    public async Task Blocks_older_than_the_history_period_do_not_lower_the_threshold()
    {
        await history.RecordAsync("repeat", "old-case", blocked: true, T0.AddDays(-40), CancellationToken.None);
        var screening = Create(policy: p => p.RecentBlockPrefilterThreshold = 0.2);

        var result = await ScreenOne(screening, Say("m1", "repeat", "hello there", 0), score: 0.3);

        Assert.Equal(ScreeningRoute.Released, result.Route);
    }

    [Fact]
    public async Task Delivering_a_case_outcome_counts_in_the_senders_history_once_per_case()
    {
        var activities = new ModerationActivities(new UnusedClassifier(), new UnusedReviewNotifier(), delivery, audit, time, senderHistory: history);
        var message = Say("case-1", "cust", "x", 0);
        var blocked = new ModerationOutcome("case-1", Disposition.Blocked, DecidedBy.Llm, PolicyCategory.Spam, [], T0.UtcDateTime);

        await activities.DeliverAsync(new DeliveryOrder(message, blocked), CancellationToken.None);
        await activities.DeliverAsync(new DeliveryOrder(message, blocked), CancellationToken.None);
        await activities.DeliverAsync(new DeliveryOrder(Say("case-2", "cust", "y", 1), blocked with { CaseId = "case-2", Disposition = Disposition.Released }), CancellationToken.None);

        Assert.Equal((1, 1), await history.CountSinceAsync("cust", T0.AddDays(-1), CancellationToken.None));
    }

    [Fact]
    public async Task Turned_off_conversations_store_nothing_and_judge_each_message_alone()
    {
        var screening = Create(o => o.Enabled = false);
        await ScreenOne(screening, Say("m1", "cust", "212 555", 0));

        var result = await ScreenOne(screening, Say("m2", "cust", "0142", 1));

        Assert.Equal(ScreeningRoute.Released, result.Route);
        Assert.Empty(store.All);
    }

    [Fact]
    public async Task Retention_purges_texts_and_history_older_than_their_periods()
    {
        var screening = Create();
        await ScreenOne(screening, Say("old", "cust", "old text", -60 * 24 * 8));
        await ScreenOne(screening, Say("new", "cust", "new text", 0));
        await history.RecordAsync("cust", "old-case", true, T0.AddDays(-31), CancellationToken.None);
        await history.RecordAsync("cust", "new-case", true, T0, CancellationToken.None);
        var retention = new ConversationRetention(store, history, new StaticOptionsMonitor<ConversationOptions>(new ConversationOptions()), time);

        var purged = await retention.PurgeAsync(CancellationToken.None);

        Assert.Equal(new RetentionPurge(1, 1), purged);
        Assert.Equal(["new"], store.All.Select(t => t.MessageId));
    }

    [Theory]
    [InlineData(nameof(ConversationOptions.WindowSize), 0)]
    [InlineData(nameof(ConversationOptions.WindowSize), 1000)]
    [InlineData(nameof(ConversationOptions.SplitScreenMessages), 20)]
    [InlineData(nameof(ConversationOptions.ContextMessages), 20)]
    public void Out_of_range_conversation_options_fail_validation(string property, int value)
    {
        var options = new ConversationOptions();
        typeof(ConversationOptions).GetProperty(property)!.SetValue(options, value);

        var result = new ConversationOptionsValidator().Validate(null, options);

        Assert.True(result.Failed);
        Assert.Contains(property, result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void Default_conversation_options_are_valid_and_a_zero_retention_is_not()
    {
        Assert.True(new ConversationOptionsValidator().Validate(null, new ConversationOptions()).Succeeded);
        Assert.True(new ConversationOptionsValidator().Validate(null, new ConversationOptions { Retention = TimeSpan.Zero }).Failed);
    }

    private static ChatMessage Say(string id, string sender, string text, int minute, string conversation = "conv-1") =>
        new(id, conversation, sender, ParticipantRole.Customer, sender == "pro" ? "cust" : "pro", ParticipantRole.Professional, text, T0.AddMinutes(minute));

    private static async Task<ScreeningResult> ScreenOne(MessageScreening screening, ChatMessage message, double score = 0.05) =>
        (await screening.ScreenAsync([message], CancellationToken.None, score)).Single();

    private MessageScreening Create(Action<ConversationOptions>? configure = null, Action<ModerationPolicyOptions>? policy = null, IConversationStore? conversationStore = null)
    {
        var options = new ConversationOptions { Enabled = true };
        configure?.Invoke(options);
        var policyOptions = new ModerationPolicyOptions();
        policy?.Invoke(policyOptions);
        acted ??= new RecordedActedDecisions(cases, delivery);
        var conversations = new ConversationScreening(conversationStore ?? store, history, new DigitRunScreen(), new StaticOptionsMonitor<ConversationOptions>(options), time, acted);
        return new MessageScreening(
            new ScoreFromMetadataPrefilter(),
            cases,
            delivery,
            audit,
            new StaticOptionsMonitor<ModerationPolicyOptions>(policyOptions),
            time,
            NullLogger<MessageScreening>.Instance,
            conversations);
    }
}

/// <summary>Scores every message with the score the test put in its metadata (default: clean), with no rule hits of its own.</summary>
internal sealed class ScoreFromMetadataPrefilter : IMessagePrefilter
{
    public ValueTask<IReadOnlyList<PrefilterScore>> ScoreAsync(IReadOnlyList<ChatMessage> messages, CancellationToken cancellationToken) =>
        ValueTask.FromResult<IReadOnlyList<PrefilterScore>>(messages
            .Select(m => Samples.Score(m.Metadata?.TryGetValue("score", out var s) == true ? double.Parse(s, System.Globalization.CultureInfo.InvariantCulture) : 0.05))
            .ToList());
}

internal static class ScreeningWithScore
{
    /// <summary>Screens messages with the given model score put where <see cref="ScoreFromMetadataPrefilter"/> reads it.</summary>
    public static Task<IReadOnlyList<ScreeningResult>> ScreenAsync(this MessageScreening screening, IReadOnlyList<ChatMessage> messages, CancellationToken cancellationToken, double score) =>
        screening.ScreenAsync(
            messages.Select(m => m with { Metadata = new Dictionary<string, string> { ["score"] = score.ToString(System.Globalization.CultureInfo.InvariantCulture) } }).ToList(),
            cancellationToken);
}

internal sealed class FixedClock(DateTimeOffset now) : TimeProvider
{
    public override DateTimeOffset GetUtcNow() => now;
}

internal sealed class UnusedClassifier : Classification.ILlmClassifier
{
    public Task<Classification.LlmClassification> ClassifyAsync(ChatMessage message, CancellationToken cancellationToken) => throw new InvalidOperationException("Not expected.");
}

internal sealed class UnusedReviewNotifier : Moderation.Core.Review.IReviewNotifier
{
    public Task RequestReviewAsync(Moderation.Core.Review.ReviewRequest request, CancellationToken cancellationToken) => throw new InvalidOperationException("Not expected.");
}
