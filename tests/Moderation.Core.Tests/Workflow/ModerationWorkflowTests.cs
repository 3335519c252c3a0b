using Moderation.Core.Activities;
using Moderation.Core.Audit;
using Moderation.Core.Classification;
using Moderation.Core.Delivery;
using Moderation.Core.Policy;
using Moderation.Core.Review;
using Moderation.Core.Tests.Fakes;
using Moderation.Core.Workflow;

namespace Moderation.Core.Tests.Workflow;

/// <summary>The moderation workflow, path by path: what happens to a suspicious message after the pre-filter.</summary>
public class ModerationWorkflowTests
{
    [Fact]
    public async Task Confident_clean_verdict_releases_the_message_without_review()
    {
        var scenario = WorkflowScenario.Answering(Samples.Classified(PolicyCategory.Clean, 0.97), Samples.Case(score: Samples.Score(0.6)));

        var outcome = await scenario.RunAsync();

        Assert.Equal(Disposition.Released, outcome.Disposition);
        Assert.Equal(DecidedBy.Llm, outcome.DecidedBy);
        Assert.Equal(PolicyCategory.Clean, outcome.Category);
        Assert.Empty(scenario.ReviewRequests);
        var delivery = Assert.Single(scenario.Deliveries);
        AssertSameOutcome(outcome, delivery.Outcome);
        Assert.Equal([AuditStage.LlmClassified, AuditStage.Delivered], scenario.AuditStages);
    }

