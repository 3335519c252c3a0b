using Microsoft.DurableTask.Client;
using Moderation.Core.Audit;
using Moderation.Core.Cases;
using Moderation.Core.Classification;
using Moderation.Core.Conversations;
using Moderation.Core.Delivery;
using Moderation.Core.Policy;
using Moderation.Core.Review;
using Moderation.Core.Workflow;

namespace Moderation.Workflow.Tests;

/// <summary>The moderation workflow, path by path, on the real Durable Task replay engine.</summary>
public sealed class ModerationOrchestratorTests
{
    [Fact]
    public async Task A_confident_clean_verdict_releases_the_message_without_review()
    {
        await using var host = await WorkflowHost.StartAsync(Samples.Classified(PolicyCategory.Clean, 0.97));
        var moderationCase = Samples.Case(Samples.NewId("clean"), ruleHit: false);

        var outcome = await host.RunToCompletionAsync(moderationCase);

        Assert.Equal((Disposition.Released, DecidedBy.Llm, PolicyCategory.Clean), (outcome.Disposition, outcome.DecidedBy, outcome.Category));
        Assert.Empty(host.Reviews.Requests);
        var delivered = Assert.Single(host.Delivery.Delivered);
        Assert.Equal(moderationCase.CaseId, delivered.Outcome.CaseId);
        Assert.Equal(Disposition.Released, delivered.Outcome.Disposition);
        Assert.Equal([AuditStage.LlmClassified, AuditStage.Delivered], host.Audit.Stages(moderationCase.CaseId));
    }

    [Fact]
    public async Task A_case_with_its_conversation_gives_the_llm_and_the_reviewer_the_same_context()
    {
        await using var host = await WorkflowHost.StartAsync(Samples.Classified(PolicyCategory.OffPlatformContact, 0.6));
        var context = new ConversationContext(
            [new ConversationTurn("earlier-1", "cust-7", Core.Messages.ParticipantRole.Customer, "212 555", DateTimeOffset.UnixEpoch)],
            ["earlier-1"],
            new SenderHistory(2, 1, TimeSpan.FromDays(30)));
        var moderationCase = Samples.Case(Samples.NewId("context"), Samples.Policy(TimeSpan.FromMinutes(10))) with { Conversation = context };
        var caseId = await host.StartAsync(moderationCase);
        await host.AwaitingReviewAsync(caseId);

        await host.RaiseAsync(caseId, Samples.Release("rev-1"));
        await host.CompletionAsync(caseId);

        Assert.Equal(["earlier-1"], Assert.Single(host.Classifier.Contexts).Select(t => t.MessageId));
        var request = Assert.Single(host.Reviews.Requests);
        Assert.Equal(context.Preceding, request.Conversation!.Preceding);
        Assert.Equal(["earlier-1"], request.Conversation.ContributingMessageIds);
        Assert.Equal(new SenderHistory(2, 1, TimeSpan.FromDays(30)), request.Conversation.SenderHistory);
    }

    [Fact]
    public async Task A_case_without_a_conversation_is_classified_alone_as_before()
    {
        await using var host = await WorkflowHost.StartAsync(Samples.Classified(PolicyCategory.Clean, 0.97));

        await host.RunToCompletionAsync(Samples.Case(Samples.NewId("alone"), ruleHit: false));

        Assert.Equal(1, host.Classifier.Calls);
        Assert.Empty(host.Classifier.Contexts);
    }

    [Fact]
    public async Task A_confident_violation_is_blocked_by_the_llm_alone()
    {
        await using var host = await WorkflowHost.StartAsync(Samples.Classified(PolicyCategory.ScamPhishing, 0.95));

        var outcome = await host.RunToCompletionAsync(Samples.Case(Samples.NewId("scam")));

        Assert.Equal((Disposition.Blocked, DecidedBy.Llm, PolicyCategory.ScamPhishing), (outcome.Disposition, outcome.DecidedBy, outcome.Category));
        Assert.Empty(host.Reviews.Requests);
        Assert.Contains(outcome.Reasons, r => r.Contains("scam_phishing", StringComparison.Ordinal));
    }

