using Microsoft.Azure.Functions.Worker;
using Moderation.Core.Activities;
using Moderation.Core.Audit;
using Moderation.Core.Classification;
using Moderation.Core.Delivery;
using Moderation.Core.Messages;
using Moderation.Core.Review;
using Moderation.Core.Workflow;

namespace Moderation.Functions.Functions;

/// <summary>The workflow's activities, one function per <see cref="ModerationActivities"/> name.</summary>
public sealed class ModerationActivityFunctions(ModerationActivities activities)
{
    [Function(ModerationActivities.Classify)]
    public Task<LlmClassification> ClassifyAsync([ActivityTrigger] ChatMessage message, FunctionContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return activities.ClassifyAsync(message, context.CancellationToken);
    }

    [Function(ModerationActivities.ClassifyInConversation)]
    public Task<LlmClassification> ClassifyInConversationAsync([ActivityTrigger] ClassificationRequest request, FunctionContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return activities.ClassifyAsync(request, context.CancellationToken);
    }

    [Function(ModerationActivities.RequestReview)]
    public Task<bool> RequestReviewAsync([ActivityTrigger] ReviewRequest request, FunctionContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return activities.RequestReviewAsync(request, context.CancellationToken);
    }

    [Function(ModerationActivities.Deliver)]
    public Task<bool> DeliverAsync([ActivityTrigger] DeliveryOrder order, FunctionContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return activities.DeliverAsync(order, context.CancellationToken);
    }

    [Function(ModerationActivities.RecordAudit)]
    public Task<bool> RecordAuditAsync([ActivityTrigger] AuditRecord record, FunctionContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return activities.RecordAuditAsync(record, context.CancellationToken);
    }
}
