using Moderation.Core.Classification;
using Moderation.Core.Policy;
using Moderation.Core.Review;
using Moderation.Core.Screening;

namespace Moderation.Core.Tests.Policy;

/// <summary>The routing policy: which messages open a case, and when the LLM's verdict alone may decide.</summary>
public class ModerationPolicyTests
{
    private static readonly ModerationPolicy Policy = ModerationPolicy.Default;

    [Theory]
    [InlineData(0.10, false)]
    [InlineData(0.3499, false)]
    [InlineData(0.35, true)] // at the threshold counts as suspicious
    [InlineData(0.99, true)]
    public void Screening_compares_the_model_score_with_the_model_threshold(double score, bool suspicious)
    {
        var decision = Policy.Screen(Samples.Score(score));

        Assert.Equal(suspicious, decision.IsSuspicious);
        Assert.Equal(0.35, decision.Threshold);
        Assert.Single(decision.Reasons);
    }

    [Fact]
    public void Configured_prefilter_threshold_overrides_the_model_threshold()
    {
        var policy = Policy with { PrefilterThreshold = 0.8 };

        Assert.False(policy.Screen(Samples.Score(0.5)).IsSuspicious);
        Assert.True(policy.Screen(Samples.Score(0.8)).IsSuspicious);
        Assert.Equal(0.8, policy.Screen(Samples.Score(0.5)).Threshold);
    }

    [Fact]
    public void A_rule_hit_makes_a_low_scoring_message_suspicious_and_names_the_rule()
    {
        var decision = Policy.Screen(Samples.Score(0.01, Samples.PhoneHit));

        Assert.True(decision.IsSuspicious);
        Assert.Contains("rule contact.phone", decision.Reasons);
    }

    [Fact]
    public void Rule_hits_can_be_made_advisory_by_configuration()
    {
        var policy = Policy with { RuleHitsAreSuspicious = false };

        Assert.False(policy.Screen(Samples.Score(0.01, Samples.PhoneHit)).IsSuspicious);
    }

    [Fact]
    public void Llm_unavailable_goes_to_review_without_a_category()
    {
        var decision = Policy.AfterClassification(null, Samples.Score());

        Assert.Equal(PolicyStep.HumanReview, decision.Step);
        Assert.Null(decision.Category);
    }

    [Fact]
    public void Llm_not_configured_goes_to_review()
    {
        var decision = Policy.AfterClassification(LlmClassification.NotConfigured("none"), Samples.Score());

        Assert.Equal(PolicyStep.HumanReview, decision.Step);
    }

    public static TheoryData<PolicyCategory, double, PolicyStep> AutoDecisionCases()
    {
        var data = new TheoryData<PolicyCategory, double, PolicyStep>();
        foreach (var (category, rule) in ModerationPolicyOptions.DefaultCategories())
        {
            if (rule.AutoDecisionMinConfidence is not { } min)
            {
                data.Add(category, 1.0, PolicyStep.HumanReview);
                continue;
            }

            var auto = category == PolicyCategory.Clean ? PolicyStep.Release : PolicyStep.Block;
            data.Add(category, min, auto);                    // at the threshold: the LLM decides
            data.Add(category, Math.Max(0, min - 0.001), PolicyStep.HumanReview); // just below: a human does
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(AutoDecisionCases))]
    public void Every_category_auto_decides_only_at_or_above_its_confidence_threshold(PolicyCategory category, double confidence, PolicyStep expected)
    {
        var decision = Policy.AfterClassification(Samples.Classified(category, confidence), Samples.Score(0.9));

        Assert.Equal(expected, decision.Step);
        Assert.Equal(category, decision.Category);
    }

    [Fact]
    public void Clean_verdict_on_a_rule_hit_goes_to_review_unless_configured_otherwise()
    {
        var score = Samples.Score(0.2, Samples.PhoneHit);
        var clean = Samples.Classified(PolicyCategory.Clean, 0.99);

        Assert.Equal(PolicyStep.HumanReview, Policy.AfterClassification(clean, score).Step);
        Assert.Equal(PolicyStep.Release, (Policy with { ReviewWhenLlmClearsRuleHit = false }).AfterClassification(clean, score).Step);
    }

