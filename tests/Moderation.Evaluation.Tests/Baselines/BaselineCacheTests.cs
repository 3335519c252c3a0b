using Moderation.Evaluation.Baselines;
using Moderation.Evaluation.Data;

namespace Moderation.Evaluation.Tests.Baselines;

public sealed class BaselineCacheTests : IDisposable
{
    private static readonly LabeledExample[] Training = Enumerable.Range(0, 30)
        .SelectMany(i => new[]
        {
            new LabeledExample($"claim your free prize {i} now", true, "fixture"),
            new LabeledExample($"the plumber comes at {i} tomorrow", false, "fixture"),
        })
        .ToArray();

    private readonly string directory = Directory.CreateTempSubdirectory("baseline-cache-").FullName;

    public void Dispose() => Directory.Delete(directory, recursive: true);

    [Fact]
    public void The_second_run_on_the_same_data_loads_the_cached_model_and_scores_identically()
    {
        var cache = new BaselineCache(directory);
        var trained = cache.TrainOrLoad(Training, out var firstCached);
        var loaded = cache.TrainOrLoad(Training.ToArray(), out var secondCached);

        Assert.False(firstCached);
        Assert.True(secondCached);
        string[] texts = ["free prize now", "see you tomorrow", "plumber prize"];
        Assert.Equal(trained.Score(texts), loaded.Score(texts));
    }

    [Fact]
    public void Changing_one_label_or_one_text_changes_the_key_so_the_baseline_is_retrained()
    {
        var key = BaselineCache.Key(Training);
        var relabeled = Training.Select((e, i) => i == 5 ? e with { Suspicious = !e.Suspicious } : e).ToArray();
        var edited = Training.Select((e, i) => i == 5 ? e with { Text = e.Text + "!" } : e).ToArray();

        Assert.Equal(key, BaselineCache.Key(Training.ToArray()));
        Assert.NotEqual(key, BaselineCache.Key(relabeled));
        Assert.NotEqual(key, BaselineCache.Key(edited));
        Assert.NotEqual(key, BaselineCache.Key(Training, seed: 2));

        var cache = new BaselineCache(directory);
        cache.TrainOrLoad(Training, out _);
        cache.TrainOrLoad(relabeled, out var cached);
        Assert.False(cached);
    }

    [Fact]
    public void A_damaged_cache_entry_is_retrained_instead_of_trusted()
    {
        var cache = new BaselineCache(directory);
        cache.TrainOrLoad(Training, out _);
        foreach (var file in Directory.GetFiles(directory))
        {
            File.WriteAllText(file, "not a model");
        }

        var baseline = cache.TrainOrLoad(Training, out var cached);

        Assert.False(cached);
        Assert.Single(baseline.Score(["free prize"]));
        cache.TrainOrLoad(Training, out var cachedAgain);
        Assert.True(cachedAgain);
    }
}
