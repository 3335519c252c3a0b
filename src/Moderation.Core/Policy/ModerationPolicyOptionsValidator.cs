using Microsoft.Extensions.Options;
using Moderation.Core.Review;

namespace Moderation.Core.Policy;

/// <summary>Rejects a routing policy that cannot be applied safely, at start-up rather than on the first suspicious message.</summary>
public sealed class ModerationPolicyOptionsValidator : IValidateOptions<ModerationPolicyOptions>
{
    /// <summary>Durable timers and reviewers alike: a case should not be parked for longer than this.</summary>
    public static readonly TimeSpan MaxReviewTimeout = TimeSpan.FromDays(30);

    public ValidateOptionsResult Validate(string? name, ModerationPolicyOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();

        if (options.PrefilterThreshold is { } threshold && !IsProbability(threshold))
        {
            failures.Add($"PrefilterThreshold must be between 0 and 1 (was {threshold}).");
        }

        if (options.RecentBlockPrefilterThreshold is { } lowered && !IsProbability(lowered))
        {
            failures.Add($"RecentBlockPrefilterThreshold must be between 0 and 1 (was {lowered}).");
        }

        if (options.RecentBlocksToLowerThreshold is < 1 or > 1000)
        {
            failures.Add($"RecentBlocksToLowerThreshold must be between 1 and 1000 (was {options.RecentBlocksToLowerThreshold}).");
        }

        if (options.ReviewTimeout <= TimeSpan.Zero || options.ReviewTimeout > MaxReviewTimeout)
        {
            failures.Add($"ReviewTimeout must be positive and at most {MaxReviewTimeout.TotalDays} days (was {options.ReviewTimeout}).");
        }

        if (!Enum.IsDefined(options.OnReviewTimeoutWithoutVerdict))
        {
            failures.Add("OnReviewTimeoutWithoutVerdict must be Release or Block.");
        }

        if (options.ClassificationMaxAttempts is < 1 or > 10)
        {
            failures.Add($"ClassificationMaxAttempts must be between 1 and 10 (was {options.ClassificationMaxAttempts}).");
        }

        // Durable Functions' RetryPolicy refuses a zero interval, which would fail every case inside the orchestrator.
        if (options.ClassificationFirstRetryInterval <= TimeSpan.Zero || options.ClassificationFirstRetryInterval > TimeSpan.FromHours(1))
        {
            failures.Add("ClassificationFirstRetryInterval must be positive and at most 1 hour.");
        }

        options.Categories ??= [];
        foreach (var category in PolicyCategories.All)
        {
            if (!options.Categories.TryGetValue(category, out var rule) || rule is null)
            {
                failures.Add($"Categories:{category} is missing; every category needs a rule.");
                continue;
            }

            if (rule.AutoDecisionMinConfidence is { } min && !IsProbability(min))
            {
                failures.Add($"Categories:{category}:AutoDecisionMinConfidence must be between 0 and 1 (was {min}).");
            }

            if (!Enum.IsDefined(rule.OnReviewTimeout))
            {
                failures.Add($"Categories:{category}:OnReviewTimeout must be Release or Block.");
            }
        }

        foreach (var key in options.Categories.Keys.Where(k => !Enum.IsDefined(k)))
        {
            failures.Add($"Categories:{(int)key} is not a policy category.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static bool IsProbability(double value) => value is >= 0 and <= 1 && !double.IsNaN(value);
}
