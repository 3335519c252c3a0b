using Moderation.Core.Audit;
using Moderation.Core.Classification;
using Moderation.Core.Delivery;
using Moderation.Core.Messages;
using Moderation.Core.Review;

namespace Moderation.Core.Workflow;

/// <summary>
/// The workflow's activities: the only place the workflow touches the outside world. Both hosts dispatch activity
/// names to these methods (Durable Functions through <c>[ActivityTrigger]</c> functions, the self-hosted runner directly).
/// </summary>
public sealed class ModerationActivities(
    ILlmClassifier classifier,
    IReviewNotifier reviewNotifier,
    IDeliveryGateway deliveryGateway,
    IAuditLog auditLog)
{
    public const string Classify = "ClassifyMessage";
    public const string RequestReview = "RequestReview";
    public const string Deliver = "DeliverOutcome";
    public const string RecordAudit = "RecordAudit";

    /// <summary>Every activity name, for hosts that register or dispatch them.</summary>
    public static IReadOnlyList<string> Names { get; } = [Classify, RequestReview, Deliver, RecordAudit];

    public Task<LlmClassification> ClassifyAsync(ChatMessage message, CancellationToken cancellationToken) =>
        classifier.ClassifyAsync(message, cancellationToken);

    public async Task<bool> RequestReviewAsync(ReviewRequest request, CancellationToken cancellationToken)
    {
        await reviewNotifier.RequestReviewAsync(request, cancellationToken);
        return true;
    }

    public async Task<bool> DeliverAsync(DeliveryOrder order, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(order);
        if (order.Outcome.Disposition == Disposition.Released)
        {
            await deliveryGateway.ReleaseAsync(order, cancellationToken);
        }
        else
        {
            await deliveryGateway.BlockAsync(order, cancellationToken);
        }

        return true;
    }

    public async Task<bool> RecordAuditAsync(AuditRecord record, CancellationToken cancellationToken)
    {
        await auditLog.RecordAsync(record, cancellationToken);
        return true;
    }
}
