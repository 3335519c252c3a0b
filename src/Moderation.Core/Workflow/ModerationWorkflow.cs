using Microsoft.Extensions.Logging;
using Moderation.Core.Activities;
using Moderation.Core.Audit;
using Moderation.Core.Classification;
using Moderation.Core.Delivery;
using Moderation.Core.Policy;
using Moderation.Core.Review;

namespace Moderation.Core.Workflow;

/// <summary>
/// The moderation workflow for one suspicious message: classify with the LLM, decide, if needed ask a human and wait
/// for the decision or the deadline, then release or block, recording every stage in the audit trail.
///
/// This is orchestrator code: it must be deterministic. Time comes from the context, all I/O happens in activities,
/// and every decision is a pure function of the case input and the recorded activity results and events.
/// </summary>
public static class ModerationWorkflow
{
    public const string Name = "ModerationWorkflow";

    /// <summary>The external event a reviewer's decision arrives as.</summary>
    public const string ReviewDecisionEvent = "ReviewDecision";

    /// <summary>Storage operations are cheap to retry and must not lose a decision to a transient blip.</summary>
    public static ActivityRetryPolicy StorageRetry { get; } = new(MaxAttempts: 5, FirstRetryInterval: TimeSpan.FromSeconds(2), BackoffCoefficient: 2.0, MaxRetryInterval: TimeSpan.FromMinutes(1));

    /// <summary>
    /// Carrying out a decision rides out a storage outage of about twenty minutes before the case fails (and shows as
    /// failed to operators) rather than giving up after seconds: a decided message must reach the queue it belongs on.
    /// </summary>
    public static ActivityRetryPolicy DeliveryRetry { get; } = new(MaxAttempts: 10, FirstRetryInterval: TimeSpan.FromSeconds(5), BackoffCoefficient: 2.0, MaxRetryInterval: TimeSpan.FromMinutes(5));

    public static async Task<ModerationOutcome> RunAsync(IOrchestrationContext context, ModerationCase input)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(input);

        var log = context.CreateReplaySafeLogger(typeof(ModerationWorkflow).FullName!);
        var policy = input.Policy;
        var caseId = context.InstanceId;
        var message = input.Message;

        // Tier two: the LLM. A failure after retries is not an error of the case: a human decides instead.
        context.SetCustomStatus(new CaseProgress(CaseStage.Classifying));
        var classifyStarted = context.CurrentUtcDateTime;
        LlmClassification? classification = null;
        string? llmError = null;
        try
        {
            classification = await context.CallActivityAsync<LlmClassification>(ModerationActivities.Classify, message, policy.ClassificationRetry);
        }
        catch (ActivityFailedException ex)
        {
            llmError = ex.Message;
            log.LogWarning("Case {CaseId}: LLM classification failed after retries; sending to human review.", caseId);
        }

        var verdict = classification?.Verdict;
        await RecordAsync(context, log, llmError is null
            ? new AuditRecord(caseId, AuditStage.LlmClassified, context.CurrentUtcDateTime, Summarize(classification!), Message: message, Verdict: verdict, Elapsed: context.CurrentUtcDateTime - classifyStarted)
            : new AuditRecord(caseId, AuditStage.LlmFailed, context.CurrentUtcDateTime, "LLM unavailable after retries", Message: message, Error: llmError, Elapsed: context.CurrentUtcDateTime - classifyStarted));

        var decision = policy.AfterClassification(classification, input.Prefilter);
        var decidedBy = DecidedBy.Llm;
        var reasons = new List<string>(input.Screening.Reasons) { decision.Reason };

        AuditRecord? reviewAudit = null;
        if (decision.Step == PolicyStep.HumanReview)
        {
            (decision, decidedBy, reviewAudit) = await AwaitReviewAsync(context, log, input, verdict, decision.Reason);
            reasons.Add(decision.Reason);
        }

        // Published before any further step, so from the moment the case is decided a late reviewer is told 409
        // instead of 202 for an event nobody waits for any more.
        var outcome = new ModerationOutcome(caseId, ModerationPolicy.ToDisposition(decision.Step), decidedBy, decision.Category, reasons, context.CurrentUtcDateTime);
        context.SetCustomStatus(new CaseProgress(CaseStage.Delivering, verdict, Outcome: outcome));
        if (reviewAudit is not null)
        {
            await RecordAsync(context, log, reviewAudit);
        }

