using Moderation.Prefilter.Model;

namespace Moderation.Prefilter.Tests.Model;

/// <summary>The model in models/prefilter, as copied to every consumer's output, loaded with the real ONNX Runtime.</summary>
public sealed class ShippedModelTests : IClassFixture<ShippedModelTests.ShippedModel>
{
    private readonly OnnxPrefilterModel model;

    public ShippedModelTests(ShippedModel shipped)
    {
        ArgumentNullException.ThrowIfNull(shipped);
        model = shipped.Model;
    }

    [Fact]
    public void The_shipped_model_loads_from_the_output_directory_and_its_manifest_states_the_contract_it_was_checked_against()
    {
        var manifest = model.Manifest;

        Assert.Equal("input_ids", manifest.Input.Name);
        Assert.Equal("int64", manifest.Input.ElementType);
        Assert.Equal(["batch", "sequence"], manifest.Input.Shape);
        Assert.Equal("probability", manifest.Output.Name);
        Assert.Equal(PrefilterTextNormalizer.Version, manifest.NormalizationVersion);
        Assert.InRange(manifest.Threshold, 0.01, 0.99);
        Assert.NotNull(manifest.Metrics);
        Assert.Contains(manifest.Metrics.Sources!, s => s is { Source: "sgd-clean", Split: "test" });
        Assert.Contains(manifest.DataSources, s => s.StartsWith("stormfront-hate:", StringComparison.Ordinal));
        Assert.Equal($"{manifest.Name}@{manifest.Version}", manifest.ModelVersion);
    }

    [Fact]
    public void Odd_input_gets_a_defined_probability_and_never_throws()
    {
        string[] odd =
        [
            "",
            "   \t\r\n  ",
            new string('x', 100 * 1024),
            string.Concat(Enumerable.Repeat("spam call now ", 8_000)),
            "\uD800\uDC00\uDFFF\uD83D",
            "😀🔥💯🙈",
            "你好，最近怎么样？",
            "مرحبا كيف حالك",
            "Привет, как дела?",
            "\0\u0001\u001F",
        ];

        var scores = model.Score(odd);

        Assert.Equal(odd.Length, scores.Length);
        Assert.All(scores, s => Assert.InRange(s, 0f, 1f));
        Assert.Equal(scores[0], model.Score([""])[0]);
        Assert.Equal(scores[0], scores[1]);
    }

    [Fact]
    public void The_shipped_model_ranks_abuse_and_spam_above_ordinary_messages()
    {
        var scores = model.Score(
        [
            "WINNER!! You have won a £1000 prize. Call 09061701461 now to claim",
            "you are a stupid bitch",
            "Are we still meeting for lunch tomorrow?",
            "Thanks, the parcel arrived this morning",
        ]);

        Assert.True(Math.Min(scores[0], scores[1]) > Math.Max(scores[2], scores[3]), string.Join(", ", scores));
    }

    [Fact]
    public void Short_strings_of_unknown_made_up_words_score_low_on_average()
    {
        // Letter strings of one to three made-up words, from a generator and seed the trainer never used.
        var random = new Random(20261201);
        var gibberish = Enumerable.Range(0, 500).Select(_ => string.Join(' ', Enumerable.Range(0, 1 + random.Next(3))
            .Select(_ => new string([.. Enumerable.Range(0, 2 + random.Next(5)).Select(_ => (char)('a' + random.Next(26)))])))).ToArray();

        var scores = model.Score(gibberish);

        Assert.True(scores.Average() < 0.2, $"mean score {scores.Average():F3}");
        Assert.True(scores.Count(s => s >= model.Manifest.Threshold) <= gibberish.Length / 20, $"{scores.Count(s => s >= model.Manifest.Threshold)} of {gibberish.Length} routed");
    }

    [Theory]
    [InlineData("f u c k you", "fuck you")]
    [InlineData("you are an 1d\u200Bi0t", "you are an idiot")]
    [InlineData("shut up you stup\u0456d b\u0456tch", "shut up you stupid bitch")]
    [InlineData("call me on five five five one two three four", "call me on 5551234")]
    public void Obfuscated_spellings_score_exactly_as_the_plain_text(string obfuscated, string plain)
    {
        var scores = model.Score([obfuscated, plain]);

        Assert.Equal(scores[1], scores[0]);
    }

    [Fact]
    public void An_empty_batch_returns_no_scores() => Assert.Empty(model.Score([]));

    [Fact]
    public void Concurrent_callers_share_one_session_and_get_the_same_scores()
    {
        string[] texts = ["hello there", "free entry txt WIN to 80086", "shut up hoe"];
        var expected = model.Score(texts);

        var results = new float[8][];
        Parallel.For(0, results.Length, i => results[i] = model.Score(texts));

        Assert.All(results, r => Assert.Equal(expected, r));
    }

    [Fact]
    public void Loading_a_directory_without_a_model_says_which_directory_is_missing()
    {
        var missing = Path.Combine(Path.GetTempPath(), "no-such-prefilter-model-" + Guid.NewGuid().ToString("N"));

        var error = Assert.Throws<DirectoryNotFoundException>(() => OnnxPrefilterModel.Load(missing));

        Assert.Contains(missing, error.Message, StringComparison.Ordinal);
    }

    /// <summary>One model per test class, as in production (one session per process).</summary>
    public sealed class ShippedModel : IDisposable
    {
        public OnnxPrefilterModel Model { get; } = OnnxPrefilterModel.Load(OnnxPrefilterModel.DefaultDirectory);

        public void Dispose() => Model.Dispose();
    }
}
