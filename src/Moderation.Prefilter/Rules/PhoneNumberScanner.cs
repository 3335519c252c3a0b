using System.Collections.Frozen;
using System.Globalization;

namespace Moderation.Prefilter.Rules;

/// <summary>
/// Finds phone numbers written to slip past a plain regex: digits split by spaces, dashes, dots or brackets
/// ("5 5 5-1 2 3-4 5 6 7", "(555) 123 4567"), digits spelled out ("five five five one two three", "oh" for zero,
/// "double five", "twenty one"), letters standing in for digits next to digits ("555-l23-4567", "O12"), in any mix.
/// One left-to-right pass over the rule skeleton (so full-width and other-script digits are already ASCII): linear time.
/// A run of 7 to 15 digits joined only by such separators is a phone number, unless it is a digit date
/// ("2024-05-12"), an amount ("$1 250 000") or a count with thousands separators ("2.124.821").
/// </summary>
internal static class PhoneNumberScanner
{
    public const int MinDigits = 7;
    public const int MaxDigits = 15;

    // Between two digits of one number: at most this many separators ("555 - 123"), a run of spaces counting once.
    private const int MaxSeparatorRun = 3;

    /// <summary>How many digits each number word stands for; "o" and "oh" only continue a number already started.</summary>
    private static readonly FrozenDictionary<string, int> DigitWords = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase)
    {
        ["zero"] = 1,
        ["oh"] = 1,
        ["o"] = 1,
        ["nought"] = 1,
        ["one"] = 1,
        ["two"] = 1,
        ["three"] = 1,
        ["four"] = 1,
        ["five"] = 1,
        ["six"] = 1,
        ["seven"] = 1,
        ["eight"] = 1,
        ["nine"] = 1,
        ["niner"] = 1,
        ["ten"] = 2,
        ["eleven"] = 2,
        ["twelve"] = 2,
        ["thirteen"] = 2,
        ["fourteen"] = 2,
        ["fifteen"] = 2,
        ["sixteen"] = 2,
        ["seventeen"] = 2,
        ["eighteen"] = 2,
        ["nineteen"] = 2,
        ["twenty"] = 2,
        ["thirty"] = 2,
        ["forty"] = 2,
        ["fifty"] = 2,
        ["sixty"] = 2,
        ["seventy"] = 2,
        ["eighty"] = 2,
        ["ninety"] = 2,
        ["double"] = 1,
        ["triple"] = 2,
    }.ToFrozenDictionary(StringComparer.OrdinalIgnoreCase);

    private static readonly FrozenDictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> DigitWordLookup = DigitWords.GetAlternateLookup<ReadOnlySpan<char>>();

    /// <summary>The range (start, length) of each phone number found in <paramref name="text"/>, in order.</summary>
    public static List<(int Start, int Length)> Find(string text)
    {
        var found = new List<(int, int)>();
        var run = new Run();
        var separators = 0;
        var afterTens = false;
        var i = 0;
        while (i < text.Length)
        {
            var c = text[i];
            if (char.IsAsciiDigit(c))
            {
                Extend(ref run, i, i + 1, 1, i > 0 && IsCurrency(text[i - 1]));
                separators = 0;
                afterTens = false;
                i++;
                continue;
            }

            if (char.IsLetter(c))
            {
                var start = i;
                while (i < text.Length && char.IsLetter(text[i]))
                {
                    i++;
                }

                var word = text.AsSpan(start, i - start);
                if (word.Length == 1 && word[0] is 'o' or 'O' or 'l' or 'I' or 'i'
                    && ((start > 0 && char.IsAsciiDigit(text[start - 1])) || (i < text.Length && char.IsAsciiDigit(text[i]))))
                {
                    // A letter written in place of a digit, touching a digit: "555-l23", "O12".
                    Extend(ref run, start, i, 1, false);
                    separators = 0;
                    afterTens = false;
                    continue;
                }

                if (word.Length <= 9 && DigitWordLookup.TryGetValue(word, out var digits) && !(IsOh(word) && run.Digits == 0))
                {
                    // "twenty one" is two digits, not three.
                    var isUnit = digits == 1 && !IsOh(word) && !word.Equals("double", StringComparison.OrdinalIgnoreCase);
                    Extend(ref run, start, i, afterTens && isUnit ? 0 : digits, false);
                    afterTens = word.EndsWith("ty", StringComparison.OrdinalIgnoreCase);
                    separators = 0;
                    continue;
                }

                Close(text, ref run, found);
                separators = 0;
                afterTens = false;
                continue;
            }

            if (IsSeparator(c) && run.Digits > 0 && separators < MaxSeparatorRun)
            {
                // A stretch of spaces counts once: "five  -  five" is split by three separators, not five.
                separators += c is ' ' or '\t' && i > 0 && text[i - 1] is ' ' or '\t' ? 0 : 1;
                i++;
                continue;
            }

            Close(text, ref run, found);
            separators = 0;
            afterTens = false;
            i++;
        }

        Close(text, ref run, found);
        return found;
    }

    private static bool IsOh(ReadOnlySpan<char> word) => word.Equals("o", StringComparison.OrdinalIgnoreCase) || word.Equals("oh", StringComparison.OrdinalIgnoreCase);

    private static void Extend(ref Run run, int start, int end, int digits, bool afterCurrency)
    {
        if (run.Digits == 0 && digits > 0)
        {
            run.Start = start;
            run.AfterCurrency = afterCurrency;
        }

        run.Digits += digits;
        run.End = end;
    }

    private static void Close(string text, ref Run run, List<(int, int)> found)
    {
        if (run.Digits is >= MinDigits and <= MaxDigits && !run.AfterCurrency)
        {
            // Keep a leading "+" or "(" of the number ("+44 20 ...", "(555) 123 ...") in the evidence.
            var start = run.Start;
            while (start > 0 && run.Start - start < 2 && text[start - 1] is '+' or '(')
            {
                start--;
            }

            var written = text[start..run.End];
            if (!ContactPatterns.DigitDate().IsMatch(written) && !ContactPatterns.GroupedCount().IsMatch(written))
            {
                found.Add((start, run.End - start));
            }
        }

        run = new Run();
    }

    private static bool IsSeparator(char c) => c is ' ' or '\t' or '-' or '.' or '(' or ')' or '+' or '_' or '*' or '/' or '\\' or '|' or '~' or ',';

    private static bool IsCurrency(char c) => CharUnicodeInfo.GetUnicodeCategory(c) == UnicodeCategory.CurrencySymbol;

    private struct Run
    {
        public int Start;
        public int End;
        public int Digits;
        public bool AfterCurrency;
    }
}
