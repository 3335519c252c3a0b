using Moderation.Core.Audit;
using Moderation.Core.Classification;
using Moderation.Core.Conversations;
using Moderation.Core.Delivery;
using Moderation.Core.Messages;
using Moderation.Core.Policy;
using Moderation.Core.Review;
using Moderation.Core.Telemetry;

namespace Moderation.Core.Activities;

/// <summary>
/// The workflow's activities: the only place the workflow touches the outside world. Both hosts run them through the
/// Durable Task activities of Moderation.Workflow (Durable Functions through <c>[ActivityTrigger]</c> functions).
/// They also keep the reviewers' queue index (<see cref="IReviewQueue"/>) in step with the cases.
/// </summary>
public sealed class ModerationActivities(
    ILlmClassifier classifier,
    IReviewNotifier reviewNotifier,
    IDeliveryGateway deliveryGateway,
    IAuditLog auditLog,
    TimeProvider time,
    IReviewQueue? reviewQueue = null,
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
        using var span = ModerationTelemetry.StartCaseStep("moderation.classify", request.Message.MessageId);
        try
        {
            var classification = request.Context.Count == 0
                ? await classifier.ClassifyAsync(request.Message, cancellationToken)
                : await classifier.ClassifyAsync(request.Message, request.Context, cancellationToken);
            span?.SetTag(ModerationTelemetry.Tags.Category, classification.Verdict?.Category.WireName());
            return classification;
        }
        catch (LlmClassificationException ex) when (ex.IsTransient && ex.RetryAfter is { } retryAfter && retryAfter > TimeSpan.Zero)
        {
            ModerationTelemetry.Fail(span, ex);
            // The workflow's retry policy owns how many attempts there are; waiting out the service's Retry-After before
            // failing makes its next attempt come no sooner than the service asked, without multiplying attempts.
            await Task.Delay(retryAfter < MaxRetryAfterWait ? retryAfter : MaxRetryAfterWait, time, cancellationToken);
            throw;
        }
        catch (Exception ex)
        {
            ModerationTelemetry.Fail(span, ex);
            throw;
        }
    }

    public async Task<bool> RequestReviewAsync(ReviewRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        using var span = ModerationTelemetry.StartCaseStep("moderation.review.request", request.CaseId);

        // Indexed before reviewers are told, so a notified reviewer always finds the case in the queue.
        if (reviewQueue is not null)
        {
            await reviewQueue.AddWaitingAsync(request, cancellationToken);
        }

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

        // After delivery: a failure here retries the activity, and delivery is idempotent per message.
        if (reviewQueue is not null)
        {
            await reviewQueue.FinishAsync(order.Outcome, cancellationToken);
        }

        // After the delivery, so a failed delivery (retried) never counts; recording is idempotent per case.
        if (senderHistory is not null)
        {
            await senderHistory.RecordAsync(order.Message.SenderId, order.Outcome.CaseId, order.Outcome.Disposition == Disposition.Blocked, new DateTimeOffset(DateTime.SpecifyKind(order.Outcome.DecidedAt, DateTimeKind.Utc)), cancellationToken);
        }

        ModerationTelemetry.RecordCaseFinished(order.Outcome);

        return true;
    }

    public async Task<bool> RecordAuditAsync(AuditRecord record, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(record);
        await auditLog.RecordAsync(record, cancellationToken);

        // The workflow records each of these stages once per case (a replay reuses the recorded result), which makes
        // its audit activity the one place that sees each of them exactly once per successful write.
        switch (record.Stage)
        {
            case AuditStage.LlmFailed:
                ModerationTelemetry.RecordLlmExhausted();
                break;
            case AuditStage.ReviewRequested:
                ModerationTelemetry.RecordReviewRequested();
                break;
            case AuditStage.ReviewDecided or AuditStage.ReviewTimedOut:
                ModerationTelemetry.RecordReviewEnded(record.Stage == AuditStage.ReviewTimedOut, record.Elapsed ?? TimeSpan.Zero);
                break;
        }

        return true;
    }
}
