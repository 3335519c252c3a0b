using System.Globalization;

namespace Moderation.Prefilter.Rules;

/// <summary>
/// Finds phone numbers written to slip past a plain regex: digits split by spaces, dashes, dots or brackets
/// ("5 5 5-1 2 3-4 5 6 7", "(555) 123 4567") and digits spelled out ("five five five one two three four", "oh"
/// for zero), in any mix. One left-to-right pass over the text: linear time, no regex.
/// A run of 7 to 15 digits joined only by such separators is a phone number, unless it is a digit date
/// ("2024-05-12") or an amount ("$1 250 000").
/// </summary>
internal static class PhoneNumberScanner
{
    public const int MinDigits = 7;
    public const int MaxDigits = 15;

    // Between two digits of one number: at most this many separator characters ("555 - 123").
    private const int MaxSeparatorRun = 3;

    private static readonly HashSet<string> DigitWords = new(StringComparer.OrdinalIgnoreCase)
    {
        "zero", "oh", "o", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine",
    };

    // Looks words up by span, so scanning allocates nothing per word.
    private static readonly HashSet<string>.AlternateLookup<ReadOnlySpan<char>> DigitWordLookup = DigitWords.GetAlternateLookup<ReadOnlySpan<char>>();

    /// <summary>The text of each phone number found (as written), in order.</summary>
    public static List<string> Find(string text)
    {
        var found = new List<string>();
        var run = new Run();
        var separators = 0;
        var i = 0;
        while (i < text.Length)
        {
            var c = text[i];
            if (char.IsDigit(c))
            {
                // Fullwidth and other Unicode decimal digits count too.
                if (run.Digits == 0)
                {
                    run.Start = i;
                    run.AfterCurrency = i > 0 && IsCurrency(text[i - 1]);
                }

                run.Digits++;
                run.End = i + 1;
                separators = 0;
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

                if (i - start <= 5 && DigitWordLookup.Contains(text.AsSpan(start, i - start))
                    && !(i - start == 1 && run.Digits == 0))
                {
                    // A lone "o" only continues a number already started; it never starts one.
                    if (run.Digits == 0)
                    {
                        run.Start = start;
                        run.AfterCurrency = false;
                    }

                    run.Digits++;
                    run.End = i;
                    separators = 0;
                    continue;
                }

                Close(text, ref run, found);
                separators = 0;
                continue;
            }

            if (IsSeparator(c) && run.Digits > 0 && separators < MaxSeparatorRun)
            {
                separators++;
                i++;
                continue;
            }

            Close(text, ref run, found);
            separators = 0;
            i++;
        }

        Close(text, ref run, found);
        return found;
    }

    private static void Close(string text, ref Run run, List<string> found)
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
            if (!ContactPatterns.DigitDate().IsMatch(written))
            {
                found.Add(written);
            }
        }

        run = new Run();
    }

    private static bool IsSeparator(char c) => c is ' ' or '\t' or '-' or '.' or '(' or ')' or '+' or '_' or '*' or '/' or '\u00A0' or '\u2010' or '\u2011' or '\u2012' or '\u2013' or '\u2014';

    private static bool IsCurrency(char c) => CharUnicodeInfo.GetUnicodeCategory(c) == UnicodeCategory.CurrencySymbol;

    private struct Run
    {
        public int Start;
        public int End;
        public int Digits;
        public bool AfterCurrency;
    }
}
