using System.Text.Json;
using Moderation.Core.Policy;

namespace Moderation.Llm.Classification;

/// <summary>One category of Azure's content filter that refused the prompt, with the severity it reported.</summary>
public sealed record FilteredCategory(string Name, string? Severity);

/// <summary>
/// Azure OpenAI's content filter refusing the prompt (HTTP 400, error code <c>content_filter</c>). The refusal says
/// which harm categories fired; for the ones the taxonomy also has, that is a verdict in itself.
/// </summary>
public sealed record ContentFilterRefusal(IReadOnlyList<FilteredCategory> Filtered)
{
    /// <summary>Azure filter category -> taxonomy category. Filter categories not listed (self_harm, jailbreak, blocklists) have no policy equivalent.</summary>
    public static IReadOnlyDictionary<string, PolicyCategory> CategoryMap { get; } = new Dictionary<string, PolicyCategory>(StringComparer.OrdinalIgnoreCase)
    {
        ["violence"] = PolicyCategory.Threat,
        ["hate"] = PolicyCategory.Hate,
        ["sexual"] = PolicyCategory.Sexual,
        ["profanity"] = PolicyCategory.Harassment,
    };

    /// <summary>Reads a refusal from an error response body; null when the body is not a content-filter error.</summary>
    public static ContentFilterRefusal? TryParse(BinaryData? body)
    {
        if (body is null || body.ToMemory().IsEmpty)
        {
            return null;
        }

        try
        {
            using var document = JsonDocument.Parse(body.ToMemory());
            if (!document.RootElement.TryGetProperty("error", out var error) || error.ValueKind != JsonValueKind.Object
                || !error.TryGetProperty("code", out var code) || code.ValueKind != JsonValueKind.String
                || !string.Equals(code.GetString(), "content_filter", StringComparison.OrdinalIgnoreCase))
            {
                return null;
            }

            var filtered = new List<FilteredCategory>();
            if (error.TryGetProperty("innererror", out var inner) && inner.ValueKind == JsonValueKind.Object
                && inner.TryGetProperty("content_filter_result", out var result) && result.ValueKind == JsonValueKind.Object)
            {
                foreach (var category in result.EnumerateObject())
                {
                    if (category.Value.ValueKind == JsonValueKind.Object
                        && category.Value.TryGetProperty("filtered", out var isFiltered) && isFiltered.ValueKind == JsonValueKind.True)
                    {
                        var severity = category.Value.TryGetProperty("severity", out var s) && s.ValueKind == JsonValueKind.String ? s.GetString() : null;
                        filtered.Add(new FilteredCategory(category.Name, severity));
                    }
                }
            }

            return new ContentFilterRefusal(filtered);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>
    /// The taxonomy category of the most severe mapped filter category (ties: the order of <see cref="CategoryMap"/>), and a
    /// confidence from its severity; null when no filtered category has a policy equivalent.
    /// </summary>
    public (PolicyCategory Category, double Confidence)? ToPolicyCategory()
    {
        var best = Filtered
            .Where(f => CategoryMap.ContainsKey(f.Name))
            .OrderByDescending(f => SeverityRank(f.Severity))
            .ThenBy(f => CategoryMap.Keys.ToList().FindIndex(k => string.Equals(k, f.Name, StringComparison.OrdinalIgnoreCase)))
            .FirstOrDefault();
        return best is null ? null : (CategoryMap[best.Name], ConfidenceFor(best.Severity));
    }

    /// <summary>The filter only refuses at or above its configured severity; the reported severity says how sure the refusal is.</summary>
    public static double ConfidenceFor(string? severity) => SeverityRank(severity) switch
    {
        3 => 0.95,
        2 => 0.85,
        1 => 0.70,
        _ => 0.60,
    };

    private static int SeverityRank(string? severity) => severity?.ToUpperInvariant() switch
    {
        "HIGH" => 3,
        "MEDIUM" => 2,
        "LOW" => 1,
        _ => 0,
    };
}
