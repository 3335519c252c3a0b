namespace Moderation.Core.Screening;

/// <summary>A rule of the rule screen that matched, with the evidence, so the audit trail says why.</summary>
/// <param name="RuleId">Stable rule name, e.g. <c>contact.phone</c> or <c>blocklist</c>.</param>
/// <param name="Evidence">The matched text as written in the message (possibly shortened).</param>
/// <param name="Start">Where the match starts in the message text, in UTF-16 code units; null where unknown.</param>
/// <param name="Length">How many UTF-16 code units of the message text the match covers; null where unknown.</param>
public sealed record RuleHit(string RuleId, string Description, string Evidence, int? Start = null, int? Length = null);

/// <summary>What the pre-filter measured for one message: rule hits and the model's probability of "suspicious".</summary>
/// <param name="Score">The model's probability that the message is suspicious, in [0, 1].</param>
/// <param name="ModelThreshold">The decision threshold the model was released with (from its manifest).</param>
/// <param name="ModelVersion">Name and version of the model that produced <paramref name="Score"/>.</param>
/// <param name="Notes">Remarks on unusual input (empty text, truncated, unknown script) for the audit trail.</param>
public sealed record PrefilterScore(
    double Score,
    double ModelThreshold,
    string ModelVersion,
    IReadOnlyList<RuleHit> RuleHits,
    IReadOnlyList<string>? Notes = null)
{
    public bool HasRuleHits => RuleHits.Count > 0;
}
