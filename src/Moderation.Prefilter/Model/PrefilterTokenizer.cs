using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Moderation.Prefilter.Model;

/// <summary>
/// Splits normalised text (see <see cref="PrefilterTextNormalizer"/>) into the word tokens the CNN sees. URLs,
/// e-mail addresses, @mentions and numbers become placeholder tokens (their exact value carries no signal but their
/// presence does: spam has links and long phone numbers); emoji and currency signs are tokens of their own; letters
/// repeated three times or more are cut to two ("soooo" -> "soo").
/// </summary>
public static partial class PrefilterTokenizer
{
    public const string EmptyToken = "<empty>";
    public const string UrlToken = "<url>";
    public const string EmailToken = "<email>";
    public const string MentionToken = "<mention>";
    public const string NumberToken = "<num>";

    /// <summary>Digit runs of five or more: phone numbers, short codes, prize amounts.</summary>
    public const string LongNumberToken = "<longnum>";

    /// <summary>The placeholder tokens, in their fixed vocabulary order (after the padding id 0).</summary>
    public static IReadOnlyList<string> PlaceholderTokens { get; } = [EmptyToken, UrlToken, EmailToken, MentionToken, NumberToken, LongNumberToken];

    /// <summary>Tokens of <paramref name="normalizedText"/>, at most <paramref name="maxTokens"/>; never empty.</summary>
    public static List<string> Tokenize(string normalizedText, int maxTokens)
    {
        ArgumentNullException.ThrowIfNull(normalizedText);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxTokens, 1);
        var tokens = new List<string>(Math.Min(maxTokens, 32));
        var word = new StringBuilder();
        foreach (var chunk in normalizedText.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries))
        {
            if (tokens.Count >= maxTokens)
            {
                break;
            }

            // The patterns need a dot or an at sign; most words have neither, so skip the regular expressions for them.
            var hasDot = chunk.Contains('.', StringComparison.Ordinal);
            if (hasDot && UrlPattern().IsMatch(chunk))
            {
                tokens.Add(UrlToken);
                continue;
            }

            if (hasDot && chunk.Contains('@', StringComparison.Ordinal) && EmailPattern().IsMatch(chunk))
            {
                tokens.Add(EmailToken);
                continue;
            }

            var start = 0;
            if (chunk[0] == '@' && chunk.Length > 1 && IsWordRune(chunk, 1))
            {
                tokens.Add(MentionToken);
                start = 1;
                while (start < chunk.Length && (char.IsLetterOrDigit(chunk[start]) || chunk[start] == '_'))
                {
                    start++;
                }
            }

            ScanChunk(chunk, start, tokens, word, maxTokens);
        }

        if (tokens.Count == 0)
        {
            tokens.Add(EmptyToken);
        }

        if (tokens.Count > maxTokens)
        {
            tokens.RemoveRange(maxTokens, tokens.Count - maxTokens);
        }

        return tokens;
    }

    private static void ScanChunk(string chunk, int start, List<string> tokens, StringBuilder word, int maxTokens)
    {
        word.Clear();
        var i = start;
        while (i < chunk.Length && tokens.Count < maxTokens)
        {
            var rune = Rune.GetRuneAt(chunk, i);
            var width = rune.Utf16SequenceLength;
            var category = Rune.GetUnicodeCategory(rune);
            if (IsLetterOrDigit(category) || (IsInnerWordSymbol(rune.Value) && word.Length > 0 && i + width < chunk.Length && IsWordRune(chunk, i + width)) || (rune.Value is '*' or '$' && word.Length > 0))
            {
                word.Append(chunk, i, width);
            }
            else
            {
                FlushWord(word, tokens);
                if (rune.Value is '!' or '?' or '$' || category is UnicodeCategory.OtherSymbol or UnicodeCategory.CurrencySymbol or UnicodeCategory.MathSymbol)
                {
                    var symbol = rune.ToString();
                    if (tokens.Count == 0 || tokens[^1] != symbol)
                    {
                        tokens.Add(symbol);
                    }
                }
            }

            i += width;
        }

        FlushWord(word, tokens);
    }

    private static void FlushWord(StringBuilder word, List<string> tokens)
    {
        if (word.Length == 0)
        {
            return;
        }

        var allDigits = true;
        for (var i = 0; i < word.Length; i++)
        {
            allDigits &= char.IsAsciiDigit(word[i]);
        }

        tokens.Add(allDigits ? (word.Length >= 5 ? LongNumberToken : NumberToken) : CollapseRepeats(word));
        word.Clear();
    }

    private static string CollapseRepeats(StringBuilder word)
    {
        var result = new StringBuilder(word.Length);
        for (var i = 0; i < word.Length; i++)
        {
            if (i >= 2 && word[i] == word[i - 1] && word[i] == word[i - 2] && !char.IsSurrogate(word[i]))
            {
                continue;
            }

            result.Append(word[i]);
        }

        return result.ToString();
    }

    // Symbols that obfuscate a word from inside ("sh!t", "f*ck", "a$$", "b@tch", "don't") but otherwise separate.
    private static bool IsInnerWordSymbol(int value) => value is '*' or '$' or '@' or '!' or '\'' or '|' or '_';

    private static bool IsWordRune(string text, int index) =>
        Rune.TryGetRuneAt(text, index, out var rune) && (IsLetterOrDigit(Rune.GetUnicodeCategory(rune)) || rune.Value is '*' or '$' or '@');

    private static bool IsLetterOrDigit(UnicodeCategory category) => category is UnicodeCategory.UppercaseLetter or UnicodeCategory.LowercaseLetter
        or UnicodeCategory.TitlecaseLetter or UnicodeCategory.ModifierLetter or UnicodeCategory.OtherLetter or UnicodeCategory.NonSpacingMark
        or UnicodeCategory.SpacingCombiningMark or UnicodeCategory.EnclosingMark or UnicodeCategory.DecimalDigitNumber
        or UnicodeCategory.LetterNumber or UnicodeCategory.OtherNumber;

    [GeneratedRegex(@"^[(""'<]*(https?://|www\.|[a-z0-9-]+(\.[a-z0-9-]+)*\.(com|net|org|co|uk|biz|info|ly|me|io|tv|gl|us)(/|[.,!?)]*$))", RegexOptions.CultureInvariant)]
    private static partial Regex UrlPattern();

    [GeneratedRegex(@"^[(""'<]*[a-z0-9._%+-]+@[a-z0-9-]+(\.[a-z0-9-]+)*\.[a-z]{2,}", RegexOptions.CultureInvariant)]
    private static partial Regex EmailPattern();
}
