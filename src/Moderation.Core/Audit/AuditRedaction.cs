namespace Moderation.Core.Audit;

/// <summary>
/// An audit record with every text a person wrote taken out (the message, rule evidence, the LLM's rationale and
/// quotes, reviewer notes, error details), keeping what is not personal: ids of the case, stages, times, rule ids,
/// scores, categories and outcomes, so counts and dashboards survive an erasure.
/// </summary>
public static class AuditRedaction
{
    public const string Erased = "(erased)";

    /// <param name="erasedPartyId">The erased sender, whose id is replaced as well; null keeps participant ids.</param>
    public static AuditRecord Redact(AuditRecord record, string? erasedPartyId = null)
    {
        ArgumentNullException.ThrowIfNull(record);
        return record with
        {
            Message = record.Message is { } message ? Redact(message, erasedPartyId) : null,
            Prefilter = record.Prefilter is { } score ? Redact(score) : null,
            Verdict = record.Verdict is { } verdict ? Redact(verdict) : null,
            ReviewDecision = record.ReviewDecision is { Notes: not null } decision ? decision with { Notes = Erased } : record.ReviewDecision,
            Error = record.Error is null ? null : Erased,
            Conversation = record.Conversation is { } conversation ? conversation with { Preceding = [] } : null,
        };
    }

    /// <summary>The message without its text and metadata; the erased sender's id replaced.</summary>
    public static Messages.ChatMessage Redact(Messages.ChatMessage message, string? erasedPartyId = null)
    {
        ArgumentNullException.ThrowIfNull(message);
        return message with { Text = string.Empty, Metadata = null, SenderId = Replace(message.SenderId, erasedPartyId) };
    }

    /// <summary>The score without the text its rule hits quote (rule ids and spans stay).</summary>
    public static Screening.PrefilterScore Redact(Screening.PrefilterScore score)
    {
        ArgumentNullException.ThrowIfNull(score);
        return score with { RuleHits = score.RuleHits.Select(h => h with { Evidence = string.Empty }).ToList() };
    }

    /// <summary>The verdict without the LLM's rationale and quotes (category and confidence stay).</summary>
    public static Classification.LlmVerdict Redact(Classification.LlmVerdict verdict)
    {
        ArgumentNullException.ThrowIfNull(verdict);
        return verdict with { Rationale = Erased, Evidence = [] };
    }

    /// <summary>True when the message was written by the sender, or belongs to the conversation.</summary>
    public static bool Concerns(Messages.ChatMessage message, string? senderId, string? conversationId)
    {
        ArgumentNullException.ThrowIfNull(message);
        return (senderId is not null && message.SenderId == senderId) || (conversationId is not null && message.ConversationId == conversationId);
    }

    /// <summary>True when the record's conversation context quotes a message of the sender (or of the conversation).</summary>
    public static bool QuotesContext(AuditRecord record, string? senderId) =>
        record.Conversation is { } conversation && senderId is not null && conversation.Preceding.Any(t => t.SenderId == senderId);

    /// <summary>The record without the sender's messages in its conversation context (another person's case that quoted them).</summary>
    public static AuditRecord WithoutContextOf(AuditRecord record, string senderId)
    {
        ArgumentNullException.ThrowIfNull(record);
        return record.Conversation is { } conversation
            ? record with { Conversation = conversation with { Preceding = conversation.Preceding.Where(t => t.SenderId != senderId).ToList() } }
            : record;
    }

    /// <summary>True when the record holds a message written by the sender, or of the conversation.</summary>
    public static bool Concerns(AuditRecord record, string? senderId, string? conversationId) =>
        record.Message is { } message && Concerns(message, senderId, conversationId);

    private static string Replace(string id, string? erased) => erased is not null && id == erased ? Erased : id;
}
