using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Moderation.Core.Policy;

namespace Moderation.Llm.Prompting;

/// <summary>
/// The classifier's system prompt, loaded from a template file that policy experts edit without touching code.
/// Its version is a hash of the file's content, recorded in every verdict, so each verdict traces to the exact text.
/// </summary>
public sealed partial class ModerationPrompt
{
    /// <summary>Replaced with the taxonomy's wire names, so the prompt can never list a category the schema lacks.</summary>
    public const string CategoriesPlaceholder = "{{categories}}";

    /// <summary>Replaced with a description of the user turn's data envelope, generated from the encoding itself.</summary>
    public const string InputFormatPlaceholder = "{{input_format}}";

    private ModerationPrompt(string source, string version, string systemPrompt)
    {
        Source = source;
        Version = version;
        SystemPrompt = systemPrompt;
    }

    /// <summary>Where the template came from (a path), for diagnostics.</summary>
    public string Source { get; }

    /// <summary>First 12 hex digits of the SHA-256 of the template (line endings normalised).</summary>
    public string Version { get; }

    /// <summary>The rendered system instructions; the message being classified is never part of them.</summary>
    public string SystemPrompt { get; }

    /// <summary>Loads and validates a template file; throws <see cref="InvalidOperationException"/> listing every problem.</summary>
    public static ModerationPrompt Load(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        if (!File.Exists(path))
        {
            throw new InvalidOperationException($"The moderation prompt template '{path}' does not exist.");
        }

        return Parse(File.ReadAllText(path, Encoding.UTF8), path);
    }

    /// <summary>Validates and renders template text.</summary>
    public static ModerationPrompt Parse(string template, string source)
    {
        ArgumentNullException.ThrowIfNull(template);
        var problems = Validate(template);
        if (problems.Count > 0)
        {
            throw new InvalidOperationException($"The moderation prompt template '{source}' is invalid: " + string.Join(" ", problems));
        }

        var normalized = Normalize(template);
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(normalized));
        var version = Convert.ToHexStringLower(hash)[..12];
        var rendered = CommentPattern().Replace(normalized, string.Empty)
            .Replace(CategoriesPlaceholder, string.Join(", ", PolicyCategories.All.Select(c => c.WireName())), StringComparison.Ordinal)
            .Replace(InputFormatPlaceholder, ClassificationContract.InputFormatDescription, StringComparison.Ordinal)
            .Trim();
        return new ModerationPrompt(source, version, rendered + "\n");
    }

    /// <summary>Every reason the template cannot be used; empty when it is valid.</summary>
    public static IReadOnlyList<string> Validate(string template)
    {
        ArgumentNullException.ThrowIfNull(template);
        var problems = new List<string>();
        var text = CommentPattern().Replace(Normalize(template), string.Empty);

        foreach (var placeholder in new[] { CategoriesPlaceholder, InputFormatPlaceholder })
        {
            if (!text.Contains(placeholder, StringComparison.Ordinal))
            {
                problems.Add($"Placeholder {placeholder} is missing.");
            }
        }

        foreach (Match unknown in PlaceholderPattern().Matches(text))
        {
            if (unknown.Value is not (CategoriesPlaceholder or InputFormatPlaceholder))
            {
                problems.Add($"Unknown placeholder {unknown.Value}.");
            }
        }

        var headings = CategoryHeadingPattern().Matches(text).Select(m => m.Groups["name"].Value.Trim()).ToList();
        foreach (var category in PolicyCategories.All)
        {
            var count = headings.Count(h => h == category.WireName());
            if (count == 0)
            {
                problems.Add($"Category '{category.WireName()}' has no \"### {category.WireName()}\" definition.");
            }
            else if (count > 1)
            {
                problems.Add($"Category '{category.WireName()}' is defined {count} times.");
            }
        }

        foreach (var heading in headings.Distinct(StringComparer.Ordinal))
        {
            if (!PolicyCategories.All.Any(c => c.WireName() == heading))
            {
                problems.Add($"\"### {heading}\" is not a category of the taxonomy ({string.Join(", ", PolicyCategories.All.Select(c => c.WireName()))}).");
            }
        }

        return problems;
    }

    private static string Normalize(string template) => template.Replace("\r\n", "\n", StringComparison.Ordinal);

    [GeneratedRegex(@"<!--.*?-->\n?", RegexOptions.Singleline)]
    private static partial Regex CommentPattern();

    [GeneratedRegex(@"\{\{[^{}]*\}\}")]
    private static partial Regex PlaceholderPattern();

    [GeneratedRegex(@"^###[ \t]+(?<name>[^\n]+)$", RegexOptions.Multiline)]
    private static partial Regex CategoryHeadingPattern();
}
