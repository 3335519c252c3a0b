using Microsoft.Extensions.Options;
using Moderation.Core.Cases;
using Moderation.Core.Conversations;
using Moderation.Core.Delivery;
using Moderation.Storage.Delivery;
using Moderation.Storage.Queues;

namespace Moderation.Storage.Conversations;

/// <summary>
/// What was already done for a message id, read from the two places that act on it: the delivery ledger
/// (<c>ModerationDeliveries</c>, the reservation a release or block writes before it sends, under the message id) and
/// the durable engine (the case whose instance id is the message id, through <see cref="IModerationCaseClient"/>).
/// Both are read at once; one point read each, paid only by copies known to be later ones.
/// </summary>
public sealed class DeliveryLedgerActedDecisions : IActedDecisions
{
    private readonly SendOnceLedger ledger;
    private readonly IModerationCaseClient cases;

    public DeliveryLedgerActedDecisions(StorageConnection connection, IOptions<StorageOptions> options, IModerationCaseClient cases, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(options);
        ledger = new SendOnceLedger(connection.CreateTableClient(options.Value.Tables.Deliveries), time);
        this.cases = cases;
    }

    public async Task<ActedDecision> FindAsync(string messageId, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(messageId);
        var reservation = ledger.FindAsync(messageId, cancellationToken);
        var moderationCase = cases.GetCaseAsync(messageId, cancellationToken);
        var delivered = await reservation switch
        {
            null => (Disposition?)null,
            { Kind: QueueDeliveryGateway.ReleasedKind } => Disposition.Released,
            _ => Disposition.Blocked,
        };
        return ActedDecisions.From(await moderationCase is not null, delivered);
    }
}