    [Fact]
    public async Task Confident_violation_is_blocked_by_the_llm_alone()
    {
        var scenario = WorkflowScenario.Answering(Samples.Classified(PolicyCategory.ScamPhishing, 0.95));

        var outcome = await scenario.RunAsync();

        Assert.Equal(Disposition.Blocked, outcome.Disposition);
        Assert.Equal(DecidedBy.Llm, outcome.DecidedBy);
        Assert.Equal(PolicyCategory.ScamPhishing, outcome.Category);
        Assert.Empty(scenario.ReviewRequests);
        Assert.Contains(outcome.Reasons, r => r.Contains("scam_phishing", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Uncertain_verdict_goes_to_review_and_the_reviewer_releases()
    {
        var scenario = WorkflowScenario.Answering(Samples.Classified(PolicyCategory.OffPlatformContact, 0.6))
            .ReviewerAnswers(Samples.Release("rev-42"));

        var outcome = await scenario.RunAsync();

        Assert.Equal(Disposition.Released, outcome.Disposition);
        Assert.Equal(DecidedBy.Reviewer, outcome.DecidedBy);
        Assert.Equal(PolicyCategory.Clean, outcome.Category);
        var request = Assert.Single(scenario.ReviewRequests);
        Assert.Equal(PolicyCategory.OffPlatformContact, request.Verdict!.Category);
        Assert.Equal(request.RequestedAt + ModerationPolicy.Default.ReviewTimeout, request.Deadline);
        Assert.Equal(
            [AuditStage.LlmClassified, AuditStage.ReviewRequested, AuditStage.ReviewDecided, AuditStage.Delivered],
            scenario.AuditStages);
        Assert.Equal("rev-42", scenario.Audit.Single(a => a.Stage == AuditStage.ReviewDecided).ReviewDecision!.ReviewerId);
    }

    [Fact]
    public async Task Uncertain_verdict_goes_to_review_and_the_reviewer_blocks_with_their_category()
    {
        var scenario = WorkflowScenario.Answering(Samples.Classified(PolicyCategory.Clean, 0.55))
            .ReviewerAnswers(Samples.Block(PolicyCategory.Harassment));

        var outcome = await scenario.RunAsync();

        Assert.Equal(Disposition.Blocked, outcome.Disposition);
        Assert.Equal(DecidedBy.Reviewer, outcome.DecidedBy);
        Assert.Equal(PolicyCategory.Harassment, outcome.Category);
    }

    [Theory]
    [InlineData(PolicyCategory.JobSeeking, Disposition.Released)]
    [InlineData(PolicyCategory.PartnershipSolicitation, Disposition.Released)]
    [InlineData(PolicyCategory.Threat, Disposition.Blocked)]
    [InlineData(PolicyCategory.OffPlatformContact, Disposition.Blocked)]
    public async Task Review_timeout_applies_the_per_category_default(PolicyCategory category, Disposition expected)
    {
        // Confidence 0.5 is below every category's auto-decision threshold, so each of these waits for a human.
        var scenario = WorkflowScenario.Answering(Samples.Classified(category, 0.5));

        var outcome = await scenario.RunAsync();

        Assert.Equal(expected, outcome.Disposition);
        Assert.Equal(DecidedBy.Timeout, outcome.DecidedBy);
        Assert.Equal(category, outcome.Category);
        Assert.Contains(AuditStage.ReviewTimedOut, scenario.AuditStages);
    }

    [Fact]
    public async Task Review_times_out_exactly_at_the_deadline_the_reviewer_was_given()
    {
        var policy = ModerationPolicy.Default with { ReviewTimeout = TimeSpan.FromMinutes(30) };
        var scenario = WorkflowScenario.Answering(Samples.Classified(PolicyCategory.Harassment, 0.5), Samples.Case(policy));

        await scenario.RunAsync();

        var request = Assert.Single(scenario.ReviewRequests);
        Assert.Equal(request.RequestedAt + TimeSpan.FromMinutes(30), request.Deadline);
        var timedOut = scenario.Audit.Single(a => a.Stage == AuditStage.ReviewTimedOut);
        Assert.Equal(request.Deadline, timedOut.RecordedAt);
    }

    [Fact]
    public async Task Category_that_always_needs_a_human_goes_to_review_even_when_the_llm_is_certain()
    {
        var scenario = WorkflowScenario.Answering(Samples.Classified(PolicyCategory.JobSeeking, 0.99))
            .ReviewerAnswers(Samples.Block(PolicyCategory.JobSeeking));

        var outcome = await scenario.RunAsync();

        Assert.Single(scenario.ReviewRequests);
        Assert.Equal(DecidedBy.Reviewer, outcome.DecidedBy);
        Assert.Contains("job_seeking always needs human review", scenario.ReviewRequests[0].Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Llm_failure_after_retries_sends_the_case_to_review_and_never_releases_silently()
    {
        var scenario = new WorkflowScenario(Samples.Case(), _ => throw new LlmClassificationException("429 Too Many Requests") { IsTransient = true });

        var outcome = await scenario.RunAsync();

        // Every attempt of the policy's retry budget was used, then a human was asked.
        Assert.Equal(ModerationPolicy.Default.ClassificationRetry.MaxAttempts, scenario.Context.Attempts[ModerationActivities.Classify]);
        Assert.Single(scenario.ReviewRequests);
        Assert.Null(scenario.ReviewRequests[0].Verdict);
        Assert.Contains(AuditStage.LlmFailed, scenario.AuditStages);
        Assert.Contains("429", scenario.Audit.Single(a => a.Stage == AuditStage.LlmFailed).Error, StringComparison.Ordinal);

        // No reviewer answered: the fail-safe default without a verdict blocks.
        Assert.Equal(Disposition.Blocked, outcome.Disposition);
        Assert.Equal(DecidedBy.Timeout, outcome.DecidedBy);
        Assert.Null(outcome.Category);
    }

    [Fact]
    public async Task Llm_that_recovers_on_a_retry_decides_normally()
    {
        var scenario = new WorkflowScenario(Samples.Case(), attempt => attempt < 2
            ? throw new LlmClassificationException("timeout") { IsTransient = true }
            : Samples.Classified(PolicyCategory.Spam, 0.99));

        var outcome = await scenario.RunAsync();

        Assert.Equal(2, scenario.Context.Attempts[ModerationActivities.Classify]);
        Assert.Equal(DecidedBy.Llm, outcome.DecidedBy);
        Assert.Equal(PolicyCategory.Spam, outcome.Category);
    }

    [Fact]
    public async Task Classification_uses_the_policy_retry_delivery_the_patient_delivery_retry_and_the_rest_the_storage_retry()
    {
        var scenario = WorkflowScenario.Answering(Samples.Classified(PolicyCategory.Clean, 0.99));

        await scenario.RunAsync();

        var calls = scenario.Context.Calls.Where(c => c.StartsWith("activity:", StringComparison.Ordinal)).ToList();
        for (var i = 0; i < calls.Count; i++)
        {
            var expected = calls[i] switch
            {
                "activity:" + ModerationActivities.Classify => ModerationPolicy.Default.ClassificationRetry,
                "activity:" + ModerationActivities.Deliver => ModerationWorkflow.DeliveryRetry,
                _ => ModerationWorkflow.StorageRetry,
            };
            Assert.Equal(expected, scenario.Context.RetryPolicies[i]);
        }
    }

    [Fact]
    public async Task Llm_not_configured_sends_the_case_to_review()
    {
        var scenario = WorkflowScenario.Answering(LlmClassification.NotConfigured("no endpoint"))
            .ReviewerAnswers(Samples.Release());

        var outcome = await scenario.RunAsync();

        Assert.Contains("LLM not configured", Assert.Single(scenario.ReviewRequests).Reason, StringComparison.Ordinal);
        Assert.Equal(DecidedBy.Reviewer, outcome.DecidedBy);
        Assert.Equal(Disposition.Released, outcome.Disposition);
    }

    [Fact]
    public async Task Llm_clearing_a_rule_hit_is_settled_by_a_human()
    {
        var moderationCase = Samples.Case(score: Samples.Score(0.2, Samples.PhoneHit));
        var scenario = WorkflowScenario.Answering(Samples.Classified(PolicyCategory.Clean, 0.99), moderationCase)
            .ReviewerAnswers(Samples.Block());

        var outcome = await scenario.RunAsync();

        Assert.Contains("contact.phone", Assert.Single(scenario.ReviewRequests).Reason, StringComparison.Ordinal);
        Assert.Equal(Disposition.Blocked, outcome.Disposition);
    }

    [Fact]
    public async Task Decision_raised_before_the_workflow_waits_is_not_lost()
    {
        var scenario = WorkflowScenario.Answering(Samples.Classified(PolicyCategory.Harassment, 0.5));
        scenario.Context.RaiseEvent(ModerationWorkflow.ReviewDecisionEvent, Samples.Block(PolicyCategory.Harassment, "early-reviewer"));

        var outcome = await scenario.RunAsync();

        Assert.Equal(DecidedBy.Reviewer, outcome.DecidedBy);
        Assert.Contains("early-reviewer", outcome.Reasons.Last(), StringComparison.Ordinal);
        Assert.Equal(0, scenario.Context.UnconsumedEvents);
    }

    [Fact]
    public async Task Event_names_match_case_insensitively_as_in_durable_functions()
    {
        var scenario = WorkflowScenario.Answering(Samples.Classified(PolicyCategory.Harassment, 0.5));
        scenario.Context.RaiseEvent(ModerationWorkflow.ReviewDecisionEvent.ToUpperInvariant(), Samples.Release());

        var outcome = await scenario.RunAsync();

        Assert.Equal(DecidedBy.Reviewer, outcome.DecidedBy);
    }

    [Fact]
    public async Task Second_decision_for_the_same_case_is_ignored_and_left_unconsumed()
    {
        var scenario = WorkflowScenario.Answering(Samples.Classified(PolicyCategory.Harassment, 0.5))
            .ReviewerAnswers(Samples.Release("first"), Samples.Block(PolicyCategory.Harassment, "second"));

        var outcome = await scenario.RunAsync();

        Assert.Equal(Disposition.Released, outcome.Disposition);
        Assert.Contains("first", outcome.Reasons.Last(), StringComparison.Ordinal);
        Assert.Single(scenario.Deliveries);
        Assert.Equal(1, scenario.Context.UnconsumedEvents);
    }

    [Fact]
    public async Task Malformed_decision_event_is_ignored_and_the_wait_keeps_its_original_deadline()
    {
        var invalid = Samples.Block(PolicyCategory.Clean); // a block must name the violated category
        var scenario = WorkflowScenario.Answering(Samples.Classified(PolicyCategory.Threat, 0.5))
            .ReviewerAnswers(invalid);

        var outcome = await scenario.RunAsync();

        Assert.Equal(DecidedBy.Timeout, outcome.DecidedBy);
        Assert.Contains(scenario.Context.Logs, l => l.Contains("ignored an invalid review decision", StringComparison.Ordinal));
        var waits = scenario.Context.Calls.Where(c => c.StartsWith("wait:", StringComparison.Ordinal)).ToList();
        Assert.Equal(2, waits.Count);
        var request = Assert.Single(scenario.ReviewRequests);
        Assert.Equal(request.Deadline, scenario.Audit.Single(a => a.Stage == AuditStage.ReviewTimedOut).RecordedAt);
    }

    [Fact]
    public async Task A_review_request_that_cannot_be_sent_still_waits_and_the_fail_safe_timeout_decides()
    {
        var scenario = WorkflowScenario.Answering(Samples.Classified(PolicyCategory.Threat, 0.5));
        scenario.ReviewRequestFails = true;

        var outcome = await scenario.RunAsync();

        Assert.Equal(ModerationWorkflow.StorageRetry.MaxAttempts, scenario.Context.Attempts[ModerationActivities.RequestReview]);
        var requested = scenario.Audit.Single(a => a.Stage == AuditStage.ReviewRequested);
        Assert.Contains("review request not sent", requested.Summary, StringComparison.Ordinal);
        Assert.NotNull(requested.Error);
        Assert.Equal(DecidedBy.Timeout, outcome.DecidedBy);
        Assert.Equal(Disposition.Blocked, outcome.Disposition);
        Assert.Single(scenario.Deliveries);
    }

    [Fact]
    public async Task The_case_shows_as_decided_before_anything_else_happens_after_the_review()
    {
        var scenario = WorkflowScenario.Answering(Samples.Classified(PolicyCategory.Harassment, 0.5))
            .ReviewerAnswers(Samples.Block(PolicyCategory.Harassment));

        await scenario.RunAsync();

        // The status that makes the callback answer 409 is published before the next activity (the audit write), so a
        // durable runtime checkpoints it together with the decision.
        var wait = scenario.Context.Calls.FindIndex(c => c.StartsWith("wait:", StringComparison.Ordinal));
        var after = scenario.Context.Calls.Skip(wait + 1).ToList();
        Assert.Equal("status:Delivering", after[0]);
        Assert.Equal("activity:" + ModerationActivities.RecordAudit, after[1]);
    }

    [Fact]
    public async Task Audit_failures_do_not_stop_a_decided_message_from_being_delivered()
    {
        var scenario = WorkflowScenario.Answering(Samples.Classified(PolicyCategory.Spam, 0.99));
        scenario.AuditFails = true;

        var outcome = await scenario.RunAsync();

        Assert.Single(scenario.Deliveries);
        Assert.Equal(Disposition.Blocked, outcome.Disposition);
        Assert.Contains(scenario.Context.Logs, l => l.StartsWith("Error:", StringComparison.Ordinal) && l.Contains("could not be recorded", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Delivery_failure_after_retries_fails_the_orchestration_instead_of_pretending_success()
    {
        var scenario = WorkflowScenario.Answering(Samples.Classified(PolicyCategory.Spam, 0.99));
        scenario.DeliveryFails = true;

        await Assert.ThrowsAsync<ActivityFailedException>(scenario.RunAsync);
        Assert.Equal(ModerationWorkflow.DeliveryRetry.MaxAttempts, scenario.Context.Attempts[ModerationActivities.Deliver]);
    }

    [Fact]
    public async Task Custom_status_tells_clients_where_the_case_is()
    {
        var scenario = WorkflowScenario.Answering(Samples.Classified(PolicyCategory.Harassment, 0.5))
            .ReviewerAnswers(Samples.Block(PolicyCategory.Harassment));

        var outcome = await scenario.RunAsync();

        var stages = scenario.Context.Statuses.Cast<CaseProgress>().Select(s => s.Stage);
        Assert.Equal([CaseStage.Classifying, CaseStage.AwaitingReview, CaseStage.Delivering, CaseStage.Completed], stages);
        var waiting = scenario.Context.Statuses.Cast<CaseProgress>().Single(s => s.Stage == CaseStage.AwaitingReview);
        Assert.NotNull(waiting.ReviewDeadline);
        Assert.NotNull(waiting.ReviewReason);
        AssertSameOutcome(outcome, scenario.Context.Statuses.Cast<CaseProgress>().Last().Outcome!);
    }

    [Fact]
    public async Task The_case_id_is_the_instance_id_which_is_the_message_id()
    {
        var scenario = WorkflowScenario.Answering(Samples.Classified(PolicyCategory.Spam, 0.99), Samples.Case(message: Samples.Message(id: "msg-dup-7")));

        var outcome = await scenario.RunAsync();

        Assert.Equal("msg-dup-7", scenario.Case.CaseId);
        Assert.Equal("msg-dup-7", outcome.CaseId);
        Assert.All(scenario.Audit, a => Assert.Equal("msg-dup-7", a.CaseId));
    }

    [Fact]
    public async Task Outcome_reasons_trace_every_stage_from_screening_to_decision()
    {
        var scenario = WorkflowScenario.Answering(Samples.Classified(PolicyCategory.Harassment, 0.5))
            .ReviewerAnswers(Samples.Block(PolicyCategory.Harassment, "rev-9"));

        var outcome = await scenario.RunAsync();

        Assert.Equal(scenario.Case.Screening.Reasons, outcome.Reasons.Take(scenario.Case.Screening.Reasons.Count));
        Assert.Contains(outcome.Reasons, r => r.Contains("below", StringComparison.Ordinal));
        Assert.Contains("reviewer rev-9", outcome.Reasons.Last(), StringComparison.Ordinal);
    }

    // Payloads cross a JSON boundary, so records holding lists are compared field by field.
    private static void AssertSameOutcome(ModerationOutcome expected, ModerationOutcome actual)
    {
        Assert.Equal(expected with { Reasons = [] }, actual with { Reasons = [] });
        Assert.Equal(expected.Reasons, actual.Reasons);
    }
}
