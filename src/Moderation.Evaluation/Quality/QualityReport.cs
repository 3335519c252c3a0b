using System.Text.Json.Serialization;
using Moderation.Core.Audit;

namespace Moderation.Evaluation.Quality;

/// <summary>
/// What the audit trail says about a period: volumes, routed share, LLM cost, review SLA, and how well each tier
/// agreed with the reviewers. Carries ids, categories and numbers only, never message text.
/// </summary>
public sealed record QualityReport(
    DateTimeOffset From,
    DateTimeOffset To,
    QualityVolumes Volumes,
    IReadOnlyList<DailyVolume> Days,
    LlmCostSummary Cost,
    ReviewSla Review,
    LlmAgreement Llm,
    PrefilterAgreement Prefilter,
    IReadOnlyList<Disagreement> Disagreements)
{
    /// <summary>The audit records of every disagreeing case, for the evaluation set (they hold the text; not serialized).</summary>
    [JsonIgnore]
    public IReadOnlyList<IReadOnlyList<AuditRecord>> DisagreementCases { get; init; } = [];
}

/// <param name="Screened">Messages the pre-filter screened in the period.</param>
/// <param name="Routed">Screened messages that became a case (suspicious).</param>
/// <param name="RoutedShare">Routed / screened; null when nothing was screened.</param>
/// <param name="Finished">Cases and clean messages delivered, keyed "disposition by decider" (e.g. "blocked by reviewer").</param>
/// <param name="InProgress">Cases with no delivery yet (waiting for the LLM or a reviewer, or stuck).</param>
/// <param name="LlmFailed">Cases whose LLM classification failed after retries.</param>
public sealed record QualityVolumes(
    int Screened,
    int Routed,
    double? RoutedShare,
    IReadOnlyDictionary<string, int> Finished,
    int InProgress,
    int LlmFailed);

/// <param name="Day">The UTC day of screening.</param>
public sealed record DailyVolume(DateOnly Day, int Screened, int Routed, int Blocked);

/// <param name="CostPer1000Messages">Over all screened messages: what the LLM tier costs per 1,000 messages of traffic.</param>
/// <param name="CostPer1000Cases">Over the classified cases only.</param>
public sealed record LlmCostSummary(
    int Classifications,
    long InputTokens,
    long OutputTokens,
    decimal TotalCostUsd,
    decimal? CostPer1000Messages,
    decimal? CostPer1000Cases);

/// <param name="Requested">Cases sent to review in the period.</param>
/// <param name="Decided">Reviews a reviewer decided before the deadline.</param>
/// <param name="TimedOut">Reviews whose deadline passed (the category default applied).</param>
/// <param name="Pending">Reviews neither decided nor timed out yet.</param>
/// <param name="WaitSeconds">Percentiles of the wait from request to decision, decided reviews only (p50, p90, p95, p99, max).</param>
public sealed record ReviewSla(
    int Requested,
    int Decided,
    int TimedOut,
    int Pending,
    double? TimeoutShare,
    IReadOnlyDictionary<string, double> WaitSeconds);

/// <summary>Agreement of one category (one-versus-rest) with the reviewers.</summary>
/// <param name="Support">Cases the reviewers put in this category.</param>
/// <param name="Predicted">Cases the tier put in this category.</param>
public sealed record CategoryAgreement(string Category, int Support, int Predicted, int Agreed, double? Precision, double? Recall);

/// <summary>The LLM verdict against the reviewer's decision, on every case a reviewer decided that had a verdict.</summary>
/// <param name="Compared">Reviewer-decided cases with an LLM verdict.</param>
/// <param name="WithoutVerdict">Reviewer-decided cases the LLM could not classify (failed after retries, or not configured).</param>
/// <param name="Accuracy">Share of compared cases in the reviewer's category.</param>
/// <param name="ViolationAgreement">Share of compared cases where the LLM and the reviewer agree on violation versus clean.</param>
/// <param name="Categories">The category order of <paramref name="Confusion"/>'s rows (reviewer) and columns (LLM).</param>
public sealed record LlmAgreement(
    int Compared,
    int WithoutVerdict,
    double? Accuracy,
    double? ViolationAgreement,
    IReadOnlyList<CategoryAgreement> PerCategory,
    IReadOnlyList<string> Categories,
    IReadOnlyList<IReadOnlyList<int>> Confusion);

/// <summary>
/// The pre-filter against the reviewers. The pre-filter only says suspicious or clean, and only suspicious messages
/// reach a reviewer, so on reviewed cases it can be right (the reviewer blocked) or a false alarm (released): its
/// precision is measurable, its recall is not (released messages are never reviewed).
/// </summary>
/// <param name="Reviewed">Reviewer-decided cases (all flagged by the pre-filter).</param>
/// <param name="ConfirmedViolations">Cases the reviewer blocked.</param>
/// <param name="FalseAlarms">Cases the reviewer released.</param>
/// <param name="ReviewerCategories">Per reviewer category: how many flagged cases the reviewers put there.</param>
/// <param name="Rules">Per rule id: cases it fired on, and the share the reviewers blocked.</param>
public sealed record PrefilterAgreement(
    int Reviewed,
    int ConfirmedViolations,
    int FalseAlarms,
    double? Precision,
    IReadOnlyDictionary<string, int> ReviewerCategories,
    IReadOnlyList<RuleAgreement> Rules);

public sealed record RuleAgreement(string RuleId, int Fired, int Blocked, double? Precision);

/// <summary>A reviewer-decided case where a tier disagreed with the reviewer.</summary>
/// <param name="Tiers">Which tiers disagreed: <c>llm</c> (other category), <c>prefilter</c> (flagged a message the reviewer released).</param>
public sealed record Disagreement(
    string CaseId,
    DateTime ReviewedAt,
    string ReviewerCategory,
    string? LlmCategory,
    double? LlmConfidence,
    double? PrefilterScore,
    IReadOnlyList<string> RuleIds,
    IReadOnlyList<string> Tiers);
