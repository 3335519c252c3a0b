using System.Globalization;
using System.Text;
using Moderation.Core.Screening;
using Moderation.Prefilter.Rules;

namespace Moderation.Prefilter.Tests.Rules;

/// <summary>
/// Generated obfuscations of phone numbers, e-mail addresses, handles and payment-app names (hidden characters,
/// look-alike letters, full-width and styled alphabets, other-script digits, spacing, punctuation, spelled digits,
/// leetspeak, "at"/"dot") must never get past the rule screen, and the hit must point at the disguised text in the
/// original message. Clean messages wearing the same characters must stay clean. Seeded, so a failure reproduces.
/// </summary>
public sealed class ObfuscationFuzzTests
{
    private const int Iterations = 4_000;

    private static readonly RuleScreen Screen = new();

    private static readonly string[] DigitWords = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"];

    private static readonly Dictionary<char, string[]> LookAlikes = new()
    {
        ['a'] = ["\u0430", "\u03B1"],
        ['c'] = ["\u0441", "\u03F2"],
        ['e'] = ["\u0435", "\u03B5"],
        ['i'] = ["\u0456", "\u03B9"],
        ['j'] = ["\u0458"],
        ['o'] = ["\u043E", "\u03BF", "\u0585"],
        ['p'] = ["\u0440", "\u03C1"],
        ['s'] = ["\u0455"],
        ['x'] = ["\u0445", "\u03C7"],
        ['y'] = ["\u0443"],
        ['h'] = ["\u04BB"],
        ['k'] = ["\u03BA"],
        ['t'] = ["\u03C4"],
        ['w'] = ["\u051D"],
        ['d'] = ["\u0501"],
        ['l'] = ["\u04CF"],
        ['n'] = ["\u0578"],
        ['u'] = ["\u057D"],
        ['g'] = ["\u0261"],
        ['A'] = ["\u0410", "\u0391"],
        ['E'] = ["\u0415"],
        ['O'] = ["\u041E"],
        ['P'] = ["\u0420"],
        ['C'] = ["\u0421"],
    };

    private static readonly string[] Invisible = ["\u200B", "\u200C", "\u200D", "\u2060", "\u00AD", "\u200E", "\u200F", "\u2066", "\u2069", "\uFE0F", "\uFEFF", "\U000E0020"];

    private static readonly Dictionary<char, string> Leet = new() { ['a'] = "4", ['e'] = "3", ['i'] = "1", ['o'] = "0", ['s'] = "5", ['t'] = "7" };

    private static readonly string[] Names = ["john", "maria", "sam", "lee", "nadia", "omar", "kate", "dev", "tomas", "ava"];

    private enum Kind
    {
        Phone,
        Email,
        Handle,
        Payment,
    }

    [Fact]
    public void Obfuscated_contact_details_and_payment_apps_never_pass_unscreened()
    {
        var random = new Random(20261201);
        var misses = new List<string>();
        for (var n = 0; n < Iterations; n++)
        {
            var kind = (Kind)random.Next(4);
            var (before, item, after) = kind switch
            {
                Kind.Phone => Carry(random, ObfuscatedPhone(random), ["my number is {0} thanks", "call {0} after six", "{0} is my cell", "ok so, {0}", "text me: {0}"]),
                Kind.Email => Carry(random, ObfuscatedEmail(random), ["mail {0} for the photos", "my email is {0}", "{0} works", "write to {0} pls"]),
                Kind.Handle => Carry(random, ObfuscatedHandle(random), ["{0} and we talk there", "ok {0}", "{0}!", "sure, {0}"]),
                _ => Carry(random, ObfuscatedPayment(random), ["I take {0} only", "{0} me the deposit", "send it by {0}", "{0} works for me"]),
            };

            var text = before + item + after;
            var hits = Screen.Screen(text);
            var expected = Expected(kind);
            var hit = hits.FirstOrDefault(h => expected.Contains(h.RuleId) && Overlaps(h, before.Length, item.Length));
            if (hit is null)
            {
                misses.Add($"{kind}: {Escape(text)} -> [{string.Join(", ", hits.Select(h => h.RuleId))}]");
                continue;
            }

            // The evidence is the text as written at the reported place, so a reviewer sees the disguise itself.
            var written = text.Substring(hit.Start!.Value, hit.Length!.Value);
            Assert.True(
                hit.Evidence == written || (hit.Evidence.EndsWith('…') && written.StartsWith(hit.Evidence[..^1], StringComparison.Ordinal)),
                $"Evidence '{Escape(hit.Evidence)}' is not the text at its offsets, '{Escape(written)}'.");
        }

        Assert.True(misses.Count == 0, $"{misses.Count} of {Iterations} obfuscations passed:{Environment.NewLine}{string.Join(Environment.NewLine, misses.Take(25))}");
    }

