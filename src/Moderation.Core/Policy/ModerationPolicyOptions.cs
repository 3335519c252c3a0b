using Moderation.Core.Review;

namespace Moderation.Core.Policy;

/// <summary>How the LLM's verdict is acted on for one category.</summary>
public sealed class CategoryRuleOptions
{
    /// <summary>
    /// The LLM's verdict alone decides when its confidence is at least this (release for Clean, block for a violation).
    /// Null: this category always goes to human review.
    /// </summary>
    public double? AutoDecisionMinConfidence { get; set; }

    /// <summary>What happens when no reviewer decides before the review deadline.</summary>
    public ReviewAction OnReviewTimeout { get; set; } = ReviewAction.Block;
}

/// <summary>The routing policy, bound from configuration section <c>Moderation:Policy</c> and validated at start-up.</summary>
public sealed class ModerationPolicyOptions
{
    public const string SectionName = "Moderation:Policy";

    /// <summary>Pre-filter score at or above which a message is suspicious. Null: use the threshold the model was released with.</summary>
    public double? PrefilterThreshold { get; set; }

    /// <summary>
    /// A lower pre-filter threshold for senders with at least <see cref="RecentBlocksToLowerThreshold"/> blocked cases
    /// within <c>Moderation:Conversations:SenderHistoryPeriod</c>. Null: sender history does not change routing.
    /// </summary>
    public double? RecentBlockPrefilterThreshold { get; set; }

    /// <summary>How many recent blocked cases make a sender face <see cref="RecentBlockPrefilterThreshold"/>.</summary>
    public int RecentBlocksToLowerThreshold { get; set; } = 1;

    /// <summary>Whether any rule-screen hit makes a message suspicious regardless of the model score.</summary>
    public bool RuleHitsAreSuspicious { get; set; } = true;

    /// <summary>When the rule screen matched but the LLM says clean, a human settles the disagreement instead of auto-release.</summary>
    public bool ReviewWhenLlmClearsRuleHit { get; set; } = true;

    /// <summary>How long a case waits for a reviewer before the per-category timeout action applies.</summary>
    public TimeSpan ReviewTimeout { get; set; } = TimeSpan.FromHours(24);

    /// <summary>What a review timeout does when the LLM gave no verdict (unavailable or not configured). Block is the fail-safe default.</summary>
    public ReviewAction OnReviewTimeoutWithoutVerdict { get; set; } = ReviewAction.Block;

    /// <summary>Attempts (including the first) at LLM classification before the case goes to human review.</summary>
    public int ClassificationMaxAttempts { get; set; } = 3;

    /// <summary>Wait before the first classification retry; doubles on each further retry.</summary>
    public TimeSpan ClassificationFirstRetryInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Per-category rules. Every category has a default; configuration overrides them one by one.</summary>
    public Dictionary<PolicyCategory, CategoryRuleOptions> Categories { get; set; } = DefaultCategories();

    public static Dictionary<PolicyCategory, CategoryRuleOptions> DefaultCategories() => new()
    {
        [PolicyCategory.Clean] = new() { AutoDecisionMinConfidence = 0.90, OnReviewTimeout = ReviewAction.Release },
        [PolicyCategory.OffPlatformContact] = new() { AutoDecisionMinConfidence = 0.90, OnReviewTimeout = ReviewAction.Block },
        // Soft violations: a human decides, and the message is not held forever if nobody does.
        [PolicyCategory.JobSeeking] = new() { AutoDecisionMinConfidence = null, OnReviewTimeout = ReviewAction.Release },
        [PolicyCategory.PartnershipSolicitation] = new() { AutoDecisionMinConfidence = null, OnReviewTimeout = ReviewAction.Release },
        [PolicyCategory.ScamPhishing] = new() { AutoDecisionMinConfidence = 0.85, OnReviewTimeout = ReviewAction.Block },
        [PolicyCategory.Harassment] = new() { AutoDecisionMinConfidence = 0.90, OnReviewTimeout = ReviewAction.Block },
        [PolicyCategory.Threat] = new() { AutoDecisionMinConfidence = 0.80, OnReviewTimeout = ReviewAction.Block },
        [PolicyCategory.Hate] = new() { AutoDecisionMinConfidence = 0.85, OnReviewTimeout = ReviewAction.Block },
        [PolicyCategory.Sexual] = new() { AutoDecisionMinConfidence = 0.90, OnReviewTimeout = ReviewAction.Block },
        [PolicyCategory.Spam] = new() { AutoDecisionMinConfidence = 0.90, OnReviewTimeout = ReviewAction.Block },
    };
}
