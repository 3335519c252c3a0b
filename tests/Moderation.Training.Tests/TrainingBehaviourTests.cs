using Moderation.Prefilter.Model;
using Moderation.Training;

namespace Moderation.Training.Tests;

/// <summary>The trainer is reproducible and actually learns a small separable problem.</summary>
public sealed class TrainingBehaviourTests
{
    private static readonly PrefilterHyperParameters Tiny = new()
    {
        EmbeddingDimension = 8,
        KernelWidths = [2, 3],
        FiltersPerWidth = 6,
        HiddenUnits = 6,
        MaxLength = 16,
        MinWordCount = 1,
        HashBuckets = 16,
        BatchSize = 8,
        Epochs = 2,
        Dropout = 0.25,
        LearningRate = 0.01,
    };

    [Fact]
    public void The_same_seed_gives_identical_weights_and_a_different_seed_different_ones()
    {
        var (train, validation, vocabulary) = SyntheticCorpus.Encoded(Tiny, count: 120, seed: 3);
        float[] Run(int seed, int threads) =>
            new CnnTrainer(new CnnNetwork(CnnArchitecture.From(Tiny, vocabulary.Size), Tiny.MaxLength), Tiny with { EarlyStoppingPatience = 10 }, seed, threads)
                .Train(train, validation, PrefilterModelRelease.RocAuc).Parameters;

        var first = Run(seed: 42, threads: 2);
        var again = Run(seed: 42, threads: 1);
        var other = Run(seed: 43, threads: 2);

        Assert.Equal(first, again);
        Assert.NotEqual(first, other);
    }

    [Fact]
    public void The_trainer_separates_a_small_synthetic_problem_on_held_out_messages()
    {
        var hp = Tiny with { Epochs = 8, EarlyStoppingPatience = 8 };
        var (train, validation, vocabulary) = SyntheticCorpus.Encoded(hp, count: 400, seed: 9);
        var trainer = new CnnTrainer(new CnnNetwork(CnnArchitecture.From(hp, vocabulary.Size), hp.MaxLength), hp, seed: 1);
        var untrained = PrefilterModelRelease.RocAuc(trainer.Predict(validation, CnnArchitecture.From(hp, vocabulary.Size).InitialParameters(1)), [.. validation.Select(e => e.Suspicious)]);

        var outcome = trainer.Train(train, validation, PrefilterModelRelease.RocAuc);

        Assert.True(outcome.BestValidationAuc >= 0.97, $"validation ROC AUC {outcome.BestValidationAuc:F3} (untrained {untrained:F3})");
        Assert.True(outcome.Epochs[0].TrainingLoss > outcome.Epochs[^1].TrainingLoss, "training loss did not fall");
    }
}
