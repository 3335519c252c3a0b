namespace Moderation.Evaluation.Metrics;

/// <summary>
/// Chooses a decision threshold on scored, labeled data (the validation split): for a recall the business needs, or
/// for the share of traffic the LLM tier can afford. Thresholds are always observed scores, so the returned operating
/// point is exactly what the "score &gt;= threshold" rule produces on this data.
/// </summary>
public static class ThresholdCalibration
{
    // Guards the comparisons against the rounding of rates such as 0.1 + 0.2.
    private const double Tolerance = 1e-12;

    /// <summary>
    /// The highest threshold that still catches at least <paramref name="targetRecall"/> of suspicious messages (so
    /// the fewest clean messages are routed for that recall).
    /// </summary>
    public static ThresholdMetrics ForRecall(BinaryClassificationMetrics metrics, double targetRecall)
    {
        ArgumentNullException.ThrowIfNull(metrics);
        ArgumentOutOfRangeException.ThrowIfNegative(targetRecall);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(targetRecall, 1.0);
        if (metrics.Positives == 0)
        {
            throw new ArgumentException("The data has no suspicious message, so recall is undefined.", nameof(metrics));
        }

        if (targetRecall <= 0)
        {
            return metrics.RouteNothing;
        }

        foreach (var point in metrics.OperatingPoints)
        {
            if (point.Recall >= targetRecall - Tolerance)
            {
                return point;
            }
        }

        // Unreachable: the last operating point routes everything, recall 1.
        return metrics.OperatingPoints[^1];
    }

    /// <summary>
    /// The lowest threshold whose routing fraction is at most <paramref name="targetRoutingFraction"/> (the most
    /// recall the LLM budget allows). When even the top-scoring tie group exceeds the budget, nothing is routed.
    /// </summary>
    /// <param name="suspiciousShare">Null: routing fraction of the evaluated data; else re-weighted for that class mix.</param>
    public static ThresholdMetrics ForRoutingFraction(BinaryClassificationMetrics metrics, double targetRoutingFraction, double? suspiciousShare = null)
    {
        ArgumentNullException.ThrowIfNull(metrics);
        ArgumentOutOfRangeException.ThrowIfNegative(targetRoutingFraction);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(targetRoutingFraction, 1.0);
        var best = metrics.RouteNothing;
        foreach (var point in metrics.OperatingPoints)
        {
            var routed = suspiciousShare is { } share ? point.RoutingFractionForMix(share) : point.RoutingFraction;
            if (routed > targetRoutingFraction + Tolerance)
            {
                break;
            }

            best = point;
        }

        return best;
    }
}
