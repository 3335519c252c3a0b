using System.Text;

namespace Moderation.Evaluation.Data;

/// <summary>
/// The fixed split rule: 80 % train, 10 % validation, 10 % test, by a 64-bit FNV-1a hash of the salted, normalised
/// text. The hash depends only on the text, so it is the same on every machine and run (unlike string.GetHashCode),
/// and exact duplicates (the SMS data has many) always land in the same part and cannot leak from train into test.
/// Changing the salt or the normalisation changes every published metric: do not.
/// </summary>
public static class SplitAssignment
{
    public const string Salt = "moderation-split-v1";
    public const int TrainPercent = 80;
    public const int ValidationPercent = 10;

    private const ulong FnvOffsetBasis = 14695981039346656037UL;
    private const ulong FnvPrime = 1099511628211UL;

    public static SplitPart Of(string text)
    {
        var bucket = Hash(text) % 100;
        return bucket < TrainPercent ? SplitPart.Train
            : bucket < TrainPercent + ValidationPercent ? SplitPart.Validation
            : SplitPart.Test;
    }

    /// <summary>Lower case, whitespace runs collapsed to one space, trimmed: "Hello  World " and "hello world" are duplicates.</summary>
    public static string Normalize(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var builder = new StringBuilder(text.Length);
        var pendingSpace = false;
        foreach (var c in text)
        {
            if (char.IsWhiteSpace(c))
            {
                pendingSpace = builder.Length > 0;
                continue;
            }

            if (pendingSpace)
            {
                builder.Append(' ');
                pendingSpace = false;
            }

            builder.Append(char.ToLowerInvariant(c));
        }

        return builder.ToString();
    }

    public static ulong Hash(string text)
    {
        var hash = FnvOffsetBasis;
        foreach (var b in Encoding.UTF8.GetBytes(Salt + "\n" + Normalize(text)))
        {
            hash ^= b;
            hash *= FnvPrime;
        }

        return hash;
    }
}
