using Microsoft.Extensions.Options;
using Moderation.Core.Messages;
using Moderation.Core.Screening;

namespace Moderation.Core.Conversations;

/// <summary>The pre-filter score of one message with what its conversation adds (null when conversations are off).</summary>
public sealed record ConversationView(PrefilterScore Score, ConversationContext? Context);

/// <summary>
/// The conversation step of tier one, called by the screening step after the pre-filter: reads each message's recent
/// conversation, adds rule hits split across the sender's messages to its score, stores the message, and gathers the
/// context and sender history that a routed case carries to the LLM, the policy and the reviewer.
/// </summary>
public sealed class ConversationScreening(
    IConversationStore store,
    ISenderHistoryStore senderHistory,
    ITextRuleScreen rules,
    IOptionsMonitor<ConversationOptions> options,
    TimeProvider time)
{
    public async Task<IReadOnlyList<ConversationView>> ScreenAsync(IReadOnlyList<ChatMessage> messages, IReadOnlyList<PrefilterScore> scores, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(messages);
        ArgumentNullException.ThrowIfNull(scores);
        var settings = options.CurrentValue;
        var views = new ConversationView[messages.Count];
        if (!settings.Enabled)
        {
            for (var i = 0; i < messages.Count; i++)
            {
                views[i] = new ConversationView(scores[i], null);
            }

            return views;
        }

        var since = time.GetUtcNow() - settings.SenderHistoryPeriod;
        var senders = messages.Select(m => m.SenderId).Distinct(StringComparer.Ordinal).ToList();
        var counts = await Task.WhenAll(senders.Select(s => senderHistory.CountSinceAsync(s, since, cancellationToken)));
        var histories = senders.Zip(counts).ToDictionary(p => p.First, p => new SenderHistory(p.Second.Blocked, p.Second.Released, settings.SenderHistoryPeriod), StringComparer.Ordinal);

        // Messages of one conversation are handled in the order they were sent, so a split within one batch is seen
        // too; conversations are independent and run concurrently.
        var conversations = Enumerable.Range(0, messages.Count)
            .GroupBy(i => messages[i].ConversationId, StringComparer.Ordinal)
            .Select(async group =>
            {
                foreach (var i in group.OrderBy(i => messages[i].SentAt))
                {
                    views[i] = await ScreenOneAsync(messages[i], scores[i], histories[messages[i].SenderId], settings, cancellationToken);
                }
            });
        await Task.WhenAll(conversations);
        return views;
    }

    private async Task<ConversationView> ScreenOneAsync(ChatMessage message, PrefilterScore score, SenderHistory history, ConversationOptions settings, CancellationToken cancellationToken)
    {
        var recent = await store.ReadRecentAsync(message.ConversationId, settings.WindowSize, cancellationToken);

        // A redelivered message finds itself in the store; a late one must not see what was sent after it.
        var earlier = recent
            .Where(t => !string.Equals(t.MessageId, message.MessageId, StringComparison.Ordinal) && t.SentAt <= message.SentAt)
            .ToList();
        var ownEarlier = earlier
            .Where(t => string.Equals(t.SenderId, message.SenderId, StringComparison.Ordinal) && message.SentAt - t.SentAt <= settings.SplitScreenWithin)
            .TakeLast(settings.SplitScreenMessages)
            .ToList();

        var split = SplitMessageHits.Find(rules, ownEarlier, message.Text ?? string.Empty);
        await store.AppendAsync(message, cancellationToken);

        var amended = split.Count == 0 ? score : score with { RuleHits = [.. score.RuleHits, .. split.Select(s => s.Hit)] };
        var contributing = split.SelectMany(s => s.ContributingMessageIds).Distinct(StringComparer.Ordinal).ToList();
        var context = new ConversationContext(earlier.TakeLast(settings.ContextMessages).ToList(), contributing, history);
        return new ConversationView(amended, context);
    }
}

/// <summary>
/// Deletes stored conversation texts and sender history older than the retention period. The self-hosted host runs
/// it on an interval, the Functions app on a timer; both are thin shells over this.
/// </summary>
public sealed class ConversationRetention(IConversationStore store, ISenderHistoryStore senderHistory, IOptionsMonitor<ConversationOptions> options, TimeProvider time)
{
    public async Task<RetentionPurge> PurgeAsync(CancellationToken cancellationToken)
    {
        var settings = options.CurrentValue;
        var now = time.GetUtcNow();
        var messages = await store.PurgeSentBeforeAsync(now - settings.Retention, cancellationToken);
        var cases = await senderHistory.PurgeDecidedBeforeAsync(now - settings.SenderHistoryPeriod, cancellationToken);
        return new RetentionPurge(messages, cases);
    }
}

/// <summary>What a retention run deleted.</summary>
public sealed record RetentionPurge(int Messages, int SenderCases);
