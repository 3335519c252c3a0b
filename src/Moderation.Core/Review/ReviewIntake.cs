using Microsoft.Extensions.Logging;
using Moderation.Core.Cases;

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
/// refuse decisions for decided cases, and raise the decision as the workflow's external event.
/// </summary>
/// <param name="cases">The host's case client (its Durable Task client).</param>
public sealed class ReviewIntake(IModerationCaseClient cases, ILogger<ReviewIntake> logger)
{
    public async Task<ReviewSubmissionResult> SubmitAsync(string caseId, ReviewDecision? decision, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(caseId))
        {
            return new(ReviewSubmissionStatus.Invalid, ["caseId is required."]);
        }

        if (decision is null)
        {
            return new(ReviewSubmissionStatus.Invalid, ["A JSON body with reviewerId, action and category is required."]);
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

        // Accepted even before the workflow waits: the runtime buffers the event until it does.
        await cases.RaiseReviewDecisionAsync(caseId, decision, cancellationToken);
        logger.LogInformation("Review decision {Action} by {ReviewerId} accepted for case {CaseId}.", decision.Action, decision.ReviewerId, caseId);
        return new(ReviewSubmissionStatus.Accepted, [], snapshot);
    }
}
