using System.Collections.Concurrent;
using Azure;
using Azure.Storage.Queues;
using Azure.Storage.Queues.Models;

namespace Moderation.Storage.Queues;

/// <summary>
/// The inbound messages a listener has received and not yet settled (deleted, poisoned or left to retry). On a
/// graceful stop <see cref="ReturnAllAsync"/> makes them visible again at once, so another instance picks them up now
/// instead of after the visibility timeout; work still running on them is idempotent per message id.
/// </summary>
public sealed class InFlightInboundMessages
{
    private readonly ConcurrentDictionary<string, QueueMessage> messages = new(StringComparer.Ordinal);

    public int Count => messages.Count;

    public void Add(QueueMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        messages[message.MessageId] = message;
    }

    /// <summary>The message is settled: it is no longer returned on stop.</summary>
    public void Settle(string messageId) => messages.TryRemove(messageId, out _);

    /// <summary>Sets the visibility timeout of every unsettled message to zero; returns how many were returned.</summary>
    public async Task<int> ReturnAllAsync(QueueClient queue, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(queue);
        var returned = 0;
        foreach (var message in messages.Values)
        {
            try
            {
                await queue.UpdateMessageAsync(message.MessageId, message.PopReceipt, visibilityTimeout: TimeSpan.Zero, cancellationToken: cancellationToken);
                returned++;
            }
            catch (Exception ex) when (ex is RequestFailedException or OperationCanceledException)
            {
                // Deleted meanwhile, or no time left: it reappears after the visibility timeout instead.
            }

            Settle(message.MessageId);
        }

        return returned;
    }
}