    [Fact]
    public async Task An_uncertain_verdict_waits_for_the_reviewer_who_releases()
    {
        await using var host = await WorkflowHost.StartAsync(Samples.Classified(PolicyCategory.OffPlatformContact, 0.6));
        var caseId = await host.StartAsync(Samples.Case(Samples.NewId("review-release"), Samples.Policy(TimeSpan.FromMinutes(10))));
        var waiting = await host.AwaitingReviewAsync(caseId);

        await host.RaiseAsync(caseId, Samples.Release("rev-42"));
        var outcome = await host.CompletionAsync(caseId);

        Assert.Equal((Disposition.Released, DecidedBy.Reviewer, PolicyCategory.Clean), (outcome.Disposition, outcome.DecidedBy, outcome.Category));
        var request = Assert.Single(host.Reviews.Requests);
        Assert.Equal(PolicyCategory.OffPlatformContact, request.Verdict!.Category);
        Assert.Equal(request.RequestedAt + TimeSpan.FromMinutes(10), request.Deadline);
        Assert.Equal(request.Deadline, waiting.ReviewDeadline);
        Assert.Equal(
            [AuditStage.LlmClassified, AuditStage.ReviewRequested, AuditStage.ReviewDecided, AuditStage.Delivered],
            host.Audit.Stages(caseId));
        Assert.Equal("rev-42", host.Audit.Records.Single(r => r.Stage == AuditStage.ReviewDecided).ReviewDecision!.ReviewerId);
    }

    [Fact]
    public async Task An_uncertain_verdict_waits_for_the_reviewer_who_blocks_with_their_category()
    {
        await using var host = await WorkflowHost.StartAsync(Samples.Classified(PolicyCategory.Clean, 0.55));
        var caseId = await host.StartAsync(Samples.Case(Samples.NewId("review-block"), Samples.Policy(TimeSpan.FromMinutes(10))));
        await host.AwaitingReviewAsync(caseId);

        await host.RaiseAsync(caseId, Samples.Block(PolicyCategory.Harassment));
        var outcome = await host.CompletionAsync(caseId);

        Assert.Equal((Disposition.Blocked, DecidedBy.Reviewer, PolicyCategory.Harassment), (outcome.Disposition, outcome.DecidedBy, outcome.Category));
        Assert.Equal(PolicyCategory.Harassment, Assert.Single(host.Delivery.Delivered).Outcome.Category);
    }

