using Moderation.Evaluation.Metrics;

namespace Moderation.Evaluation.Tests.Metrics;

public sealed class BinaryClassificationMetricsTests
{
    private const double Precision = 1e-9;

    // Suspicious at 0.9 and 0.7; clean at 0.8 and 0.6.
    private static BinaryClassificationMetrics Interleaved() => new([0.9, 0.8, 0.7, 0.6], [true, false, true, false]);

    [Fact]
    public void Roc_auc_counts_the_share_of_suspicious_clean_pairs_ranked_correctly()
    {
        // Pairs: (0.9 > 0.8), (0.9 > 0.6), (0.7 > 0.6) correct, (0.7 < 0.8) wrong: 3 of 4.
        Assert.Equal(0.75, Interleaved().RocAuc, Precision);
    }

    [Fact]
    public void Roc_auc_gives_half_credit_to_tied_pairs()
    {
        // Suspicious 0.8, 0.5; clean 0.5, 0.2. Pairs: 1 + 1 + 0.5 (tie) + 1 = 3.5 of 4.
        var metrics = new BinaryClassificationMetrics([0.8, 0.5, 0.5, 0.2], [true, true, false, false]);
        Assert.Equal(0.875, metrics.RocAuc, Precision);
    }

    [Fact]
    public void Roc_auc_does_not_depend_on_the_order_of_tied_scores()
    {
        var suspiciousFirst = new BinaryClassificationMetrics([0.5, 0.5, 0.5], [true, false, false]);
        var suspiciousLast = new BinaryClassificationMetrics([0.5, 0.5, 0.5], [false, false, true]);
        Assert.Equal(0.5, suspiciousFirst.RocAuc, Precision);
        Assert.Equal(0.5, suspiciousLast.RocAuc, Precision);
    }

    [Fact]
    public void Roc_auc_is_one_for_a_perfect_ranking_and_zero_for_a_reversed_one()
    {
        Assert.Equal(1.0, new BinaryClassificationMetrics([0.9, 0.1], [true, false]).RocAuc, Precision);
        Assert.Equal(0.0, new BinaryClassificationMetrics([0.1, 0.9], [true, false]).RocAuc, Precision);
    }

    [Fact]
    public void Ranking_metrics_are_undefined_without_both_classes()
    {
        var onlyClean = new BinaryClassificationMetrics([0.2, 0.4], [false, false]);
        Assert.True(double.IsNaN(onlyClean.RocAuc));
        Assert.True(double.IsNaN(onlyClean.AveragePrecision));
        Assert.True(double.IsNaN(new BinaryClassificationMetrics([0.2, 0.4], [true, true]).RocAuc));
    }

    [Fact]
    public void Average_precision_sums_precision_at_each_recall_step()
    {
        // Recall steps at 0.9 (precision 1/1) and 0.7 (precision 2/3): (1 + 2/3) / 2.
        Assert.Equal((1.0 + (2.0 / 3.0)) / 2.0, Interleaved().AveragePrecision, Precision);
    }

    [Fact]
    public void Average_precision_scores_a_tie_group_at_its_pooled_precision()
    {
        // Top group {0.9 suspicious, 0.9 clean}: precision 1/2 for the first recall step; then 0.5 suspicious: 2/3.
        var metrics = new BinaryClassificationMetrics([0.9, 0.9, 0.5, 0.1], [true, false, true, false]);
        Assert.Equal((0.5 + (2.0 / 3.0)) / 2.0, metrics.AveragePrecision, Precision);
    }

    [Fact]
    public void Threshold_counts_route_every_score_at_or_above_the_threshold()
    {
        var at = Interleaved().At(0.8);
        Assert.Equal((1, 1, 1, 1), (at.TruePositives, at.FalsePositives, at.TrueNegatives, at.FalseNegatives));
        Assert.Equal(0.5, at.Precision, Precision);
        Assert.Equal(0.5, at.Recall, Precision);
        Assert.Equal(0.5, at.F1, Precision);
        Assert.Equal(0.5, at.RoutingFraction, Precision);
        Assert.Equal(0.8, at.Threshold);
    }

