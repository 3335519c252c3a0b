using System.Net;
using System.Text;
using System.Text.RegularExpressions;

namespace Moderation.Prefilter.Model;

/// <summary>
/// The text normalisation shared by the trainer and the scorer (a model is only valid with the normalisation it was
/// trained with, so the version is recorded in its manifest). Steps: bound the input length, decode HTML entities,
/// replace invalid surrogates with U+FFFD, drop invisible format characters, fold compatibility forms, lower-case,
/// then undo the common obfuscations of chat: Cyrillic and Greek look-alike letters inside Latin words ("fuсk" with a
/// Cyrillic "с"), spelled-out digit runs ("five five five one two" -> "55512") and words spaced out letter by letter
/// ("f u c k", "k.y.s" -> "fuck", "kys").
/// </summary>
/// <remarks>
/// The compatibility folding is our own table of the NFKC mappings that matter for obfuscated chat (full-width
/// forms, mathematical alphanumerics, circled and squared letters, ligatures, super/subscript digits, odd spaces),
/// not <see cref="string.Normalize(NormalizationForm)"/>: under invariant globalization that call returns its input
/// unchanged, and a model must not score differently on a host that happens to have ICU.
/// </remarks>
public static partial class PrefilterTextNormalizer
{
    /// <summary>Bump when any step changes: shipped models record the version they were trained with.</summary>
    public const string Version = "prefilter-text-v2";

    /// <summary>Characters kept from a message; far more than <see cref="PrefilterTokenizer"/> ever turns into tokens.</summary>
    public const int MaxInputChars = 4096;

    public static string Normalize(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return string.Empty;
        }

        var bounded = text.Length <= MaxInputChars ? text : text[..(char.IsHighSurrogate(text[MaxInputChars - 1]) ? MaxInputChars - 1 : MaxInputChars)];
        if (bounded.Contains('&', StringComparison.Ordinal))
        {
            bounded = WebUtility.HtmlDecode(bounded);
        }

        var builder = new StringBuilder(bounded.Length);
        for (var i = 0; i < bounded.Length; i++)
        {
            var c = bounded[i];
            int codePoint;
            if (char.IsHighSurrogate(c) && i + 1 < bounded.Length && char.IsLowSurrogate(bounded[i + 1]))
            {
                codePoint = char.ConvertToUtf32(c, bounded[i + 1]);
                i++;
            }
            else if (char.IsSurrogate(c))
            {
                codePoint = 0xFFFD;
            }
            else
            {
                codePoint = c;
            }

            AppendFolded(builder, codePoint);
        }

