using Moderation.Evaluation.Metrics;

namespace Moderation.Evaluation.Tests.Metrics;

public sealed class ThresholdCalibrationTests
{
    // Suspicious at 0.9, 0.7, 0.4; clean at 0.8, 0.6, 0.3, 0.2, 0.1.
    private static BinaryClassificationMetrics Sample() =>
        new([0.9, 0.8, 0.7, 0.6, 0.4, 0.3, 0.2, 0.1], [true, false, true, false, true, false, false, false]);

    [Theory]
    [InlineData(0.30, 0.9)]
    [InlineData(0.34, 0.7)]
    [InlineData(0.67, 0.4)]
    [InlineData(0.90, 0.4)]
    [InlineData(1.00, 0.4)]
    public void Threshold_for_recall_is_the_highest_score_that_reaches_the_target(double target, double expectedThreshold)
    {
        var point = ThresholdCalibration.ForRecall(Sample(), target);
        Assert.Equal(expectedThreshold, point.Threshold);
        Assert.True(point.Recall >= target);
    }

    [Fact]
    public void Threshold_for_two_thirds_recall_is_exact_despite_rounding()
    {
        Assert.Equal(0.7, ThresholdCalibration.ForRecall(Sample(), 2.0 / 3.0).Threshold);
    }

    [Fact]
    public void Threshold_for_zero_recall_routes_nothing()
    {
        var point = ThresholdCalibration.ForRecall(Sample(), 0.0);
        Assert.Equal(0, point.Routed);
        Assert.True(point.Threshold > 0.9);
    }

    [Fact]
    public void Threshold_for_recall_needs_suspicious_examples()
    {
        var onlyClean = new BinaryClassificationMetrics([0.1, 0.2], [false, false]);
        Assert.Throws<ArgumentException>(() => ThresholdCalibration.ForRecall(onlyClean, 0.5));
    }

    [Theory]
    [InlineData(0.125, 0.9)]
    [InlineData(0.30, 0.8)]
    [InlineData(0.50, 0.6)]
    [InlineData(0.625, 0.4)]
    [InlineData(1.00, 0.1)]
    public void Threshold_for_routing_fraction_is_the_lowest_score_within_the_budget(double budget, double expectedThreshold)
    {
        var point = ThresholdCalibration.ForRoutingFraction(Sample(), budget);
        Assert.Equal(expectedThreshold, point.Threshold);
        Assert.True(point.RoutingFraction <= budget);
    }

    [Fact]
    public void Threshold_for_a_budget_smaller_than_one_message_routes_nothing()
    {
        var point = ThresholdCalibration.ForRoutingFraction(Sample(), 0.05);
        Assert.Equal(0, point.Routed);
        Assert.Equal(0.0, point.Recall);
    }

    [Fact]
    public void Threshold_for_routing_fraction_in_a_class_mix_uses_the_reweighted_fraction()
    {
        // At 0.4: recall 1, false-positive rate 2/5 -> 0.1 + 0.9 x 0.4 = 0.46 in a 90/10 mix (raw 5/8 = 0.625).
        var point = ThresholdCalibration.ForRoutingFraction(Sample(), 0.46, suspiciousShare: 0.10);
        Assert.Equal(0.4, point.Threshold);
        Assert.Equal(0.46, point.RoutingFractionForMix(0.10), 1e-9);
    }
}
