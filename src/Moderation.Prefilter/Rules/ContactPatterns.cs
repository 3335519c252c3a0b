using System.Text;
using System.Text.RegularExpressions;

namespace Moderation.Prefilter.Rules;

/// <summary>
/// The fixed patterns of the rule screen, matched against the rule skeleton of a message (see
/// <see cref="Text.TextSkeleton"/>), so look-alike letters, hidden characters and spaced-out letters are already undone.
/// Every pattern runs on the non-backtracking engine, so matching is linear in the input length whatever the message
/// holds; the timeout is a second line of defence.
/// </summary>
internal static partial class ContactPatterns
{
    public const int TimeoutMilliseconds = 1000;

    private const RegexOptions Options = RegexOptions.IgnoreCase | RegexOptions.CultureInvariant | RegexOptions.NonBacktracking;

    // Spelled-out or spaced separators ("john (at) mail [dot] com", "john at mail dot com", "john @ mail . com").
    private const string At = @"(?:\s*[\(\[\{<]\s*(?:at|@)\s*[\)\]\}>]\s*|\s+at\s+|\s+@\s*|\s*@\s+)";
    private const string Dot = @"(?:\s*[\(\[\{<]\s*(?:dot|\.)\s*[\)\]\}>]\s*|\s+dot\s+|\s*\.\s*)";
    private const string DomainDot = @"(?:\.|\s*[\(\[\{<]\s*(?:dot|\.)\s*[\)\]\}>]\s*|\s+dot\s+)";
    private const string LocalPart = @"[a-z0-9][a-z0-9._%+\-]*(?:\s+dot\s+[a-z0-9_%+\-]+)*";
    private const string CommonTlds = "com|net|org|edu|gov|io|co|uk|us|ca|au|de|fr|es|it|nl|be|ch|at|se|no|dk|fi|pl|pt|ie|ru|in|br|mx|jp|info|biz|me|app|dev|xyz";

    /// <summary>Mail providers: "jane at gmail" is an address even without its domain ending.</summary>
    public const string MailProviders = "gmail|googlemail|hotmail|ymail|protonmail|icloud|yahoo|outlook|aol|gmx|yandex|zoho";

    /// <summary>Apps and networks people move a conversation to.</summary>
    private const string ContactApps = @"signal|line|insta(?:gram)?|ig|snap(?:chat)?|fb|facebook|messenger|twitter|x|tiktok|tik\s?tok|discord|imessage|whats\s?app|wa|telegram|tg|kik|skype|viber|we\s?chat|threads|twitch|google\s+(?:chat|voice)";

    /// <summary>Handles and personal channels that can follow an invitation ("text me on my cell").</summary>
    private const string OwnChannel = @"my\s+(?:cell|mobile|number|phone|email|e-mail|personal\s+(?:number|email|e-mail|phone|cell|account)|private\s+(?:number|email|e-mail))";

    /// <summary>Apps whose account name people hand out ("my snap is ..."); no single letters that are also words.</summary>
    private const string HandleApps = @"signal|line|insta(?:gram)?|ig|snap(?:chat)?|fb|facebook|twitter|tiktok|tik\s?tok|discord|whats\s?app|telegram|tg|kik|skype|viber|we\s?chat|threads|twitch|venmo|cash\s?app|pay\s?pal";

    private const string Handle = @"@?[a-z0-9_.]{3,30}";

    /// <summary>Plain addresses: any TLD of two or more letters.</summary>
    [GeneratedRegex(@"\b[a-z0-9][a-z0-9._%+\-]*@[a-z0-9\-]+(?:\.[a-z0-9\-]+)*\.[a-z]{2,24}\b", Options, TimeoutMilliseconds)]
    public static partial Regex PlainEmail();

    /// <summary>
    /// Obfuscated addresses: spaced or spelled "at" and "dot", ending in a common TLD. <see cref="RuleScreen"/> keeps a
    /// plain " at " only with a spelled dot or a mail provider, so "I work at example.com" is left to the link rules.
    /// </summary>
    [GeneratedRegex(@"\b" + LocalPart + At + @"[a-z0-9\-]+(?:" + Dot + @"[a-z0-9\-]+)*" + Dot + "(?:" + CommonTlds + @")\b", Options, TimeoutMilliseconds)]
    public static partial Regex ObfuscatedEmail();

