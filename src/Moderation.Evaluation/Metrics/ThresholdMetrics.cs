namespace Moderation.Evaluation.Metrics;

/// <summary>
/// The confusion counts when every message scoring at or above <see cref="Threshold"/> is routed to the LLM tier
/// (the same "score &gt;= threshold" rule as the screening policy), and the rates derived from them.
/// </summary>
public sealed record ThresholdMetrics(double Threshold, int TruePositives, int FalsePositives, int TrueNegatives, int FalseNegatives)
{
    public int Count => TruePositives + FalsePositives + TrueNegatives + FalseNegatives;

    public int Routed => TruePositives + FalsePositives;

    /// <summary>Of the routed messages, the share that is suspicious; 1 when nothing is routed (no false alarms).</summary>
    public double Precision => Routed == 0 ? 1.0 : (double)TruePositives / Routed;

    /// <summary>Of the suspicious messages, the share routed; NaN when there are none.</summary>
    public double Recall => Ratio(TruePositives, TruePositives + FalseNegatives);

    /// <summary>Of the clean messages, the share routed (wasted LLM calls); NaN when there are none.</summary>
    public double FalsePositiveRate => Ratio(FalsePositives, FalsePositives + TrueNegatives);

    public double F1 => TruePositives == 0 ? 0.0 : 2.0 * TruePositives / (2.0 * TruePositives + FalsePositives + FalseNegatives);

    /// <summary>Share of all messages routed to the LLM tier, at the class mix of the evaluated data.</summary>
    public double RoutingFraction => Ratio(Routed, Count);

    /// <summary>
    /// Share of messages routed if the traffic had <paramref name="suspiciousShare"/> suspicious messages (e.g. 0.10 for
    /// a 90 % clean / 10 % suspicious mix): suspiciousShare x recall + (1 - suspiciousShare) x false-positive rate.
    /// Public data is far more suspicious than real chat, so the raw routing fraction overstates the LLM load.
    /// </summary>
    public double RoutingFractionForMix(double suspiciousShare)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(suspiciousShare, 0.0);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(suspiciousShare, 1.0);
        return (suspiciousShare * Recall) + ((1.0 - suspiciousShare) * FalsePositiveRate);
    }

    private static double Ratio(int numerator, int denominator) => denominator == 0 ? double.NaN : (double)numerator / denominator;
}
