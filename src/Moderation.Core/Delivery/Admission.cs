using Moderation.Core.Conversations;

namespace Moderation.Core.Delivery;

/// <summary>
/// How a copy of a message got past admission, where hosts bind each message id to its content once: when the id was
/// first bound, and whether this copy bound it. The copy that bound the id holds it for the release lease from then
/// (a later copy is retried until it acted, or the lease ran out), so its release needs no reservation of its own;
/// any other copy is a <see cref="Conversations.Redelivery"/>.
/// </summary>
/// <param name="BoundAt">When the id was first bound to its content.</param>
/// <param name="BoundByThisCopy">This copy made the binding (the first copy), rather than finding it.</param>
/// <param name="LastAttempt">The queue will not deliver this copy again (only meaningful for a later copy).</param>
public sealed record Admission(DateTimeOffset BoundAt, bool BoundByThisCopy, bool LastAttempt = false)
{
    /// <summary>The copy that bound the id at <paramref name="boundAt"/>.</summary>
    public static Admission First(DateTimeOffset boundAt) => new(boundAt, true);

    /// <summary>A copy whose id a copy before it bound at <paramref name="firstBoundAt"/>.</summary>
    public static Admission Later(DateTimeOffset firstBoundAt, bool lastAttempt) => new(firstBoundAt, false, lastAttempt);

    /// <summary>What conversation screening knows of a later copy; null for the first copy.</summary>
    public Redelivery? Redelivery => BoundByThisCopy ? null : new Redelivery(BoundAt, LastAttempt);
}
