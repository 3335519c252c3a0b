using System.Text.Json;
using Microsoft.DurableTask;
using Microsoft.Extensions.Logging;
using Moderation.Core.Activities;
using Moderation.Core.Audit;
using Moderation.Core.Classification;
using Moderation.Core.Delivery;
using Moderation.Core.Policy;
using Moderation.Core.Review;
using Moderation.Core.Serialization;
using Moderation.Core.Workflow;

namespace Moderation.Workflow;

/// <summary>
/// The moderation workflow for one suspicious message, as a Durable Task orchestrator: classify with the LLM, decide,
/// if needed ask a human and wait for the decision or the deadline, then release or block, recording every stage in
/// the audit trail. The Azure Functions app and the self-hosted host run this same class.
///
/// Orchestrator code: replayed from history, so it is deterministic. Time comes from the context, all I/O happens in
/// activities, and every decision is a pure function of the case input, the recorded activity results and events.
/// </summary>
public sealed class ModerationOrchestrator(WorkflowRetries retries) : TaskOrchestrator<ModerationCase, ModerationOutcome>
{
    public ModerationOrchestrator()
        : this(WorkflowRetries.Default)
    {
    }

    public override async Task<ModerationOutcome> RunAsync(TaskOrchestrationContext context, ModerationCase input)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(input);

