using Moderation.Core.Audit;
using Moderation.Core.Classification;
using Moderation.Core.Conversations;
using Moderation.Core.Delivery;
using Moderation.Core.Messages;
using Moderation.Core.Review;

namespace Moderation.Core.Activities;

/// <summary>
/// The workflow's activities: the only place the workflow touches the outside world. Both hosts run them through the
/// Durable Task activities of Moderation.Workflow (Durable Functions through <c>[ActivityTrigger]</c> functions).
/// </summary>
public sealed class ModerationActivities(
    ILlmClassifier classifier,
    IReviewNotifier reviewNotifier,
    IDeliveryGateway deliveryGateway,
    IAuditLog auditLog,
    TimeProvider time,
    ISenderHistoryStore? senderHistory = null)
{
    public const string Classify = "ClassifyMessage";
    public const string ClassifyInConversation = "ClassifyMessageInConversation";
    public const string RequestReview = "RequestReview";
    public const string Deliver = "DeliverOutcome";
    public const string RecordAudit = "RecordAudit";

    /// <summary>Every activity name, for hosts that register or dispatch them.</summary>
    public static IReadOnlyList<string> Names { get; } = [Classify, ClassifyInConversation, RequestReview, Deliver, RecordAudit];

    /// <summary>The longest a throttled classification waits, as the service asked, before it fails for the retry policy.</summary>
    public static readonly TimeSpan MaxRetryAfterWait = TimeSpan.FromMinutes(1);

    public Task<LlmClassification> ClassifyAsync(ChatMessage message, CancellationToken cancellationToken) =>
        ClassifyAsync(new ClassificationRequest(message, []), cancellationToken);

    /// <summary>Classifies a message with the conversation before it as context.</summary>
    public async Task<LlmClassification> ClassifyAsync(ClassificationRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        try
        {
            return request.Context.Count == 0
                ? await classifier.ClassifyAsync(request.Message, cancellationToken)
                : await classifier.ClassifyAsync(request.Message, request.Context, cancellationToken);
        }
        catch (LlmClassificationException ex) when (ex.IsTransient && ex.RetryAfter is { } retryAfter && retryAfter > TimeSpan.Zero)
        {
            // The workflow's retry policy owns how many attempts there are; waiting out the service's Retry-After before
            // failing makes its next attempt come no sooner than the service asked, without multiplying attempts.
            await Task.Delay(retryAfter < MaxRetryAfterWait ? retryAfter : MaxRetryAfterWait, time, cancellationToken);
            throw;
        }
    }

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

        // After the delivery, so a failed delivery (retried) never counts; recording is idempotent per case.
        if (senderHistory is not null)
        {
            await senderHistory.RecordAsync(order.Message.SenderId, order.Outcome.CaseId, order.Outcome.Disposition == Disposition.Blocked, new DateTimeOffset(DateTime.SpecifyKind(order.Outcome.DecidedAt, DateTimeKind.Utc)), cancellationToken);
        }

        return true;
    }

    public async Task<bool> RecordAuditAsync(AuditRecord record, CancellationToken cancellationToken)
    {
        await auditLog.RecordAsync(record, cancellationToken);
        return true;
    }
}
