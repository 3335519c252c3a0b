using Microsoft.DurableTask;
using Moderation.Core.Activities;
using Moderation.Core.Audit;
using Moderation.Core.Classification;
using Moderation.Core.Delivery;
using Moderation.Core.Messages;
using Moderation.Core.Review;

namespace Moderation.Workflow;

// The workflow's activities as Durable Task activities: each one a typed shell around ModerationActivities, where the
// I/O (through the ports) and its error handling live. Durable Task gives activities no cancellation token; a host
// shutting down abandons the work item and the activity runs again elsewhere.

/// <summary><see cref="ModerationActivities.Classify"/>: the LLM's verdict on a message.</summary>
public sealed class ClassifyMessageActivity(ModerationActivities activities) : TaskActivity<ChatMessage, LlmClassification>
{
    public override Task<LlmClassification> RunAsync(TaskActivityContext context, ChatMessage input) =>
        activities.ClassifyAsync(input, CancellationToken.None);
}

/// <summary><see cref="ModerationActivities.ClassifyInConversation"/>: the LLM's verdict on a message, with its conversation as context.</summary>
public sealed class ClassifyInConversationActivity(ModerationActivities activities) : TaskActivity<ClassificationRequest, LlmClassification>
{
    public override Task<LlmClassification> RunAsync(TaskActivityContext context, ClassificationRequest input) =>
        activities.ClassifyAsync(input, CancellationToken.None);
}

/// <summary><see cref="ModerationActivities.RequestReview"/>: tells reviewers a case waits for them.</summary>
public sealed class RequestReviewActivity(ModerationActivities activities) : TaskActivity<ReviewRequest, bool>
{
    public override Task<bool> RunAsync(TaskActivityContext context, ReviewRequest input) =>
        activities.RequestReviewAsync(input, CancellationToken.None);
}

/// <summary><see cref="ModerationActivities.Deliver"/>: puts a decided message on the released or blocked queue.</summary>
public sealed class DeliverOutcomeActivity(ModerationActivities activities) : TaskActivity<DeliveryOrder, bool>
{
    public override Task<bool> RunAsync(TaskActivityContext context, DeliveryOrder input) =>
        activities.DeliverAsync(input, CancellationToken.None);
}

/// <summary><see cref="ModerationActivities.RecordAudit"/>: one stage of the audit trail.</summary>
public sealed class RecordAuditActivity(ModerationActivities activities) : TaskActivity<AuditRecord, bool>
{
    public override Task<bool> RunAsync(TaskActivityContext context, AuditRecord input) =>
        activities.RecordAuditAsync(input, CancellationToken.None);
}
