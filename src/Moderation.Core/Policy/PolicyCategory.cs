using System.Text.Json.Serialization;
using Moderation.Core.Serialization;

namespace Moderation.Core.Policy;

/// <summary>The fixed policy taxonomy. The LLM must answer with one of these; nothing else is a valid verdict.</summary>
[JsonConverter(typeof(WireEnumConverter<PolicyCategory>))]
public enum PolicyCategory
{
    /// <summary>No policy violation.</summary>
    Clean = 0,

    /// <summary>Moving the conversation or the payment off the platform: phone numbers, e-mail, other apps, cash or wire deals.</summary>
    OffPlatformContact,

    /// <summary>A professional or customer using the chat to look for a job or to recruit.</summary>
    JobSeeking,

    /// <summary>Partnership, referral or business solicitation unrelated to the request at hand.</summary>
    PartnershipSolicitation,

    /// <summary>Fraud, phishing, fake payment links, advance-fee schemes.</summary>
    ScamPhishing,

    /// <summary>Insults, bullying, targeted abuse.</summary>
    Harassment,

    /// <summary>Threats of violence or harm.</summary>
    Threat,

    /// <summary>Attacks on people for a protected characteristic.</summary>
    Hate,

    /// <summary>Sexual content or solicitation.</summary>
    Sexual,

    /// <summary>Unsolicited bulk or promotional content.</summary>
    Spam,
}

public static class PolicyCategories
{
    /// <summary>Every category, in declaration order.</summary>
    public static IReadOnlyList<PolicyCategory> All { get; } = Enum.GetValues<PolicyCategory>();

    /// <summary>Every category that is a violation (all but <see cref="PolicyCategory.Clean"/>).</summary>
    public static IReadOnlyList<PolicyCategory> Violations { get; } = All.Where(c => c != PolicyCategory.Clean).ToArray();

    /// <summary>The wire name of a category (snake_case), as used in prompts, JSON schemas and queue messages.</summary>
    public static string WireName(this PolicyCategory category) => category switch
    {
        PolicyCategory.Clean => "clean",
        PolicyCategory.OffPlatformContact => "off_platform_contact",
        PolicyCategory.JobSeeking => "job_seeking",
        PolicyCategory.PartnershipSolicitation => "partnership_solicitation",
        PolicyCategory.ScamPhishing => "scam_phishing",
        PolicyCategory.Harassment => "harassment",
        PolicyCategory.Threat => "threat",
        PolicyCategory.Hate => "hate",
        PolicyCategory.Sexual => "sexual",
        PolicyCategory.Spam => "spam",
        _ => throw new ArgumentOutOfRangeException(nameof(category), category, "Not a policy category."),
    };

    /// <summary>Parses a wire name (or the enum name), case-insensitively; false for anything outside the taxonomy.</summary>
    public static bool TryParseWireName(string? value, out PolicyCategory category)
    {
        foreach (var candidate in All)
        {
            if (string.Equals(candidate.WireName(), value, StringComparison.OrdinalIgnoreCase)
                || string.Equals(candidate.ToString(), value, StringComparison.OrdinalIgnoreCase))
            {
                category = candidate;
                return true;
            }
        }

        category = PolicyCategory.Clean;
        return false;
    }
}
