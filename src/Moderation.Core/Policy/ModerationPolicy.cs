using Moderation.Core.Classification;
using Moderation.Core.Conversations;
using Moderation.Core.Delivery;
using Moderation.Core.Review;
using Moderation.Core.Screening;
using Moderation.Core.Workflow;

namespace Moderation.Core.Policy;

/// <summary>An immutable per-category rule, as captured into a case.</summary>
public sealed record CategoryRule(double? AutoDecisionMinConfidence, ReviewAction OnReviewTimeout);

/// <summary>What the policy says to do next with a case.</summary>
public enum PolicyStep
{
    Release,
    Block,
    HumanReview,
}

/// <summary>A policy decision with the category it concerns (null when unknown) and a reason for the audit trail.</summary>
public sealed record PolicyDecision(PolicyStep Step, PolicyCategory? Category, string Reason);

/// <summary>
/// The routing policy as data. A snapshot is captured into every case when it starts, so the workflow replays the
/// same decisions even if configuration changes while the case is waiting for a reviewer.
/// </summary>
public sealed record ModerationPolicy(
    double? PrefilterThreshold,
    bool RuleHitsAreSuspicious,
    bool ReviewWhenLlmClearsRuleHit,
    TimeSpan ReviewTimeout,
    ReviewAction OnReviewTimeoutWithoutVerdict,
    ActivityRetryPolicy ClassificationRetry,
    IReadOnlyDictionary<PolicyCategory, CategoryRule> Categories)
{
    /// <summary>The pre-filter threshold for senders with recent blocks; null: everyone gets the same threshold.</summary>
    public double? RecentBlockPrefilterThreshold { get; init; }

    /// <summary>Recent blocked cases from which <see cref="RecentBlockPrefilterThreshold"/> applies.</summary>
    public int RecentBlocksToLowerThreshold { get; init; } = 1;

    public static ModerationPolicy From(ModerationPolicyOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var defaults = ModerationPolicyOptions.DefaultCategories();
        var categories = PolicyCategories.All.ToDictionary(
            c => c,
            c =>
            {
                var rule = options.Categories.GetValueOrDefault(c) ?? defaults[c];
                return new CategoryRule(rule.AutoDecisionMinConfidence, rule.OnReviewTimeout);
            });
        return new ModerationPolicy(
            options.PrefilterThreshold,
            options.RuleHitsAreSuspicious,
            options.ReviewWhenLlmClearsRuleHit,
            options.ReviewTimeout,
            options.OnReviewTimeoutWithoutVerdict,
            new ActivityRetryPolicy(options.ClassificationMaxAttempts, options.ClassificationFirstRetryInterval, BackoffCoefficient: 2.0),
            categories)
        {
            RecentBlockPrefilterThreshold = options.RecentBlockPrefilterThreshold,
            RecentBlocksToLowerThreshold = options.RecentBlocksToLowerThreshold,
        };
    }

    /// <summary>The defaults, for tests and tools.</summary>
    public static ModerationPolicy Default { get; } = From(new ModerationPolicyOptions());

    /// <summary>Tier one: release at once, or open a case.</summary>
    /// <param name="sender">The sender's recent history; a sender with recent blocks may face a lower threshold.</param>
    public ScreeningDecision Screen(PrefilterScore score, SenderHistory? sender = null)
    {
        ArgumentNullException.ThrowIfNull(score);
        var threshold = PrefilterThreshold ?? score.ModelThreshold;
        var reasons = new List<string>();
        var suspicious = false;

        if (RecentBlockPrefilterThreshold is { } lowered && lowered < threshold && sender is { } history && history.RecentBlocked >= RecentBlocksToLowerThreshold)
        {
            threshold = lowered;
            reasons.Add($"sender has {history.RecentBlocked} blocked case(s) in the last {FormatPeriod(history.Period)}");
        }

        if (RuleHitsAreSuspicious && score.HasRuleHits)
        {
            suspicious = true;
            reasons.AddRange(score.RuleHits.Select(h => $"rule {h.RuleId}"));
        }

        if (score.Score >= threshold)
        {
            suspicious = true;
            reasons.Add($"model score {Format(score.Score)} >= threshold {Format(threshold)}");
        }
        else if (!suspicious)
        {
            reasons.Add($"model score {Format(score.Score)} < threshold {Format(threshold)}");
        }

        return new ScreeningDecision(suspicious, threshold, reasons);
    }

    /// <summary>Tier two: act on the LLM's answer, or ask a human. Anything but a confident verdict goes to review.</summary>
    /// <param name="classification">The classifier's result; null when it failed after all retries.</param>
    /// <param name="prefilter">The case's pre-filter score (rule hits make a "clean" verdict suspect).</param>
    public PolicyDecision AfterClassification(LlmClassification? classification, PrefilterScore prefilter)
    {
        ArgumentNullException.ThrowIfNull(prefilter);
        if (classification is null)
        {
            return new(PolicyStep.HumanReview, null, "LLM unavailable after retries");
        }

        if (classification.Status == LlmClassificationStatus.NotConfigured || classification.Verdict is null)
        {
            return new(PolicyStep.HumanReview, null, "LLM not configured");
        }

        var verdict = classification.Verdict;
        var rule = Categories[verdict.Category];
        var name = verdict.Category.WireName();

        if (rule.AutoDecisionMinConfidence is not { } min)
        {
            return new(PolicyStep.HumanReview, verdict.Category, $"{name} always needs human review");
        }

        if (verdict.Confidence < min)
        {
            return new(PolicyStep.HumanReview, verdict.Category, $"LLM confidence {Format(verdict.Confidence)} for {name} is below {Format(min)}");
        }

        if (verdict.Category == PolicyCategory.Clean)
        {
            if (ReviewWhenLlmClearsRuleHit && prefilter.HasRuleHits)
            {
                return new(PolicyStep.HumanReview, verdict.Category, "LLM says clean but the rule screen matched " + string.Join(", ", prefilter.RuleHits.Select(h => h.RuleId)));
            }

            return new(PolicyStep.Release, verdict.Category, $"LLM: clean with confidence {Format(verdict.Confidence)}");
        }

        return new(PolicyStep.Block, verdict.Category, $"LLM: {name} with confidence {Format(verdict.Confidence)}");
    }

    /// <summary>What a review timeout does: the verdict's category rule, or the fail-safe default without a verdict.</summary>
    public PolicyDecision OnReviewTimeout(LlmVerdict? verdict)
    {
        if (verdict is null)
        {
            return new(ToStep(OnReviewTimeoutWithoutVerdict), null, $"review timed out after {ReviewTimeout} without an LLM verdict");
        }

        var rule = Categories[verdict.Category];
        return new(ToStep(rule.OnReviewTimeout), verdict.Category, $"review timed out after {ReviewTimeout}; default for {verdict.Category.WireName()}");
    }

    /// <summary>A reviewer's decision is final.</summary>
    public static PolicyDecision FromReviewer(ReviewDecision decision)
    {
        ArgumentNullException.ThrowIfNull(decision);
        var category = decision.Action == ReviewAction.Release ? PolicyCategory.Clean : decision.Category;
        return new(ToStep(decision.Action), category, $"reviewer {decision.ReviewerId}: {decision.Action.ToString().ToLowerInvariant()} ({category.WireName()})");
    }

    private static PolicyStep ToStep(ReviewAction action) => action == ReviewAction.Release ? PolicyStep.Release : PolicyStep.Block;

    private static string FormatPeriod(TimeSpan period) =>
        period.TotalDays >= 1 ? $"{Format(period.TotalDays)} days" : $"{Format(period.TotalHours)} hours";

    private static string Format(double value) => value.ToString("0.###", System.Globalization.CultureInfo.InvariantCulture);

    public static Disposition ToDisposition(PolicyStep step) => step switch
    {
        PolicyStep.Release => Disposition.Released,
        PolicyStep.Block => Disposition.Blocked,
        _ => throw new ArgumentOutOfRangeException(nameof(step), step, "Only release or block is a final disposition."),
    };
}
