using System.Collections.Frozen;
using System.Globalization;
using System.Text;

namespace Moderation.Prefilter.Text;

/// <summary>
/// A message as the rule screen reads it: invisible, bidi and combining characters removed, look-alike letters from
/// other scripts and styled alphabets folded to their Latin skeleton, full-width and other-script digits made ASCII,
/// and letters or digits spaced out one by one ("j o h n @ g m a i l . c o m") joined up. Every character of
/// <see cref="Text"/> remembers the characters of the original it came from, so a match found in the skeleton is
/// shown to reviewers as it was written.
/// </summary>
/// <remarks>
/// Case is kept (rules that care, such as vanity numbers, see "1-800-FLOWERS" as written). The tables are our own,
/// not <see cref="string.Normalize(NormalizationForm)"/>, which does nothing under invariant globalization; they are
/// deliberately separate from the model's normaliser, whose output a shipped model was trained on.
/// </remarks>
public sealed class TextSkeleton
{
    /// <summary>A run of at least this many one-character tokens separated by spaces is joined up.</summary>
    public const int MinSpacedRun = 4;

    private readonly int[] starts;
    private readonly int[] ends;

    private TextSkeleton(string original, string text, int[] starts, int[] ends)
    {
        Original = original;
        Text = text;
        this.starts = starts;
        this.ends = ends;
    }

    /// <summary>The message as written.</summary>
    public string Original { get; }

    /// <summary>The skeleton the rules run on.</summary>
    public string Text { get; }

    /// <summary>The range of <see cref="Original"/> that a range of <see cref="Text"/> was read from.</summary>
    public (int Start, int Length) ToOriginal(int start, int length)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(start);
        ArgumentOutOfRangeException.ThrowIfLessThan(length, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(start + length, Text.Length);
        var from = starts[start];
        return (from, ends[start + length - 1] - from);
    }

    /// <summary>The original text behind a range of <see cref="Text"/>.</summary>
    public string OriginalOf(int start, int length)
    {
        var (from, count) = ToOriginal(start, length);
        return Original.Substring(from, count);
    }

    public static TextSkeleton Of(string? text)
    {
        text ??= string.Empty;
        var builder = new StringBuilder(text.Length);
        var starts = new List<int>(text.Length);
        var ends = new List<int>(text.Length);
        for (var i = 0; i < text.Length;)
        {
            int codePoint;
            int width;
            if (char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                codePoint = char.ConvertToUtf32(text[i], text[i + 1]);
                width = 2;
            }
            else
            {
                codePoint = text[i];
                width = 1;
            }

            var reading = Fold(text, i, codePoint);
            if (reading is not null)
            {
                foreach (var c in reading)
                {
                    builder.Append(c);
                    starts.Add(i);
                    ends.Add(i + width);
                }
            }

            i += width;
        }

        var folded = builder.ToString();
        var keep = SpacedRunGaps(folded);
        if (keep is null)
        {
            return new TextSkeleton(text, folded, [.. starts], [.. ends]);
        }

        var joined = new StringBuilder(folded.Length);
        var joinedStarts = new List<int>(folded.Length);
        var joinedEnds = new List<int>(folded.Length);
        for (var k = 0; k < folded.Length; k++)
        {
            if (keep[k])
            {
                joined.Append(folded[k]);
                joinedStarts.Add(starts[k]);
                joinedEnds.Add(ends[k]);
            }
        }

        return new TextSkeleton(text, joined.ToString(), [.. joinedStarts], [.. joinedEnds]);
    }

    /// <summary>
    /// Marks the spaces inside runs like "5 5 5 1 2 3" or "v e n m o" for removal: at least <see cref="MinSpacedRun"/>
    /// one-character tokens (a letter, a digit or one of <c>@ . _ - +</c>) each separated by one to three spaces.
    /// Null when there is no such run.
    /// </summary>
    private static bool[]? SpacedRunGaps(string text)
    {
        bool[]? keep = null;
        var i = 0;
        while (i < text.Length)
        {
            if (!IsSingleToken(text, i))
            {
                i++;
                continue;
            }

            // Walk a run of single tokens separated by short space runs.
            var tokens = 1;
            var end = i + 1;
            while (true)
            {
                var j = end;
                while (j < text.Length && j - end < 3 && text[j] == ' ')
                {
                    j++;
                }

                if (j == end || j == text.Length || !IsSingleToken(text, j))
                {
                    break;
                }

                tokens++;
                end = j + 1;
            }

            if (tokens >= MinSpacedRun)
            {
                keep ??= Enumerable.Repeat(true, text.Length).ToArray();
                for (var k = i; k < end; k++)
                {
                    if (text[k] == ' ')
                    {
                        keep[k] = false;
                    }
                }
            }

            i = end;
        }

        return keep;
    }

