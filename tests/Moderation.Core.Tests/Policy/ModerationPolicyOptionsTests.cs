using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Moderation.Core.Policy;
using Moderation.Core.Review;

namespace Moderation.Core.Tests.Policy;

/// <summary>A policy that cannot be applied safely is refused at start-up, not on the first suspicious message.</summary>
public class ModerationPolicyOptionsTests
{
    private static readonly ModerationPolicyOptionsValidator Validator = new();

    [Fact]
    public void The_defaults_are_valid()
    {
        Assert.True(Validator.Validate(null, new ModerationPolicyOptions()).Succeeded);
    }

    public static TheoryData<Action<ModerationPolicyOptions>, string> Invalid => new()
    {
        { o => o.PrefilterThreshold = 1.5, "PrefilterThreshold must be between 0 and 1" },
        { o => o.PrefilterThreshold = double.NaN, "PrefilterThreshold must be between 0 and 1" },
        { o => o.ReviewTimeout = TimeSpan.Zero, "ReviewTimeout must be positive" },
        { o => o.ReviewTimeout = TimeSpan.FromDays(31), "ReviewTimeout must be positive" },
        { o => o.OnReviewTimeoutWithoutVerdict = (ReviewAction)5, "OnReviewTimeoutWithoutVerdict must be Release or Block" },
        { o => o.ClassificationMaxAttempts = 0, "ClassificationMaxAttempts must be between 1 and 10" },
        { o => o.ClassificationFirstRetryInterval = TimeSpan.FromHours(2), "ClassificationFirstRetryInterval must be positive and at most 1 hour" },
        { o => o.ClassificationFirstRetryInterval = TimeSpan.Zero, "ClassificationFirstRetryInterval must be positive and at most 1 hour" },
        { o => o.Categories.Remove(PolicyCategory.Threat), "Categories:Threat is missing" },
        { o => o.Categories[PolicyCategory.Spam].AutoDecisionMinConfidence = -0.1, "Categories:Spam:AutoDecisionMinConfidence must be between 0 and 1" },
        { o => o.Categories[PolicyCategory.Spam].OnReviewTimeout = (ReviewAction)9, "Categories:Spam:OnReviewTimeout must be Release or Block" },
    };

    [Theory]
    [MemberData(nameof(Invalid))]
    public void Unsafe_settings_are_rejected_with_a_message_naming_the_setting(Action<ModerationPolicyOptions> change, string message)
    {
        var options = new ModerationPolicyOptions();
        change(options);

        var result = Validator.Validate(null, options);

        Assert.True(result.Failed);
        Assert.Contains(message, result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void Policy_binds_from_configuration_and_is_validated_when_the_host_starts()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Moderation:Policy:PrefilterThreshold"] = "0.42",
            ["Moderation:Policy:ReviewTimeout"] = "02:00:00",
            ["Moderation:Policy:Categories:JobSeeking:AutoDecisionMinConfidence"] = "0.97",
            ["Moderation:Policy:Categories:JobSeeking:OnReviewTimeout"] = "Block",
            ["Moderation:Review:SigningSecret"] = new string('s', 40),
        }).Build();
        using var provider = Services(configuration);

        var options = provider.GetRequiredService<IOptions<ModerationPolicyOptions>>().Value;
        var policy = ModerationPolicy.From(options);

        Assert.Equal(0.42, policy.PrefilterThreshold);
        Assert.Equal(TimeSpan.FromHours(2), policy.ReviewTimeout);
        Assert.Equal(0.97, policy.Categories[PolicyCategory.JobSeeking].AutoDecisionMinConfidence);
        Assert.Equal(ReviewAction.Block, policy.Categories[PolicyCategory.JobSeeking].OnReviewTimeout);
        Assert.Equal(0.90, policy.Categories[PolicyCategory.Clean].AutoDecisionMinConfidence);
    }

    [Fact]
    public void An_invalid_policy_in_configuration_fails_on_access_with_every_problem()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Moderation:Policy:PrefilterThreshold"] = "3",
            ["Moderation:Policy:ClassificationMaxAttempts"] = "0",
            ["Moderation:Review:SigningSecret"] = new string('s', 40),
        }).Build();
        using var provider = Services(configuration);

        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<ModerationPolicyOptions>>().Value);
        Assert.Equal(2, error.Failures.Count());
    }

    private static ServiceProvider Services(IConfiguration configuration)
    {
        var services = new ServiceCollection();
        services.AddSingleton<ILoggerFactory>(NullLoggerFactory.Instance);
        services.AddSingleton(typeof(ILogger<>), typeof(NullLogger<>));
        services.AddModerationCore(configuration);
        return services.BuildServiceProvider();
    }
}
