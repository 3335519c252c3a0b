using Moderation.Core.Audit;
using Moderation.Core.Delivery;
using Moderation.Core.Policy;
using Moderation.Core.Review;

namespace Moderation.Evaluation.Quality;

/// <summary>
/// Builds a <see cref="QualityReport"/> from the audit trail, one case at a time (the table is read as a stream, so
/// only counters and the disagreeing cases are held). A case belongs to the period when it was screened in it,
/// <c>[from, to)</c>.
/// </summary>
public sealed class QualityReportBuilder(DateTimeOffset from, DateTimeOffset to)
{
    private static readonly PolicyCategory[] Categories = Enum.GetValues<PolicyCategory>();

    private readonly Dictionary<string, int> finished = new(StringComparer.Ordinal);
    private readonly SortedDictionary<DateOnly, (int Screened, int Routed, int Blocked)> days = [];
    private readonly List<double> reviewWaits = [];
    private readonly int[,] confusion = new int[Categories.Length, Categories.Length];
    private readonly Dictionary<string, int> reviewerCategories = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (int Fired, int Blocked)> rules = new(StringComparer.Ordinal);
    private readonly List<(Disagreement Summary, IReadOnlyList<AuditRecord> Records)> disagreements = [];

    private int screened, routed, inProgress, llmFailed;
    private int classifications;
    private long inputTokens, outputTokens;
    private decimal cost;
    private int reviewRequested, reviewDecided, reviewTimedOut;
    private int reviewedWithoutVerdict;
    private int prefilterReviewed, prefilterConfirmed;

    /// <summary>Adds one case's records (any order); cases screened outside the period are ignored.</summary>
    /// <returns>True when the case was in the period.</returns>
    public bool Add(IReadOnlyList<AuditRecord> records)
    {
        ArgumentNullException.ThrowIfNull(records);
        if (records.Count == 0)
        {
            return false;
        }

        var byStage = records.GroupBy(r => r.Stage).ToDictionary(g => g.Key, g => g.Last());
        var screenedAt = byStage.TryGetValue(AuditStage.Screened, out var screenedRecord) ? screenedRecord.RecordedAt : records.Min(r => r.RecordedAt);
        var at = new DateTimeOffset(DateTime.SpecifyKind(screenedAt, DateTimeKind.Utc));
        if (at < from || at >= to)
        {
            return false;
        }

        var day = DateOnly.FromDateTime(at.UtcDateTime);
        var today = days.GetValueOrDefault(day);
        var delivered = byStage.GetValueOrDefault(AuditStage.Delivered)?.Outcome;

        // A case exists only for a suspicious message; a clean one is screened and delivered in one step.
        var isCase = screenedRecord?.Screening?.IsSuspicious ?? (delivered?.DecidedBy != DecidedBy.Prefilter);
        screened++;
        today.Screened++;
        if (isCase)
        {
            routed++;
            today.Routed++;
        }

        if (delivered is null)
        {
            inProgress++;
        }
        else
        {
            var key = $"{delivered.Disposition.ToString().ToLowerInvariant()} by {delivered.DecidedBy.ToString().ToLowerInvariant()}";
            finished[key] = finished.GetValueOrDefault(key) + 1;
            today.Blocked += delivered.Disposition == Disposition.Blocked ? 1 : 0;
        }

        days[day] = today;
        llmFailed += byStage.ContainsKey(AuditStage.LlmFailed) ? 1 : 0;

        var verdict = byStage.GetValueOrDefault(AuditStage.LlmClassified)?.Verdict;
        if (verdict is not null)
        {
            classifications++;
            inputTokens += verdict.Usage.InputTokens;
            outputTokens += verdict.Usage.OutputTokens;
            cost += verdict.Usage.EstimatedCostUsd;
        }

        AddReview(byStage);
        if (byStage.GetValueOrDefault(AuditStage.ReviewDecided) is { ReviewDecision: { } review } reviewed)
        {
            AddAgreement(records, screenedRecord, verdict, review, reviewed.RecordedAt);
        }

        return true;
    }