    private static bool IsSingleToken(string text, int i) =>
        IsTokenChar(text[i])
        && (i == 0 || !IsWordish(text[i - 1]))
        && (i + 1 == text.Length || !IsWordish(text[i + 1]));

    private static bool IsTokenChar(char c) => char.IsAsciiLetterOrDigit(c) || c is '@' or '.' or '_' or '-' or '+';

    private static bool IsWordish(char c) => c != ' ' && !char.IsWhiteSpace(c) && (char.IsLetterOrDigit(c) || IsTokenChar(c));

    /// <returns>What a code point reads as; null to drop it.</returns>
    private static string? Fold(string text, int index, int cp)
    {
        if (cp < 0x80)
        {
            // Controls other than line breaks and tabs carry nothing a reader sees.
            return cp < 0x20 && cp is not ('\t' or '\n' or '\r') || cp == 0x7F ? null : ((char)cp).ToString();
        }

        if (cp is >= 0xD800 and <= 0xDFFF)
        {
            // An unpaired surrogate: shown as the replacement character, like the model sees it.
            return "\uFFFD";
        }

        if (Table.TryGetValue(cp, out var mapped))
        {
            return mapped.Length == 0 ? null : mapped;
        }

        switch (cp)
        {
            case >= 0xFF01 and <= 0xFF5E:
                return ((char)(cp - 0xFEE0)).ToString();
            case >= 0x1D400 and <= 0x1D6A3:
                // Mathematical alphanumeric letters: 13 styles of A-Z then a-z, 52 code points each.
                var letter = (cp - 0x1D400) % 52;
                return ((char)(letter < 26 ? 'A' + letter : 'a' + letter - 26)).ToString();
            case >= 0x24B6 and <= 0x24CF:
                return ((char)('A' + cp - 0x24B6)).ToString();
            case >= 0x24D0 and <= 0x24E9:
                return ((char)('a' + cp - 0x24D0)).ToString();
            case >= 0x249C and <= 0x24B5:
                return ((char)('a' + cp - 0x249C)).ToString();
            case >= 0x1F110 and <= 0x1F129:
                return ((char)('A' + cp - 0x1F110)).ToString();
            case >= 0x1F130 and <= 0x1F149:
                return ((char)('A' + cp - 0x1F130)).ToString();
            case >= 0x1F150 and <= 0x1F169:
                return ((char)('A' + cp - 0x1F150)).ToString();
            case >= 0x1F170 and <= 0x1F189:
                return ((char)('A' + cp - 0x1F170)).ToString();
            case >= 0x1F1E6 and <= 0x1F1FF:
                return ((char)('A' + cp - 0x1F1E6)).ToString();
            case >= 0xC0 and <= 0xFF:
                return LatinOne[cp - 0xC0] is var l1 and not '\0' ? l1.ToString() : cp switch
                {
                    0xC6 => "AE",
                    0xE6 => "ae",
                    0xDF => "ss",
                    _ => ((char)cp).ToString(),
                };
            case >= 0x100 and <= 0x17F:
                return LatinExtendedA[cp - 0x100] is var la and not '\0' ? la.ToString() : cp switch
                {
                    0x132 => "IJ",
                    0x133 => "ij",
                    0x152 => "OE",
                    _ => "oe",
                };
        }

        var category = cp < 0x10000 ? CharUnicodeInfo.GetUnicodeCategory((char)cp) : CharUnicodeInfo.GetUnicodeCategory(text, index);
        switch (category)
        {
            // Zero-width and bidi controls, tag characters, variation selectors, combining and enclosing marks.
            case UnicodeCategory.Format or UnicodeCategory.NonSpacingMark or UnicodeCategory.EnclosingMark or UnicodeCategory.Control:
                return null;
            case UnicodeCategory.SpaceSeparator or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator:
                return " ";
            case UnicodeCategory.DecimalDigitNumber:
                var digit = cp < 0x10000 ? CharUnicodeInfo.GetDecimalDigitValue((char)cp) : CharUnicodeInfo.GetDecimalDigitValue(text, index);
                return digit >= 0 ? ((char)('0' + digit)).ToString() : char.ConvertFromUtf32(cp);
            case UnicodeCategory.OtherNumber:
                // Circled, parenthesised, super- and subscript digits and numbers up to 20 ("⑤", "²", "⑫").
                var value = cp < 0x10000 ? CharUnicodeInfo.GetNumericValue((char)cp) : CharUnicodeInfo.GetNumericValue(text, index);
                return value is >= 0 and <= 20 && value == Math.Floor(value)
                    ? ((int)value).ToString(CultureInfo.InvariantCulture)
                    : char.ConvertFromUtf32(cp);
            default:
                return char.ConvertFromUtf32(cp);
        }
    }

