using System.Text.RegularExpressions;

namespace Moderation.Prefilter.Rules;

/// <summary>
/// The fixed patterns of the rule screen. Every pattern runs on the non-backtracking engine, so matching is linear in
/// the input length whatever the message holds; the timeout is a second line of defence.
/// </summary>
internal static partial class ContactPatterns
{
    public const int TimeoutMilliseconds = 250;

    private const RegexOptions Options = RegexOptions.IgnoreCase | RegexOptions.CultureInvariant | RegexOptions.NonBacktracking;

    // Spelled-out separators ("john (at) mail [dot] com", "john at mail dot com").
    private const string At = @"(?:@|\s*[\(\[\{<]\s*at\s*[\)\]\}>]\s*|\s+at\s+)";
    private const string Dot = @"(?:\.|\s*[\(\[\{<]\s*dot\s*[\)\]\}>]\s*|\s+dot\s+)";
    private const string CommonTlds = "com|net|org|edu|gov|io|co|uk|us|ca|au|de|fr|es|it|nl|be|ch|at|se|no|dk|fi|pl|pt|ie|ru|in|br|mx|jp|info|biz|me|app|dev|xyz";

    /// <summary>Plain addresses: any TLD of two or more letters.</summary>
    [GeneratedRegex(@"\b[a-z0-9][a-z0-9._%+\-]*@[a-z0-9\-]+(?:\.[a-z0-9\-]+)*\.[a-z]{2,24}\b", Options, TimeoutMilliseconds)]
    public static partial Regex PlainEmail();

    /// <summary>Obfuscated addresses: a spelled-out "at" or "dot", and then the TLD must be a common one.</summary>
    [GeneratedRegex(@"\b[a-z0-9][a-z0-9._%+\-]*" + At + @"[a-z0-9\-]+(?:" + Dot + @"[a-z0-9\-]+)*" + Dot + "(?:" + CommonTlds + @")\b", Options, TimeoutMilliseconds)]
    public static partial Regex ObfuscatedEmail();

    /// <summary>Links with a scheme or "www.", and link-shortener / chat-invite hosts.</summary>
    [GeneratedRegex(@"\b(?:https?://|www\.)[^\s<>""']{2,}", Options, TimeoutMilliseconds)]
    public static partial Regex Url();

    /// <summary>Bare domains ("mysite.com", "shop.example.co.uk", "mysite dot com"): only common TLDs, to spare "e.g." and "node.js".</summary>
    [GeneratedRegex(@"\b[a-z0-9][a-z0-9\-]{1,62}(?:" + Dot + @"[a-z0-9\-]{2,63})*" + Dot + "(?:com|net|org|io|co|me|ly|gl|gg|app|biz|info|xyz|site|online|link|shop|store|club|live|top|us|uk|ca|au|de|fr|ru|cn|in|ws|tk)" + @"(?:/[^\s<>""']*)?\b", Options, TimeoutMilliseconds)]
    public static partial Regex BareDomain();

    /// <summary>Messaging apps named outright: unambiguous names and their link hosts.</summary>
    [GeneratedRegex(@"\b(?:whats\s?app|whatsap|telegram|viber|we\s?chat|kik|snap\s?chat|skype|wa\.me/\S*|t\.me/\S*)\b", Options, TimeoutMilliseconds)]
    public static partial Regex MessagingApp();

    /// <summary>An invitation to continue elsewhere: "text me on signal", "dm me @ ...", "add me on insta".</summary>
    [GeneratedRegex(@"\b(?:text|txt|message|msg|dm|pm|call|add|reach|contact|hit|find|ping|chat\s+with|write|follow)\s+(?:me|us)\s+(?:up\s+)?(?:(?:on|at|via|through|over)\s+(?:signal|line|insta(?:gram)?|ig|snap|fb|facebook|messenger|twitter|x|tiktok|discord|imessage|my\s+(?:cell|mobile|number|phone|personal\s+(?:number|email|phone)))\b|(?:(?:on|at)\s*)?@[a-z0-9_.]{2,30})", Options, TimeoutMilliseconds)]
    public static partial Regex ContactInvitation();

    /// <summary>A handle given with the app it belongs to: "ig: @jane.doe", "snap - janedoe99", "my telegram is @jane".</summary>
    [GeneratedRegex(@"\b(?:ig|insta(?:gram)?|snap(?:chat)?|twitter|tiktok|telegram|tg|kik|discord|signal|line\s?id|handle|user\s?name)(?:\s*[:=\-]\s*@?[a-z0-9_.]{3,30}|\s+is\s+@[a-z0-9_.]{2,30}|\s*@[a-z0-9_.]{2,30})", Options, TimeoutMilliseconds)]
    public static partial Regex LabeledHandle();

    /// <summary>Cash App "$cashtag": a dollar sign followed by a letter (never an amount such as "$150").</summary>
    [GeneratedRegex(@"\$[a-z][a-z0-9_\-]{1,19}\b", Options, TimeoutMilliseconds)]
    public static partial Regex Cashtag();

    /// <summary>Payment outside the platform: payment apps, transfers, cash deals.</summary>
    [GeneratedRegex(@"\b(?:venmo|zelle|cash\s?app|paypal(?:\.me/\S*)?|pay\s?pal|western\s+union|moneygram|wire\s+transfer|bank\s+transfer|e-?transfer|interac|bitcoin|btc|usdt|crypto|gift\s+cards?|apple\s+pay|google\s+pay|gpay|revolut|pay\s+(?:me\s+|you\s+)?(?:in|with)\s+cash|cash\s+only|cash\s+in\s+hand|cash\s+deal)\b", Options, TimeoutMilliseconds)]
    public static partial Regex OffPlatformPayment();

    /// <summary>Explicitly moving the conversation off the platform: "outside the app", "off this site".</summary>
    [GeneratedRegex(@"\b(?:outside|off)\s+(?:of\s+)?(?:the|this)\s+(?:app|platform|site|website)\b", Options, TimeoutMilliseconds)]
    public static partial Regex OffPlatformMove();

    /// <summary>A calendar date in digits, which must not count as a phone number ("2024-05-12", "12/05/2024").</summary>
    [GeneratedRegex(@"^(?:\d{4}[\-./]\d{1,2}[\-./]\d{1,2}|\d{1,2}[\-./]\d{1,2}[\-./]\d{2,4})$", RegexOptions.CultureInvariant | RegexOptions.NonBacktracking, TimeoutMilliseconds)]
    public static partial Regex DigitDate();
}
