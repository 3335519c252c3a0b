using Microsoft.Extensions.Options;
using Moderation.Core.Messages;
using Moderation.Core.Screening;

namespace Moderation.Core.Conversations;

/// <summary>
/// The pre-filter score of one message with what its conversation adds (null when conversations are off, or when the
/// message is a later copy whose id was already acted on).
/// </summary>
/// <param name="Earlier">What was already done for this id by an earlier copy (reused instead of screening it again).</param>
/// <param name="Error">Why this message cannot be screened now (its copy is retried on the queue's next delivery).</param>
public sealed record ConversationView(PrefilterScore Score, ConversationContext? Context, ActedDecision Earlier = ActedDecision.None, Exception? Error = null);

/// <summary>
/// The conversation step of tier one, called by the screening step after the pre-filter: reads each message's recent
/// conversation, adds rule hits split across the sender's messages to its score, stores the message, and gathers the
/// context and sender history that a routed case carries to the LLM, the policy and the reviewer. A batch reads each
/// conversation once and stores its messages together.
/// <para>
/// A message's screening depends on what arrived before it, so a later copy of a message (a redelivery) would be
/// judged against a conversation and a sender history that have moved on. A copy the host knows was admitted before
/// (<see cref="Redelivery"/>) is therefore looked up first (<see cref="IActedDecisions"/>): if its id was released or
/// routed, that decision is reused and the copy is not screened again; if nothing was done yet and the first copy was
/// admitted within <see cref="ConversationOptions.EarlierCopyLease"/>, the copy waits for the next delivery (the first
/// copy is presumably still screening); otherwise it is screened afresh. A later copy whose first copy is in the same
/// batch shares that copy's screening. First copies pay nothing for this.
/// </para>
/// </summary>
public sealed class ConversationScreening(
    IConversationStore store,
    ISenderHistoryStore senderHistory,
    ITextRuleScreen rules,
    IOptionsMonitor<ConversationOptions> options,
    TimeProvider time,
    IActedDecisions? acted = null)
{
    public Task<IReadOnlyList<ConversationView>> ScreenAsync(IReadOnlyList<ChatMessage> messages, IReadOnlyList<PrefilterScore> scores, CancellationToken cancellationToken) =>
        ScreenAsync(messages, scores, null, cancellationToken);

    /// <param name="redeliveries">Per message, null for a first copy, or what the host knows of an earlier admission of its id.</param>
    public async Task<IReadOnlyList<ConversationView>> ScreenAsync(IReadOnlyList<ChatMessage> messages, IReadOnlyList<PrefilterScore> scores, IReadOnlyList<Redelivery?>? redeliveries, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(messages);
        ArgumentNullException.ThrowIfNull(scores);
        if (redeliveries is not null && redeliveries.Count != messages.Count)
        {
            throw new ArgumentException($"{redeliveries.Count} redelivery entries for {messages.Count} messages.", nameof(redeliveries));
        }

        var settings = options.CurrentValue;
        var views = new ConversationView?[messages.Count];
        if (!settings.Enabled)
        {
            return scores.Select(s => new ConversationView(s, null)).ToList();
        }

        // A later copy whose first copy is in this very batch shares that copy's screening: nothing to look up or wait for.
        var twins = new Dictionary<int, int>();
        if (redeliveries is not null)
        {
            var firsts = new Dictionary<string, int>(StringComparer.Ordinal);
            for (var i = 0; i < messages.Count; i++)
            {
                if (redeliveries[i] is null)
                {
                    firsts.TryAdd(messages[i].MessageId, i);
                }
            }

            for (var i = 0; i < messages.Count; i++)
            {
                if (redeliveries[i] is not null && firsts.TryGetValue(messages[i].MessageId, out var first))
                {
                    twins[i] = first;
                }
            }
        }

        await SettleRedeliveriesAsync(messages, scores, redeliveries, twins, settings, views, cancellationToken);
        var fresh = Enumerable.Range(0, messages.Count).Where(i => views[i] is null && !twins.ContainsKey(i)).ToList();
        if (fresh.Count == 0)
        {
            return views!;
        }

        var since = time.GetUtcNow() - settings.SenderHistoryPeriod;
        var senders = fresh.Select(i => messages[i].SenderId).Distinct(StringComparer.Ordinal).ToList();
        var counts = await Task.WhenAll(senders.Select(s => senderHistory.CountSinceAsync(s, since, cancellationToken)));
        var histories = senders.Zip(counts).ToDictionary(p => p.First, p => new SenderHistory(p.Second.Blocked, p.Second.Released, settings.SenderHistoryPeriod), StringComparer.Ordinal);

        // One read and one write per conversation: its messages are screened in the order they were sent against the
        // stored window plus the batch's earlier messages, so a split within one batch is seen too. Conversations are
        // independent and run concurrently.
        await Task.WhenAll(fresh
            .GroupBy(i => messages[i].ConversationId, StringComparer.Ordinal)
            .Select(async group =>
            {
                var ordered = group.OrderBy(i => messages[i].SentAt).ToList();
                var window = (await store.ReadRecentAsync(group.Key, settings.WindowSize, cancellationToken)).ToList();
                foreach (var i in ordered)
                {
                    views[i] = ScreenOne(messages[i], scores[i], window, histories[messages[i].SenderId], settings);
                    window.RemoveAll(t => string.Equals(t.MessageId, messages[i].MessageId, StringComparison.Ordinal));
                    window.Add(ConversationTurn.From(messages[i]));
                    window.Sort(static (a, b) => a.SentAt != b.SentAt ? a.SentAt.CompareTo(b.SentAt) : string.CompareOrdinal(a.MessageId, b.MessageId));
                    if (window.Count > settings.WindowSize)
                    {
                        window.RemoveRange(0, window.Count - settings.WindowSize);
                    }
                }

                await store.AppendAllAsync(ordered.Select(i => messages[i]).ToList(), cancellationToken);
            }));
        foreach (var (twin, first) in twins)
        {
            views[twin] = views[first];
        }

        return views!;
    }

    /// <summary>Settles the known later copies: reused, deferred, failed (their look-up), or left null to be screened.</summary>
    private async Task SettleRedeliveriesAsync(
        IReadOnlyList<ChatMessage> messages,
        IReadOnlyList<PrefilterScore> scores,
        IReadOnlyList<Redelivery?>? redeliveries,
        Dictionary<int, int> twins,
        ConversationOptions settings,
        ConversationView?[] views,
        CancellationToken cancellationToken)
    {
        if (redeliveries is null || acted is null)
        {
            return;
        }

        await Task.WhenAll(Enumerable.Range(0, messages.Count).Where(i => redeliveries[i] is not null && !twins.ContainsKey(i)).Select(async i =>
        {
            var copy = redeliveries[i]!;
            var id = messages[i].MessageId;
            ActedDecision earlier;
            try
            {
                earlier = await acted.FindAsync(id, cancellationToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                views[i] = new ConversationView(scores[i], null, Error: ex);
                return;
            }

            if (earlier != ActedDecision.None)
            {
                views[i] = new ConversationView(scores[i], null, earlier);
            }
            else if (!copy.LastAttempt && time.GetUtcNow() - copy.FirstAdmittedAt < settings.EarlierCopyLease)
            {
                views[i] = new ConversationView(scores[i], null, Error: new EarlierCopyInFlightException(id, copy.FirstAdmittedAt));
            }
        }));
    }

    /// <param name="recent">The conversation's most recent messages, oldest first, as stored before this one.</param>
    private ConversationView ScreenOne(ChatMessage message, PrefilterScore score, IReadOnlyList<ConversationTurn> recent, SenderHistory history, ConversationOptions settings)
    {
        // A redelivered message finds itself in the store; a late one must not see what was sent after it.
        var earlier = recent
            .Where(t => !string.Equals(t.MessageId, message.MessageId, StringComparison.Ordinal) && t.SentAt <= message.SentAt)
            .ToList();
        var ownEarlier = earlier
            .Where(t => string.Equals(t.SenderId, message.SenderId, StringComparison.Ordinal) && message.SentAt - t.SentAt <= settings.SplitScreenWithin)
            .TakeLast(settings.SplitScreenMessages)
            .ToList();

        var split = SplitMessageHits.Find(rules, ownEarlier, message.Text ?? string.Empty);
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