    /// <summary>An address cut short at its mail provider: "jane.doe @ gmail", "jane(at)yahoo".</summary>
    [GeneratedRegex(@"\b" + LocalPart + @"(?:@|" + At + ")(?:" + MailProviders + @")\b", Options, TimeoutMilliseconds)]
    public static partial Regex ProviderEmail();

    /// <summary>Links with a scheme or "www.".</summary>
    [GeneratedRegex(@"\b(?:https?://|www\.)[^\s<>""']{2,}", Options, TimeoutMilliseconds)]
    public static partial Regex Url();

    /// <summary>Bare domains ("mysite.com", "shop.example.co.uk", "mysite dot com"): only common TLDs, to spare "e.g." and "node.js".</summary>
    [GeneratedRegex(@"\b[a-z0-9][a-z0-9\-]{0,62}(?:" + DomainDot + @"[a-z0-9\-]{2,63})*" + DomainDot + "(?:com|net|org|io|co|me|ly|gl|gg|app|biz|info|xyz|site|online|link|shop|store|club|live|top|us|uk|ca|au|de|fr|ru|cn|in|ws|tk|ee|am|be|to|tv|ai)" + @"(?:/[^\s<>""']*)?\b", Options, TimeoutMilliseconds)]
    public static partial Regex BareDomain();

    /// <summary>Words around a link that push the reader to it or to the sender ("check out", "visit my site").</summary>
    [GeneratedRegex(
        @"\b(?:check\s+(?:it\s+|this\s+|me\s+)?out|visit|click|tap\s+(?:here|the\s+link|this)|subscribe|sign\s+up|register|join|download|follow|dm|contact|reach\s+(?:me|us)|order\s+(?:here|now|at|from)|buy\s+(?:here|now|at|from)|find\s+(?:me|us))\b"
        + @"|\b(?:my|our)\s+(?:site|website|web\s?site|page|portfolio|shop|store|channel|blog|profile|business|link|bio)\b",
        Options,
        TimeoutMilliseconds)]
    public static partial Regex LinkCallToAction();

    /// <summary>An invitation to continue elsewhere: "text me on signal", "dm me @ ...", "hit me up on insta".</summary>
    [GeneratedRegex(
        @"\b(?:(?:text|txt|message|msg|dm|pm|call|add|reach|contact|hit|find|ping|chat\s+with|write|follow|look|search\s+for|snap|whatsapp)\s+(?:me|us)\s+(?:up\s+)?|hmu\s+)"
        + @"(?:(?:on|at|via|through|over|in)\s+(?:(?:" + ContactApps + @")\b|" + OwnChannel + @"\b)|(?:(?:on|at)\s*)?@[a-z0-9_.]{2,30})",
        Options,
        TimeoutMilliseconds)]
    public static partial Regex ContactInvitation();

    /// <summary>A handle given with the app it belongs to: "ig: @jane.doe", "snap - janedoe99", "my telegram is @jane".</summary>
    [GeneratedRegex(
        @"\b(?:ig|insta(?:gram)?|snap(?:chat)?|twitter|tiktok|telegram|tg|kik|discord|signal|line\s?id|handle|user\s?name|whats\s?app|we\s?chat\s?id|skype\s?id)"
        + @"(?:(?:\s*[:=]\s*|\s*-\s+)(?<handle>" + Handle + @")|\s+(?:is|=)\s+@[a-z0-9_.]{2,30}|\s*@[a-z0-9_.]{2,30})",
        Options,
        TimeoutMilliseconds)]
    public static partial Regex LabeledHandle();

