using System.Text.Json.Serialization;
using Moderation.Core.Serialization;

namespace Moderation.Core.Classification;

[JsonConverter(typeof(WireEnumConverter<LlmClassificationStatus>))]
public enum LlmClassificationStatus
{
    /// <summary>A verdict inside the taxonomy.</summary>
    Classified,

    /// <summary>No LLM is configured; the case goes to human review.</summary>
    NotConfigured,
}

/// <summary>
/// The classification activity's result. Transient failures are not represented here: the classifier throws,
/// the workflow's retry policy retries, and a final failure sends the case to human review.
/// </summary>
public sealed record LlmClassification(LlmClassificationStatus Status, LlmVerdict? Verdict, string? Detail = null)
{
    public static LlmClassification Classified(LlmVerdict verdict) => new(LlmClassificationStatus.Classified, verdict);

    public static LlmClassification NotConfigured(string detail) => new(LlmClassificationStatus.NotConfigured, null, detail);
}
