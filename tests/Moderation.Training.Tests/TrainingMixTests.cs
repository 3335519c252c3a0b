using Moderation.Evaluation.Data;
using Moderation.Prefilter.Model;
using Moderation.Training;

namespace Moderation.Training.Tests;

/// <summary>How corpora are weighted, how the threshold is chosen, and the generated gibberish and pretrained start.</summary>
public sealed class TrainingMixTests
{
    private static readonly PrefilterVocabulary Vocabulary = new(["hello", "idiot"], hashBuckets: 8, PrefilterTextNormalizer.Version);

    private static List<LabeledExample> Rows(string source, int violations, int clean) =>
    [
        .. Enumerable.Range(0, violations).Select(i => new LabeledExample($"idiot {i}", true, source)),
        .. Enumerable.Range(0, clean).Select(i => new LabeledExample($"hello {i}", false, source)),
    ];

    [Fact]
    public void Each_corpus_weighs_its_fixed_share_whatever_its_size_and_rare_violations_get_at_least_35_percent_of_it()
    {
        var big = new CorpusParts("taskmaster-clean", Rows("taskmaster-clean", 0, 900), [], []);
        var small = new CorpusParts("sgd-clean", Rows("sgd-clean", 0, 100), [], []);
        var game = new CorpusParts("l2dtnh-lol-chat", Rows("l2dtnh-lol-chat", 10, 90), [], []);

        var weighted = TrainingMix.Weighted([big, small, game], [], Vocabulary, 8, stormfrontShare: 0.04);

        var taskmaster = weighted.Take(900).Sum(e => e.Weight);
        var sgd = weighted.Skip(900).Take(100).Sum(e => e.Weight);
        var gameViolations = weighted.Skip(1000).Where(e => e.Suspicious).Sum(e => e.Weight);
        var gameTotal = weighted.Skip(1000).Sum(e => e.Weight);
        Assert.Equal(taskmaster, sgd, 1); // equal shares (0.12 each) despite 9x the rows
        Assert.Equal(0.35, gameViolations / gameTotal, 3);
        Assert.Equal(weighted.Count, weighted.Sum(e => e.Weight), 1); // weights average 1
    }

    [Fact]
    public void The_threshold_is_the_lowest_that_keeps_clean_dialogue_and_the_mixed_corpora_within_budget()
    {
        // Clean dialogue: one false positive in 10 at 0.6, none above. Mixed corpus: violations 0.7-0.9, clean 0.2-0.65.
        var clean = new EvaluationSet("sgd-clean", Rows("sgd-clean", 0, 10), []) { Scores = [0.1f, 0.1f, 0.1f, 0.1f, 0.1f, 0.1f, 0.1f, 0.1f, 0.1f, 0.6f] };
        var mixed = new EvaluationSet("davidson-hate-offensive", Rows("davidson-hate-offensive", 2, 4), []) { Scores = [0.7f, 0.9f, 0.2f, 0.3f, 0.5f, 0.65f] };

        var strict = RoutingBudget.Choose([clean, mixed], maxCleanFalsePositiveRate: 0.05, maxRoutedShare: 0.5, targetRecall: 0.9);
        var loose = RoutingBudget.Choose([clean, mixed], maxCleanFalsePositiveRate: 0.1, maxRoutedShare: 0.5, targetRecall: 0.9);
        var tightMix = RoutingBudget.Choose([clean, mixed], maxCleanFalsePositiveRate: 0.1, maxRoutedShare: 0.2, targetRecall: 0.9);

        Assert.Equal(0.65f, strict); // 0.6 would flag a tenth of the clean dialogue
        Assert.Equal(0.6f, loose); // 0.5 would route 0.1 + 0.9 x 0.5 of the mix
        Assert.Equal(0.7f, tightMix); // 0.65: 0.1 + 0.9 x 0.25 > 0.2
    }

    [Fact]
    public void Gibberish_is_short_deterministic_per_seed_and_different_across_seeds()
    {
        var first = TrainingMix.Gibberish(200, seed: 1);

        Assert.Equal(first, TrainingMix.Gibberish(200, seed: 1));
        Assert.NotEqual(first, TrainingMix.Gibberish(200, seed: 2));
        Assert.All(first, text => Assert.InRange(text.Split(' ').Length, 1, 3));
        Assert.All(first, text => Assert.True(text.Length <= 24, text));
    }

    [Fact]
    public void Principal_component_reduction_is_deterministic_keeps_clusters_apart_and_has_the_requested_spread()
    {
        var random = new Random(3);
        float[] Around(float centre) => [.. Enumerable.Range(0, 16).Select(j => (j < 8 ? centre : -centre) + ((float)random.NextDouble() * 0.1f))];
        var vectors = Enumerable.Range(0, 40).Select(i => Around(i % 2 == 0 ? 1f : -1f)).ToArray();

        var reduced = PretrainedWordVectors.Reduce(vectors, dimension: 2, targetStandardDeviation: 0.05f);

        Assert.Equal(reduced.Select(r => r.ToArray()), PretrainedWordVectors.Reduce(vectors, 2, 0.05f).Select(r => r.ToArray()));
        Assert.All(reduced, r => Assert.Equal(2, r.Length));
        var firstAxis = reduced.Select(r => r[0]).ToArray();
        Assert.All(Enumerable.Range(0, 40), i => Assert.Equal(Math.Sign(firstAxis[0]) * (i % 2 == 0 ? 1 : -1), Math.Sign(firstAxis[i])));
        var spread = Math.Sqrt(reduced.SelectMany(r => r).Average(x => (double)x * x));
        Assert.Equal(0.05, spread, 3);
    }
}
