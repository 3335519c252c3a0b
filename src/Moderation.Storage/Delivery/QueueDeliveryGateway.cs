using Azure.Storage.Queues;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Moderation.Core.Delivery;
using Moderation.Core.Telemetry;
using Moderation.Storage.Queues;

namespace Moderation.Storage.Delivery;

/// <summary>
/// Releases a message to <c>moderation-released</c> or blocks it to <c>moderation-blocked</c>, as a
/// <see cref="DeliveryEnvelope"/>, once per message id (a <see cref="SendOnceLedger"/> row in
/// <c>ModerationDeliveries</c>). Every envelope's delivery id is the message id, the same on every redelivery, so
/// consumers de-duplicate on it (delivery is at-least-once: a crash between the send and the ledger mark resends).
/// A release after a block is dropped; a block after a release is still sent (a block always reaches the blocked queue).
/// </summary>
public sealed class QueueDeliveryGateway : IDeliveryGateway
{
    private readonly QueueClient released;
    private readonly QueueClient blocked;
    private readonly SendOnceLedger ledger;
    private readonly QueueBodyWriter writer;
    private readonly TimeProvider time;
    private readonly ILogger<QueueDeliveryGateway> logger;

    public QueueDeliveryGateway(StorageConnection connection, QueueBodyWriter writer, IOptions<StorageOptions> options, TimeProvider time, ILogger<QueueDeliveryGateway> logger)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(options);
        var value = options.Value;
        released = connection.CreateQueueClient(value.Queues.Released);
        blocked = connection.CreateQueueClient(value.Queues.Blocked);
        ledger = new SendOnceLedger(connection.CreateTableClient(value.Tables.Deliveries), time);
        this.writer = writer;
        this.time = time;
        this.logger = logger;
    }

    public Task ReleaseAsync(DeliveryOrder order, CancellationToken cancellationToken) => DeliverAsync(order, released, Disposition.Released, cancellationToken);

    public Task BlockAsync(DeliveryOrder order, CancellationToken cancellationToken) => DeliverAsync(order, blocked, Disposition.Blocked, cancellationToken);

    public async Task<bool> TryReleaseAsync(DeliveryOrder order, CancellationToken cancellationToken) =>
        await DeliverAsync(order, released, Disposition.Released, cancellationToken) == SendOnceResult.Sent;

    private async Task<SendOnceResult> DeliverAsync(DeliveryOrder order, QueueClient queue, Disposition disposition, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(order);
        var id = order.Message.MessageId;
        var kind = disposition == Disposition.Released ? "released" : "blocked";
        using var span = ModerationTelemetry.StartCaseStep("moderation.deliver", id);
        span?.SetTag(ModerationTelemetry.Tags.Disposition, kind);
        SendOnceResult result;
        try
        {
            result = await ledger.SendOnceAsync(id, kind, ct => SendAsync(queue, order, ct), cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // Both callers try again: the workflow's retry policy, or the inbound queue's redelivery for clean messages.
            ModerationTelemetry.Fail(span, ex);
            ModerationTelemetry.RecordDeliveryRetry(disposition);
            throw;
        }

        var resultName = result switch
        {
            SendOnceResult.Sent => "sent",
            SendOnceResult.AlreadySent => "already_sent",
            _ => "conflict",
        };
        span?.SetTag(ModerationTelemetry.Tags.Delivery, resultName);
        ModerationTelemetry.RecordDelivery(disposition, resultName);

        switch (result)
        {
            case SendOnceResult.AlreadySent:
                logger.LogInformation("Message {MessageId} was already {Disposition}; duplicate delivery skipped.", id, kind);
                break;
            case SendOnceResult.Conflict when disposition == Disposition.Blocked:
                // A block is never dropped: the product must learn that a message it may already show was blocked.
                // It has its own ledger row, so it too is sent once, with the same delivery id.
                await ledger.SendOnceAsync(id + BlockAfterReleaseSuffix, kind, ct => SendAsync(queue, order, ct), cancellationToken);
                logger.LogError("Message {MessageId} was released earlier and is now blocked; the block was sent to the blocked queue.", id);
                break;
            case SendOnceResult.Conflict:
                // Never release a message that was blocked: the block stands.
                logger.LogError("Message {MessageId} was blocked earlier; release ignored.", id);
                break;
        }

        return result;
    }

    /// <summary>Ledger key suffix of a block that follows a release of the same message.</summary>
    internal const string BlockAfterReleaseSuffix = "|block-after-release";

    private Task SendAsync(QueueClient queue, DeliveryOrder order, CancellationToken cancellationToken)
    {
        var id = order.Message.MessageId;
        return writer.SendAsync(queue, id, new DeliveryEnvelope(1, id, order.Message, order.Outcome, time.GetUtcNow().UtcDateTime), cancellationToken);
    }
}
