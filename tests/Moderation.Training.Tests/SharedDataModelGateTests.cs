using Moderation.Evaluation.Metrics;
using Moderation.Prefilter.Model;

namespace Moderation.Training.Tests;

/// <summary>
/// Release gates of the shipped model on every corpus's test split (never used for training or a choice). Scoring
/// the test splits takes seconds; the suite never retrains the full model.
/// </summary>
public sealed class SharedDataModelGateTests
{
    [SharedDataFact]
    public void The_shipped_model_keeps_clean_dialogue_false_positives_under_2_percent_and_ranks_each_mixed_corpus_well()
    {
        using var model = OnnxPrefilterModel.Load(OnnxPrefilterModel.DefaultDirectory);
        var threshold = model.Manifest.Threshold;
        var failures = new List<string>();
        foreach (var name in TrainingCorpora.Names.Where(n => !TrainingMix.IsHeldOut(n)))
        {
            var test = TrainingCorpora.Load(TestEnvironment.SharedDataDirectory!, name).Test;
            var scores = model.Score([.. test.Select(e => e.Text)]);
            if (TrainingCorpora.CleanDialogue.Contains(name))
            {
                var fpr = scores.Count(s => s >= threshold) / (double)scores.Length;
                if (fpr > 0.02)
                {
                    failures.Add($"{name}: false-positive rate {fpr:F4}");
                }
            }
            else if (test.Any(e => !e.Suspicious))
            {
                var metrics = new BinaryClassificationMetrics([.. scores.Select(s => (double)s)], [.. test.Select(e => e.Suspicious)]);
                if (metrics.RocAuc < 0.75)
                {
                    failures.Add($"{name}: ROC AUC {metrics.RocAuc:F4}");
                }

                var recorded = model.Manifest.Metrics!.Sources!.Single(s => s.Source == name && s.Split == "test");
                Assert.Equal(recorded.RocAuc!.Value, metrics.RocAuc, 3);
            }
        }

        Assert.True(failures.Count == 0, string.Join("; ", failures));
    }
}
