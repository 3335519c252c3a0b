namespace Moderation.Prefilter.Rules;

/// <summary>The stable rule ids recorded in <see cref="Core.Screening.RuleHit"/>s; dashboards and reviewers key on them.</summary>
public static class RuleIds
{
    public const string Phone = "contact.phone";
    public const string Email = "contact.email";
    public const string Url = "contact.url";
    public const string Handle = "contact.handle";
    public const string OffPlatformMove = "contact.off_platform";
    public const string OffPlatformPayment = "payment.off_platform";
    public const string Threat = "conduct.threat";
    public const string Insult = "conduct.insult";
    public const string JobSeeking = "solicitation.job_seeking";
    public const string Partnership = "solicitation.partnership";
    public const string Blocklist = "blocklist";
}
