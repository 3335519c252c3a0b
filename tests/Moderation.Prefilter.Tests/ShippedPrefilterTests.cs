using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Moderation.Core.Messages;
using Moderation.Core.Screening;
using Moderation.Prefilter.Model;
using Moderation.Prefilter.Rules;

namespace Moderation.Prefilter.Tests;

/// <summary>The registered pre-filter with the real shipped ONNX model, as the hosts resolve it.</summary>
public sealed class ShippedPrefilterTests
{
    private static ChatMessage Message(int id, string text) =>
        new($"m{id}", "c1", "s1", ParticipantRole.Customer, "r1", ParticipantRole.Professional, text, new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero));

    [Fact]
    public async Task The_default_registration_scores_with_the_shipped_model_and_the_rule_screen()
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection([KeyValuePair.Create<string, string?>("Moderation:Prefilter:Blocklist:0", "crypto giveaway")])
            .Build();
        var services = new ServiceCollection();
        services.AddModerationPrefilter(configuration);
        await using var provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true });
        var manifest = PrefilterModelManifest.Load(Path.Combine(OnnxPrefilterModel.DefaultDirectory, PrefilterModelManifest.FileName));

        var scores = await provider.GetRequiredService<IMessagePrefilter>().ScoreAsync(
            [
                Message(1, "Thanks, the kitchen looks great. See you next week."),
                Message(2, "shut up you stupid bitch, nobody wants you here"),
                Message(3, "FREE entry! Text WIN to 80086 to claim your prize, call 555 123 4567"),
                Message(4, "join our crypto giveaway"),
                Message(5, ""),
            ],
            CancellationToken.None);

        Assert.Equal(5, scores.Count);
        Assert.All(scores, s => Assert.Equal(manifest.ModelVersion, s.ModelVersion));
        Assert.All(scores, s => Assert.Equal(manifest.Threshold, s.ModelThreshold));
        Assert.All(scores, s => Assert.InRange(s.Score, 0.0, 1.0));
        Assert.True(scores[0].Score < scores[0].ModelThreshold, $"polite message scored {scores[0].Score}");
        Assert.True(scores[1].Score >= scores[1].ModelThreshold, $"abusive message scored {scores[1].Score}");
        Assert.True(scores[2].Score > scores[0].Score, $"spam {scores[2].Score} vs polite {scores[0].Score}");
        Assert.Contains(scores[2].RuleHits, h => h.RuleId == RuleIds.Phone);
        Assert.Contains(scores[3].RuleHits, h => h.RuleId == RuleIds.Blocklist);
        Assert.Contains("Empty message.", scores[4].Notes!);
    }
}
