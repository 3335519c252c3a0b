using Moderation.Core.Policy;
using Moderation.Core.Review;

namespace Moderation.Core.Tests.Review;

/// <summary>What a reviewer's decision may say.</summary>
public class ReviewDecisionTests
{
    [Theory]
    [InlineData(PolicyCategory.OffPlatformContact)]
    [InlineData(PolicyCategory.ScamPhishing)]
    public void A_release_that_names_a_violation_category_is_refused(PolicyCategory category)
    {
        // A release labelled with a violation would become a contradictory label in evaluation and fine-tuning data.
        var problems = (Samples.Release() with { Category = category }).Validate();

        Assert.Contains(problems, p => p.Contains("release", StringComparison.Ordinal) && p.Contains("clean", StringComparison.Ordinal));
    }

    [Fact]
    public void A_release_labelled_clean_is_valid()
    {
        Assert.Empty(Samples.Release().Validate());
    }
}
