using System.Text.Json.Serialization;
using Moderation.Core.Classification;
using Moderation.Core.Delivery;
using Moderation.Core.Messages;
using Moderation.Core.Review;
using Moderation.Core.Screening;
using Moderation.Core.Serialization;

namespace Moderation.Core.Audit;

/// <summary>The stages of a case's audit trail. Each stage occurs at most once per case.</summary>
[JsonConverter(typeof(WireEnumConverter<AuditStage>))]
public enum AuditStage
{
    /// <summary>Pre-filter input and output (score, rule hits, threshold, route).</summary>
    Screened,

    /// <summary>The LLM's verdict (or "not configured").</summary>
    LlmClassified,

    /// <summary>The LLM could not answer after retries.</summary>
    LlmFailed,

    /// <summary>Human review was requested.</summary>
    ReviewRequested,

    /// <summary>A reviewer decided.</summary>
    ReviewDecided,

    /// <summary>No reviewer decided before the deadline.</summary>
    ReviewTimedOut,

    /// <summary>The final outcome was carried out (released or blocked).</summary>
    Delivered,
}

/// <summary>
/// One stage of a case, with its input and output, so a case can be inspected, replayed against a new model or
/// prompt, and exported as a labeled example. Stored per case, keyed by (case id, stage): writing a stage twice
/// (a retry or a replay) leaves one record.
/// </summary>
public sealed record AuditRecord(
    string CaseId,
    AuditStage Stage,
    DateTime RecordedAt,
    string Summary,
    ChatMessage? Message = null,
    PrefilterScore? Prefilter = null,
    ScreeningDecision? Screening = null,
    LlmVerdict? Verdict = null,
    ReviewDecision? ReviewDecision = null,
    ModerationOutcome? Outcome = null,
    string? Error = null,
    TimeSpan? Elapsed = null)
{
    /// <summary>For a routed message's screening: the conversation context, split-hit contributors and sender history the case carries.</summary>
    public Conversations.ConversationContext? Conversation { get; init; }
}

/// <summary>Port: the per-case audit trail.</summary>
public interface IAuditLog
{
    /// <summary>Writes (or overwrites) the record for (case id, stage).</summary>
    Task RecordAsync(AuditRecord record, CancellationToken cancellationToken);

    /// <summary>
    /// Writes several records of one case, in order. Adapters that can store them in one round trip override this;
    /// the screening step uses it on the hot path of clean messages.
    /// </summary>
    async Task RecordAllAsync(IReadOnlyList<AuditRecord> records, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(records);
        foreach (var record in records)
        {
            await RecordAsync(record, cancellationToken);
        }
    }

    /// <summary>Reads a case's records in stage order; empty when the case is unknown.</summary>
    Task<IReadOnlyList<AuditRecord>> ReadCaseAsync(string caseId, CancellationToken cancellationToken);
}
