using System.Text.RegularExpressions;
using Moderation.Core.Screening;
using Moderation.Prefilter.Text;

namespace Moderation.Prefilter.Rules;

/// <summary>
/// The model-free half of the pre-filter: finds off-platform contact (phone numbers, e-mail addresses, handles,
/// messaging apps, links that lead off the platform), off-platform payment, obvious threats, insults and solicitation,
/// and blocklisted terms, each as a <see cref="RuleHit"/> with its evidence as written and its place in the message.
/// Every rule reads the message's <see cref="TextSkeleton"/>, so hidden characters, look-alike letters, full-width
/// forms and spaced-out letters do not get a message past it.
/// Thread-safe and linear in the text length; never throws for odd text.
/// </summary>
public sealed class RuleScreen : Core.Conversations.ITextRuleScreen
{
    /// <summary>Evidence longer than this is shortened; the audit trail needs the gist, not a whole link.</summary>
    public const int MaxEvidenceLength = 80;

    /// <summary>At most this many hits per rule per message, so a pasted contact list cannot bloat the audit record.</summary>
    public const int MaxHitsPerRule = 5;

    // Matches a pattern may report before the rest of the text is left unread; more than enough for the per-rule cap,
    // as some matches are dropped by the checks after the pattern.
    private const int MaxMatchesPerPattern = 4 * MaxHitsPerRule;

    private const string ObfuscatedSuffix = " (written with hidden, look-alike or spaced-out characters)";

    // Words that follow "my insta is" without being a handle ("my signal is weak", "my snap is down").
    private static readonly HashSet<string> NotHandles = new(StringComparer.OrdinalIgnoreCase)
    {
        "a", "an", "the", "is", "was", "not", "down", "up", "off", "on", "out", "private", "public", "broken", "dead", "blocked", "banned",
        "hacked", "gone", "deleted", "new", "old", "full", "bad", "good", "great", "fine", "ok", "okay", "weak", "strong", "slow", "fast",
        "poor", "low", "busy", "free", "open", "closed", "same", "different", "also", "just", "still", "only", "very", "so", "too", "really",
        "actually", "currently", "now", "there", "here", "and", "or", "but", "for", "to", "of", "in", "at", "with", "got", "has", "had", "have",
        "keeps", "kept", "went", "goes", "isn't", "wasn't", "doesn't", "works", "working", "lagging", "acting", "being", "been", "account",
        "feed", "story", "stories", "post", "posts", "page", "followers", "friends", "messages", "notifications", "app", "phone",
    };

    // Builds the patterns' automata once per process, at start-up rather than inside the first message's time budget.
    private static readonly Lazy<bool> WarmedUp = new(() =>
    {
        new RuleScreen(warm: false).Screen(
            "call 1-800-FLOWERS or five five five 123 4567, jane at gmail dot com, my snap is jdoe22, v3nm0 me directly, "
            + "check out my channel https://bit.ly/x and www.example.com, I know where you live, are you hiring, referral fee");
        return true;
    });

    private static readonly HashSet<string> AmbiguousApps = new(StringComparer.OrdinalIgnoreCase) { "signal", "line" };

    private readonly Regex? blocklist;
    private readonly string[] flaggedLinkDomains;
    private readonly Regex? flaggedLinks;

    /// <param name="blocklistTerms">Words or phrases matched case-insensitively on word boundaries (spaces match any whitespace), on the skeleton as well.</param>
    /// <param name="flaggedLinkDomains">Domains whose links are always flagged (each covers its subdomains).</param>
    public RuleScreen(IEnumerable<string>? blocklistTerms = null, IEnumerable<string>? flaggedLinkDomains = null)
        : this(blocklistTerms, flaggedLinkDomains, warm: true)
    {
    }

    private RuleScreen(bool warm)
        : this(null, null, warm)
    {
    }

