using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Moderation.Prefilter.Model;
using Moderation.Prefilter.Rules;

namespace Moderation.Prefilter.Tests.Rules;

/// <summary>Operators list link domains in configuration; a typo there fails start-up instead of silently flagging nothing.</summary>
public sealed class FlaggedLinkDomainOptionsTests
{
    [Theory]
    [InlineData("https://rival.example")]
    [InlineData("rival")]
    [InlineData("rival .example")]
    [InlineData("rival.example/path")]
    [InlineData("")]
    public void A_value_that_is_not_a_domain_fails_validation(string domain)
    {
        var options = new PrefilterOptions { FlaggedLinkDomains = [domain] };
        var result = new PrefilterOptionsValidator(requireModelDirectory: false).Validate(null, options);
        Assert.True(result.Failed);
        Assert.Contains(nameof(PrefilterOptions.FlaggedLinkDomains), result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void Configured_domains_reach_the_registered_rule_screen()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            [$"{PrefilterOptions.SectionName}:{nameof(PrefilterOptions.FlaggedLinkDomains)}:0"] = ".rival-market.example",
        }).Build();
        var services = new ServiceCollection();
        services.AddSingleton<IPrefilterModel>(new FakePrefilterModel());
        services.AddModerationPrefilter(configuration);
        using var provider = services.BuildServiceProvider();

        Assert.False(new PrefilterOptionsValidator(requireModelDirectory: false)
            .Validate(null, provider.GetRequiredService<IOptions<PrefilterOptions>>().Value).Failed);
        var hits = provider.GetRequiredService<RuleScreen>().Screen("see www.rival-market.example/listing/7");
        Assert.Contains(hits, h => h.RuleId == RuleIds.Url && h.Description.Contains("listed", StringComparison.Ordinal));
    }
}
