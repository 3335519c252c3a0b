using System.Text.Json.Serialization;
using Moderation.Core.Policy;
using Moderation.Core.Serialization;

namespace Moderation.Core.Delivery;

[JsonConverter(typeof(WireEnumConverter<Disposition>))]
public enum Disposition
{
    Released,
    Blocked,
}

/// <summary>Which stage made the final decision.</summary>
[JsonConverter(typeof(WireEnumConverter<DecidedBy>))]
public enum DecidedBy
{
    Prefilter,
    Llm,
    Reviewer,
    Timeout,
}

/// <summary>The final outcome of moderating one message.</summary>
/// <param name="Category">The violated category (Clean when released); null when nobody could classify the message.</param>
public sealed record ModerationOutcome(
    string CaseId,
    Disposition Disposition,
    DecidedBy DecidedBy,
    PolicyCategory? Category,
    IReadOnlyList<string> Reasons,
    DateTime DecidedAt);