    /// <summary>
    /// One's own account on another app, then its name: "my snap is jdoe22", "our insta handle: studio.j". Group
    /// <c>app</c>, <c>label</c> and <c>handle</c> let <see cref="RuleScreen"/> drop "my signal is weak".
    /// </summary>
    [GeneratedRegex(
        @"\b(?:my|our)\s+(?<app>" + HandleApps + @")(?:\s+(?<label>handle|name|username|user\s+name|id|account|acc|tag|number|no))?(?<sep>\s*[:=\-]\s*|\s+is\s+|\s+)(?<handle>" + Handle + ")",
        Options,
        TimeoutMilliseconds)]
    public static partial Regex OwnHandle();

    /// <summary>A handle followed by its app: "@jane.doe on insta".</summary>
    [GeneratedRegex(@"@[a-z0-9_.]{2,30}\s+(?:on|at|via|in|@)\s+(?:" + ContactApps + @")\b", Options, TimeoutMilliseconds)]
    public static partial Regex HandleOnApp();

    /// <summary>A short code to text ("txt WIN to 80086", "reply STOP to 62468"): a number to reach, just a short one.</summary>
    [GeneratedRegex(@"\b(?:txt|text|sms|send|reply)\s+(?:[a-z0-9]+\s+){0,3}to\s+\d{4,6}\b", Options, TimeoutMilliseconds)]
    public static partial Regex ShortCode();

    /// <summary>Cash App "$cashtag": a dollar sign followed by a letter (never an amount such as "$150").</summary>
    [GeneratedRegex(@"\$[a-z][a-z0-9_\-]{1,19}\b", Options, TimeoutMilliseconds)]
    public static partial Regex Cashtag();

    /// <summary>Paying outside the platform without naming an app: directly, in cash, by transfer or cheque, to bank details.</summary>
    [GeneratedRegex(
        @"\b(?:pay|paying|paid|send|sending|transfer|transferring|wire|wiring|deposit)\s+(?:me|you|us|it|that|them|the\s+(?:money|payment|balance|rest|deposit|amount|funds))?\s*(?:directly|direct|straight|privately|personally|in\s+cash|with\s+cash|cash|under\s+the\s+table|off\s+the\s+books)\b"
        + @"|\b(?:wire|bank|direct|e-?|interac)\s*transfer\b"
        + @"|\b(?:send|mail|write|give)\s+(?:you\s+|me\s+)?(?:a\s+)?(?:cashier'?s\s+|certified\s+|personal\s+)?(?:check|cheque|money\s+order)\b"
        + @"|\b(?:my|your|the)\s+(?:bank|banking|account|routing|iban|swift|sort\s+code|bsb)\s+(?:details|info|information|number|no|num)\b"
        + @"|\b(?:iban|routing\s+number|sort\s+code|swift\s+code)\b"
        + @"|\bcash\s+(?:only|in\s+hand|deal|job)\b|\b(?:off\s+the\s+books|under\s+the\s+table)\b"
        + @"|\b(?:avoid|skip|save|bypass|dodge|cut|without|no|waive)\s+(?:on\s+)?(?:the|their|this|its|any|those)?\s*(?:platform|app|site|website|booking|marketplace|middle\s?man)(?:'s|’s|s)?\s+(?:fees?|commission|cut|charges?)\b",
        Options,
        TimeoutMilliseconds)]
    public static partial Regex DirectPayment();

    /// <summary>Explicitly moving the conversation or the deal off the platform: "outside the app", "take this to text".</summary>
    [GeneratedRegex(
        @"\b(?:outside|off)\s+(?:of\s+)?(?:the|this|your|our)\s+(?:app|platform|site|website|marketplace)\b"
        + @"|\boff[\s\-]platform\b|\bcut\s+out\s+the\s+middle\s?man\b"
        + @"|\b(?:move|take|continue|switch)\s+(?:this|it|things|the\s+(?:conversation|chat|convo|discussion)|our\s+(?:conversation|chat|convo|discussion))\s+(?:to|on(?:to)?|over\s+to|via)\s+(?:texts?|sms|e-?mail|phone|dms?|private|whats\s?app|telegram|signal|" + OwnChannel + @")\b"
        + @"|\b(?:bypass|bypassing|skip|skipping|avoid|avoiding)\s+(?:the|this|your|their)\s+(?:app|platform|site|website|marketplace)\b"
        + @"|\b(?:don'?t|do\s+not|no\s+need\s+to|not)\s+(?:book|pay|go|message|order)\s+(?:through|via|on|in)\s+(?:the|this)\s+(?:app|platform|site|website|marketplace)\b",
        Options,
        TimeoutMilliseconds)]
    public static partial Regex OffPlatformMove();

