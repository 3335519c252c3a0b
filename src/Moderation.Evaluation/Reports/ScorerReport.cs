using Moderation.Evaluation.Metrics;

namespace Moderation.Evaluation.Reports;

/// <summary>Recall when the LLM tier may take at most <see cref="RoutingFraction"/> of the messages.</summary>
/// <param name="Recall">At the routing fraction of the evaluated data.</param>
/// <param name="RecallInMix">With the routing fraction re-weighted for the report's class mix.</param>
public sealed record RecallAtRouting(double RoutingFraction, double Recall, double RecallInMix);

/// <summary>Every number the evaluation prints for one scorer (a model, the rules, or both), ready for JSON.</summary>
public sealed record ScorerReport
{
    /// <summary>The routing budgets the report always covers (share of messages sent to the LLM tier).</summary>
    public static IReadOnlyList<double> StandardRoutingFractions { get; } = [0.10, 0.20, 0.30];

    public required string Scorer { get; init; }

    public required int Count { get; init; }

    public required int Suspicious { get; init; }

    public required double RocAuc { get; init; }

    public required double PrAuc { get; init; }

    public required double Threshold { get; init; }

    /// <summary>Where the threshold came from (manifest, calibrated on validation, fixed).</summary>
    public required string ThresholdSource { get; init; }

    public required double Precision { get; init; }

    public required double Recall { get; init; }

    public required double F1 { get; init; }

    public required double FalsePositiveRate { get; init; }

    /// <summary>Share of messages routed at the threshold, at the class mix of the evaluated data.</summary>
    public required double RoutingFraction { get; init; }

    /// <summary>The suspicious share assumed for <see cref="RoutingFractionInMix"/> (0.10 = 90 % clean / 10 % suspicious).</summary>
    public required double MixSuspiciousShare { get; init; }

    public required double RoutingFractionInMix { get; init; }

    public required IReadOnlyList<RecallAtRouting> RecallAtRouting { get; init; }

    /// <summary>Computes the report for scores where "score &gt;= threshold" means routed.</summary>
    public static ScorerReport Create(string scorer, IReadOnlyList<double> scores, IReadOnlyList<bool> suspicious, double threshold, string thresholdSource, double mixSuspiciousShare)
    {
        var metrics = new BinaryClassificationMetrics(scores, suspicious);
        var at = metrics.At(threshold);
        return new ScorerReport
        {
            Scorer = scorer,
            Count = metrics.Count,
            Suspicious = metrics.Positives,
            RocAuc = metrics.RocAuc,
            PrAuc = metrics.AveragePrecision,
            Threshold = threshold,
            ThresholdSource = thresholdSource,
            Precision = at.Precision,
            Recall = at.Recall,
            F1 = at.F1,
            FalsePositiveRate = at.FalsePositiveRate,
            RoutingFraction = at.RoutingFraction,
            MixSuspiciousShare = mixSuspiciousShare,
            RoutingFractionInMix = at.RoutingFractionForMix(mixSuspiciousShare),
            RecallAtRouting = StandardRoutingFractions
                .Select(f => new RecallAtRouting(f, metrics.RecallAtRoutingFraction(f), metrics.RecallAtRoutingFraction(f, mixSuspiciousShare)))
                .ToArray(),
        };
    }
}
