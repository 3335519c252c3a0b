using Moderation.Core.Messages;

namespace Moderation.Core.Delivery;

/// <summary>What the delivery activity is asked to carry out.</summary>
public sealed record DeliveryOrder(ChatMessage Message, ModerationOutcome Outcome)
{
    /// <summary>How the inbound copy being released was admitted, when the host knows (the clean path); null otherwise.</summary>
    public Admission? Admission { get; init; }
}

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

    /// <summary>
    /// Releases a batch like <see cref="TryReleaseAsync"/>, each order settled on its own: one failure does not fail
    /// the others. Adapters that can share storage round trips across the batch override this.
    /// </summary>
    async Task<IReadOnlyList<ReleaseAttempt>> TryReleaseAllAsync(IReadOnlyList<DeliveryOrder> orders, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(orders);
        return await Task.WhenAll(orders.Select(async order =>
        {
            try
            {
                return new ReleaseAttempt(await TryReleaseAsync(order, cancellationToken), null);
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                return new ReleaseAttempt(false, ex);
            }
        }));
    }
}

/// <summary>How one release of a batch went: sent now, already delivered (nothing sent), or failed with an error (retry it).</summary>
public readonly record struct ReleaseAttempt(bool Sent, Exception? Error)
{
    public bool Failed => Error is not null;
}
