using Azure.Storage.Queues;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Moderation.Core.Delivery;
using Moderation.Storage.Queues;

namespace Moderation.Storage.Delivery;

/// <summary>
/// Releases a message to <c>moderation-released</c> or blocks it to <c>moderation-blocked</c>, as a
/// <see cref="DeliveryEnvelope"/>, once per message id (a <see cref="SendOnceLedger"/> row in
/// <c>ModerationDeliveries</c>). The first outcome of a message wins: a later, different one is logged and dropped.
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

    private async Task DeliverAsync(DeliveryOrder order, QueueClient queue, Disposition disposition, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(order);
        var id = order.Message.MessageId;
        var kind = disposition == Disposition.Released ? "released" : "blocked";
        var result = await ledger.SendOnceAsync(
            id,
            kind,
            ct => writer.SendAsync(queue, id, new DeliveryEnvelope(1, id, order.Message, order.Outcome, time.GetUtcNow().UtcDateTime), ct),
            cancellationToken);

        switch (result)
        {
            case SendOnceResult.AlreadySent:
                logger.LogInformation("Message {MessageId} was already {Disposition}; duplicate delivery skipped.", id, kind);
                break;
            case SendOnceResult.Conflict:
                // A final outcome is never revised: the recipient may already have the message.
                logger.LogError("Message {MessageId} was already delivered with another outcome; {Disposition} ignored.", id, kind);
                break;
        }
    }
}
