using Moderation.Core.Messages;

namespace Moderation.Core.Delivery;

/// <summary>What the delivery activity is asked to carry out.</summary>
public sealed record DeliveryOrder(ChatMessage Message, ModerationOutcome Outcome);

/// <summary>
/// Port: releases a message to its recipient or blocks it. Idempotent per message id: the same case delivered twice
/// (a retried activity, a replayed workflow, a duplicate queue message) produces one delivery.
/// </summary>
public interface IDeliveryGateway
{
    Task ReleaseAsync(DeliveryOrder order, CancellationToken cancellationToken);

    Task BlockAsync(DeliveryOrder order, CancellationToken cancellationToken);
}
