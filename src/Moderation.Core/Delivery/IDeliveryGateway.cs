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

    /// <summary>Releases like <see cref="ReleaseAsync"/>; false when nothing was sent because this message was already delivered.</summary>
    async Task<bool> TryReleaseAsync(DeliveryOrder order, CancellationToken cancellationToken)
    {
        await ReleaseAsync(order, cancellationToken);
        return true;
    }

    Task BlockAsync(DeliveryOrder order, CancellationToken cancellationToken);
}
