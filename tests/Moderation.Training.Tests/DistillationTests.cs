using Moderation.Prefilter.Model;
using Moderation.Training;

namespace Moderation.Training.Tests;

/// <summary>The distillation loss: its gradient, its limits, and that a student trained on it follows the teacher.</summary>
public sealed class DistillationTests
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
        Epochs = 6,
        EarlyStoppingPatience = 6,
        Dropout = 0,
        LearningRate = 0.01,
    };

    // The backward pass uses LogitGradient; a wrong derivative would train towards the wrong targets silently.
    [Theory]
    [InlineData(0.3, 0.5, 1.0, true, -1.2f)]
    [InlineData(-2.0, 0.5, 2.0, false, 3.0f)]
    [InlineData(1.5, 1.0, 1.0, false, 0.4f)]
    [InlineData(0.0, 0.2, 4.0, true, -0.7f)]
    public void The_logit_gradient_matches_the_loss_by_finite_differences(double logit, double weight, double temperature, bool suspicious, float teacher)
    {
        var loss = new DistillationLoss(weight, temperature);
        const double h = 1e-3;
        var numeric = (loss.Loss((float)(logit + h), suspicious, teacher) - loss.Loss((float)(logit - h), suspicious, teacher)) / (2 * h);

        Assert.Equal(numeric, loss.LogitGradient((float)logit, suspicious, teacher), precision: 3);
    }

    // Rows the teacher did not score, and a weight of zero, must train exactly as before distillation existed.
    [Fact]
    public void Rows_without_a_teacher_logit_and_a_zero_weight_keep_the_label_loss()
    {
        var loss = new DistillationLoss(0.7, 2);
        Assert.Equal(CnnNetwork.BinaryCrossEntropy(0.8f, true), loss.Loss(0.8f, true, float.NaN));
        Assert.Equal(CnnNetwork.LogitGradient(0.8f, true), loss.LogitGradient(0.8f, true, float.NaN));
        Assert.Equal(CnnNetwork.LogitGradient(0.8f, true), DistillationLoss.None.LogitGradient(0.8f, true, -5f));
    }

    // With full weight on the teacher, the gradient vanishes where the student already agrees with the teacher.
    [Fact]
    public void At_full_weight_the_student_is_pulled_to_the_teacher_not_the_label()
    {
        var loss = new DistillationLoss(1, 1);
        Assert.Equal(0f, loss.LogitGradient(-2f, true, -2f), precision: 6);
        Assert.True(loss.LogitGradient(0f, true, -3f) > 0, "a clean-leaning teacher must push the logit down despite the violation label");
    }

    [Theory]
    [InlineData(-0.1, 1.0)]
    [InlineData(1.1, 1.0)]
    [InlineData(0.5, 0.0)]
    public void Out_of_range_settings_are_rejected(double weight, double temperature) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new DistillationLoss(weight, temperature).Validate());

    // A teacher that calls one insult clean overrides the label for it when distillation has full weight.
    [Fact]
    public void A_student_trained_on_a_teachers_soft_targets_follows_the_teacher_where_it_disagrees_with_the_labels()
    {
        var (train, validation, vocabulary) = SyntheticCorpus.Encoded(Tiny, count: 400, seed: 5);
        var trash = vocabulary.Encode("trash", Tiny.MaxLength)[0];
        var taught = train.Select(e => e with { TeacherLogit = e.Ids.Contains(trash) ? -4f : e.Suspicious ? 4f : -4f }).ToList();
        float Score(DistillationLoss loss)
        {
            var trainer = new CnnTrainer(new CnnNetwork(CnnArchitecture.From(Tiny, vocabulary.Size), Tiny.MaxLength), Tiny, seed: 2, threads: 1, distillation: loss);
            var parameters = trainer.Train(taught, validation, PrefilterModelRelease.RocAuc).Parameters;
            return trainer.Predict(PrefilterModelRelease.Encode([new("see you at lunch trash", false, "t")], vocabulary, Tiny.MaxLength), parameters)[0];
        }

        var labelsOnly = Score(DistillationLoss.None);
        var distilled = Score(new DistillationLoss(1, 1));

        Assert.True(labelsOnly > 0.5, $"labels only: {labelsOnly:F3}");
        Assert.True(distilled < 0.5, $"distilled: {distilled:F3}");
    }

    // The teacher's subsample must not change between runs (the release is reproduced bit for bit) and must stay within budget.
    [Fact]
    public void The_teacher_sample_is_seeded_bounded_and_in_corpus_order()
    {
        var first = SentenceTeacher.Sample(10_000, 300, seed: 17, "edos-sexism");
        Assert.Equal(first, SentenceTeacher.Sample(10_000, 300, seed: 17, "edos-sexism"));
        Assert.NotEqual(first, SentenceTeacher.Sample(10_000, 300, seed: 17, "sgd-clean"));
        Assert.Equal(300, first.Count);
        Assert.Equal(first.Order(), first);
        Assert.Equal(Enumerable.Range(0, 50), SentenceTeacher.Sample(50, 300, seed: 17, "edos-sexism"));
    }

    // The teacher is a plain weighted logistic regression: it must separate vectors that are linearly separable.
    [Fact]
    public void The_teacher_separates_linearly_separable_vectors()
    {
        var random = new Random(4);
        var vectors = Enumerable.Range(0, 200).Select(i => new[] { (float)random.NextDouble() + (i % 2 == 0 ? 1f : -1f), (float)random.NextDouble() }).ToList();
        var labels = vectors.Select((_, i) => i % 2 == 0).ToList();
        var teacher = SentenceTeacher.Train(vectors, labels, [.. Enumerable.Repeat(1f, 200)], iterations: 200);

        Assert.True(teacher.Logit([1.5f, 0.5f]) > 0);
        Assert.True(teacher.Logit([-1.5f, 0.5f]) < 0);
    }
}
