using System.Text.Json;
using System.Text.Json.Serialization;
using Moderation.Core.Audit;
using Moderation.Core.Delivery;
using Moderation.Core.Policy;
using Moderation.Core.Review;
using Moderation.Storage.Queues;

namespace Moderation.Storage.Audit;

/// <summary>One moderated message as a labeled example (one JSON line of an export).</summary>
/// <param name="Label"><c>suspicious</c> or <c>clean</c>.</param>
/// <param name="Category">Wire name of the category; absent when the case was blocked without one (review timeout, no verdict).</param>
/// <param name="Source">Who decided: <c>reviewer</c> (a human label), or <c>llm</c>, <c>prefilter</c>, <c>timeout</c> (machine outcomes).</param>
public sealed record LabeledCaseExample(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("text")] string Text,
    [property: JsonPropertyName("label")] string Label,
    [property: JsonPropertyName("category")] string? Category,
    [property: JsonPropertyName("source")] string Source,
    [property: JsonPropertyName("decidedAt")] DateTimeOffset DecidedAt);

/// <summary>What an export wrote and skipped.</summary>
public sealed record LabelExportSummary(int Written, int FromReviewers, int SkippedUndecided, int SkippedNotReviewed);

/// <summary>
/// Turns the audit trail into labeled examples for evaluation and fine-tuning: the reviewer's decision when there was
/// one (the label that matters), else the final outcome. Cases still in progress are skipped.
/// </summary>
public sealed class LabeledExampleExporter(TableAuditLog auditLog)
{
    /// <summary>The label of one case, or null when it has no decision (yet) or no message text.</summary>
    public static LabeledCaseExample? ToExample(IReadOnlyList<AuditRecord> records)
    {
        ArgumentNullException.ThrowIfNull(records);
        var message = records.Select(r => r.Message).FirstOrDefault(m => m is not null);
        if (message is null)
        {
            return null;
        }

        var review = records.FirstOrDefault(r => r.Stage == AuditStage.ReviewDecided)?.ReviewDecision;
        if (review is not null)
        {
            var blocked = review.Action == ReviewAction.Block;
            var category = blocked ? review.Category : PolicyCategory.Clean;
            return new(message.MessageId, message.Text, blocked ? "suspicious" : "clean", category.WireName(), "reviewer", review.DecidedAt);
        }

        var outcome = records.FirstOrDefault(r => r.Stage == AuditStage.Delivered)?.Outcome;
        if (outcome is null)
        {
            return null;
        }

        var released = outcome.Disposition == Disposition.Released;
        var source = JsonSerializer.Serialize(outcome.DecidedBy, Core.Serialization.ModerationJson.Options).Trim('"');
        return new(
            message.MessageId,
            message.Text,
            released ? "clean" : "suspicious",
            released ? PolicyCategory.Clean.WireName() : outcome.Category?.WireName(),
            source,
            new DateTimeOffset(DateTime.SpecifyKind(outcome.DecidedAt, DateTimeKind.Utc)));
    }

    /// <summary>Writes every decided case as one JSON line.</summary>
    /// <param name="reviewedOnly">Only cases a human decided (labels free of the models' own bias).</param>
    public async Task<LabelExportSummary> ExportAsync(TextWriter output, bool reviewedOnly, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(output);
        int written = 0, reviewed = 0, undecided = 0, notReviewed = 0;
        await foreach (var records in auditLog.ReadAllCasesAsync(cancellationToken))
        {
            var example = ToExample(records);
            if (example is null)
            {
                undecided++;
                continue;
            }

            if (reviewedOnly && example.Source != "reviewer")
            {
                notReviewed++;
                continue;
            }

            await output.WriteLineAsync(JsonSerializer.Serialize(example, QueueBodyWriter.JsonOptions).AsMemory(), cancellationToken);
            written++;
            reviewed += example.Source == "reviewer" ? 1 : 0;
        }

        await output.FlushAsync(cancellationToken);
        return new LabelExportSummary(written, reviewed, undecided, notReviewed);
    }
}
