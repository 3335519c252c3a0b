using System.Text.Json;
using Moderation.Core.Activities;
using Moderation.Core.Audit;
using Moderation.Core.Classification;
using Moderation.Core.Delivery;
using Moderation.Core.Messages;
using Moderation.Core.Policy;
using Moderation.Core.Review;
using Moderation.Core.Serialization;
using Moderation.Core.Workflow;
using Moderation.Functions.Durable;
using Moderation.Functions.Tests.Fakes;

namespace Moderation.Functions.Tests;

/// <summary>The whole moderation workflow driven through the Durable adapter.</summary>
public class WorkflowOnDurableTests
{
    private readonly ModerationCase moderationCase = Samples.Case();
    private readonly FakeTaskOrchestrationContext durable;
    private readonly List<DeliveryOrder> deliveries = [];
    private readonly List<ReviewRequest> reviewRequests = [];
    private readonly List<AuditStage> audit = [];

    public WorkflowOnDurableTests()
    {
        durable = new FakeTaskOrchestrationContext(moderationCase.CaseId, Samples.Start)
            .OnActivity<ReviewRequest, bool>(ModerationActivities.RequestReview, (request, _) => Record(reviewRequests, request))
            .OnActivity<DeliveryOrder, bool>(ModerationActivities.Deliver, (order, _) => Record(deliveries, order))
            .OnActivity<AuditRecord, bool>(ModerationActivities.RecordAudit, (record, _) => Record(audit, record.Stage));
    }

    [Fact]
    public async Task A_case_the_LLM_is_unsure_about_is_decided_by_the_reviewer_whose_event_arrives()
    {
        durable.OnActivity<ChatMessage, LlmClassification>(ModerationActivities.Classify, (_, _) => Samples.Classified(PolicyCategory.OffPlatformContact, 0.55));
        durable.RaiseEvent(ModerationWorkflow.ReviewDecisionEvent, Samples.Block("rev-7"));

        var outcome = await ModerationWorkflow.RunAsync(new DurableOrchestrationContext(durable), moderationCase);

        Assert.Equal(Disposition.Blocked, outcome.Disposition);
        Assert.Equal(DecidedBy.Reviewer, outcome.DecidedBy);
        Assert.Equal(PolicyCategory.OffPlatformContact, outcome.Category);
        Assert.Equal("msg-001", Assert.Single(reviewRequests).CaseId);
        Assert.Equal(Disposition.Blocked, Assert.Single(deliveries).Outcome.Disposition);
        Assert.Equal([AuditStage.LlmClassified, AuditStage.ReviewRequested, AuditStage.ReviewDecided, AuditStage.Delivered], audit);
        Assert.Equal(
            [CaseStage.Classifying, CaseStage.AwaitingReview, CaseStage.Delivering, CaseStage.Completed],
            durable.CustomStatuses.Select(json => JsonSerializer.Deserialize<CaseProgress>(json!, ModerationJson.Options)!.Stage));
    }

    [Fact]
    public async Task A_case_nobody_reviews_is_decided_by_the_timeout_when_the_durable_timer_fires()
    {
        durable.OnActivity<ChatMessage, LlmClassification>(ModerationActivities.Classify, (_, _) => Samples.Classified(PolicyCategory.OffPlatformContact, 0.55));

        var outcome = await ModerationWorkflow.RunAsync(new DurableOrchestrationContext(durable), moderationCase);

        Assert.Equal(DecidedBy.Timeout, outcome.DecidedBy);
        Assert.Equal(Disposition.Blocked, outcome.Disposition);
        Assert.Contains(AuditStage.ReviewTimedOut, audit);
        Assert.True(outcome.DecidedAt >= Samples.Start + moderationCase.Policy.ReviewTimeout);
    }

    [Fact]
    public async Task An_LLM_that_fails_every_retry_sends_the_case_to_review_with_the_policy_retries_applied()
    {
        durable.OnActivity<ChatMessage, LlmClassification>(ModerationActivities.Classify, (_, _) => throw new HttpRequestException("429 Too Many Requests"));
        durable.RaiseEvent(ModerationWorkflow.ReviewDecisionEvent, Samples.Release());

        var outcome = await ModerationWorkflow.RunAsync(new DurableOrchestrationContext(durable), moderationCase);

        Assert.Equal(moderationCase.Policy.ClassificationRetry.MaxAttempts, durable.Attempts[ModerationActivities.Classify]);
        Assert.Equal(Disposition.Released, outcome.Disposition);
        Assert.Equal(DecidedBy.Reviewer, outcome.DecidedBy);
        Assert.Equal(AuditStage.LlmFailed, audit[0]);
    }

    private static bool Record<T>(List<T> list, T item)
    {
        list.Add(item);
        return true;
    }
}
