using System.Text.RegularExpressions;
using Moderation.Core.Screening;

namespace Moderation.Prefilter.Rules;

/// <summary>
/// The model-free half of the pre-filter: finds off-platform contact (phone numbers, e-mail addresses, links,
/// messaging handles), off-platform payment, obvious threats, insults and solicitation, and blocklisted terms, each as a
/// <see cref="RuleHit"/> with its evidence.
/// Thread-safe and linear in the text length; never throws for odd text.
/// </summary>
public sealed class RuleScreen
{
    /// <summary>Evidence longer than this is shortened; the audit trail needs the gist, not a whole link.</summary>
    public const int MaxEvidenceLength = 80;

    /// <summary>At most this many hits per rule per message, so a pasted contact list cannot bloat the audit record.</summary>
    public const int MaxHitsPerRule = 5;

    private readonly Regex? blocklist;

    /// <param name="blocklistTerms">Words or phrases matched case-insensitively on word boundaries (spaces match any whitespace).</param>
    public RuleScreen(IEnumerable<string>? blocklistTerms = null)
    {
        var terms = (blocklistTerms ?? [])
            .Where(t => !string.IsNullOrWhiteSpace(t))
            .Select(t => Regex.Escape(t.Trim()).Replace(@"\ ", @"\s+", StringComparison.Ordinal))
            .Distinct(StringComparer.OrdinalIgnoreCase)
            .ToList();
        if (terms.Count > 0)
        {
            // (?<!\w) / (?!\w) would need backtracking; \b is enough because each term is trimmed and escaped.
            blocklist = new Regex(
                @"\b(?:" + string.Join('|', terms) + @")\b",
                RegexOptions.IgnoreCase | RegexOptions.CultureInvariant | RegexOptions.NonBacktracking,
                TimeSpan.FromMilliseconds(ContactPatterns.TimeoutMilliseconds));
        }
    }

    /// <summary>The hits for one message, in rule order; empty when nothing matched.</summary>
    public IReadOnlyList<RuleHit> Screen(string? text) => Screen(text, notes: null);

    /// <param name="notes">Receives a remark when a rule had to give up (a pattern timed out) instead of throwing.</param>
    public IReadOnlyList<RuleHit> Screen(string? text, ICollection<string>? notes)
    {
        if (string.IsNullOrEmpty(text))
        {
            return [];
        }

        var hits = new List<RuleHit>();
        var seen = new HashSet<(string, string)>();

        foreach (var phone in PhoneNumberScanner.Find(text))
        {
            Add(hits, seen, RuleIds.Phone, "Phone number (digits may be spaced, obfuscated or spelled out)", phone);
        }

        // The domain inside an e-mail address or a full link is not reported again as a bare domain.
        var addressSpans = new List<(int Start, int End)>();
        Match(text, ContactPatterns.PlainEmail(), RuleIds.Email, "E-mail address", hits, seen, notes, addressSpans);
        Match(text, ContactPatterns.ObfuscatedEmail(), RuleIds.Email, "E-mail address written with (at)/(dot) forms", hits, seen, notes, addressSpans);
        Match(text, ContactPatterns.Url(), RuleIds.Url, "Link", hits, seen, notes, addressSpans);
        Match(text, ContactPatterns.BareDomain(), RuleIds.Url, "Web domain", hits, seen, notes, exclude: addressSpans);
        Match(text, ContactPatterns.MessagingApp(), RuleIds.Handle, "Messaging app named", hits, seen, notes);
        Match(text, ContactPatterns.ContactInvitation(), RuleIds.Handle, "Invitation to continue on another channel", hits, seen, notes);
        Match(text, ContactPatterns.LabeledHandle(), RuleIds.Handle, "Social or messaging handle", hits, seen, notes);
        Match(text, ContactPatterns.OffPlatformMove(), RuleIds.OffPlatformMove, "Moving the conversation off the platform", hits, seen, notes);
        Match(text, ContactPatterns.Cashtag(), RuleIds.OffPlatformPayment, "Cash App $cashtag", hits, seen, notes);
        Match(text, ContactPatterns.OffPlatformPayment(), RuleIds.OffPlatformPayment, "Payment outside the platform", hits, seen, notes);
        Match(text, ConductPatterns.Threat(), RuleIds.Threat, "Direct threat", hits, seen, notes);
        Match(text, ConductPatterns.Insult(), RuleIds.Insult, "Insult aimed at the other person", hits, seen, notes);
        Match(text, ConductPatterns.JobSeeking(), RuleIds.JobSeeking, "Looking for work or recruiting", hits, seen, notes);
        Match(text, ConductPatterns.Solicitation(), RuleIds.Partnership, "Partnership or referral solicitation", hits, seen, notes);
        if (blocklist is not null)
        {
            Match(text, blocklist, RuleIds.Blocklist, "Blocklisted term", hits, seen, notes);
        }

        return hits;
    }

    private static void Match(
        string text,
        Regex pattern,
        string ruleId,
        string description,
        List<RuleHit> hits,
        HashSet<(string, string)> seen,
        ICollection<string>? notes,
        List<(int Start, int End)>? record = null,
        List<(int Start, int End)>? exclude = null)
    {
        try
        {
            for (var match = pattern.Match(text); match.Success; match = match.NextMatch())
            {
                record?.Add((match.Index, match.Index + match.Length));
                if (exclude is not null && exclude.Exists(span => match.Index < span.End && span.Start < match.Index + match.Length))
                {
                    continue;
                }

                if (!Add(hits, seen, ruleId, description, match.Value))
                {
                    break;
                }
            }
        }
        catch (RegexMatchTimeoutException)
        {
            notes?.Add($"Rule {ruleId} timed out on this text and was skipped.");
        }
    }

    /// <returns>False once the rule has reached <see cref="MaxHitsPerRule"/>.</returns>
    private static bool Add(List<RuleHit> hits, HashSet<(string, string)> seen, string ruleId, string description, string evidence)
    {
        var shown = Shorten(evidence.Trim());
        if (!seen.Add((ruleId, shown.ToUpperInvariant())))
        {
            return true;
        }

        var count = hits.Count(h => h.RuleId == ruleId);
        if (count >= MaxHitsPerRule)
        {
            return false;
        }

        hits.Add(new RuleHit(ruleId, description, shown));
        return count + 1 < MaxHitsPerRule;
    }

    private static string Shorten(string evidence)
    {
        if (evidence.Length <= MaxEvidenceLength)
        {
            return evidence;
        }

        // Never cut a surrogate pair in half.
        var keep = MaxEvidenceLength - 1;
        if (char.IsHighSurrogate(evidence[keep - 1]))
        {
            keep--;
        }

        return string.Concat(evidence.AsSpan(0, keep), "…");
    }
}
