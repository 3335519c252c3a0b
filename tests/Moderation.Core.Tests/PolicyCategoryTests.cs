using System.Text.Json;
using Moderation.Core.Policy;
using Moderation.Core.Serialization;

namespace Moderation.Core.Tests;

/// <summary>The taxonomy's wire names are a contract with prompts, queues and reviewers' tools.</summary>
public class PolicyCategoryTests
{
    [Theory]
    [InlineData(PolicyCategory.Clean, "clean")]
    [InlineData(PolicyCategory.OffPlatformContact, "off_platform_contact")]
    [InlineData(PolicyCategory.JobSeeking, "job_seeking")]
    [InlineData(PolicyCategory.PartnershipSolicitation, "partnership_solicitation")]
    [InlineData(PolicyCategory.ScamPhishing, "scam_phishing")]
    [InlineData(PolicyCategory.Harassment, "harassment")]
    [InlineData(PolicyCategory.Threat, "threat")]
    [InlineData(PolicyCategory.Hate, "hate")]
    [InlineData(PolicyCategory.Sexual, "sexual")]
    [InlineData(PolicyCategory.Spam, "spam")]
    public void Wire_name_round_trips_through_json_and_parser(PolicyCategory category, string wire)
    {
        Assert.Equal(wire, category.WireName());
        Assert.Equal($"\"{wire}\"", JsonSerializer.Serialize(category, ModerationJson.Options));
        Assert.Equal(category, JsonSerializer.Deserialize<PolicyCategory>($"\"{wire}\"", ModerationJson.Options));
        Assert.True(PolicyCategories.TryParseWireName(wire.ToUpperInvariant(), out var parsed));
        Assert.Equal(category, parsed);
    }

    [Theory]
    [InlineData("safe")]
    [InlineData("")]
    [InlineData(null)]
    [InlineData("3")]
    public void Names_outside_the_taxonomy_are_rejected(string? value)
    {
        Assert.False(PolicyCategories.TryParseWireName(value, out _));
    }

    [Fact]
    public void Integer_category_values_are_not_accepted_in_json()
    {
        Assert.Throws<JsonException>(() => JsonSerializer.Deserialize<PolicyCategory>("4", ModerationJson.Options));
    }
}
