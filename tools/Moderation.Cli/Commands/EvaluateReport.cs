using Moderation.Evaluation.Reports;

namespace Moderation.Cli.Commands;

/// <summary>What <c>moderation evaluate --json</c> writes: the data evaluated, then one report per scorer.</summary>
internal sealed record EvaluateReport(
    string Data,
    int Count,
    int Suspicious,
    string ModelVersion,
    double ModelThreshold,
    string? Baseline,
    string? BaselineSkipped,
    IReadOnlyList<ScorerReport> Scorers,
    IReadOnlyList<RuleHitSummary> RuleHits,
    IReadOnlyList<CategoryRecallRow> CategoryRecall);

/// <summary>How often one rule fired on the evaluated data and how often it was right.</summary>
internal sealed record RuleHitSummary(string RuleId, int Messages, int Suspicious)
{
    public double Precision => Messages == 0 ? double.NaN : (double)Suspicious / Messages;
}