    public QualityReport Build()
    {
        var perCategory = new List<CategoryAgreement>();
        var compared = 0;
        var agreed = 0;
        var violationAgreed = 0;
        for (var r = 0; r < Categories.Length; r++)
        {
            for (var p = 0; p < Categories.Length; p++)
            {
                compared += confusion[r, p];
                agreed += r == p ? confusion[r, p] : 0;
                violationAgreed += (r == 0) == (p == 0) ? confusion[r, p] : 0;
            }
        }

        for (var c = 0; c < Categories.Length; c++)
        {
            var support = Enumerable.Range(0, Categories.Length).Sum(p => confusion[c, p]);
            var predicted = Enumerable.Range(0, Categories.Length).Sum(r => confusion[r, c]);
            var hits = confusion[c, c];
            perCategory.Add(new CategoryAgreement(Categories[c].WireName(), support, predicted, hits, Ratio(hits, predicted), Ratio(hits, support)));
        }

        var matrix = Enumerable.Range(0, Categories.Length)
            .Select(r => (IReadOnlyList<int>)Enumerable.Range(0, Categories.Length).Select(p => confusion[r, p]).ToList())
            .ToList();

        var waits = reviewWaits.Order().ToList();
        var percentiles = waits.Count == 0
            ? new Dictionary<string, double>()
            : new Dictionary<string, double>
            {
                ["p50"] = Percentile(waits, 0.50),
                ["p90"] = Percentile(waits, 0.90),
                ["p95"] = Percentile(waits, 0.95),
                ["p99"] = Percentile(waits, 0.99),
                ["max"] = waits[^1],
            };
        var ended = reviewDecided + reviewTimedOut;
        var ordered = disagreements.OrderBy(d => d.Summary.ReviewedAt).ThenBy(d => d.Summary.CaseId, StringComparer.Ordinal).ToList();

        return new QualityReport(
            from,
            to,
            new QualityVolumes(screened, routed, Ratio(routed, screened), new SortedDictionary<string, int>(finished, StringComparer.Ordinal), inProgress, llmFailed),
            days.Select(d => new DailyVolume(d.Key, d.Value.Screened, d.Value.Routed, d.Value.Blocked)).ToList(),
            new LlmCostSummary(
                classifications,
                inputTokens,
                outputTokens,
                cost,
                screened == 0 ? null : cost / screened * 1000m,
                classifications == 0 ? null : cost / classifications * 1000m),
            new ReviewSla(reviewRequested, reviewDecided, reviewTimedOut, reviewRequested - ended < 0 ? 0 : reviewRequested - ended, Ratio(reviewTimedOut, ended), percentiles),
            new LlmAgreement(compared, reviewedWithoutVerdict, Ratio(agreed, compared), Ratio(violationAgreed, compared), perCategory, Categories.Select(c => c.WireName()).ToList(), matrix),
            new PrefilterAgreement(
                prefilterReviewed,
                prefilterConfirmed,
                prefilterReviewed - prefilterConfirmed,
                Ratio(prefilterConfirmed, prefilterReviewed),
                new SortedDictionary<string, int>(reviewerCategories, StringComparer.Ordinal),
                rules.OrderByDescending(r => r.Value.Fired).ThenBy(r => r.Key, StringComparer.Ordinal)
                    .Select(r => new RuleAgreement(r.Key, r.Value.Fired, r.Value.Blocked, Ratio(r.Value.Blocked, r.Value.Fired)))
                    .ToList()),
            ordered.Select(d => d.Summary).ToList())
        {
            DisagreementCases = ordered.Select(d => d.Records).ToList(),
        };
    }

    private void AddReview(Dictionary<AuditStage, AuditRecord> byStage)
    {
        if (!byStage.ContainsKey(AuditStage.ReviewRequested))
        {
            return;
        }

        reviewRequested++;
        if (byStage.GetValueOrDefault(AuditStage.ReviewDecided) is { } decided)
        {
            reviewDecided++;
            if (decided.Elapsed is { } waited)
            {
                reviewWaits.Add(waited.TotalSeconds);
            }
        }
        else if (byStage.ContainsKey(AuditStage.ReviewTimedOut))
        {
            reviewTimedOut++;
        }
    }

    private void AddAgreement(IReadOnlyList<AuditRecord> records, AuditRecord? screenedRecord, Core.Classification.LlmVerdict? verdict, ReviewDecision review, DateTime reviewedAt)
    {
        var truth = review.Action == ReviewAction.Block ? review.Category : PolicyCategory.Clean;
        var blocked = review.Action == ReviewAction.Block;
        var tiers = new List<string>(2);

        if (verdict is null)
        {
            reviewedWithoutVerdict++;
        }
        else
        {
            confusion[Array.IndexOf(Categories, truth), Array.IndexOf(Categories, verdict.Category)]++;
            if (verdict.Category != truth)
            {
                tiers.Add("llm");
            }
        }

        // Every reviewed case was flagged by the pre-filter; a release means it raised a false alarm.
        prefilterReviewed++;
        prefilterConfirmed += blocked ? 1 : 0;
        reviewerCategories[truth.WireName()] = reviewerCategories.GetValueOrDefault(truth.WireName()) + 1;
        var ruleIds = screenedRecord?.Prefilter?.RuleHits.Select(h => h.RuleId).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList() ?? [];
        foreach (var rule in ruleIds)
        {
            var counts = rules.GetValueOrDefault(rule);
            rules[rule] = (counts.Fired + 1, counts.Blocked + (blocked ? 1 : 0));
        }

        if (!blocked)
        {
            tiers.Add("prefilter");
        }

        if (tiers.Count > 0)
        {
            var summary = new Disagreement(
                records[0].CaseId,
                reviewedAt,
                truth.WireName(),
                verdict?.Category.WireName(),
                verdict?.Confidence,
                screenedRecord?.Prefilter?.Score,
                ruleIds,
                tiers);
            disagreements.Add((summary, records));
        }
    }

    private static double? Ratio(int part, int whole) => whole == 0 ? null : (double)part / whole;

    /// <summary>Nearest-rank percentile of sorted values.</summary>
    internal static double Percentile(IReadOnlyList<double> sorted, double quantile)
    {
        var rank = (int)Math.Ceiling(quantile * sorted.Count);
        return sorted[Math.Clamp(rank - 1, 0, sorted.Count - 1)];
    }
}
