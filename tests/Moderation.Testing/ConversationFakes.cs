using Moderation.Core.Conversations;
using Moderation.Core.Messages;

namespace Moderation.Testing;

/// <summary>The conversation store in memory, with the window the adapter keeps.</summary>
public sealed class InMemoryConversationStore(int windowSize = 20) : IConversationStore
{
    private readonly Dictionary<string, List<ConversationTurn>> conversations = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> conversationOf = new(StringComparer.Ordinal);

    public IEnumerable<ConversationTurn> All => conversations.Values.SelectMany(c => c);

    public Task AppendAsync(ChatMessage message, CancellationToken cancellationToken)
    {
        lock (conversations)
        {
            if (!conversations.TryGetValue(message.ConversationId, out var turns))
            {
                conversations[message.ConversationId] = turns = [];
            }

            turns.RemoveAll(t => t.MessageId == message.MessageId);
            turns.Add(ConversationTurn.From(message));
            turns.Sort((a, b) => a.SentAt.CompareTo(b.SentAt));
            if (turns.Count > windowSize)
            {
                turns.RemoveRange(0, turns.Count - windowSize);
            }

            conversationOf[message.MessageId] = message.ConversationId;
        }

        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<ConversationTurn>> ReadRecentAsync(string conversationId, int maxTurns, CancellationToken cancellationToken)
    {
        lock (conversations)
        {
            IReadOnlyList<ConversationTurn> turns = conversations.TryGetValue(conversationId, out var found) ? found.TakeLast(maxTurns).ToList() : [];
            return Task.FromResult(turns);
        }
    }

    public Task<int> EraseSenderAsync(string senderId, CancellationToken cancellationToken)
    {
        lock (conversations)
        {
            return Task.FromResult(conversations.Values.Sum(c => c.RemoveAll(t => t.SenderId == senderId)));
        }
    }

    public Task<int> EraseConversationAsync(string conversationId, CancellationToken cancellationToken)
    {
        lock (conversations)
        {
            var count = conversations.TryGetValue(conversationId, out var turns) ? turns.Count : 0;
            conversations.Remove(conversationId);
            return Task.FromResult(count);
        }
    }

    public Task<int> PurgeSentBeforeAsync(DateTimeOffset cutoff, CancellationToken cancellationToken)
    {
        lock (conversations)
        {
            return Task.FromResult(conversations.Values.Sum(c => c.RemoveAll(t => t.SentAt < cutoff)));
        }
    }
}

public sealed class InMemorySenderHistory : ISenderHistoryStore
{
    private readonly Dictionary<(string Sender, string Case), (bool Blocked, DateTimeOffset At)> cases = [];

    public int Count => cases.Count;

    public Task RecordAsync(string senderId, string caseId, bool blocked, DateTimeOffset decidedAt, CancellationToken cancellationToken)
    {
        lock (cases)
        {
            cases[(senderId, caseId)] = (blocked, decidedAt);
        }

        return Task.CompletedTask;
    }

    public Task<(int Blocked, int Released)> CountSinceAsync(string senderId, DateTimeOffset since, CancellationToken cancellationToken)
    {
        lock (cases)
        {
            var recent = cases.Where(c => c.Key.Sender == senderId && c.Value.At >= since).ToList();
            return Task.FromResult((recent.Count(c => c.Value.Blocked), recent.Count(c => !c.Value.Blocked)));
        }
    }

    public Task<int> EraseSenderAsync(string senderId, CancellationToken cancellationToken)
    {
        lock (cases)
        {
            var keys = cases.Keys.Where(k => k.Sender == senderId).ToList();
            keys.ForEach(k => cases.Remove(k));
            return Task.FromResult(keys.Count);
        }
    }

    public Task<int> PurgeDecidedBeforeAsync(DateTimeOffset cutoff, CancellationToken cancellationToken)
    {
        lock (cases)
        {
            var keys = cases.Where(c => c.Value.At < cutoff).Select(c => c.Key).ToList();
            keys.ForEach(k => cases.Remove(k));
            return Task.FromResult(keys.Count);
        }
    }
}

/// <summary>
/// What was done for a message id, read from the fakes that act on it, as the adapter reads the delivery ledger and
/// the durable engine: a case in the case client, or a release or block recorded by the delivery gateway.
/// </summary>
public sealed class RecordedActedDecisions(FakeCaseClient cases, RecordingDeliveryGateway delivery) : IActedDecisions
{
    private int lookups;

    /// <summary>How many look-ups were made (first copies must make none).</summary>
    public int Lookups => lookups;

    public async Task<ActedDecision> FindAsync(string messageId, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref lookups);
        var moderationCase = await cases.GetCaseAsync(messageId, cancellationToken);
        Core.Delivery.Disposition? delivered =
            delivery.Released.Any(o => o.Message.MessageId == messageId) ? Core.Delivery.Disposition.Released
            : delivery.Blocked.Any(o => o.Message.MessageId == messageId) ? Core.Delivery.Disposition.Blocked
            : null;
        return ActedDecisions.From(moderationCase is not null, delivered);
    }
}
