using Moderation.Core.Review;

namespace Moderation.Testing;

/// <summary>In-memory decision claims with the table's first-insert-wins semantics.</summary>
public sealed class InMemoryDecisionClaims : IReviewDecisionClaims
{
    private readonly Dictionary<string, ReviewDecisionClaim> claims = new(StringComparer.Ordinal);
    private int version;

    public Task<(bool Won, ReviewDecisionClaim Claim)> TryClaimAsync(string caseId, ReviewDecision decision, DateTimeOffset claimedAt, CancellationToken cancellationToken)
    {
        lock (claims)
        {
            if (claims.TryGetValue(caseId, out var existing))
            {
                return Task.FromResult((false, existing));
            }

            var claim = new ReviewDecisionClaim(caseId, decision, claimedAt, false, (++version).ToString(System.Globalization.CultureInfo.InvariantCulture));
            claims[caseId] = claim;
            return Task.FromResult((true, claim));
        }
    }

    public Task MarkRaisedAsync(ReviewDecisionClaim claim, CancellationToken cancellationToken)
    {
        lock (claims)
        {
            claims[claim.CaseId] = claims[claim.CaseId] with { Raised = true };
        }

        return Task.CompletedTask;
    }

    public Task<bool> ReleaseAsync(ReviewDecisionClaim claim, CancellationToken cancellationToken)
    {
        lock (claims)
        {
            return Task.FromResult(claims.TryGetValue(claim.CaseId, out var existing) && existing.Version == claim.Version && claims.Remove(claim.CaseId));
        }
    }

    public Task<ReviewDecisionClaim?> TryTakeOverAsync(ReviewDecisionClaim claim, DateTimeOffset now, CancellationToken cancellationToken)
    {
        lock (claims)
        {
            if (!claims.TryGetValue(claim.CaseId, out var existing) || existing.Version != claim.Version)
            {
                return Task.FromResult<ReviewDecisionClaim?>(null);
            }

            var taken = existing with { ClaimedAt = now, Version = (++version).ToString(System.Globalization.CultureInfo.InvariantCulture) };
            claims[claim.CaseId] = taken;
            return Task.FromResult<ReviewDecisionClaim?>(taken);
        }
    }
}