        await context.CallActivityAsync<bool>(ModerationActivities.Deliver, new DeliveryOrder(message, outcome), DeliveryRetry);
        await RecordAsync(context, log, new AuditRecord(caseId, AuditStage.Delivered, context.CurrentUtcDateTime, $"{outcome.Disposition} by {outcome.DecidedBy}", Outcome: outcome));

        context.SetCustomStatus(new CaseProgress(CaseStage.Completed, verdict, Outcome: outcome));
        log.LogInformation("Case {CaseId}: {Disposition} by {DecidedBy}.", caseId, outcome.Disposition, outcome.DecidedBy);
        return outcome;
    }

    /// <returns>The decision, who made it, and the audit record of the review's end (written by the caller once the decision is published).</returns>
    private static async Task<(PolicyDecision Decision, DecidedBy DecidedBy, AuditRecord Audit)> AwaitReviewAsync(
        IOrchestrationContext context, ILogger log, ModerationCase input, LlmVerdict? verdict, string reason)
    {
        var caseId = context.InstanceId;
        var policy = input.Policy;
        var requestedAt = context.CurrentUtcDateTime;
        var deadline = requestedAt + policy.ReviewTimeout;

        var request = new ReviewRequest(caseId, input.Message, input.Prefilter, verdict, reason, requestedAt, deadline);
        string? notifyError = null;
        try
        {
            await context.CallActivityAsync<bool>(ModerationActivities.RequestReview, request, StorageRetry);
        }
        catch (ActivityFailedException ex)
        {
            // Reviewers were not told, but the case still waits: a reviewer can find it through the case API, and at
            // the deadline the fail-safe timeout default applies. Failing the case here would strand the message.
            notifyError = ex.Message;
            log.LogError("Case {CaseId}: the review request could not be sent: {Error}", caseId, ex.Message);
        }

        await RecordAsync(context, log, new AuditRecord(caseId, AuditStage.ReviewRequested, context.CurrentUtcDateTime, notifyError is null ? reason : reason + " (review request not sent)", Verdict: verdict, Error: notifyError));

        // A decision raised before this point is buffered by the runtime and returned by the first wait.
        context.SetCustomStatus(new CaseProgress(CaseStage.AwaitingReview, verdict, reason, deadline));

        // Measured from the deadline the reviewer was given, not from when the wait starts.
        var remaining = deadline - context.CurrentUtcDateTime;
        while (remaining > TimeSpan.Zero)
        {
            var waited = await context.WaitForExternalEventAsync<ReviewDecision>(ReviewDecisionEvent, remaining);
            if (!waited.Received)
            {
                break;
            }

            if (waited.Value is { } reviewerDecision && reviewerDecision.Validate().Count == 0)
            {
                var decided = new AuditRecord(caseId, AuditStage.ReviewDecided, context.CurrentUtcDateTime, $"{reviewerDecision.Action} by {reviewerDecision.ReviewerId}", ReviewDecision: reviewerDecision, Elapsed: context.CurrentUtcDateTime - requestedAt);
                return (ModerationPolicy.FromReviewer(reviewerDecision), DecidedBy.Reviewer, decided);
            }

            // The callback validates decisions before raising them; a malformed event is ignored and the wait goes on
            // until the original deadline, so it can neither decide the case nor cut the review short.
            log.LogWarning("Case {CaseId}: ignored an invalid review decision event.", caseId);
            remaining = deadline - context.CurrentUtcDateTime;
        }

        var timeout = policy.OnReviewTimeout(verdict);
        return (timeout, DecidedBy.Timeout, new AuditRecord(caseId, AuditStage.ReviewTimedOut, context.CurrentUtcDateTime, timeout.Reason, Elapsed: context.CurrentUtcDateTime - requestedAt));
    }

    /// <summary>The audit trail must not stop a decided message from being delivered: a failed write is logged and skipped.</summary>
    private static async Task RecordAsync(IOrchestrationContext context, ILogger log, AuditRecord record)
    {
        try
        {
            await context.CallActivityAsync<bool>(ModerationActivities.RecordAudit, record, StorageRetry);
        }
        catch (ActivityFailedException ex)
        {
            log.LogError("Case {CaseId}: audit stage {Stage} could not be recorded: {Error}", record.CaseId, record.Stage, ex.Message);
        }
    }

    private static string Summarize(LlmClassification classification) =>
        classification.Verdict is { } v
            ? $"{v.Category.WireName()} ({v.Confidence:0.###}) by {v.Model}, prompt {v.PromptVersion}"
            : $"LLM {classification.Status}: {classification.Detail}";
}
