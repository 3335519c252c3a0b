using System.Text.Json.Serialization;
using Moderation.Core.Policy;
using Moderation.Core.Serialization;

namespace Moderation.Core.Classification;

/// <summary>Tokens spent on one classification and what they are estimated to cost.</summary>
public sealed record TokenUsage(int InputTokens, int OutputTokens, decimal EstimatedCostUsd)
{
    public static TokenUsage None { get; } = new(0, 0, 0m);

    public int TotalTokens => InputTokens + OutputTokens;
}

/// <summary>Where a verdict came from.</summary>
[JsonConverter(typeof(WireEnumConverter<VerdictSource>))]
public enum VerdictSource
{
    /// <summary>The model answered inside the taxonomy.</summary>
    Model,

    /// <summary>The provider's content filter refused the prompt; that refusal is itself the verdict.</summary>
    ContentFilter,
}

/// <summary>The LLM's classification of one message inside the fixed taxonomy, traceable to the model and prompt that produced it.</summary>
/// <param name="Confidence">The model's confidence in <paramref name="Category"/>, in [0, 1].</param>
/// <param name="Rationale">One sentence.</param>
/// <param name="Evidence">Spans of the message that support the verdict.</param>
/// <param name="Model">Deployment or model name (a fine-tuned deployment is just another name).</param>
/// <param name="PromptVersion">Content hash of the prompt template.</param>
public sealed record LlmVerdict(
    PolicyCategory Category,
    double Confidence,
    string Rationale,
    IReadOnlyList<string> Evidence,
    string Model,
    string PromptVersion,
    TokenUsage Usage,
    VerdictSource Source = VerdictSource.Model,
    IReadOnlyList<string>? ContentFilterCategories = null)
{
    /// <summary>The verdict read as a probability that the message violates policy (for AUC and calibration).</summary>
    public double ViolationProbability => Category == PolicyCategory.Clean ? 1.0 - Confidence : Confidence;
}
