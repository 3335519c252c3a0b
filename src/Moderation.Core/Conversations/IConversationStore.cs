using Moderation.Core.Messages;

namespace Moderation.Core.Conversations;

/// <summary>
/// Port: the recent messages of each conversation, kept for screening across messages and as context. Bounded per
/// conversation (<see cref="ConversationOptions.WindowSize"/>) and in time (<see cref="ConversationOptions.Retention"/>).
/// Idempotent per message id: storing a redelivered message again leaves one copy.
/// </summary>
public interface IConversationStore
{
    /// <summary>Stores a message and drops the conversation's oldest beyond the window.</summary>
    Task AppendAsync(ChatMessage message, CancellationToken cancellationToken);

    /// <summary>
    /// Stores a batch's messages like <see cref="AppendAsync"/> one by one. Adapters whose key layout allows it
    /// override this to write each conversation's messages together.
    /// </summary>
    async Task AppendAllAsync(IReadOnlyList<ChatMessage> messages, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(messages);
        foreach (var message in messages)
        {
            await AppendAsync(message, cancellationToken);
        }
    }

    /// <summary>Up to <paramref name="maxTurns"/> most recent messages of a conversation, oldest first.</summary>
    Task<IReadOnlyList<ConversationTurn>> ReadRecentAsync(string conversationId, int maxTurns, CancellationToken cancellationToken);

    /// <summary>Deletes every stored message written by a sender; returns how many were deleted.</summary>
    Task<int> EraseSenderAsync(string senderId, CancellationToken cancellationToken);

    /// <summary>Deletes every stored message of a conversation; returns how many were deleted.</summary>
    Task<int> EraseConversationAsync(string conversationId, CancellationToken cancellationToken);

    /// <summary>Deletes messages sent before <paramref name="cutoff"/>; returns how many were deleted.</summary>
    Task<int> PurgeSentBeforeAsync(DateTimeOffset cutoff, CancellationToken cancellationToken);
}

/// <summary>
/// Port: a sender's decided cases (blocked or released by the workflow), written at delivery, read at screening.
/// Idempotent per case id.
/// </summary>
public interface ISenderHistoryStore
{
    Task RecordAsync(string senderId, string caseId, bool blocked, DateTimeOffset decidedAt, CancellationToken cancellationToken);

    /// <summary>Counts of the sender's cases decided at or after <paramref name="since"/>.</summary>
    Task<(int Blocked, int Released)> CountSinceAsync(string senderId, DateTimeOffset since, CancellationToken cancellationToken);

    /// <summary>Deletes a sender's history; returns how many rows were deleted.</summary>
    Task<int> EraseSenderAsync(string senderId, CancellationToken cancellationToken);

    /// <summary>Deletes cases decided before <paramref name="cutoff"/>; returns how many were deleted.</summary>
    Task<int> PurgeDecidedBeforeAsync(DateTimeOffset cutoff, CancellationToken cancellationToken);
}

/// <summary>
/// Port: the rule screen over arbitrary text (the pre-filter's rules without its model), used on a sender's recent
/// messages joined together. Hits carry their place in the text given.
/// </summary>
public interface ITextRuleScreen
{
    IReadOnlyList<Screening.RuleHit> Screen(string text);
}
