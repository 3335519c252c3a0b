using Microsoft.Extensions.Options;
using Moderation.Core.Messages;
using Moderation.Core.Screening;
using Moderation.Prefilter.Model;
using Moderation.Prefilter.Rules;

namespace Moderation.Prefilter.Tests;

public sealed class RuleAndModelPrefilterTests
{
    private static ChatMessage Message(string text, int id = 1) =>
        new($"m{id}", "c1", "s1", ParticipantRole.Customer, "r1", ParticipantRole.Professional, text, new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero));

    private static RuleAndModelPrefilter Create(IPrefilterModel model, int maxBatchSize = 256, params string[] blocklist) =>
        new(model, new RuleScreen(blocklist), Options.Create(new PrefilterOptions { MaxBatchSize = maxBatchSize }));

    [Fact]
    public async Task Each_score_carries_the_model_probability_threshold_and_version()
    {
        var model = new FakePrefilterModel(new Dictionary<string, float> { ["you idiot"] = 0.9f });
        var scores = await Create(model).ScoreAsync([Message("hello"), Message("you idiot", 2)], CancellationToken.None);

        Assert.Equal(2, scores.Count);
        Assert.Equal(0.1, scores[0].Score, 1e-6);
        Assert.Equal(0.9, scores[1].Score, 1e-6);
        Assert.All(scores, s => Assert.Equal(0.42, s.ModelThreshold));
        Assert.All(scores, s => Assert.Equal("fake-cnn@3", s.ModelVersion));
        Assert.All(scores, s => Assert.Empty(s.RuleHits));
        Assert.All(scores, s => Assert.Null(s.Notes));
    }

    [Fact]
    public async Task Rule_hits_come_with_the_model_score_of_the_same_message()
    {
        var scores = await Create(new FakePrefilterModel(), 256, "scamword").ScoreAsync(
            [Message("fine"), Message("whatsapp me on 555 123 4567", 2), Message("a scamword here", 3)],
            CancellationToken.None);

        Assert.False(scores[0].HasRuleHits);
        Assert.Equal([RuleIds.Phone, RuleIds.MessagingApp], scores[1].RuleHits.Select(h => h.RuleId));
        Assert.Equal(RuleIds.Blocklist, Assert.Single(scores[2].RuleHits).RuleId);
        Assert.Equal(0.1, scores[1].Score, 1e-6);
    }

    [Fact]
    public async Task Large_batches_are_split_for_the_model_and_keep_their_order()
    {
        var texts = Enumerable.Range(0, 10).Select(i => $"text {i}").ToArray();
        var model = new FakePrefilterModel(texts.Select((t, i) => (t, i / 10f)).ToDictionary(p => p.t, p => p.Item2));
        var scores = await Create(model, maxBatchSize: 4).ScoreAsync(texts.Select((t, i) => Message(t, i)).ToArray(), CancellationToken.None);

        Assert.Equal([4, 4, 2], model.BatchSizes);
        Assert.Equal(Enumerable.Range(0, 10).Select(i => i / 10.0), scores.Select(s => Math.Round(s.Score, 4)));
    }

    [Fact]
    public async Task An_empty_batch_returns_no_scores()
    {
        var model = new FakePrefilterModel();
        Assert.Empty(await Create(model).ScoreAsync([], CancellationToken.None));
        Assert.Empty(model.BatchSizes);
    }

    [Fact]
    public async Task Odd_input_is_scored_and_noted_instead_of_rejected()
    {
        var huge = new string('x', PrefilterTextNormalizer.MaxInputChars + 10) + " mail me at jane@example.com";
        var scores = await Create(new FakePrefilterModel()).ScoreAsync(
            [Message(""), Message(huge, 2), Message("bad \uD800 surrogate", 3), Message("😀😀 !!", 4), Message(null!, 5)],
            CancellationToken.None);

        Assert.Equal(5, scores.Count);
        Assert.Contains("Empty message.", scores[0].Notes!);
        Assert.Contains(scores[1].Notes!, n => n.StartsWith("Long message", StringComparison.Ordinal));
        Assert.Contains(scores[1].RuleHits, h => h.RuleId == RuleIds.Email);
        Assert.Contains(scores[2].Notes!, n => n.Contains("unpaired surrogate", StringComparison.Ordinal));
        Assert.Contains(scores[3].Notes!, n => n.StartsWith("No letters or digits", StringComparison.Ordinal));
        Assert.Contains("Empty message.", scores[4].Notes!);
    }

    [Fact]
    public async Task A_cancelled_token_stops_before_scoring()
    {
        var model = new FakePrefilterModel();
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await Create(model).ScoreAsync([Message("hi")], cancelled.Token));
        Assert.Empty(model.BatchSizes);
    }

    [Fact]
    public async Task Concurrent_callers_get_their_own_results()
    {
        var model = new FakePrefilterModel(new Dictionary<string, float> { ["bad"] = 0.8f });
        var prefilter = Create(model, maxBatchSize: 3);
        var tasks = Enumerable.Range(0, 16).Select(i => Task.Run(async () =>
        {
            var text = i % 2 == 0 ? "bad" : "good";
            var scores = await prefilter.ScoreAsync(Enumerable.Range(0, 7).Select(j => Message(text, j)).ToArray(), CancellationToken.None);
            return (text, scores);
        }));

        foreach (var (text, scores) in await Task.WhenAll(tasks))
        {
            Assert.All(scores, s => Assert.Equal(text == "bad" ? 0.8 : 0.1, s.Score, 1e-6));
        }
    }
}
