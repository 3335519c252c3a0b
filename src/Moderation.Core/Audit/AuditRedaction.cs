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
            Message = record.Message is { } message
                ? message with
                {
                    Text = string.Empty,
                    Metadata = null,
                    SenderId = Replace(message.SenderId, erasedPartyId),
                }
                : null,
            Prefilter = record.Prefilter is { } score
                ? score with { RuleHits = score.RuleHits.Select(h => h with { Evidence = string.Empty }).ToList() }
                : null,
            Verdict = record.Verdict is { } verdict ? verdict with { Rationale = Erased, Evidence = [] } : null,
            ReviewDecision = record.ReviewDecision is { Notes: not null } decision ? decision with { Notes = Erased } : record.ReviewDecision,
            Error = record.Error is null ? null : Erased,
            Conversation = record.Conversation is { } conversation ? conversation with { Preceding = [] } : null,
        };
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
        record.Message is { } message
        && ((senderId is not null && message.SenderId == senderId)
            || (conversationId is not null && message.ConversationId == conversationId));

    private static string Replace(string id, string? erased) => erased is not null && id == erased ? Erased : id;
}
