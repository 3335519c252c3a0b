using Moderation.Prefilter.Rules;

namespace Moderation.Prefilter.Tests.Rules;

/// <summary>
/// Threats, insults and solicitation that the public training data does not cover are caught by narrow phrase rules,
/// and ordinary marketplace talk that merely shares their words is not.
/// </summary>
public sealed class ConductRuleTests
{
    private static readonly RuleScreen Screen = new();

    [Theory]
    [InlineData("If you leave that review I know where you live and you will regret it.", RuleIds.Threat)]
    [InlineData("I'll hurt you if you show up again", RuleIds.Threat)]
    [InlineData("i am going to find you", RuleIds.Threat)]
    [InlineData("Better watch your back", RuleIds.Threat)]
    [InlineData("You are the laziest, most useless contractor I've ever hired.", RuleIds.Insult)]
    [InlineData("you're an idiot", RuleIds.Insult)]
    [InlineData("ur such a scammer", RuleIds.Insult)]
    [InlineData("Are you hiring? I'm a licensed electrician looking for full-time work", RuleIds.JobSeeking)]
    [InlineData("I am looking for a job, hire me", RuleIds.JobSeeking)]
    [InlineData("We're hiring painters, join our crew", RuleIds.JobSeeking)]
    [InlineData("We pay 15% referral fees to homeowners", RuleIds.Partnership)]
    [InlineData("I'd love to partner with you on bigger projects", RuleIds.Partnership)]
    [InlineData("Great business opportunity for you", RuleIds.Partnership)]
    public void Obvious_phrasings_are_caught_and_named(string text, string ruleId)
    {
        var hits = Screen.Screen(text).Where(h => h.RuleId == ruleId).ToList();
        Assert.NotEmpty(hits);
        Assert.All(hits, h => Assert.False(string.IsNullOrWhiteSpace(h.Evidence)));
    }

    [Theory]
    [InlineData("The old faucet is useless, I'll replace it.")]
    [InlineData("You will love the new tiles.")]
    [InlineData("I'll get your quote over tonight.")]
    [InlineData("You are the best, thanks so much!")]
    [InlineData("Are you available on Tuesday?")]
    [InlineData("I'm looking for someone to fix my fence.")]
    [InlineData("I know where the shutoff valve is.")]
    [InlineData("Watch the step, the back porch is loose.")]
    public void Ordinary_marketplace_talk_is_not_flagged(string text)
    {
        var ids = Screen.Screen(text).Select(h => h.RuleId).ToList();

        Assert.DoesNotContain(RuleIds.Threat, ids);
        Assert.DoesNotContain(RuleIds.JobSeeking, ids);
        Assert.DoesNotContain(RuleIds.Partnership, ids);
        Assert.DoesNotContain(RuleIds.Insult, ids);
    }
}
