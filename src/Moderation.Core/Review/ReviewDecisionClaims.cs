namespace Moderation.Core.Review;

/// <summary>The decision that claimed a case, as stored.</summary>
/// <param name="Raised">True once the decision was raised on the case; false while (or if) the raise is outstanding.</param>
/// <param name="Version">Opaque concurrency token of the stored claim (an ETag).</param>
public sealed record ReviewDecisionClaim(string CaseId, ReviewDecision Decision, DateTimeOffset ClaimedAt, bool Raised, string Version);

/// <summary>
/// Port: one decision per case, claimed atomically. The first <see cref="TryClaimAsync"/> for a case wins; every
/// later one sees the winner. Implementations are an insert-if-absent in durable storage, so the rule holds across
/// host instances and concurrent callers.
/// </summary>
public interface IReviewDecisionClaims
{
    /// <summary>Claims the case for <paramref name="decision"/>. Returns whether this call won, and the claim that holds the case.</summary>
    Task<(bool Won, ReviewDecisionClaim Claim)> TryClaimAsync(string caseId, ReviewDecision decision, DateTimeOffset claimedAt, CancellationToken cancellationToken);

    /// <summary>Records that the claimed decision reached the case.</summary>
    Task MarkRaisedAsync(ReviewDecisionClaim claim, CancellationToken cancellationToken);

    /// <summary>Removes a claim whose decision never reached the case, so another decision can win; false when the claim changed meanwhile.</summary>
    Task<bool> ReleaseAsync(ReviewDecisionClaim claim, CancellationToken cancellationToken);

    /// <summary>
    /// Takes over a claim whose raise is outstanding (its holder stopped or failed before marking it raised), so this
    /// caller raises the same decision again. Only one caller wins; null when another did or the claim changed.
    /// </summary>
    Task<ReviewDecisionClaim?> TryTakeOverAsync(ReviewDecisionClaim claim, DateTimeOffset now, CancellationToken cancellationToken);
}