    [Fact]
    public void Clean_messages_wearing_the_same_characters_stay_clean()
    {
        string[] clean =
        [
            "Hi! Is the sofa still available? I could pick it up Saturday around 10.",
            "Thanks, the plumber fixed it in 2 hours for $150.",
            "The signal is weak in the basement, so I'll call you at 5.",
            "Booked for 2024-05-12 at 10:00, room 101, floor 3.",
            "Please line up the tiles along the wall at the back.",
            "I saw your work on Instagram, it looks great.",
            "Can you come at noon? The gate code is on the door.",
            "We need two more boxes, maybe three, and one roll of tape.",
            "Looks good, see you on Monday morning then.",
            "The old faucet is useless, I'll replace it with the new one.",
            "Is cash back available on the card?",
            "I paid through the app, please confirm.",
            "Mix one part cement to three parts sand.",
            "The price went from 1,500 to 1,750 dollars after the survey.",
        ];

        var random = new Random(20261202);
        var flagged = new List<string>();
        for (var n = 0; n < Iterations / 4; n++)
        {
            var text = Decorate(random, clean[random.Next(clean.Length)]);
            var hits = Screen.Screen(text);
            if (hits.Count > 0)
            {
                flagged.Add($"{Escape(text)} -> [{string.Join(", ", hits.Select(h => $"{h.RuleId}: {h.Evidence}"))}]");
            }
        }

        Assert.True(flagged.Count == 0, string.Join(Environment.NewLine, flagged.Take(25)));
    }

    private static string[] Expected(Kind kind) => kind switch
    {
        Kind.Phone => [RuleIds.Phone],
        Kind.Email => [RuleIds.Email],
        Kind.Handle => [RuleIds.Handle, RuleIds.MessagingApp],
        _ => [RuleIds.OffPlatformPayment],
    };

    private static bool Overlaps(RuleHit hit, int start, int length) =>
        hit.Start is { } s && hit.Length is { } l && s < start + length && start < s + l;

    private static (string Before, string Item, string After) Carry(Random random, string item, string[] carriers)
    {
        var carrier = carriers[random.Next(carriers.Length)];
        var at = carrier.IndexOf("{0}", StringComparison.Ordinal);
        return (carrier[..at], item, carrier[(at + 3)..]);
    }

    private static string ObfuscatedPhone(Random random)
    {
        // A ten-digit number with a leading "+1" now and then, or a UK mobile.
        var digits = random.Next(5) == 0
            ? "447" + Digits(random, 9)
            : random.Next(2, 10).ToString(CultureInfo.InvariantCulture) + Digits(random, 2) + random.Next(2, 10).ToString(CultureInfo.InvariantCulture) + Digits(random, 6);
        int[] groups = digits.Length == 12 ? [2, 4, 6] : [3, 3, 4];
        var separator = random.Next(8) switch
        {
            0 => " ",
            1 => "-",
            2 => ".",
            3 => " - ",
            4 => "_",
            5 => "/",
            6 => ", ",
            _ => string.Empty,
        };
        var spellAll = random.Next(4) == 0;
        var builder = new StringBuilder();
        if (digits.Length == 12 && random.Next(2) == 0)
        {
            builder.Append('+');
        }

        var index = 0;
        foreach (var size in groups)
        {
            if (index > 0)
            {
                builder.Append(separator);
            }

            for (var k = 0; k < size; k++, index++)
            {
                var d = digits[index] - '0';
                var spell = spellAll || random.Next(5) == 0;
                if (spell)
                {
                    // "oh" for zero only where a number has already begun.
                    var word = d == 0 && index > 0 && random.Next(2) == 0 ? "oh" : DigitWords[d];
                    if (builder.Length > 0 && !char.IsWhiteSpace(builder[^1]))
                    {
                        builder.Append(' ');
                    }

                    builder.Append(word).Append(' ');
                    continue;
                }

                builder.Append(random.Next(6) switch
                {
                    0 => ((char)('\uFF10' + d)).ToString(),
                    1 => ((char)('\u0660' + d)).ToString(),
                    2 => d == 0 ? "\u24EA" : ((char)('\u2460' + d - 1)).ToString(),
                    3 => char.ConvertFromUtf32(0x1D7CE + d),
                    _ => ((char)('0' + d)).ToString(),
                });
                if (random.Next(4) == 0)
                {
                    builder.Append(' ');
                }
            }
        }

        return Sprinkle(random, builder.ToString().Trim(), Invisible, 0.3);
    }