    private RuleScreen(IEnumerable<string>? blocklistTerms, IEnumerable<string>? flaggedLinkDomains, bool warm)
    {
        var terms = (blocklistTerms ?? [])
            .Where(t => !string.IsNullOrWhiteSpace(t))
            .Select(t => TextSkeleton.Of(t.Trim()).Text.Trim())
            .Where(t => t.Length > 0)
            .Select(t => Regex.Escape(t).Replace(@"\ ", @"\s+", StringComparison.Ordinal))
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

        this.flaggedLinkDomains = (flaggedLinkDomains ?? [])
            .Select(d => d.Trim().TrimStart('.').ToLowerInvariant())
            .Where(d => d.Length > 0)
            .Distinct(StringComparer.Ordinal)
            .ToArray();
        if (this.flaggedLinkDomains.Length > 0)
        {
            // Listed domains may end in any TLD, so they get their own pattern beside the common-TLD one.
            flaggedLinks = new Regex(
                @"\b(?:[a-z0-9\-]+\.)*(?:" + string.Join('|', this.flaggedLinkDomains.Select(Regex.Escape)) + @")(?:/[^\s<>""']*)?",
                RegexOptions.IgnoreCase | RegexOptions.CultureInvariant | RegexOptions.NonBacktracking,
                TimeSpan.FromMilliseconds(ContactPatterns.TimeoutMilliseconds));
        }

        if (warm)
        {
            _ = WarmedUp.Value;
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

        var pass = new Pass(TextSkeleton.Of(text), notes);
        var s = pass.Skeleton.Text;
        if (s.Length == 0)
        {
            return [];
        }

        foreach (var (start, length) in PhoneNumberScanner.Find(s))
        {
            pass.Add(RuleIds.Phone, "Phone number (digits may be spaced, obfuscated or spelled out)", start, length);
        }

        pass.Each(RuleIds.Phone, ContactPatterns.ShortCode(), m => pass.Add(RuleIds.Phone, "Short code to text", m.Index, m.Length));
        pass.Each(RuleIds.VanityPhone, ContactPatterns.VanityNumber(), m =>
        {
            var length = VanityNumberLength(m);
            if (length > 0)
            {
                pass.Add(RuleIds.VanityPhone, "Phone number spelled with letters (vanity number)", m.Index, length);
            }
        });

        // The domain inside an e-mail address is not judged again as a link.
        var addresses = new List<(int Start, int End)>();
        pass.Each(RuleIds.Email, ContactPatterns.PlainEmail(), m =>
        {
            addresses.Add((m.Index, m.Index + m.Length));
            pass.Add(RuleIds.Email, "E-mail address", m.Index, m.Length);
        });
        pass.Each(RuleIds.Email, ContactPatterns.ObfuscatedEmail(), m =>
        {
            if (IsObfuscatedAddress(m.Value))
            {
                addresses.Add((m.Index, m.Index + m.Length));
                pass.Add(RuleIds.Email, "E-mail address written with spaced or spelled-out (at)/(dot)", m.Index, m.Length);
            }
        });
        pass.Each(RuleIds.Email, ContactPatterns.ProviderEmail(), m =>
        {
            if (IsProviderAddress(m.Value) && !Overlaps(addresses, m.Index, m.Length))
            {
                addresses.Add((m.Index, m.Index + m.Length));
                pass.Add(RuleIds.Email, "E-mail address without its domain ending", m.Index, m.Length);
            }
        });

        var links = new List<Link>();
        pass.Each(RuleIds.Url, ContactPatterns.Url(), m =>
        {
            if (!Overlaps(addresses, m.Index, m.Length))
            {
                links.Add(Link.From(m));
            }
        });
        pass.Each(RuleIds.Url, ContactPatterns.BareDomain(), m =>
        {
            if (!Overlaps(addresses, m.Index, m.Length) && !links.Exists(l => l.Start < m.Index + m.Length && m.Index < l.Start + l.Length)
                && !HasMixedCaseEnding(m.Value))
            {
                links.Add(Link.From(m));
            }
        });

        if (flaggedLinks is not null)
        {
            pass.Each(RuleIds.Url, flaggedLinks, m =>
            {
                if (!Overlaps(addresses, m.Index, m.Length) && !links.Exists(l => l.Start < m.Index + m.Length && m.Index < l.Start + l.Length))
                {
                    links.Add(Link.From(m));
                }
            });
        }

        pass.Each(RuleIds.MessagingApp, ContactPatterns.MessagingApp, m => pass.Add(RuleIds.MessagingApp, "Messaging app named", m.Index, m.Length));
        pass.Each(RuleIds.Handle, ContactPatterns.ContactInvitation(), m => pass.Add(RuleIds.Handle, "Invitation to continue on another channel", m.Index, m.Length));
        pass.Each(RuleIds.Handle, ContactPatterns.LabeledHandle(), m =>
        {
            if (!m.Groups["handle"].Success || !NotHandles.Contains(m.Groups["handle"].Value.TrimStart('@')))
            {
                pass.Add(RuleIds.Handle, "Social or messaging handle", m.Index, m.Length);
            }
        });
        pass.Each(RuleIds.Handle, ContactPatterns.OwnHandle(), m =>
        {
            if (IsOwnHandle(m))
            {
                pass.Add(RuleIds.Handle, "Own account on another app", m.Index, m.Length);
            }
        });
        pass.Each(RuleIds.Handle, ContactPatterns.HandleOnApp(), m => pass.Add(RuleIds.Handle, "Handle on another app", m.Index, m.Length));
        pass.Each(RuleIds.OffPlatformMove, ContactPatterns.OffPlatformMove(), m => pass.Add(RuleIds.OffPlatformMove, "Moving the conversation off the platform", m.Index, m.Length));
        pass.Each(RuleIds.OffPlatformPayment, ContactPatterns.Cashtag(), m => pass.Add(RuleIds.OffPlatformPayment, "Cash App $cashtag", m.Index, m.Length));
        pass.Each(RuleIds.OffPlatformPayment, ContactPatterns.PaymentApp, m => pass.Add(RuleIds.OffPlatformPayment, "Payment app named", m.Index, m.Length));
        pass.Each(RuleIds.DirectPayment, ContactPatterns.DirectPayment(), m => pass.Add(RuleIds.DirectPayment, "Paying outside the platform", m.Index, m.Length));
        pass.Each(RuleIds.Threat, ConductPatterns.Threat(), m => pass.Add(RuleIds.Threat, "Direct threat", m.Index, m.Length));
        pass.Each(RuleIds.Insult, ConductPatterns.Insult(), m => pass.Add(RuleIds.Insult, "Insult aimed at the other person", m.Index, m.Length));
        pass.Each(RuleIds.JobSeeking, ConductPatterns.JobSeeking(), m => pass.Add(RuleIds.JobSeeking, "Looking for work or recruiting", m.Index, m.Length));
        pass.Each(RuleIds.Partnership, ConductPatterns.Solicitation(), m => pass.Add(RuleIds.Partnership, "Partnership or referral solicitation", m.Index, m.Length));
        pass.Each(RuleIds.Promotion, ContactPatterns.Promotion(), m => pass.Add(RuleIds.Promotion, "Self-promotion or money offer", m.Index, m.Length));
        if (blocklist is not null)
        {
            pass.Each(RuleIds.Blocklist, blocklist, m => pass.Add(RuleIds.Blocklist, "Blocklisted term", m.Index, m.Length));
        }

        JudgeLinks(pass, links);
        return pass.Hits;
    }

    /// <summary>
    /// A link alone is not a violation. It is flagged when its host leads off the platform (messaging, social, payment,
    /// shortener, or a listed domain), when it is spelled out to dodge link detection, or when the message around it
    /// already asks for contact, payment or attention ("visit my site").
    /// </summary>
    private void JudgeLinks(Pass pass, List<Link> links)
    {
        if (links.Count == 0)
        {
            return;
        }

        var ordinary = new List<Link>();
        foreach (var link in links)
        {
            switch (LinkHosts.Classify(link.Host, link.Path, flaggedLinkDomains))
            {
                case LinkKind.Listed:
                    pass.Add(RuleIds.Url, "Link to a listed domain", link.Start, link.Length);
                    break;
                case LinkKind.Payment:
                    pass.Add(RuleIds.OffPlatformPayment, "Link to a payment app", link.Start, link.Length);
                    break;
                case LinkKind.Messaging:
                    pass.Add(RuleIds.Url, "Link to a messaging app, social profile or channel", link.Start, link.Length);
                    break;
                case LinkKind.Shortener:
                    pass.Add(RuleIds.Url, "Shortened link (destination hidden)", link.Start, link.Length);
                    break;
                default:
                    if (link.Spelled)
                    {
                        pass.Add(RuleIds.Url, "Web address spelled out to avoid link detection", link.Start, link.Length);
                    }
                    else
                    {
                        ordinary.Add(link);
                    }

                    break;
            }
        }

        if (ordinary.Count == 0)
        {
            return;
        }

        var context = pass.Hits.Any(h => !h.RuleId.StartsWith("conduct.", StringComparison.Ordinal) && h.RuleId != RuleIds.Blocklist);
        if (!context)
        {
            pass.Each(RuleIds.Url, ContactPatterns.LinkCallToAction(), _ => context = true, first: true);
        }

        if (context)
        {
            foreach (var link in ordinary)
            {
                pass.Add(RuleIds.Url, "Link offered with contact, payment or promotion wording", link.Start, link.Length);
            }
        }
    }

    private static bool Overlaps(List<(int Start, int End)> spans, int start, int length) =>
        spans.Exists(span => start < span.End && span.Start < start + length);

    /// <summary>"firewood.In the morning" is a missing space, not a domain: a real ending is all lower or all upper case.</summary>
    private static bool HasMixedCaseEnding(string domain)
    {
        var end = domain.IndexOf('/', StringComparison.Ordinal) is var slash and >= 0 ? slash : domain.Length;
        var dot = domain.LastIndexOfAny(['.', ' ', ')', ']'], end - 1);
        var ending = domain.AsSpan(dot + 1, end - dot - 1);
        return ending.ContainsAnyInRange('a', 'z') && ending.ContainsAnyInRange('A', 'Z');
    }

    private static bool IsObfuscatedAddress(string value)
    {
        var at = AtSeparator(value);
        if (at < 0)
        {
            return false;
        }

        var domain = value[(at + 1)..].TrimStart().TrimStart('(', '[', '{', '<').TrimStart();
        if (domain.StartsWith("www", StringComparison.OrdinalIgnoreCase) || domain.StartsWith("at ", StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        // "@" or a bracketed "(at)" is never ordinary prose; a bare " at " needs a spelled-out dot or a mail provider.
        if (value.Contains('@', StringComparison.Ordinal) || value.AsSpan().ContainsAny("([{<"))
        {
            return true;
        }

        return value.Contains(" dot ", StringComparison.OrdinalIgnoreCase) || StartsWithProvider(domain, ContactPatterns.MailProviders);
    }

    private static bool IsProviderAddress(string value)
    {
        if (value.Contains('@', StringComparison.Ordinal) || value.AsSpan().ContainsAny("([{<"))
        {
            return true;
        }

        // "I worked at yahoo" is prose; "at gmail" almost never is.
        var at = AtSeparator(value);
        return at >= 0 && StartsWithProvider(value[(at + 1)..].Trim(), "gmail|googlemail|hotmail|ymail|protonmail|icloud");
    }

    private static int AtSeparator(string value)
    {
        var at = value.IndexOf('@', StringComparison.Ordinal);
        if (at >= 0)
        {
            return at;
        }

        var bracketed = value.IndexOfAny(['(', '[', '{', '<']);
        if (bracketed >= 0)
        {
            var close = value.IndexOfAny([')', ']', '}', '>'], bracketed);
            return close;
        }

        var spelled = value.IndexOf(" at ", StringComparison.OrdinalIgnoreCase);
        return spelled < 0 ? -1 : spelled + 3;
    }

    private static bool StartsWithProvider(string domain, string providers) =>
        providers.Split('|').Any(p => domain.StartsWith(p, StringComparison.OrdinalIgnoreCase)
            && (domain.Length == p.Length || !char.IsLetterOrDigit(domain[p.Length])));

    private static bool IsOwnHandle(Match m)
    {
        var handle = m.Groups["handle"].Value;
        // No app allows ".." in a name: "wall..One" is a word and an ellipsis, not a handle.
        var dots = handle.IndexOf("..", StringComparison.Ordinal);
        var bare = (dots < 0 ? handle : handle[..dots]).TrimStart('@').TrimEnd('.', '_');
        if (bare.Length < 2 || NotHandles.Contains(bare))
        {
            return false;
        }

        var marked = handle.StartsWith('@') || bare.AsSpan().ContainsAny("0123456789_.");
        var labelled = m.Groups["label"].Success;
        var stated = m.Groups["sep"].Value.Trim().Length > 0;
        if (AmbiguousApps.Contains(m.Groups["app"].Value))
        {
            return marked || labelled;
        }

        return marked || labelled || stated;
    }

    /// <summary>
    /// The length of the vanity number at the start of a match, or 0: the pattern may run on into the next words
    /// ("1-800-FLOWERS today"), so letter groups are dropped from the end until the number adds up.
    /// </summary>
    private static int VanityNumberLength(Match m)
    {
        var word = m.Groups["word"];
        var prefix = m.Value[..(word.Index - m.Index)];
        var prefixDigits = prefix.Count(char.IsAsciiDigit);
        if (prefix.TrimStart('(', ' ').StartsWith('1') && prefixDigits == 4)
        {
            prefixDigits = 3;
        }

        for (var end = word.Value.Length; end > 0; end = word.Value.LastIndexOfAny([' ', '\t', '.', '-'], end - 1))
        {
            var letters = word.Value.AsSpan(0, end);
            var total = prefixDigits + Count(letters, char.IsAsciiLetterOrDigit);
            if (total is >= 10 and <= 13 && Count(letters, char.IsAsciiLetter) >= 3)
            {
                // Spaced groups read as prose unless the letters are capitals ("1 800 GOT JUNK", not "800 red roses").
                var spaced = m.Value.AsSpan(prefix.TrimEnd().Length, prefix.Length - prefix.TrimEnd().Length + end).ContainsAny(" \t");
                if (!spaced || !letters.ContainsAnyInRange('a', 'z'))
                {
                    return prefix.Length + end;
                }
            }
        }

        return 0;
    }

    private static int Count(ReadOnlySpan<char> text, Func<char, bool> predicate)
    {
        var count = 0;
        foreach (var c in text)
        {
            count += predicate(c) ? 1 : 0;
        }

        return count;
    }

    private readonly record struct Link(int Start, int Length, string Host, string Path, bool Spelled)
    {
        public static Link From(Match m)
        {
            var value = m.Value;
            var rest = value;
            foreach (var scheme in new[] { "https://", "http://", "www." })
            {
                if (rest.StartsWith(scheme, StringComparison.OrdinalIgnoreCase))
                {
                    rest = rest[scheme.Length..];
                }
            }

            var spelledDots = ContactPatterns.SpelledDot().Replace(rest, ".");
            var spelled = !string.Equals(spelledDots, rest, StringComparison.Ordinal);
            var cut = spelledDots.IndexOfAny(['/', '?', '#', ':']);
            var host = (cut < 0 ? spelledDots : spelledDots[..cut]).Replace(" ", string.Empty, StringComparison.Ordinal).ToLowerInvariant();
            var path = cut < 0 ? string.Empty : spelledDots[cut..];
            return new Link(m.Index, m.Length, host, path, spelled);
        }
    }

    /// <summary>The state of screening one message: its skeleton, the hits so far, and where to note trouble.</summary>
    private sealed class Pass(TextSkeleton skeleton, ICollection<string>? notes)
    {
        private readonly HashSet<(string, string)> seen = [];
        private readonly Dictionary<string, int> counts = new(StringComparer.Ordinal);

        public TextSkeleton Skeleton { get; } = skeleton;

        public List<RuleHit> Hits { get; } = [];

        /// <summary>
        /// Runs a pattern over the skeleton; a timeout becomes a note, never an exception. Matches are collected
        /// before any is acted on, so a timeout leaves no half-reported rule. One timeout is retried: the
        /// non-backtracking engine builds its automaton lazily, and a cold pattern on a busy host can run out of time
        /// once where the warmed-up pattern will not.
        /// </summary>
        public void Each(string ruleId, Regex pattern, Action<Match> onMatch, bool first = false)
        {
            for (var attempt = 0; attempt < 2; attempt++)
            {
                var matches = new List<Match>();
                try
                {
                    for (var match = pattern.Match(Skeleton.Text); match.Success; match = match.NextMatch())
                    {
                        if (match.Length > 0)
                        {
                            matches.Add(match);
                        }

                        if ((first && matches.Count > 0) || matches.Count >= MaxMatchesPerPattern)
                        {
                            break;
                        }
                    }
                }
                catch (RegexMatchTimeoutException)
                {
                    continue;
                }

                foreach (var match in matches)
                {
                    onMatch(match);
                }

                return;
            }

            notes?.Add($"Rule {ruleId} timed out on this text and was skipped.");
        }

        /// <summary>Records a hit found at [start, start + length) of the skeleton, with the original text as evidence.</summary>
        public void Add(string ruleId, string description, int start, int length)
        {
            // Trim the skeleton span first, so the evidence never starts or ends with the separators a pattern allows.
            var text = Skeleton.Text;
            while (length > 0 && char.IsWhiteSpace(text[start]))
            {
                start++;
                length--;
            }

            while (length > 0 && char.IsWhiteSpace(text[start + length - 1]))
            {
                length--;
            }

            if (length == 0 || counts.GetValueOrDefault(ruleId) >= MaxHitsPerRule)
            {
                return;
            }

            var read = text.Substring(start, length);
            if (!seen.Add((ruleId, read.ToUpperInvariant())))
            {
                return;
            }

            var (originalStart, originalLength) = Skeleton.ToOriginal(start, length);
            var written = Skeleton.Original.Substring(originalStart, originalLength);
            if (!string.Equals(written, read, StringComparison.Ordinal))
            {
                description += ObfuscatedSuffix;
            }

            counts[ruleId] = counts.GetValueOrDefault(ruleId) + 1;
            Hits.Add(new RuleHit(ruleId, description, Shorten(written), originalStart, originalLength));
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
}