    [Theory]
    [InlineData(PolicyCategory.Clean, PolicyStep.Release)]
    [InlineData(PolicyCategory.JobSeeking, PolicyStep.Release)]
    [InlineData(PolicyCategory.PartnershipSolicitation, PolicyStep.Release)]
    [InlineData(PolicyCategory.OffPlatformContact, PolicyStep.Block)]
    [InlineData(PolicyCategory.ScamPhishing, PolicyStep.Block)]
    [InlineData(PolicyCategory.Harassment, PolicyStep.Block)]
    [InlineData(PolicyCategory.Threat, PolicyStep.Block)]
    [InlineData(PolicyCategory.Hate, PolicyStep.Block)]
    [InlineData(PolicyCategory.Sexual, PolicyStep.Block)]
    [InlineData(PolicyCategory.Spam, PolicyStep.Block)]
    public void Review_timeout_applies_the_default_of_the_verdicts_category(PolicyCategory category, PolicyStep expected)
    {
        var decision = Policy.OnReviewTimeout(Samples.Verdict(category, 0.5));

        Assert.Equal(expected, decision.Step);
        Assert.Equal(category, decision.Category);
    }

    [Fact]
    public void Review_timeout_without_a_verdict_blocks_by_default_and_is_configurable()
    {
        Assert.Equal(PolicyStep.Block, Policy.OnReviewTimeout(null).Step);
        Assert.Equal(PolicyStep.Release, (Policy with { OnReviewTimeoutWithoutVerdict = ReviewAction.Release }).OnReviewTimeout(null).Step);
    }

    [Fact]
    public void Reviewer_release_is_recorded_as_clean_and_block_keeps_the_reviewers_category()
    {
        Assert.Equal(new PolicyDecision(PolicyStep.Release, PolicyCategory.Clean, "reviewer rev-1: release (clean)"), ModerationPolicy.FromReviewer(Samples.Release()));
        var block = ModerationPolicy.FromReviewer(Samples.Block(PolicyCategory.Sexual));
        Assert.Equal(PolicyStep.Block, block.Step);
        Assert.Equal(PolicyCategory.Sexual, block.Category);
    }

    [Fact]
    public void Human_review_is_not_a_final_disposition()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => ModerationPolicy.ToDisposition(PolicyStep.HumanReview));
    }

    [Fact]
    public void Configuration_overrides_one_category_and_keeps_the_defaults_for_the_rest()
    {
        var options = new ModerationPolicyOptions();
        options.Categories[PolicyCategory.Spam] = new CategoryRuleOptions { AutoDecisionMinConfidence = null, OnReviewTimeout = ReviewAction.Release };
        options.Categories.Remove(PolicyCategory.Hate);

        var policy = ModerationPolicy.From(options);

        Assert.Null(policy.Categories[PolicyCategory.Spam].AutoDecisionMinConfidence);
        Assert.Equal(ReviewAction.Release, policy.Categories[PolicyCategory.Spam].OnReviewTimeout);
        Assert.Equal(0.85, policy.Categories[PolicyCategory.Hate].AutoDecisionMinConfidence);
        Assert.Equal(PolicyCategories.All.Count, policy.Categories.Count);
    }

    [Fact]
    public void Classification_retry_follows_the_configured_attempts_with_doubling_backoff()
    {
        var policy = ModerationPolicy.From(new ModerationPolicyOptions { ClassificationMaxAttempts = 4, ClassificationFirstRetryInterval = TimeSpan.FromSeconds(5) });

        Assert.Equal(4, policy.ClassificationRetry.MaxAttempts);
        Assert.Equal(TimeSpan.FromSeconds(5), policy.ClassificationRetry.DelayBefore(2));
        Assert.Equal(TimeSpan.FromSeconds(10), policy.ClassificationRetry.DelayBefore(3));
        Assert.Equal(TimeSpan.FromSeconds(20), policy.ClassificationRetry.DelayBefore(4));
    }

    [Fact]
    public void Screening_reasons_say_why_a_clean_message_was_released()
    {
        var decision = Policy.Screen(new PrefilterScore(0.1, 0.35, "m@1", []));

        Assert.Equal(["model score 0.1 < threshold 0.35"], decision.Reasons);
    }
}
