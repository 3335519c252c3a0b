using Moderation.Core.Activities;
using Moderation.Core.Audit;
using Moderation.Core.Classification;
using Moderation.Core.Delivery;
using Moderation.Core.Messages;
using Moderation.Core.Review;
using Moderation.Core.Workflow;

namespace Moderation.Core.Tests.Fakes;

/// <summary>The workflow wired to a fake context whose activities record what they were asked to do.</summary>
internal sealed class WorkflowScenario
{
    public WorkflowScenario(ModerationCase moderationCase, Func<int, LlmClassification> classify, IReadOnlyList<HistoryEvent>? replayFrom = null)
    {
        Case = moderationCase;
        Context = new FakeOrchestrationContext(moderationCase.CaseId, Samples.Start, replayFrom)
            .OnActivity<ChatMessage, LlmClassification>(ModerationActivities.Classify, (_, attempt) => classify(attempt))
            .OnActivity<ReviewRequest, bool>(ModerationActivities.RequestReview, (r, _) => ReviewRequestFails ? throw new IOException("review queue unavailable") : Record(ReviewRequests, r))
            .OnActivity<DeliveryOrder, bool>(ModerationActivities.Deliver, (o, _) => DeliveryFails ? throw new IOException("queue unavailable") : Record(Deliveries, o))
            .OnActivity<AuditRecord, bool>(ModerationActivities.RecordAudit, (a, _) => AuditFails ? throw new IOException("table unavailable") : Record(Audit, a));
    }

    public static WorkflowScenario Answering(LlmClassification classification, ModerationCase? moderationCase = null) =>
        new(moderationCase ?? Samples.Case(), _ => classification);

    public ModerationCase Case { get; }

    public FakeOrchestrationContext Context { get; }

    public List<ReviewRequest> ReviewRequests { get; } = [];

    public List<DeliveryOrder> Deliveries { get; } = [];

    public List<AuditRecord> Audit { get; } = [];

    public bool DeliveryFails { get; set; }

    public bool ReviewRequestFails { get; set; }

    public bool AuditFails { get; set; }

    public IEnumerable<AuditStage> AuditStages => Audit.Select(a => a.Stage);

    /// <summary>The reviewer answers while the workflow waits.</summary>
    public WorkflowScenario ReviewerAnswers(params ReviewDecision[] decisions)
    {
        var answered = false;
        Context.WhenWaiting = (ctx, name) =>
        {
            // A reviewer answers once; later waits see only what is still buffered.
            if (answered)
            {
                return;
            }

            answered = true;
            foreach (var d in decisions)
            {
                ctx.RaiseEvent(ModerationWorkflow.ReviewDecisionEvent, d);
            }
        };
        return this;
    }

    public Task<ModerationOutcome> RunAsync() => ModerationWorkflow.RunAsync(Context, Case);

    private static bool Record<T>(List<T> list, T item)
    {
        list.Add(item);
        return true;
    }
}