        var lowered = builder.ToString().ToLowerInvariant();
        return SpacedOut(SpelledDigits(FoldLookAlikes(lowered)));
    }

    /// <summary>
    /// Maps Cyrillic and Greek letters that look like Latin ones to those Latin letters inside words written in Latin
    /// letters, and in words made only of look-alikes unless the text also has Cyrillic or Greek letters without a
    /// Latin twin: Russian or Greek text is left as it is.
    /// </summary>
    internal static string FoldLookAlikes(string text)
    {
        var hasLookAlike = false;
        var hasOtherScriptLetter = false;
        foreach (var c in text)
        {
            if (c >= '\u0250' && char.IsLetter(c))
            {
                if (LatinTwin(c) != '\0')
                {
                    hasLookAlike = true;
                }
                else if (c is >= '\u0370' and <= '\u052F')
                {
                    hasOtherScriptLetter = true;
                }
            }
        }

        if (!hasLookAlike)
        {
            return text;
        }

        // In genuinely Cyrillic or Greek text a word of look-alikes only ("как") is a real word, not a disguise.
        var chars = text.ToCharArray();
        var start = 0;
        while (start < chars.Length)
        {
            if (!char.IsLetter(chars[start]))
            {
                start++;
                continue;
            }

            var end = start;
            var foldable = true;
            var hasLatin = false;
            while (end < chars.Length && char.IsLetter(chars[end]))
            {
                hasLatin |= char.IsAsciiLetter(chars[end]);
                foldable &= char.IsAsciiLetter(chars[end]) || LatinTwin(chars[end]) != '\0';
                end++;
            }

            if (foldable && (hasLatin || !hasOtherScriptLetter))
            {
                for (var i = start; i < end; i++)
                {
                    if (!char.IsAsciiLetter(chars[i]))
                    {
                        chars[i] = LatinTwin(chars[i]);
                    }
                }
            }

            start = end;
        }

        return new string(chars);
    }

    // Lower-case Cyrillic and Greek letters whose glyph is (nearly) a Latin letter.
    private static char LatinTwin(char c) => c switch
    {
        'а' => 'a',
        'в' => 'b',
        'е' or 'ё' => 'e',
        'к' => 'k',
        'м' => 'm',
        'н' => 'h',
        'о' => 'o',
        'р' => 'p',
        'с' => 'c',
        'т' => 't',
        'у' => 'y',
        'х' => 'x',
        'і' => 'i',
        'ї' => 'i',
        'ј' => 'j',
        'ѕ' => 's',
        'ԁ' => 'd',
        'ԛ' => 'q',
        'ԝ' => 'w',
        'ɡ' => 'g',
        'ο' => 'o',
        'α' => 'a',
        'β' => 'b',
        'ε' => 'e',
        'ι' => 'i',
        'κ' => 'k',
        'ν' => 'v',
        'ρ' => 'p',
        'τ' => 't',
        'υ' => 'u',
        'χ' => 'x',
        'ω' => 'w',
        'η' => 'n',
        'μ' => 'u',
        'γ' => 'y',
        _ => '\0',
    };

    /// <summary>Runs of three or more digits written as words (or mixed with digits) become the digits: "nine one one" -> "911".</summary>
    internal static string SpelledDigits(string text)
    {
        if (!NumberWordHint().IsMatch(text))
        {
            return text;
        }

        return SpelledDigitRun().Replace(text, match =>
        {
            var parts = DigitSeparator().Split(match.Value);
            if (!parts.Any(p => p.Length > 0 && char.IsAsciiLetter(p[0])))
            {
                return match.Value; // plain digits ("5 10 15") stay as written
            }

            var digits = new StringBuilder(parts.Length);
            foreach (var part in parts)
            {
                digits.Append(part switch
                {
                    "zero" => "0",
                    "one" => "1",
                    "two" => "2",
                    "three" => "3",
                    "four" => "4",
                    "five" => "5",
                    "six" => "6",
                    "seven" => "7",
                    "eight" => "8",
                    "nine" => "9",
                    _ => part,
                });
            }

            return digits.ToString();
        });
    }

    /// <summary>Three or more single letters or digits separated by the same space, dot, dash or underscore are one word: "f u c k" -> "fuck".</summary>
    internal static string SpacedOut(string text) =>
        SpacedOutRun().Replace(text, match =>
        {
            var joined = new StringBuilder(match.Length);
            foreach (var c in match.ValueSpan)
            {
                if (char.IsLetterOrDigit(c))
                {
                    joined.Append(c);
                }
            }

            return joined.ToString();
        });

    [GeneratedRegex(@"zero|one|two|three|four|five|six|seven|eight|nine", RegexOptions.CultureInvariant)]
    private static partial Regex NumberWordHint();

    [GeneratedRegex(@"(?<![\p{L}\p{N}])(?:zero|one|two|three|four|five|six|seven|eight|nine|\d+)(?:[ \-,.]{1,3}(?:zero|one|two|three|four|five|six|seven|eight|nine|\d+)){2,}(?![\p{L}\p{N}])", RegexOptions.CultureInvariant)]
    private static partial Regex SpelledDigitRun();

    [GeneratedRegex(@"[ \-,.]+", RegexOptions.CultureInvariant)]
    private static partial Regex DigitSeparator();

    // One separator throughout the run, so "a f.u.c.k" keeps its "a".
    [GeneratedRegex(@"(?<![\p{L}\p{N}])[\p{L}\p{N}](?<sep>[ .\-_]{1,2})[\p{L}\p{N}](?![\p{L}\p{N}])(?:\k<sep>[\p{L}\p{N}](?![\p{L}\p{N}]))+", RegexOptions.CultureInvariant)]
    private static partial Regex SpacedOutRun();

    private static void AppendFolded(StringBuilder builder, int cp)
    {
        switch (cp)
        {
            // Invisible characters used to split banned words ("f\u200Buck"): soft hyphen, zero-width, word joiner, BOM.
            case 0x00AD or 0x200B or 0x200C or 0x200D or 0x2060 or 0xFEFF:
                return;
            case 0x00A0 or 0x1680 or (>= 0x2000 and <= 0x200A) or 0x202F or 0x205F or 0x3000:
                builder.Append(' ');
                return;
            case >= 0xFF01 and <= 0xFF5E:
                builder.Append((char)(cp - 0xFF01 + 0x21));
                return;
            case >= 0x1D400 and <= 0x1D6A3:
                // Mathematical alphanumeric letters: 13 styles of A-Z then a-z, 52 code points each.
                var letter = (cp - 0x1D400) % 52;
                builder.Append((char)(letter < 26 ? 'A' + letter : 'a' + letter - 26));
                return;
            case >= 0x1D7CE and <= 0x1D7FF:
                builder.Append((char)('0' + ((cp - 0x1D7CE) % 10)));
                return;
            case >= 0x24B6 and <= 0x24CF:
                builder.Append((char)('A' + cp - 0x24B6));
                return;
            case >= 0x24D0 and <= 0x24E9:
                builder.Append((char)('a' + cp - 0x24D0));
                return;
            case >= 0x1F130 and <= 0x1F149:
                builder.Append((char)('A' + cp - 0x1F130));
                return;
            case >= 0x2460 and <= 0x2468:
                builder.Append((char)('1' + cp - 0x2460));
                return;
            case 0x2070:
                builder.Append('0');
                return;
            case 0x00B9:
                builder.Append('1');
                return;
            case 0x00B2 or 0x00B3:
                builder.Append((char)('2' + cp - 0x00B2));
                return;
            case >= 0x2074 and <= 0x2079:
                builder.Append((char)('4' + cp - 0x2074));
                return;
            case >= 0x2080 and <= 0x2089:
                builder.Append((char)('0' + cp - 0x2080));
                return;
            case 0xFB00:
                builder.Append("ff");
                return;
            case 0xFB01:
                builder.Append("fi");
                return;
            case 0xFB02:
                builder.Append("fl");
                return;
            case 0xFB03:
                builder.Append("ffi");
                return;
            case 0xFB04:
                builder.Append("ffl");
                return;
            case 0xFB05 or 0xFB06:
                builder.Append("st");
                return;
            default:
                if (cp < 0x10000)
                {
                    builder.Append((char)cp);
                }
                else
                {
                    builder.Append(char.ConvertFromUtf32(cp));
                }

                return;
        }
    }
}