    [Fact]
    public void Threshold_between_scores_gives_the_counts_of_the_next_score_above()
    {
        var at = Interleaved().At(0.85);
        Assert.Equal((1, 0, 2, 1), (at.TruePositives, at.FalsePositives, at.TrueNegatives, at.FalseNegatives));
        Assert.Equal(1.0, at.Precision, Precision);
        Assert.Equal(2.0 / 3.0, at.F1, Precision);
        Assert.Equal(0.25, at.RoutingFraction, Precision);
    }

    [Fact]
    public void Threshold_above_every_score_routes_nothing_with_no_false_alarms()
    {
        var at = Interleaved().At(0.95);
        Assert.Equal(0, at.Routed);
        Assert.Equal(1.0, at.Precision);
        Assert.Equal(0.0, at.Recall);
        Assert.Equal(0.0, at.F1);
        Assert.Equal(0.0, at.RoutingFraction);
    }

    [Fact]
    public void Threshold_below_every_score_routes_everything()
    {
        var at = Interleaved().At(0.0);
        Assert.Equal(1.0, at.Recall);
        Assert.Equal(1.0, at.RoutingFraction);
        Assert.Equal(0.5, at.Precision, Precision);
    }

    [Fact]
    public void Routing_fraction_for_a_class_mix_weights_recall_and_false_positive_rate()
    {
        // At 0.85: recall 1/2, false-positive rate 0 -> 0.1 x 0.5 + 0.9 x 0 = 0.05 (raw: 1 of 4 = 0.25).
        Assert.Equal(0.05, Interleaved().At(0.85).RoutingFractionForMix(0.10), Precision);

        // At 0.8: recall 1/2, false-positive rate 1/2 -> 0.5 whatever the mix.
        Assert.Equal(0.5, Interleaved().At(0.8).RoutingFractionForMix(0.10), Precision);

        // At 0.7: recall 1, false-positive rate 1/2 -> 0.1 + 0.45 (raw: 3 of 4).
        Assert.Equal(0.55, Interleaved().At(0.7).RoutingFractionForMix(0.10), Precision);
    }

    [Fact]
    public void Routing_fraction_for_a_class_mix_rejects_a_share_outside_zero_to_one()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Interleaved().At(0.5).RoutingFractionForMix(1.5));
    }

    [Theory]
    [InlineData(0.10, 0.0)]
    [InlineData(0.25, 0.5)]
    [InlineData(0.50, 0.5)]
    [InlineData(0.75, 1.0)]
    [InlineData(1.00, 1.0)]
    public void Recall_at_routing_fraction_uses_the_lowest_threshold_within_the_budget(double budget, double expectedRecall)
    {
        Assert.Equal(expectedRecall, Interleaved().RecallAtRoutingFraction(budget), Precision);
    }

    [Fact]
    public void Recall_at_routing_fraction_for_a_class_mix_allows_more_routing_of_a_rare_class()
    {
        // In a 90/10 mix the 0.7 point routes 0.55 of traffic, within a 0.6 budget; raw it routes 0.75.
        Assert.Equal(1.0, Interleaved().RecallAtRoutingFraction(0.6, suspiciousShare: 0.10), Precision);
        Assert.Equal(0.5, Interleaved().RecallAtRoutingFraction(0.6), Precision);
    }

    [Fact]
    public void Recall_at_routing_fraction_never_splits_a_tie_group()
    {
        // The top tie group alone is half of the traffic: a 25 % budget routes nothing.
        var metrics = new BinaryClassificationMetrics([0.9, 0.9, 0.1, 0.1], [true, false, true, false]);
        Assert.Equal(0.0, metrics.RecallAtRoutingFraction(0.25), Precision);
        Assert.Equal(0.5, metrics.RecallAtRoutingFraction(0.5), Precision);
    }

    [Fact]
    public void Operating_points_have_one_entry_per_distinct_score_highest_first()
    {
        var metrics = new BinaryClassificationMetrics([0.2, 0.9, 0.2, 0.5], [false, true, true, false]);
        Assert.Equal([0.9, 0.5, 0.2], metrics.OperatingPoints.Select(p => p.Threshold));
        Assert.Equal([1, 2, 4], metrics.OperatingPoints.Select(p => p.Routed));
    }

    [Fact]
    public void Mismatched_scores_and_labels_are_rejected()
    {
        Assert.Throws<ArgumentException>(() => new BinaryClassificationMetrics([0.1, 0.2], [true]));
        Assert.Throws<ArgumentException>(() => new BinaryClassificationMetrics([double.NaN], [true]));
    }
}
