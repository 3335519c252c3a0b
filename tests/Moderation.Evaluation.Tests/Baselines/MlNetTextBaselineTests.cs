using Moderation.Evaluation.Baselines;
using Moderation.Evaluation.Data;

namespace Moderation.Evaluation.Tests.Baselines;

public sealed class MlNetTextBaselineTests
{
    private static readonly LabeledExample[] Training = Enumerable.Range(0, 40)
        .SelectMany(i => new[]
        {
            new LabeledExample($"claim your free prize {i} now", true, "fixture"),
            new LabeledExample($"you stupid idiot {i}", true, "fixture"),
            new LabeledExample($"the plumber comes at {i} tomorrow", false, "fixture"),
            new LabeledExample($"thanks for the sofa, see you {i}", false, "fixture"),
        })
        .ToArray();

    [Fact]
    public void Texts_like_the_suspicious_training_examples_score_higher_than_clean_ones()
    {
        var baseline = MlNetTextBaseline.Train(Training);
        var scores = baseline.Score(["free prize waiting, claim now", "see you tomorrow, thanks"]);
        Assert.True(scores[0] > scores[1], $"{scores[0]} vs {scores[1]}");
        Assert.All(scores, s => Assert.InRange(s, 0f, 1f));
    }

    [Fact]
    public void Small_and_large_batches_score_the_same_text_alike()
    {
        var baseline = MlNetTextBaseline.Train(Training);
        var texts = Enumerable.Range(0, 20).Select(i => i % 2 == 0 ? "claim the prize" : "plumber tomorrow").ToArray();
        var batch = baseline.Score(texts);
        var single = texts.Select(t => baseline.Score([t])[0]).ToArray();
        Assert.Equal(single, batch, (a, b) => Math.Abs(a - b) < 1e-5);
    }

    [Fact]
    public void Training_is_repeatable()
    {
        var first = MlNetTextBaseline.Train(Training).Score(["claim a prize, idiot"]);
        var second = MlNetTextBaseline.Train(Training).Score(["claim a prize, idiot"]);
        Assert.Equal(first, second);
    }

    [Fact]
    public void Training_needs_both_classes()
    {
        Assert.Throws<ArgumentException>(() => MlNetTextBaseline.Train(Training.Where(e => e.Suspicious).ToArray()));
    }
}