    /// <summary>Self-promotion and money offers: "check out my channel", "use my referral code", "earn $500 a day", "buy followers".</summary>
    [GeneratedRegex(
        @"\b(?:check\s+out|visit|subscribe\s+to|sub\s+to|follow|like|watch|listen\s+to|support|join)\s+(?:my|our)\s+(?:new\s+|latest\s+|youtube\s+|music\s+|online\s+|official\s+)?(?:channel|page|website|web\s?site|blog|vlog|shop|store|music|videos?|playlist|songs?|mixtape|podcast|stream|group|server|band)\b"
        + @"|\b(?:please|pls|plz)\s+(?:like\s+(?:and|&)\s+)?subscribe\b|\bsub(?:scribe)?\s*(?:4|for)\s*sub(?:scribe)?\b|\blike\s+(?:and|&)\s+subscribe\b"
        + @"|\b(?:use|using|with|enter|sign\s+up\s+(?:with|using))\s+my\s+(?:referral|invite|invitation|affiliate)\s+(?:code|link)\b|\b(?:my|our)\s+(?:referral|affiliate)\s+link\b"
        + @"|\b(?:make|earn|making|earning)\s+(?:money|cash|\$\s?\d[\d,.]*k?|\d[\d,.]*k?\s*(?:dollars|usd|bucks))\s+(?:online|from\s+home|fast|easy|easily|quickly|a\s+day|a\s+week|per\s+(?:day|week|hour)|daily|weekly|every\s+(?:day|week))\b"
        + @"|\bwork\s+from\s+home\s+(?:opportunit(?:y|ies)|jobs?)\b|\b(?:free|cheap)\s+(?:followers|likes|subscribers|views|robux|v-?bucks|gift\s+cards?|iphones?)\b"
        + @"|\b(?:buy|get|gain)\s+(?:more\s+|real\s+)?(?:followers|likes|subscribers|views|reviews)\b"
        + @"|\b(?:promote|boost|rank|advertise|feature|market|grow)\s+(?:your|ur)\s+(?:business|listing|profile|page|company|services?|website|channel|brand|ranking|reviews)\b",
        Options,
        TimeoutMilliseconds)]
    public static partial Regex Promotion();

    /// <summary>
    /// Vanity numbers: a toll-free code, a "1-" plus area code, a bracketed area code or two digit groups, then letters
    /// ("1-800-FLOWERS", "(555) FIX-PIPE", "555-123-HOME"). <see cref="RuleScreen"/> checks the letter count and, where
    /// the groups are spaced rather than dashed, that the letters are capitals (so "800 red roses" is not a number).
    /// </summary>
    [GeneratedRegex(
        @"(?:\b1[\s.\-]?\(?8(?:00|33|44|55|66|77|88)\)?|\b8(?:00|33|44|55|66|77|88)|\b1[\s.\-]\(?\d{3}\)?|\(\d{3}\)|\b\d{3}[.\-]\d{3})[\s.\-]\s?(?<word>[a-z0-9]{2,10}(?:[\s.\-][a-z0-9]{2,10}){0,2})\b",
        Options,
        TimeoutMilliseconds)]
    public static partial Regex VanityNumber();

    /// <summary>A spelled-out or bracketed dot inside a link ("mysite dot com", "mysite(.)com").</summary>
    [GeneratedRegex(@"\s*[\(\[\{<]\s*(?:dot|\.)\s*[\)\]\}>]\s*|\s+dot\s+", Options, TimeoutMilliseconds)]
    public static partial Regex SpelledDot();