    private static string ObfuscatedEmail(Random random)
    {
        var local = Names[random.Next(Names.Length)] + (random.Next(2) == 0 ? "." + Names[random.Next(Names.Length)] : string.Empty) + (random.Next(2) == 0 ? random.Next(10, 99).ToString(CultureInfo.InvariantCulture) : string.Empty);
        string[] providers = ["gmail", "yahoo", "outlook", "hotmail", "icloud", "protonmail"];
        var provider = providers[random.Next(providers.Length)];
        var tld = random.Next(3) == 0 ? "net" : "com";
        var form = random.Next(6);
        var address = form switch
        {
            0 => $"{local} at {provider} dot {tld}",
            1 => $"{local} (at) {provider} (dot) {tld}",
            2 => $"{local}[at]{provider}[dot]{tld}",
            3 => $"{local} @ {provider} . {tld}",
            4 => string.Join(' ', $"{local}@{provider}.{tld}".ToCharArray()),
            _ => $"{local}@{provider}.{tld}",
        };

        return Sprinkle(random, Disguise(random, address), Invisible, 0.2);
    }

    private static string ObfuscatedHandle(Random random)
    {
        var handle = Names[random.Next(Names.Length)] + (random.Next(2) == 0 ? "_" + random.Next(10, 999).ToString(CultureInfo.InvariantCulture) : ".k");
        string[] forms =
        [
            $"my snap is {handle}",
            $"add me on insta @{handle}",
            $"@{handle} on ig",
            $"hit me up on telegram",
            $"ig: @{handle}",
            $"my discord is {handle}",
            $"message me on whatsapp",
            $"find me on tiktok",
            $"my kik is {handle}",
        ];
        return Sprinkle(random, Disguise(random, forms[random.Next(forms.Length)]), Invisible, 0.15);
    }

    private static string ObfuscatedPayment(Random random)
    {
        string[] apps = ["venmo", "zelle", "cash app", "cashapp", "paypal", "western union", "apple pay", "revolut", "moneygram"];
        var app = apps[random.Next(apps.Length)];
        var written = random.Next(6) switch
        {
            0 => string.Concat(app.Select(c => Leet.TryGetValue(c, out var l) && random.Next(2) == 0 ? l : c.ToString())),
            1 => string.Join(random.Next(3) switch { 0 => ".", 1 => "-", _ => "*" }, app.Replace(" ", string.Empty, StringComparison.Ordinal).ToCharArray()),
            2 => string.Join(' ', app.Replace(" ", string.Empty, StringComparison.Ordinal).ToCharArray()),
            _ => app,
        };
        return Sprinkle(random, Disguise(random, written), Invisible, 0.3);
    }

    /// <summary>Swaps letters for look-alikes, full-width or styled forms, character by character.</summary>
    private static string Disguise(Random random, string text)
    {
        var style = random.Next(5);
        var builder = new StringBuilder();
        foreach (var c in text)
        {
            if (!char.IsAsciiLetter(c) || random.Next(3) != 0)
            {
                builder.Append(style == 1 && c is >= '!' and <= '~' && random.Next(2) == 0 ? (char)(c + 0xFEE0) : c);
                continue;
            }

            builder.Append(style switch
            {
                0 or 4 => LookAlikes.TryGetValue(c, out var options) ? options[random.Next(options.Length)] : c.ToString(),
                1 => ((char)(c + 0xFEE0)).ToString(),
                2 => char.ConvertFromUtf32(0x1D400 + (char.IsAsciiLetterUpper(c) ? c - 'A' : 26 + c - 'a')),
                _ => char.IsAsciiLetterLower(c) ? ((char)('\u24D0' + c - 'a')).ToString() : c.ToString(),
            });
        }

        return builder.ToString();
    }

    /// <summary>Decorates clean text the way real clients and copy-paste do: invisible characters, look-alikes, full-width forms, emoji.</summary>
    private static string Decorate(Random random, string text)
    {
        var decorated = random.Next(3) switch
        {
            0 => Disguise(random, text),
            1 => string.Concat(text.Select(c => c is >= '!' and <= '~' && random.Next(3) == 0 ? ((char)(c + 0xFEE0)).ToString() : c.ToString())),
            _ => text,
        };
        decorated = Sprinkle(random, decorated, Invisible, 0.1);
        return random.Next(2) == 0 ? decorated + " \U0001F44D\U0001F3FD \u2764\uFE0F \U0001F469\u200D\U0001F527" : "\u200F" + decorated;
    }

    /// <summary>Inserts characters at random places, never inside a surrogate pair.</summary>
    private static string Sprinkle(Random random, string text, string[] extras, double rate)
    {
        var builder = new StringBuilder();
        for (var i = 0; i < text.Length; i++)
        {
            builder.Append(text[i]);
            if (!char.IsHighSurrogate(text[i]) && random.NextDouble() < rate)
            {
                builder.Append(extras[random.Next(extras.Length)]);
            }
        }

        return builder.ToString();
    }

    private static string Digits(Random random, int count) =>
        string.Concat(Enumerable.Range(0, count).Select(_ => (char)('0' + random.Next(10))));

    private static string Escape(string text) =>
        string.Concat(text.Select(c => c is < ' ' or > '~' ? $"\\u{(int)c:X4}" : c.ToString()));
}
