using Moderation.Core.Delivery;

namespace Moderation.Core.Conversations;

/// <summary>
/// A copy of a message whose id was admitted before: the queue redelivered it (a crash, a failed delete, a visibility
/// timeout) or the product sent it twice. Hosts know it for free at admission (the id's content binding already
/// existed), so only such copies pay for the look-up of what was already done for their id.
/// </summary>
/// <param name="FirstAdmittedAt">When the id was first admitted (the first copy's binding).</param>
/// <param name="LastAttempt">The queue will not deliver this copy again: it is screened rather than deferred.</param>
public sealed record Redelivery(DateTimeOffset FirstAdmittedAt, bool LastAttempt);

/// <summary>What was already done for a message id, as far as it decides how a later copy is handled.</summary>
public enum ActedDecision
{
    /// <summary>Nothing: no case and no release reservation. The copy is screened afresh.</summary>
    None,

    /// <summary>Released by the pre-filter (a release was reserved, and no case exists).</summary>
    Released,

    /// <summary>Routed to a case (the case exists, or its delivery was recorded after the case itself was purged).</summary>
    Routed,
}

/// <summary>
/// Port: what was already done for a message id. Adapters read the delivery ledger (a release reservation under the id)
/// and the durable engine (a case with the id as instance id); <see cref="ActedDecisions.From"/> combines the two.
/// </summary>
public interface IActedDecisions
{
    Task<ActedDecision> FindAsync(string messageId, CancellationToken cancellationToken);
}

public static class ActedDecisions
{
    /// <summary>
    /// A case wins: a case's own delivery reserves the same id in the ledger, so a release there says "pre-filter" only
    /// when no case exists. A block in the ledger without a case is a routed case that was purged since.
    /// </summary>
    /// <param name="caseExists">A case (orchestration) with the message id exists, running or finished.</param>
    /// <param name="delivered">What the delivery ledger reserved under the id, or null.</param>
    public static ActedDecision From(bool caseExists, Disposition? delivered) => (caseExists, delivered) switch
    {
        (true, _) => ActedDecision.Routed,
        (false, Disposition.Released) => ActedDecision.Released,
        (false, Disposition.Blocked) => ActedDecision.Routed,
        _ => ActedDecision.None,
    };
}

/// <summary>
/// A later copy of a message arrived while its first copy, admitted moments ago, has not acted yet (it may still be
/// screening). Screening both could act on two different decisions; the later copy waits for the queue's next delivery,
/// by which time it reuses what the first did (or, once the first copy is past its lease, is screened itself).
/// </summary>
public sealed class EarlierCopyInFlightException(string messageId, DateTimeOffset firstAdmittedAt)
    : Exception($"An earlier copy of message '{messageId}', admitted at {firstAdmittedAt:O}, has not acted yet; this copy waits for the next delivery.")
{
    public string MessageId { get; } = messageId;
}