    /// <summary>A calendar date in digits, which must not count as a phone number ("2024-05-12", "12/05/2024").</summary>
    [GeneratedRegex(@"^(?:\d{4}[\-./]\d{1,2}[\-./]\d{1,2}|\d{1,2}[\-./]\d{1,2}[\-./]\d{2,4})$", RegexOptions.CultureInvariant | RegexOptions.NonBacktracking, TimeoutMilliseconds)]
    public static partial Regex DigitDate();

    /// <summary>A count with thousands separators ("1.000.000", "2,124,821"), which is not a phone number.</summary>
    [GeneratedRegex(@"^[1-9]\d{0,2}(?:(?:\.\d{3})+|(?:,\d{3})+)$", RegexOptions.CultureInvariant | RegexOptions.NonBacktracking, TimeoutMilliseconds)]
    public static partial Regex GroupedCount();

    // Declared before the patterns built from it: static fields initialise in order.
    private static readonly Dictionary<char, string> Leet = new()
    {
        ['a'] = "a4@",
        ['b'] = "b8",
        ['e'] = "e3",
        ['g'] = "g9",
        ['i'] = "i1!|l",
        ['l'] = "l1|i",
        ['o'] = "o0",
        ['s'] = "s5$",
        ['t'] = "t7+",
    };

    /// <summary>Messaging apps named outright, tolerating leetspeak and separators inside the name ("wh@ts-app", "t3legram").</summary>
    public static Regex MessagingApp { get; } = NamePattern(
        "whats ap", "telegram", "viber", "wechat", "kik", "snap chat", "skype", "imesage", "facetime", "threma", "wickr", "kakaotalk", "textnow", "google voice");

    /// <summary>Payment apps and channels named outright, tolerating leetspeak and separators ("v3nm0", "z.e.l.l.e", "ca$h app").</summary>
    public static Regex PaymentApp { get; } = NamePattern(
        "venmo", "zele", "cash ap", "pay pal", "western union", "money gram", "revolut", "payoner", "skril", "alipay", "wechat pay", "interac",
        "bitcoin", "btc", "usdt", "crypto", "gift card", "apple pay", "google pay", "gpay", "paysafecard", "remitly", "worldremit", "xom");

    /// <summary>
    /// Builds a pattern for names written with leetspeak, repeated letters and punctuation between letters. Each name
    /// is given with doubled letters collapsed ("zele" matches "zelle", "zzele"); a space marks where a space, dash or dot
    /// may also stand ("cash ap" matches "cashapp", "cash app", "cash-app").
    /// </summary>
    private static Regex NamePattern(params string[] names)
    {
        const string Inside = @"[.\-_*|/\\,'’~^:;+]{0,2}";
        const string Between = @"[\s.\-_*|/\\,'’~^:;+]{0,2}";
        var alternatives = names.Select(name =>
        {
            var pattern = new StringBuilder();
            var letters = name.Replace(" ", string.Empty, StringComparison.Ordinal);
            var position = 0;
            for (var i = 0; i < name.Length; i++)
            {
                if (name[i] == ' ')
                {
                    continue;
                }

                if (pattern.Length > 0)
                {
                    pattern.Append(name[i - 1] == ' ' ? Between : Inside);
                }

                // The first and last letters stay word characters, so the name is still bounded by \b.
                var edge = position == 0 || position == letters.Length - 1;
                var variants = Leet.TryGetValue(name[i], out var v) ? v : name[i].ToString();
                var chars = variants.Where(c => !edge || char.IsLetterOrDigit(c)).Select(c => c is '-' or '\\' or ']' or '^' ? "\\" + c : c.ToString());
                // A letter may repeat, with or without separators between the repeats ("z.e.l.l.e", "zzelle").
                var letter = "[" + string.Concat(chars) + "]";
                pattern.Append(letter).Append("(?:").Append(Inside).Append(letter).Append(")*");
                position++;
            }

            return pattern.ToString();
        });

        return new Regex(
            @"\b(?:" + string.Join('|', alternatives) + @")(?:s|ed|ing)?\b",
            Options,
            TimeSpan.FromMilliseconds(TimeoutMilliseconds));
    }
}
