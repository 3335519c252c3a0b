namespace Moderation.Prefilter.Rules;

/// <summary>The stable rule ids recorded in <see cref="Core.Screening.RuleHit"/>s; dashboards, evaluation and reviewers key on them.</summary>
public static class RuleIds
{
    /// <summary>A phone number in digits, words or a mix, however it is split.</summary>
    public const string Phone = "contact.phone";

    /// <summary>A phone number with letters for digits ("1-800-FLOWERS").</summary>
    public const string VanityPhone = "contact.vanity_phone";

    /// <summary>An e-mail address, plain or with spelled-out "at" / "dot".</summary>
    public const string Email = "contact.email";

    /// <summary>A link judged to lead off the platform: messaging or social hosts, shorteners, listed domains, spelled-out domains, or a link pushed at the reader.</summary>
    public const string Url = "contact.url";

    /// <summary>A handle on another app, or an invitation to continue there.</summary>
    public const string Handle = "contact.handle";

    /// <summary>A messaging app named outright (WhatsApp, Telegram, ...).</summary>
    public const string MessagingApp = "contact.messaging_app";

    /// <summary>Moving the conversation or the deal off the platform without naming a channel.</summary>
    public const string OffPlatformMove = "contact.off_platform";

    /// <summary>A payment app or payment link named, or a $cashtag.</summary>
    public const string OffPlatformPayment = "payment.off_platform";

    /// <summary>Paying outside the platform without an app's name: directly, cash, transfers, cheques, bank details, dodging fees.</summary>
    public const string DirectPayment = "payment.direct";

    public const string Threat = "conduct.threat";
    public const string Insult = "conduct.insult";
    public const string JobSeeking = "solicitation.job_seeking";
    public const string Partnership = "solicitation.partnership";

    /// <summary>Self-promotion and money offers: channels, referral codes, paid followers or reviews, earnings claims.</summary>
    public const string Promotion = "solicitation.promotion";

    public const string Blocklist = "blocklist";
}