    // Real time: the deadline is a durable timer inside the Durable Task engine, which keeps its own clock (no TimeProvider).
    [Trait(TestTiming.Trait, TestTiming.RealTime)]
    [Theory]
    [InlineData(PolicyCategory.JobSeeking, Disposition.Released)]
    [InlineData(PolicyCategory.OffPlatformContact, Disposition.Blocked)]
    public async Task Without_a_decision_the_per_category_default_applies_at_the_deadline(PolicyCategory category, Disposition expected)
    {
        // Confidence 0.5 is below every category's auto-decision threshold, so each of these waits for a human.
        await using var host = await WorkflowHost.StartAsync(Samples.Classified(category, 0.5));
        var caseId = Samples.NewId("timeout");

        var outcome = await host.RunToCompletionAsync(Samples.Case(caseId, Samples.Policy(TimeSpan.FromSeconds(2))));

        Assert.Equal((expected, DecidedBy.Timeout, category), (outcome.Disposition, outcome.DecidedBy, (PolicyCategory)outcome.Category!));
        var request = Assert.Single(host.Reviews.Requests);
        var timedOut = host.Audit.Records.Single(r => r.CaseId == caseId && r.Stage == AuditStage.ReviewTimedOut);
        // Decided by the durable timer at the deadline the reviewer was given: not before it, and not long after.
        Assert.InRange(outcome.DecidedAt, request.Deadline, request.Deadline + TimeSpan.FromSeconds(10));
        Assert.InRange(timedOut.RecordedAt, request.Deadline, request.Deadline + TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task A_decision_raised_while_the_llm_is_still_classifying_is_buffered_and_decides_the_case()
    {
        await using var host = await WorkflowHost.StartAsync(Samples.Classified(PolicyCategory.OffPlatformContact, 0.6));
        host.Classifier.Gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var caseId = await host.StartAsync(Samples.Case(Samples.NewId("early"), Samples.Policy(TimeSpan.FromMinutes(10))));
        await WaitUntilAsync(() => host.Classifier.Calls > 0);

        await host.RaiseAsync(caseId, Samples.Block(PolicyCategory.OffPlatformContact, "rev-early"));
        host.Classifier.Gate.SetResult();
        var outcome = await host.CompletionAsync(caseId);

        Assert.Equal((Disposition.Blocked, DecidedBy.Reviewer), (outcome.Disposition, outcome.DecidedBy));
        Assert.Single(host.Reviews.Requests);
    }

    // Real time: the deadline is a durable timer inside the Durable Task engine, which keeps its own clock (no TimeProvider).
    [Trait(TestTiming.Trait, TestTiming.RealTime)]
    [Fact]
    public async Task An_invalid_decision_is_ignored_and_the_deadline_still_holds()
    {
        await using var host = await WorkflowHost.StartAsync(Samples.Classified(PolicyCategory.OffPlatformContact, 0.6));
        var caseId = await host.StartAsync(Samples.Case(Samples.NewId("invalid"), Samples.Policy(TimeSpan.FromSeconds(3))));
        await host.AwaitingReviewAsync(caseId);

        // A decision without a reviewer, then a payload that is not a decision at all.
        await host.RaiseAsync(caseId, Samples.Release(reviewer: string.Empty));
        await host.RaiseAsync(caseId, "release it");
        var outcome = await host.CompletionAsync(caseId);

        Assert.Equal((Disposition.Blocked, DecidedBy.Timeout), (outcome.Disposition, outcome.DecidedBy));
        var request = Assert.Single(host.Reviews.Requests);
        Assert.True(outcome.DecidedAt >= request.Deadline, $"decided at {outcome.DecidedAt:O}, before the deadline {request.Deadline:O}");
        Assert.DoesNotContain(AuditStage.ReviewDecided, host.Audit.Stages(caseId));
    }

    [Fact]
    public async Task Event_names_match_case_insensitively()
    {
        await using var host = await WorkflowHost.StartAsync(Samples.Classified(PolicyCategory.OffPlatformContact, 0.6));
        var caseId = await host.StartAsync(Samples.Case(Samples.NewId("case-insensitive"), Samples.Policy(TimeSpan.FromMinutes(10))));
        await host.AwaitingReviewAsync(caseId);

        await host.RaiseAsync(caseId, Samples.Release(), eventName: ModerationWorkflow.ReviewDecisionEvent.ToUpperInvariant());
        var outcome = await host.CompletionAsync(caseId);

        Assert.Equal((Disposition.Released, DecidedBy.Reviewer), (outcome.Disposition, outcome.DecidedBy));
    }

    [Fact]
    public async Task An_llm_failing_on_every_retry_sends_the_case_to_a_human_and_never_releases_silently()
    {
        await using var host = await WorkflowHost.StartAsync(_ => throw new LlmClassificationException("429 Too Many Requests") { IsTransient = true });
        var caseId = await host.StartAsync(Samples.Case(Samples.NewId("llm-down"), Samples.Policy(TimeSpan.FromMinutes(10), classificationAttempts: 3)));
        await host.AwaitingReviewAsync(caseId);

        // Every attempt of the policy's retry budget was used, then a human was asked.
        Assert.Equal(3, host.Classifier.Calls);
        var request = Assert.Single(host.Reviews.Requests);
        Assert.Null(request.Verdict);
        var failed = host.Audit.Records.Single(r => r.Stage == AuditStage.LlmFailed);
        Assert.Contains("429", failed.Error, StringComparison.Ordinal);

        await host.RaiseAsync(caseId, Samples.Block(PolicyCategory.OffPlatformContact));
        Assert.Equal(DecidedBy.Reviewer, (await host.CompletionAsync(caseId)).DecidedBy);
    }

    // Real time: the deadline is a durable timer inside the Durable Task engine, which keeps its own clock (no TimeProvider).
    [Trait(TestTiming.Trait, TestTiming.RealTime)]
    [Fact]
    public async Task A_review_request_that_cannot_be_sent_still_waits_and_the_timeout_default_decides()
    {
        await using var host = await WorkflowHost.StartAsync(Samples.Classified(PolicyCategory.OffPlatformContact, 0.6));
        host.Reviews.Fails = true;
        var caseId = Samples.NewId("unsent");

        var outcome = await host.RunToCompletionAsync(Samples.Case(caseId, Samples.Policy(TimeSpan.FromSeconds(2))));

        Assert.Equal((Disposition.Blocked, DecidedBy.Timeout), (outcome.Disposition, outcome.DecidedBy));
        var requested = host.Audit.Records.Single(r => r.Stage == AuditStage.ReviewRequested);
        Assert.Contains("review request not sent", requested.Summary, StringComparison.Ordinal);
        Assert.Single(host.Delivery.Delivered);
    }

    [Fact]
    public async Task Audit_failures_never_stop_a_decided_message_from_being_delivered()
    {
        await using var host = await WorkflowHost.StartAsync(Samples.Classified(PolicyCategory.ScamPhishing, 0.95));
        host.Audit.Fails = true;

        var outcome = await host.RunToCompletionAsync(Samples.Case(Samples.NewId("audit-down")));

        Assert.Equal(Disposition.Blocked, outcome.Disposition);
        Assert.Single(host.Delivery.Delivered);
    }

    [Fact]
    public async Task The_case_shows_as_decided_before_its_message_is_delivered()
    {
        await using var host = await WorkflowHost.StartAsync(Samples.Classified(PolicyCategory.ScamPhishing, 0.95));
        CaseSnapshot? seenAtDelivery = null;
        host.Delivery.OnDelivery = async order => seenAtDelivery = await host.Cases.GetCaseAsync(order.Outcome.CaseId, CancellationToken.None);

        var outcome = await host.RunToCompletionAsync(Samples.Case(Samples.NewId("status-first")));

        // A late reviewer asking at this point is told the case is decided (409), not that the decision was taken.
        Assert.NotNull(seenAtDelivery);
        Assert.True(seenAtDelivery.IsDecided);
        Assert.Equal(CaseStage.Delivering, seenAtDelivery.Progress!.Stage);
        Assert.Equal(outcome.Disposition, seenAtDelivery.Progress.Outcome!.Disposition);
    }

    // Real time: the case ends at its durable-timer deadline and the late event needs a moment to reach the engine.
    [Trait(TestTiming.Trait, TestTiming.RealTime)]
    [Fact]
    public async Task A_decision_raised_after_the_case_completed_is_discarded()
    {
        await using var host = await WorkflowHost.StartAsync(Samples.Classified(PolicyCategory.ScamPhishing, 0.95));
        var caseId = Samples.NewId("late");
        var outcome = await host.RunToCompletionAsync(Samples.Case(caseId));

        await host.RaiseAsync(caseId, Samples.Release("rev-late"));
        await Task.Delay(TimeSpan.FromSeconds(1));

        var after = await host.Cases.GetCaseAsync(caseId, CancellationToken.None);
        Assert.Equal(CaseRuntimeState.Completed, after!.State);
        Assert.Equal(outcome.Disposition, after.Outcome!.Disposition);
        Assert.Equal(DecidedBy.Llm, after.Outcome.DecidedBy);
        Assert.Single(host.Delivery.Delivered);
    }

    [Fact]
    public async Task A_second_start_of_a_running_or_finished_case_is_refused()
    {
        await using var host = await WorkflowHost.StartAsync(Samples.Classified(PolicyCategory.OffPlatformContact, 0.6));
        var moderationCase = Samples.Case(Samples.NewId("dup"), Samples.Policy(TimeSpan.FromMinutes(10)));
        await host.StartAsync(moderationCase);
        await host.AwaitingReviewAsync(moderationCase.CaseId);

        Assert.False(await host.Cases.StartCaseAsync(moderationCase, CancellationToken.None));
        await host.RaiseAsync(moderationCase.CaseId, Samples.Release());
        await host.CompletionAsync(moderationCase.CaseId);
        Assert.False(await host.Cases.StartCaseAsync(moderationCase, CancellationToken.None));

        // The engine itself refuses too, for a start that gets past the client's look-up.
        await Assert.ThrowsAnyAsync<Exception>(() => host.Client.ScheduleNewOrchestrationInstanceAsync(
            ModerationWorkflow.Name,
            moderationCase,
            new Microsoft.DurableTask.StartOrchestrationOptions(moderationCase.CaseId).WithDedupeStatuses([.. DurableTaskCaseClient.DedupeStatuses])));
        Assert.Equal(1, host.Classifier.Calls);
        Assert.Single(host.Reviews.Requests);
        Assert.Single(host.Delivery.Delivered);
    }

    [Fact]
    public async Task A_delivery_that_fails_on_every_retry_fails_the_case_instead_of_pretending_success()
    {
        await using var host = await WorkflowHost.StartAsync(Samples.Classified(PolicyCategory.ScamPhishing, 0.95));
        host.Delivery.Fails = true;
        var caseId = await host.StartAsync(Samples.Case(Samples.NewId("undeliverable")));

        using var timeout = new CancellationTokenSource(WorkflowHost.Patience);
        var metadata = await host.Client.WaitForInstanceCompletionAsync(caseId, getInputsAndOutputs: false, timeout.Token);

        // Operators see a failed case (and can rewind or restart it); nothing claims the message was delivered.
        Assert.Equal(OrchestrationRuntimeStatus.Failed, metadata.RuntimeStatus);
        Assert.Equal(CaseRuntimeState.Failed, (await host.Cases.GetCaseAsync(caseId, CancellationToken.None))!.State);
        Assert.Empty(host.Delivery.Delivered);
        Assert.DoesNotContain(AuditStage.Delivered, host.Audit.Stages(caseId));
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + WorkflowHost.Patience;
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "condition not met in time");
            await Task.Delay(20);
        }
    }
}