        var log = context.CreateReplaySafeLogger<ModerationOrchestrator>();
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
            // Cases started before conversations were captured replay the activity they scheduled then.
            classification = input.Conversation is { } conversation
                ? await context.CallActivityAsync<LlmClassification>(ModerationActivities.ClassifyInConversation, new ClassificationRequest(message, conversation.Preceding), Retry(policy.ClassificationRetry))
                : await context.CallActivityAsync<LlmClassification>(ModerationActivities.Classify, message, Retry(policy.ClassificationRetry));
        }
        catch (TaskFailedException ex)
        {
            llmError = Describe(ex);
            log.LogWarning("Case {CaseId}: LLM classification failed after retries; sending to human review.", caseId);
        }

        var verdict = classification?.Verdict;
        await RecordAsync(context, retries, llmError is null
            ? new AuditRecord(caseId, AuditStage.LlmClassified, context.CurrentUtcDateTime, Summarize(classification!), Message: message, Verdict: verdict, Elapsed: context.CurrentUtcDateTime - classifyStarted)
            : new AuditRecord(caseId, AuditStage.LlmFailed, context.CurrentUtcDateTime, "LLM unavailable after retries", Message: message, Error: llmError, Elapsed: context.CurrentUtcDateTime - classifyStarted));

        var decision = policy.AfterClassification(classification, input.Prefilter);
        var decidedBy = DecidedBy.Llm;
        var reasons = new List<string>(input.Screening.Reasons) { decision.Reason };

        AuditRecord? reviewAudit = null;
        if (decision.Step == PolicyStep.HumanReview)
        {
            (decision, decidedBy, reviewAudit) = await AwaitReviewAsync(context, retries, input, verdict, decision.Reason);
            reasons.Add(decision.Reason);
        }

        // Published before any further step, so from the moment the case is decided a late reviewer is told 409
        // instead of 202 for an event nobody waits for any more.
        var outcome = new ModerationOutcome(caseId, ModerationPolicy.ToDisposition(decision.Step), decidedBy, decision.Category, reasons, context.CurrentUtcDateTime);
        context.SetCustomStatus(new CaseProgress(CaseStage.Delivering, verdict, Outcome: outcome));
        if (reviewAudit is not null)
        {
            await RecordAsync(context, retries, reviewAudit);
        }

        await context.CallActivityAsync<bool>(ModerationActivities.Deliver, new DeliveryOrder(message, outcome), Retry(retries.Delivery));
        await RecordAsync(context, retries, new AuditRecord(caseId, AuditStage.Delivered, context.CurrentUtcDateTime, $"{outcome.Disposition} by {outcome.DecidedBy}", Outcome: outcome));

        context.SetCustomStatus(new CaseProgress(CaseStage.Completed, verdict, Outcome: outcome));
        log.LogInformation("Case {CaseId}: {Disposition} by {DecidedBy}.", caseId, outcome.Disposition, outcome.DecidedBy);
        return outcome;
    }

    /// <summary>The policy's retry description as Durable Task's; attempts include the first call in both.</summary>
    internal static TaskOptions Retry(ActivityRetryPolicy retry) =>
        TaskOptions.FromRetryPolicy(new RetryPolicy(retry.MaxAttempts, retry.FirstRetryInterval, retry.BackoffCoefficient, retry.MaxRetryInterval));

    /// <summary>
    /// Reads an event payload as a review decision. The payload is taken as raw JSON so that a malformed one (wrong
    /// shape, unknown action) is ignored here rather than failing the case while it is deserialized.
    /// </summary>
    internal static ReviewDecision? ReadDecision(JsonElement payload)
    {
        if (payload.ValueKind != JsonValueKind.Object)
        {
            return null;
        }

        try
        {
            var decision = payload.Deserialize<ReviewDecision>(ModerationJson.Options);
            return decision is not null && decision.Validate().Count == 0 ? decision : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <returns>The decision, who made it, and the audit record of the review's end (written by the caller once the decision is published).</returns>
    private static async Task<(PolicyDecision Decision, DecidedBy DecidedBy, AuditRecord Audit)> AwaitReviewAsync(
        TaskOrchestrationContext context, WorkflowRetries retries, ModerationCase input, LlmVerdict? verdict, string reason)
    {
        var log = context.CreateReplaySafeLogger<ModerationOrchestrator>();
        var caseId = context.InstanceId;
        var policy = input.Policy;
        var requestedAt = context.CurrentUtcDateTime;
        var deadline = requestedAt + policy.ReviewTimeout;

        var request = new ReviewRequest(caseId, input.Message, input.Prefilter, verdict, reason, requestedAt, deadline) { Conversation = input.Conversation };
        string? notifyError = null;
        try
        {
            await context.CallActivityAsync<bool>(ModerationActivities.RequestReview, request, Retry(retries.Storage));
        }
        catch (TaskFailedException ex)
        {
            // Reviewers were not told, but the case still waits: a reviewer can find it through the case API, and at
            // the deadline the fail-safe timeout default applies. Failing the case here would strand the message.
            notifyError = Describe(ex);
            log.LogError("Case {CaseId}: the review request could not be sent: {Error}", caseId, notifyError);
        }

        await RecordAsync(context, retries, new AuditRecord(caseId, AuditStage.ReviewRequested, context.CurrentUtcDateTime, notifyError is null ? reason : reason + " (review request not sent)", Verdict: verdict, Error: notifyError));

        // A decision raised before this point is buffered by Durable Task and returned by the first wait.
        context.SetCustomStatus(new CaseProgress(CaseStage.AwaitingReview, verdict, reason, deadline));

        // Measured from the deadline the reviewer was given, not from when the wait starts.
        var remaining = deadline - context.CurrentUtcDateTime;
        while (remaining > TimeSpan.Zero)
        {
            JsonElement payload;
            try
            {
                payload = await context.WaitForExternalEvent<JsonElement>(ModerationWorkflow.ReviewDecisionEvent, remaining);
            }
            catch (TaskCanceledException)
            {
                // The durable timer won the race: the deadline passed without a decision.
                break;
            }

            if (ReadDecision(payload) is { } reviewerDecision)
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
    private static async Task RecordAsync(TaskOrchestrationContext context, WorkflowRetries retries, AuditRecord record)
    {
        try
        {
            await context.CallActivityAsync<bool>(ModerationActivities.RecordAudit, record, Retry(retries.Storage));
        }
        catch (TaskFailedException ex)
        {
            var log = context.CreateReplaySafeLogger<ModerationOrchestrator>();
            log.LogError("Case {CaseId}: audit stage {Stage} could not be recorded: {Error}", record.CaseId, record.Stage, Describe(ex));
        }
    }

    private static string Describe(TaskFailedException ex) =>
        $"Activity '{ex.TaskName}' failed: {ex.FailureDetails.ErrorMessage}";

    private static string Summarize(LlmClassification classification) =>
        classification.Verdict is { } v
            ? $"{v.Category.WireName()} ({v.Confidence:0.###}) by {v.Model}, prompt {v.PromptVersion}"
            : $"LLM {classification.Status}: {classification.Detail}";
}

/// <summary>
/// How patiently the workflow retries its storage activities (review requests, audit) and delivery. Fixed per host in
/// code, never read from a clock or settings while a case replays; the defaults are <see cref="ModerationWorkflow"/>'s.
/// </summary>
public sealed record WorkflowRetries(ActivityRetryPolicy Storage, ActivityRetryPolicy Delivery)
{
    public static WorkflowRetries Default { get; } = new(ModerationWorkflow.StorageRetry, ModerationWorkflow.DeliveryRetry);
}