    // U+00C0..U+00FF to their base letter; '\0' for the few handled apart (Æ, ß, æ) or kept (×, ÷, Þ, þ).
    private const string LatinOne = "AAAAAA\0CEEEEIIIIDNOOOOO\0OUUUUY\0\0aaaaaa\0ceeeeiiiidnooooo\0ouuuuy\0y";

    // U+0100..U+017F to their base letter; '\0' for the ligatures Ĳ ĳ Œ œ.
    private const string LatinExtendedA =
        "AaAaAaCcCcCcCcDdDdEeEeEeEeEeGgGgGgGgHhHhIiIiIiIiIi\0\0JjKkkLlLlLlLlLlNnNnNnnNnOoOoOo\0\0RrRrRrSsSsSsSsTtTtTtUuUuUuUuUuUuWwYyYZzZzZzs";

    /// <summary>Look-alikes (Cyrillic, Greek, Armenian, Cherokee, small capitals, letterlike symbols), punctuation look-alikes, and characters to drop.</summary>
    private static readonly FrozenDictionary<int, string> Table = BuildTable();

    private static FrozenDictionary<int, string> BuildTable()
    {
        if (LatinOne.Length != 0x40 || LatinExtendedA.Length != 0x80)
        {
            throw new InvalidOperationException("Latin folding tables must cover their blocks exactly.");
        }

        var map = new Dictionary<int, string>();

        void Add(string from, string to)
        {
            // Each character of `from` reads as the character of `to` at the same place.
            if (from.Length != to.Length)
            {
                throw new InvalidOperationException($"Look-alike table rows differ in length: '{from}' / '{to}'.");
            }

            for (var i = 0; i < from.Length; i++)
            {
                map[from[i]] = to[i].ToString();
            }
        }

        // Cyrillic.
        Add("аеорсухіјѕԁһԛԝӏкмнтпгьүвшёї", "aeopcyxijsdhqwlkmhtnrbybwei");
        Add("АВЕКМНОРСТУХІЈЅԀҺԚԜӀҮЬШЁЇЗ", "ABEKMHOPCTYXIJSDHQWlYbWEI3");

        // Greek.
        Add("αβγεηικνοτυχωϲϳάέήίόύώϊϋ", "abyenikvotuxwcjaeniouwiu");
        Add("ΑΒΕΖΗΙΚΜΝΟΡΤΥΧϹͿΆΈΉΊΌΎ", "ABEZHIKMNOPTYXCJAEHIOY");
        map[0x3C1] = "p";

        // Armenian and Cherokee.
        Add("օսհոցզՏՕՍ", "ouhngqSOU");
        Add("ᎪᏴᏟᎬᏀᎻᎫᏦᏞᎷᏢᏚᎢᏙᎳᏃ", "ABCEGHJKLMPSTVWZ");

        // Small capitals and IPA letters that pass for Latin.
        Add("ᴀʙᴄᴅᴇꜰɢʜɪᴊᴋʟᴍɴᴏᴘǫʀꜱᴛᴜᴠᴡʏᴢɑɡɩıȷſƒǀ", "abcdefghijklmnopqrstuvwyzagiijsfl");

        // Letterlike symbols and Roman numerals that read as letters.
        Add("ℂℊℋℌℍℎℐℑℒℓℕℙℚℛℜℝℤKÅℬℭℯℰℱℳℴℹⅅⅆⅇⅈⅉ", "CgHHHhIILlNPQRRRZKABCeEFMoiDdeij");
        Add("ⅠⅤⅩⅬⅭⅮⅯⅰⅴⅹⅼⅽⅾⅿ", "IVXLCDMivxlcdm");

        // Punctuation look-alikes for the separators of addresses and numbers.
        Add("\uFE6B\uFE52\u3002\uFF61\u2024\u00B7\u2027\u30FB\u2010\u2011\u2012\u2013\u2014\u2015\u2212\uFE58\uFE63\u2044\u2215", "@.......---------//");

        // Hangul fillers and the braille blank render as nothing or a space.
        foreach (var blank in new[] { 0x115F, 0x1160, 0x3164, 0xFFA0 })
        {
            map[blank] = string.Empty;
        }

        map[0x2800] = " ";
        return map.ToFrozenDictionary();
    }
}
