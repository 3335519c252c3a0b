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
/// consumers de-duplicate on it. A crash between the send and the ledger mark resends a release
/// (<see cref="ReleaseGuarantee.AtLeastOnce"/>, the default) or never does (<see cref="ReleaseGuarantee.AtMostOnce"/>);
/// a block is always resent then. A release after a block is dropped; a block after a release is still sent (a block
/// always reaches the blocked queue). A batch of releases (<see cref="TryReleaseAllAsync"/>) shares the ledger's
/// round trips: one reservation and one mark transaction per ledger partition, and all sends at once.
/// </summary>
public sealed class QueueDeliveryGateway : IDeliveryGateway
{
    private readonly QueueClient released;
    private readonly QueueClient blocked;
    private readonly SendOnceLedger ledger;
    private readonly SendOnceLedger releaseLedger;
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
        var table = connection.CreateTableClient(value.Tables.Deliveries);
        ledger = new SendOnceLedger(table, time);
        releaseLedger = value.ReleaseGuarantee == ReleaseGuarantee.AtMostOnce ? new SendOnceLedger(table, time, stale: StaleReservation.AssumeSent) : ledger;
        this.writer = writer;
        this.time = time;
        this.logger = logger;
    }

    public Task ReleaseAsync(DeliveryOrder order, CancellationToken cancellationToken) => DeliverAsync(order, released, Disposition.Released, cancellationToken);

    public Task BlockAsync(DeliveryOrder order, CancellationToken cancellationToken) => DeliverAsync(order, blocked, Disposition.Blocked, cancellationToken);

    public async Task<bool> TryReleaseAsync(DeliveryOrder order, CancellationToken cancellationToken) =>
        await DeliverAsync(order, released, Disposition.Released, cancellationToken) == SendOnceResult.Sent;

    public async Task<IReadOnlyList<ReleaseAttempt>> TryReleaseAllAsync(IReadOnlyList<DeliveryOrder> orders, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(orders);
        var spans = ModerationTelemetry.StartCaseSteps("moderation.deliver", orders.Select(o => o.Message.MessageId).ToList());
        var outcomes = await releaseLedger.SendOnceAllAsync(orders.Select(o => new SendOnceRequest(o.Message.MessageId, ReleasedKind, ct => SendAsync(released, o, ct), HoldOf(o))).ToList(), cancellationToken);
        var attempts = new ReleaseAttempt[orders.Count];
        for (var i = 0; i < orders.Count; i++)
        {
            using var span = spans[i];
            span?.SetTag(ModerationTelemetry.Tags.Disposition, ReleasedKind);
            if (outcomes[i].Error is { } error)
            {
                // The inbound queue's redelivery tries it again.
                ModerationTelemetry.Fail(span, error);
                ModerationTelemetry.RecordDeliveryRetry(Disposition.Released);
                attempts[i] = new ReleaseAttempt(false, error);
                continue;
            }

            Recorded(span, Disposition.Released, outcomes[i].Result);
            await SettledAsync(orders[i], released, Disposition.Released, outcomes[i].Result, cancellationToken);
            attempts[i] = new ReleaseAttempt(outcomes[i].Result == SendOnceResult.Sent, null);
        }

        return attempts;
    }

    /// <summary>
    /// The first copy of a message id holds its ledger key from its content binding: the admission's insert that only
    /// one copy wins. So its release needs no reservation of its own (at least once), and a later copy is retried
    /// until the first recorded its send or the hold ran out; on its last attempt it goes ahead (a retry would poison
    /// it), at the risk of a repeat under the same id.
    /// </summary>
    private static KeyHold? HoldOf(DeliveryOrder order) => order.Admission switch
    {
        { BoundByThisCopy: true } first => new KeyHold(first.BoundAt, Mine: true),
        { LastAttempt: false } later => new KeyHold(later.BoundAt, Mine: false),
        _ => null,
    };

    /// <summary>The ledger kind of a release (the kind of a block is <c>blocked</c>).</summary>
    internal const string ReleasedKind = "released";

    private async Task<SendOnceResult> DeliverAsync(DeliveryOrder order, QueueClient queue, Disposition disposition, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(order);
        var kind = disposition == Disposition.Released ? ReleasedKind : "blocked";
        using var span = ModerationTelemetry.StartCaseStep("moderation.deliver", order.Message.MessageId);
        span?.SetTag(ModerationTelemetry.Tags.Disposition, kind);
        SendOnceResult result;
        try
        {
            result = await (disposition == Disposition.Released ? releaseLedger : ledger).SendOnceAsync(order.Message.MessageId, kind, ct => SendAsync(queue, order, ct), cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // Both callers try again: the workflow's retry policy, or the inbound queue's redelivery for clean messages.
            ModerationTelemetry.Fail(span, ex);
            ModerationTelemetry.RecordDeliveryRetry(disposition);
            throw;
        }

        Recorded(span, disposition, result);
        await SettledAsync(order, queue, disposition, result, cancellationToken);
        return result;
    }

    private static void Recorded(System.Diagnostics.Activity? span, Disposition disposition, SendOnceResult result)
    {
        var name = result switch
        {
            SendOnceResult.Sent => "sent",
            SendOnceResult.AlreadySent => "already_sent",
            SendOnceResult.Unconfirmed => "unconfirmed",
            _ => "conflict",
        };
        span?.SetTag(ModerationTelemetry.Tags.Delivery, name);
        ModerationTelemetry.RecordDelivery(disposition, name);
    }

    /// <summary>Logs how a delivery settled and, for a block after a release, still sends the block.</summary>
    private async Task SettledAsync(DeliveryOrder order, QueueClient queue, Disposition disposition, SendOnceResult result, CancellationToken cancellationToken)
    {
        var id = order.Message.MessageId;
        var kind = disposition == Disposition.Released ? ReleasedKind : "blocked";
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
            case SendOnceResult.Unconfirmed:
                logger.LogError("Message {MessageId}: an earlier attempt stopped between reserving and confirming its release; at most once, so it is not sent again (it may not have reached the released queue).", id);
                break;
        }
    }

    /// <summary>Ledger key suffix of a block that follows a release of the same message.</summary>
    internal const string BlockAfterReleaseSuffix = "|block-after-release";

    private Task SendAsync(QueueClient queue, DeliveryOrder order, CancellationToken cancellationToken)
    {
        var id = order.Message.MessageId;
        return writer.SendAsync(queue, id, new DeliveryEnvelope(1, id, order.Message, order.Outcome, time.GetUtcNow().UtcDateTime), cancellationToken);
    }
}
