using Moderation.Core.Messages;

namespace Moderation.Core.Conversations;

/// <summary>One earlier message of a conversation, as kept for context: who wrote it, when, and its text.</summary>
public sealed record ConversationTurn(string MessageId, string SenderId, ParticipantRole SenderRole, string Text, DateTimeOffset SentAt)
{
    public static ConversationTurn From(ChatMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        return new(message.MessageId, message.SenderId, message.SenderRole, message.Text ?? string.Empty, message.SentAt);
    }
}

/// <summary>A sender's recent record: cases blocked and released within <see cref="Period"/>.</summary>
public sealed record SenderHistory(int RecentBlocked, int RecentReleased, TimeSpan Period)
{
    public static SenderHistory None(TimeSpan period) => new(0, 0, period);
}

/// <summary>
/// What the conversation adds to a routed case: the preceding messages (oldest first) shown to the LLM and the
/// reviewer as context, the earlier messages of the sender that completed a rule hit split across messages, and the
/// sender's recent history.
/// </summary>
public sealed record ConversationContext(
    IReadOnlyList<ConversationTurn> Preceding,
    IReadOnlyList<string> ContributingMessageIds,
    SenderHistory? SenderHistory);
