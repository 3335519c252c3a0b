using System.Text.RegularExpressions;

namespace Moderation.Prefilter.Rules;

/// <summary>
/// Phrases of the marketplace violations that public training data lacks: direct threats, second-person insults, job
/// seeking and partnership solicitation. Each is narrow on purpose (a rule hit always reaches the LLM tier), so they
/// catch the obvious phrasings and leave the rest to the model and the LLM.
/// </summary>
internal static partial class ConductPatterns
{
    private const RegexOptions Options = RegexOptions.IgnoreCase | RegexOptions.CultureInvariant | RegexOptions.NonBacktracking;

    private const string Will = @"(?:will|'ll|’ll|am\s+going\s+to|'m\s+going\s+to|gonna|going\s+to)";

    /// <summary>"I'll hurt you", "I know where you live", "you will regret it", "watch your back".</summary>
    [GeneratedRegex(
        @"\b(?:i\s*" + Will + @"\s+(?:kill|hurt|beat|stab|shoot|burn|destroy|find|break)\s+(?:you|u)\b"
        + @"|(?:i|we)\s+know\s+where\s+(?:you|u)\s+live"
        + @"|(?:you|u)\s*" + Will + @"\s+(?:regret|pay\s+for)\b"
        + @"|watch\s+your\s+back|you(?:'re|’re|\s+are)\s+(?:a\s+)?dead(?:\s+man)?\b)",
        Options,
        ContactPatterns.TimeoutMilliseconds)]
    public static partial Regex Threat();

    /// <summary>A second-person insult: "you are the laziest, most useless contractor", "you're an idiot".</summary>
    [GeneratedRegex(
        @"\b(?:you(?:'re|’re|\s+are)|ur|you\s+r)\s+(?:(?:such|so|the|a|an|most|really|totally|completely|[a-z]+est),?\s+){0,4}"
        + @"(?:idiot|idiots|moron|morons|useless|pathetic|worthless|loser|stupid|incompetent|clown|scammer|liar|fraud|lazy|dumb|disgusting|garbage|trash)\b",
        Options,
        ContactPatterns.TimeoutMilliseconds)]
    public static partial Regex Insult();

    /// <summary>Using the chat to look for work or to recruit: "are you hiring", "looking for full-time work".</summary>
    [GeneratedRegex(
        @"\b(?:are\s+you\s+hiring|(?:i'?m|i\s+am)\s+looking\s+for\s+(?:a\s+)?(?:full[\s\-]?time\s+|part[\s\-]?time\s+|steady\s+|new\s+)?(?:work|job|employment|position)"
        + @"|hire\s+me\b|send\s+(?:you\s+)?my\s+(?:resume|cv)|(?:we'?re|we\s+are)\s+hiring|join\s+(?:my|our)\s+(?:team|crew|company))",
        Options,
        ContactPatterns.TimeoutMilliseconds)]
    public static partial Regex JobSeeking();

    /// <summary>Business solicitation unrelated to the job: referral fees, partnerships, commissions.</summary>
    [GeneratedRegex(
        @"\b(?:referral\s+(?:fee|fees|bonus|commission)|partner(?:ship)?\s+with\s+(?:you|us|me)|business\s+opportunit(?:y|ies)"
        + @"|commission\s+(?:on|for)\s+(?:each|every|any)|send\s+(?:me|us)\s+(?:your\s+)?(?:leads|clients|customers|referrals))",
        Options,
        ContactPatterns.TimeoutMilliseconds)]
    public static partial Regex Solicitation();
}
