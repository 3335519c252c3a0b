namespace Moderation.Evaluation.Metrics;

/// <summary>
/// Ranking and threshold metrics for a binary "suspicious" score over labeled messages. The scores are sorted once;
/// every distinct score is an operating point, so tied scores always move together (a threshold cannot split a tie).
/// </summary>
public sealed class BinaryClassificationMetrics
{
    private readonly ThresholdMetrics[] operatingPoints;

    public BinaryClassificationMetrics(IReadOnlyList<double> scores, IReadOnlyList<bool> suspicious)
    {
        ArgumentNullException.ThrowIfNull(scores);
        ArgumentNullException.ThrowIfNull(suspicious);
        if (scores.Count != suspicious.Count)
        {
            throw new ArgumentException($"{scores.Count} scores for {suspicious.Count} labels.", nameof(scores));
        }

        var order = Enumerable.Range(0, scores.Count).ToArray();
        foreach (var i in order)
        {
            if (double.IsNaN(scores[i]))
            {
                throw new ArgumentException($"Score {i} is NaN.", nameof(scores));
            }
        }

        Array.Sort(order, (a, b) => scores[b].CompareTo(scores[a]));
        Count = scores.Count;
        Positives = suspicious.Count(s => s);
        Negatives = Count - Positives;

        var points = new List<ThresholdMetrics>();
        int truePositives = 0, falsePositives = 0;
        for (var k = 0; k < order.Length; k++)
        {
            if (suspicious[order[k]])
            {
                truePositives++;
            }
            else
            {
                falsePositives++;
            }

            var last = k == order.Length - 1 || scores[order[k + 1]] != scores[order[k]];
            if (last)
            {
                points.Add(new ThresholdMetrics(scores[order[k]], truePositives, falsePositives, Negatives - falsePositives, Positives - truePositives));
            }
        }

        operatingPoints = [.. points];
        RocAuc = ComputeRocAuc();
        AveragePrecision = ComputeAveragePrecision();
    }

    public int Count { get; }

    public int Positives { get; }

    public int Negatives { get; }

    /// <summary>
    /// Area under the ROC curve: the probability that a random suspicious message scores higher than a random clean
    /// one, ties counting one half (the Mann-Whitney U statistic). NaN when either class is absent.
    /// </summary>
    public double RocAuc { get; }

    /// <summary>
    /// Area under the precision-recall curve as average precision: the sum over operating points of (recall gained) x
    /// precision, with no interpolation (the scikit-learn definition). NaN when no message is suspicious.
    /// </summary>
    public double AveragePrecision { get; }

    /// <summary>One entry per distinct score, highest threshold first; entry k routes every score &gt;= its threshold.</summary>
    public IReadOnlyList<ThresholdMetrics> OperatingPoints => operatingPoints;

    /// <summary>The operating point routing nothing (a threshold above every score).</summary>
    public ThresholdMetrics RouteNothing => new(
        operatingPoints.Length == 0 ? 1.0 : Math.BitIncrement(operatingPoints[0].Threshold), 0, 0, Negatives, Positives);

    /// <summary>Counts and rates when every score &gt;= <paramref name="threshold"/> is routed.</summary>
    public ThresholdMetrics At(double threshold)
    {
        // Operating points are in descending threshold order: find the last one still at or above the threshold.
        int low = 0, high = operatingPoints.Length - 1, found = -1;
        while (low <= high)
        {
            var mid = (low + high) / 2;
            if (operatingPoints[mid].Threshold >= threshold)
            {
                found = mid;
                low = mid + 1;
            }
            else
            {
                high = mid - 1;
            }
        }

        if (found < 0)
        {
            return RouteNothing with { Threshold = threshold };
        }

        return operatingPoints[found] with { Threshold = threshold };
    }

    /// <summary>
    /// Recall when the LLM tier can take at most <paramref name="routingFraction"/> of messages: the lowest threshold
    /// whose routing fraction does not exceed the budget (see <see cref="ThresholdCalibration.ForRoutingFraction"/>).
    /// </summary>
    /// <param name="suspiciousShare">Null: the routing fraction of the evaluated data; else re-weighted for that class mix.</param>
    public double RecallAtRoutingFraction(double routingFraction, double? suspiciousShare = null) =>
        ThresholdCalibration.ForRoutingFraction(this, routingFraction, suspiciousShare).Recall;

    private double ComputeRocAuc()
    {
        if (Positives == 0 || Negatives == 0)
        {
            return double.NaN;
        }

        // Trapezoids between consecutive operating points: a tie group adds a diagonal segment, i.e. half credit.
        double area = 0;
        int previousTp = 0, previousFp = 0;
        foreach (var point in operatingPoints)
        {
            area += (point.FalsePositives - previousFp) * (point.TruePositives + previousTp) / 2.0;
            previousTp = point.TruePositives;
            previousFp = point.FalsePositives;
        }

        return area / ((double)Positives * Negatives);
    }

    private double ComputeAveragePrecision()
    {
        if (Positives == 0)
        {
            return double.NaN;
        }

        double sum = 0;
        var previousTp = 0;
        foreach (var point in operatingPoints)
        {
            sum += (point.TruePositives - previousTp) * point.Precision;
            previousTp = point.TruePositives;
        }

        return sum / Positives;
    }
}
