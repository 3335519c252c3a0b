using System.Net;
using System.Text;

namespace Moderation.Prefilter.Model;

/// <summary>
/// The text normalisation shared by the trainer and the scorer (a model is only valid with the normalisation it was
/// trained with, so the version is recorded in its manifest). Steps: bound the input length, decode HTML entities,
/// replace invalid surrogates with U+FFFD, drop invisible format characters, fold compatibility forms, lower-case.
/// </summary>
/// <remarks>
/// The compatibility folding is our own table of the NFKC mappings that matter for obfuscated chat (full-width
/// forms, mathematical alphanumerics, circled and squared letters, ligatures, super/subscript digits, odd spaces),
/// not <see cref="string.Normalize(NormalizationForm)"/>: under invariant globalization that call returns its input
/// unchanged, and a model must not score differently on a host that happens to have ICU.
/// </remarks>
public static class PrefilterTextNormalizer
{
    /// <summary>Bump when any step changes: shipped models record the version they were trained with.</summary>
    public const string Version = "prefilter-text-v1";

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

        return builder.ToString().ToLowerInvariant();
    }

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
