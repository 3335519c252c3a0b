using Microsoft.Extensions.Logging;
using Moderation.Core.Cases;
using Moderation.Core.Telemetry;

namespace Moderation.Core.Review;

/// <summary>The result of submitting a reviewer decision; each maps to one HTTP status.</summary>
public enum ReviewSubmissionStatus
{
    /// <summary>202: the decision was handed to the case.</summary>
    Accepted,

    /// <summary>400: the decision is malformed.</summary>
    Invalid,

    /// <summary>404: no case has this id.</summary>
    UnknownCase,

    /// <summary>409: the case was already decided; the decision is ignored.</summary>
    AlreadyDecided,
}

public sealed record ReviewSubmissionResult(ReviewSubmissionStatus Status, IReadOnlyList<string> Problems, CaseSnapshot? Case = null);

/// <summary>
/// The review callback's logic, shared by the Functions app and the self-hosted host: validate, look the case up,
/// claim the case for this decision (<see cref="IReviewDecisionClaims"/>: the first claim wins, atomically, across
/// callers and instances), and only then raise the decision as the workflow's external event. A claim whose raise
/// failed is released, or, when even that fails, raised again by the next caller once <see cref="RaiseLease"/> has
/// passed; the claimed decision is never lost and never replaced by a later one.
/// </summary>
/// <param name="cases">The host's case client (its Durable Task client).</param>
public sealed class ReviewIntake(IModerationCaseClient cases, IReviewDecisionClaims claims, TimeProvider time, ILogger<ReviewIntake> logger)
{
    /// <summary>How long a claimed but unraised decision belongs to the caller that claimed it.</summary>
    public static readonly TimeSpan RaiseLease = TimeSpan.FromSeconds(15);

    public async Task<ReviewSubmissionResult> SubmitAsync(string caseId, ReviewDecision? decision, CancellationToken cancellationToken)
    {
        using var span = ModerationTelemetry.StartCaseStep("moderation.review.callback", caseId);
        var result = await DecideAsync(caseId, decision, cancellationToken);
        var status = result.Status switch
        {
            ReviewSubmissionStatus.Accepted => "accepted",
            ReviewSubmissionStatus.Invalid => "invalid",
            ReviewSubmissionStatus.UnknownCase => "unknown_case",
            _ => "already_decided",
        };
        span?.SetTag(ModerationTelemetry.Tags.ReviewStatus, status);
        ModerationTelemetry.RecordReviewCallback(status);
        return result;
    }

    private async Task<ReviewSubmissionResult> DecideAsync(string caseId, ReviewDecision? decision, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(caseId))
        {
            return new(ReviewSubmissionStatus.Invalid, ["caseId is required."]);
        }

        if (decision is null)
        {
            return new(ReviewSubmissionStatus.Invalid, ["A JSON body with action and category is required."]);
        }

        var problems = decision.Validate();
        if (problems.Count > 0)
        {
            return new(ReviewSubmissionStatus.Invalid, problems);
        }

        var snapshot = await cases.GetCaseAsync(caseId, cancellationToken);
        if (snapshot is null)
        {
            return new(ReviewSubmissionStatus.UnknownCase, [$"No moderation case '{caseId}'."]);
        }

        if (snapshot.IsDecided)
        {
            // Reported, not applied: a late or repeated decision must never change a delivered outcome.
            logger.LogWarning("Ignored a review decision by {ReviewerId} for case {CaseId}, which is already decided.", decision.ReviewerId, caseId);
            return new(ReviewSubmissionStatus.AlreadyDecided, [$"Case '{caseId}' is already decided ({snapshot.Outcome?.Disposition.ToString() ?? snapshot.State.ToString()})."], snapshot);
        }

        if (snapshot.Progress?.ReviewDeadline is { } deadline && time.GetUtcNow().UtcDateTime >= deadline)
        {
            // The workflow's timer decides from the deadline on; a 202 now would promise a decision that the timeout
            // default, already due, overrides.
            logger.LogWarning("Ignored a review decision by {ReviewerId} for case {CaseId}: its review deadline {Deadline:O} has passed.", decision.ReviewerId, caseId, deadline);
            return new(ReviewSubmissionStatus.AlreadyDecided, [$"The review deadline of case '{caseId}' passed at {deadline:O}; the category's timeout default decides it."], snapshot);
        }

        var (won, claim) = await claims.TryClaimAsync(caseId, decision, time.GetUtcNow(), cancellationToken);
        if (!won)
        {
            var reraised = await RecoverOutstandingAsync(claim, cancellationToken);
            if (reraised && claim.Decision == decision)
            {
                // The same decision whose earlier raise was lost: this call delivered it.
                return new(ReviewSubmissionStatus.Accepted, [], snapshot);
            }

            logger.LogWarning("Ignored a review decision by {ReviewerId} for case {CaseId}: an earlier decision by {WinnerId} won.", decision.ReviewerId, caseId, claim.Decision.ReviewerId);
            return new(ReviewSubmissionStatus.AlreadyDecided, [$"Case '{caseId}' is already decided: a {claim.Decision.Action.ToString().ToLowerInvariant()} decision was accepted at {claim.ClaimedAt:O}."], snapshot);
        }

        await RaiseClaimedAsync(claim, cancellationToken);
        logger.LogInformation("Review decision {Action} by {ReviewerId} accepted for case {CaseId}.", decision.Action, decision.ReviewerId, caseId);
        return new(ReviewSubmissionStatus.Accepted, [], snapshot);
    }

    /// <summary>Raises a claim this caller holds; on failure gives the case back so a retry can win, then rethrows.</summary>
    private async Task RaiseClaimedAsync(ReviewDecisionClaim claim, CancellationToken cancellationToken)
    {
        try
        {
            // Accepted even before the workflow waits: the runtime buffers the event until it does.
            await cases.RaiseReviewDecisionAsync(claim.CaseId, claim.Decision, cancellationToken);
        }
        catch (Exception raiseError)
        {
            try
            {
                await claims.ReleaseAsync(claim, CancellationToken.None);
            }
            catch (Exception releaseError)
            {
                // The claim stays outstanding: the next caller after the lease raises this same decision.
                logger.LogError("Could not raise nor release the decision claimed for case {CaseId} ({RaiseError}; {ReleaseError}); it is raised again after {Lease}.", claim.CaseId, raiseError.GetType().Name, releaseError.GetType().Name, RaiseLease);
            }

            throw;
        }

        try
        {
            await claims.MarkRaisedAsync(claim, CancellationToken.None);
        }
        catch (Exception ex)
        {
            // The event is raised; an unmarked claim only means a later caller may raise the same decision again,
            // which the workflow ignores (it takes the first decision event).
            logger.LogWarning("Decision for case {CaseId} raised but not marked ({Error}).", claim.CaseId, ex.GetType().Name);
        }
    }

    /// <summary>Raises an outstanding claim whose holder has been gone longer than the lease; true when this call raised it.</summary>
    private async Task<bool> RecoverOutstandingAsync(ReviewDecisionClaim claim, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        if (claim.Raised || now - claim.ClaimedAt < RaiseLease)
        {
            return false;
        }

        var taken = await claims.TryTakeOverAsync(claim, now, cancellationToken);
        if (taken is null)
        {
            return false;
        }

        logger.LogWarning("Raising the outstanding decision claimed for case {CaseId} at {ClaimedAt} again.", claim.CaseId, claim.ClaimedAt);
        await cases.RaiseReviewDecisionAsync(taken.CaseId, taken.Decision, cancellationToken);
        await claims.MarkRaisedAsync(taken, CancellationToken.None);
        return true;
    }
}
