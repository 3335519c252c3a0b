using Moderation.Evaluation.Data;
using Moderation.Evaluation.Metrics;
using Moderation.Prefilter.Model;
using Moderation.TestSupport;

namespace Moderation.Training.Tests;

/// <summary>The release gate of the shipped model, on the public data's test split (never used for training or tuning).</summary>
public sealed class SharedDataModelGateTests
{
    [SharedDataFact]
    public void The_shipped_model_reaches_ROC_AUC_097_and_recall_095_at_its_threshold_on_the_public_test_split()
    {
        var split = PublicCorpus.Load(TestEnvironment.SharedDataDirectory!);
        using var model = OnnxPrefilterModel.Load(OnnxPrefilterModel.DefaultDirectory);

        var scores = model.Score([.. split.Test.Select(e => e.Text)]);
        var metrics = new BinaryClassificationMetrics([.. scores.Select(s => (double)s)], [.. split.Test.Select(e => e.Suspicious)]);
        var atThreshold = metrics.At(model.Manifest.Threshold);

        Assert.True(metrics.RocAuc >= 0.97, $"test ROC AUC {metrics.RocAuc:F4}");
        Assert.True(atThreshold.Recall >= 0.95, $"test recall {atThreshold.Recall:F4} at threshold {model.Manifest.Threshold}");
        Assert.Equal(model.Manifest.Metrics!.Test.RocAuc, metrics.RocAuc, 3);
    }
}
