using Moderation.Core.Policy;

namespace Moderation.Evaluation.Data;

/// <summary>What one label value means: a violation or clean, with an optional category; or a row to leave out.</summary>
public sealed record LabelMeaning(bool Suspicious, string? Category, bool Skip = false)
{
    public static LabelMeaning Excluded { get; } = new(false, null, Skip: true);
}

/// <summary>
/// How the values of a label column map to clean / violation. Nothing is guessed: a value that is neither in the
/// explicit mapping nor in the default vocabulary is an error, so a file whose classes mean something else (Davidson's
/// 0 hate / 1 offensive / 2 neither) cannot be silently inverted.
/// </summary>
public sealed class LabelMapping
{
    private static readonly Dictionary<string, LabelMeaning> Vocabulary = BuildVocabulary();

    private readonly Dictionary<string, LabelMeaning> values;
    private readonly bool open;

    private LabelMapping(Dictionary<string, LabelMeaning> values, bool isDefault, bool open = false)
    {
        this.values = values;
        IsDefault = isDefault;
        this.open = open;
    }

    /// <summary>
    /// The unambiguous vocabulary: 1/0, true/false, yes/no, suspicious/clean, violation, positive/negative, spam/ham, none/neither/ok/legit, and the
    /// policy category names (clean, harassment, off_platform_contact, ...; each a violation of that category but clean).
    /// </summary>
    public static LabelMapping Default { get; } = new(Vocabulary, isDefault: true);

    /// <summary>
    /// The default vocabulary, and any other value is a violation whose category is the value itself. Only for callers
    /// that interpret categories themselves and report what they cannot map (the fine-tuning export), never for metrics.
    /// </summary>
    public static LabelMapping Open { get; } = new(Vocabulary, isDefault: true, open: true);

    public bool IsDefault { get; }

    /// <summary>The values this mapping knows, for error messages.</summary>
    public IEnumerable<string> KnownValues => values.Keys;

    /// <summary>
    /// Parses "VALUE=MEANING[,VALUE=MEANING...]" where MEANING is <c>clean</c>, <c>violation</c>, <c>violation:CATEGORY</c>
    /// or <c>skip</c> (leave such rows out), e.g. <c>0=violation:hate,1=violation:profanity,2=clean</c>. Values are
    /// matched case-insensitively after trimming.
    /// </summary>
    /// <exception cref="ArgumentException">The text is not a mapping; the message says which part.</exception>
    public static LabelMapping Parse(string mapping)
    {
        ArgumentNullException.ThrowIfNull(mapping);
        var values = new Dictionary<string, LabelMeaning>(StringComparer.OrdinalIgnoreCase);
        foreach (var part in mapping.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var equals = part.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0 || equals == part.Length - 1)
            {
                throw new ArgumentException($"Label mapping part '{part}' is not VALUE=clean, VALUE=violation[:CATEGORY] or VALUE=skip.", nameof(mapping));
            }

            var value = part[..equals].Trim();
            var meaning = part[(equals + 1)..].Trim();
            var colon = meaning.IndexOf(':', StringComparison.Ordinal);
            var kind = (colon < 0 ? meaning : meaning[..colon]).ToLowerInvariant();
            var category = colon < 0 ? null : meaning[(colon + 1)..].Trim().ToLowerInvariant();
            LabelMeaning parsed = kind switch
            {
                "clean" when category is null => new(false, "none"),
                "violation" or "suspicious" when category is null or { Length: > 0 } => new(true, category),
                "skip" when category is null => LabelMeaning.Excluded,
                _ => throw new ArgumentException($"Label mapping part '{part}': the meaning must be clean, violation, violation:CATEGORY or skip.", nameof(mapping)),
            };
            if (!values.TryAdd(value, parsed))
            {
                throw new ArgumentException($"Label mapping names the value '{value}' twice.", nameof(mapping));
            }
        }

        if (values.Count == 0)
        {
            throw new ArgumentException("The label mapping is empty; give VALUE=MEANING pairs, e.g. 0=violation:hate,1=violation,2=clean.", nameof(mapping));
        }

        return new LabelMapping(values, isDefault: false);
    }

    /// <summary>The meaning of <paramref name="value"/> (trimmed, case-insensitive); false when the mapping does not know it.</summary>
    public bool TryMap(string value, out LabelMeaning meaning)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (values.TryGetValue(value.Trim(), out meaning!))
        {
            return true;
        }

        if (open && value.Trim().Length > 0)
        {
            meaning = new LabelMeaning(true, value.Trim().ToLowerInvariant());
            return true;
        }

        return false;
    }

    /// <summary>The error for a value the mapping does not know, naming it and how to fix it.</summary>
    internal string Unknown(string value) => IsDefault
        ? $"label '{value}' is not a known label value (1/0, true/false, spam/ham, suspicious/violation/clean or a policy category name); give an explicit --label-map, e.g. '{value}=violation' or '{value}=clean'"
        : $"label '{value}' is not in the label mapping (known: {string.Join(", ", values.Keys)})";

    private static Dictionary<string, LabelMeaning> BuildVocabulary()
    {
        var vocabulary = new Dictionary<string, LabelMeaning>(StringComparer.OrdinalIgnoreCase);
        foreach (var value in new[] { "1", "true", "yes", "suspicious", "violation", "positive" })
        {
            vocabulary[value] = new(true, null);
        }

        foreach (var value in new[] { "0", "false", "no", "negative" })
        {
            vocabulary[value] = new(false, null);
        }

        foreach (var value in new[] { "ham", "none", "neither", "ok", "legit", "legitimate" })
        {
            vocabulary[value] = new(false, value);
        }

        vocabulary["spam"] = new(true, "spam");
        foreach (var category in PolicyCategories.All)
        {
            var name = category.WireName();
            vocabulary[name] = category == PolicyCategory.Clean ? new(false, name) : new(true, name);
        }

        return vocabulary;
    }
}
