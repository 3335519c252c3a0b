using System.Globalization;
using Azure;
using Azure.Data.Tables;
using Microsoft.Extensions.Options;
using Moderation.Core.Conversations;
using Moderation.Core.Messages;

namespace Moderation.Storage.Conversations;

/// <summary>
/// The conversation store in table <c>ModerationConversations</c>: one partition per conversation, one row per
/// message, row keys newest first (inverted send time, then the message id), so the recent window is the head of the
/// partition and a redelivered message overwrites its own row. A batch's messages of one conversation are written, and
/// the rows they push past the window deleted, in one entity-group transaction (<see cref="AppendAllAsync"/>).
/// </summary>
public sealed class TableConversationStore : IConversationStore
{
    /// <summary>A table string holds 32 K UTF-16 units; longer texts keep their head and tail, which is what context and split screening read.</summary>
    public const int MaxStoredTextLength = 16_000;

    private readonly TableClient table;
    private readonly IOptionsMonitor<ConversationOptions> options;

    public TableConversationStore(StorageConnection connection, IOptions<StorageOptions> storage, IOptionsMonitor<ConversationOptions> options)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(storage);
        table = connection.CreateTableClient(storage.Value.Tables.Conversations);
        this.options = options;
    }

    internal TableClient Table => table;

    public static string RowKey(DateTimeOffset sentAt, string messageId) =>
        string.Create(CultureInfo.InvariantCulture, $"{DateTimeOffset.MaxValue.UtcTicks - sentAt.UtcTicks:D19}-{messageId}");

    public Task AppendAsync(ChatMessage message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        return AppendConversationAsync(message.ConversationId, [message], cancellationToken);
    }

    /// <summary>
    /// Per conversation: one key query of the partition's head and one entity-group transaction that writes the new
    /// rows and deletes those they push past the window (a conversation is one partition, so its rows can share one).
    /// </summary>
    public Task AppendAllAsync(IReadOnlyList<ChatMessage> messages, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(messages);
        return Task.WhenAll(messages
            .GroupBy(m => m.ConversationId, StringComparer.Ordinal)
            .Select(g => AppendConversationAsync(g.Key, g.ToList(), cancellationToken)));
    }

    private async Task AppendConversationAsync(string conversationId, IReadOnlyList<ChatMessage> batch, CancellationToken cancellationToken)
    {
        var window = options.CurrentValue.WindowSize;

        // A copy of one message twice in a batch is one row (the last copy's).
        var incoming = new Dictionary<string, ChatMessage>(StringComparer.Ordinal);
        foreach (var message in batch)
        {
            incoming[RowKey(message.SentAt, message.MessageId)] = message;
        }

        // The head of the partition, newest first, with room for rows a concurrent writer or a crash left past the window.
        var stored = new List<string>();
        var reach = (2 * window) + incoming.Count;
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {conversationId}");
        await foreach (var row in table.QueryAsync<TableEntity>(filter, maxPerPage: Math.Min(reach, 1000), select: ["PartitionKey", "RowKey"], cancellationToken: cancellationToken))
        {
            stored.Add(row.RowKey);
            if (stored.Count >= reach)
            {
                break;
            }
        }

        var kept = stored.Union(incoming.Keys, StringComparer.Ordinal).Order(StringComparer.Ordinal).Take(window).ToHashSet(StringComparer.Ordinal);
        var writes = incoming.Where(p => kept.Contains(p.Key)).Select(p => new TableTransactionAction(TableTransactionActionType.UpsertReplace, Entity(p.Value))).ToList();
        var deletes = stored.Where(k => !kept.Contains(k) && !incoming.ContainsKey(k)).ToList();
        var actions = writes.Concat(deletes.Select(k => new TableTransactionAction(TableTransactionActionType.Delete, new TableEntity(conversationId, k), ETag.All)));
        try
        {
            foreach (var transaction in InTransactions(actions))
            {
                await table.SubmitTransactionAsync(transaction, cancellationToken);
            }
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            // A concurrent writer deleted one of these rows first, which fails the whole transaction: write the rows
            // alone and delete one by one, where a row already gone is harmless.
            foreach (var transaction in InTransactions(writes))
            {
                await table.SubmitTransactionAsync(transaction, cancellationToken);
            }

            foreach (var key in deletes)
            {
                await DeleteAsync(conversationId, key, cancellationToken);
            }
        }
    }

    /// <summary>Entity-group transactions of at most 100 actions and well under their 4 MiB payload.</summary>
    private static IEnumerable<List<TableTransactionAction>> InTransactions(IEnumerable<TableTransactionAction> actions)
    {
        const int maxActions = 100;
        const long maxPayloadChars = 1_000_000;
        var current = new List<TableTransactionAction>();
        long chars = 0;
        foreach (var action in actions)
        {
            var size = 1_000L + ((action.Entity as TableEntity)?.GetString("Text")?.Length ?? 0);
            if (current.Count > 0 && (current.Count >= maxActions || chars + size > maxPayloadChars))
            {
                yield return current;
                current = [];
                chars = 0;
            }

            current.Add(action);
            chars += size;
        }

        if (current.Count > 0)
        {
            yield return current;
        }
    }

    private static TableEntity Entity(ChatMessage message) => new(message.ConversationId, RowKey(message.SentAt, message.MessageId))
    {
        ["MessageId"] = message.MessageId,
        ["SenderId"] = message.SenderId,
        ["SenderRole"] = message.SenderRole.ToString(),
        ["Text"] = Bounded(message.Text ?? string.Empty),
        ["SentAt"] = message.SentAt.ToUniversalTime(),
    };

    public async Task<IReadOnlyList<ConversationTurn>> ReadRecentAsync(string conversationId, int maxTurns, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(conversationId);
        var turns = new List<ConversationTurn>();
        if (maxTurns <= 0)
        {
            return turns;
        }

        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {conversationId}");
        await foreach (var row in table.QueryAsync<TableEntity>(filter, maxPerPage: Math.Min(maxTurns, 1000), cancellationToken: cancellationToken))
        {
            turns.Add(ToTurn(row));
            if (turns.Count >= maxTurns)
            {
                break;
            }
        }

        turns.Reverse();
        return turns;
    }

    public Task<int> EraseSenderAsync(string senderId, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(senderId);

        // A scan: erasure is rare and a sender's messages are spread over every conversation they took part in.
        return DeleteWhereAsync(TableClient.CreateQueryFilter($"SenderId eq {senderId}"), cancellationToken);
    }

    public Task<int> EraseConversationAsync(string conversationId, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(conversationId);
        return DeleteWhereAsync(TableClient.CreateQueryFilter($"PartitionKey eq {conversationId}"), cancellationToken);
    }

    public Task<int> PurgeSentBeforeAsync(DateTimeOffset cutoff, CancellationToken cancellationToken) =>
        DeleteWhereAsync(TableClient.CreateQueryFilter($"SentAt lt {cutoff.ToUniversalTime()}"), cancellationToken);

    private async Task<int> DeleteWhereAsync(string filter, CancellationToken cancellationToken)
    {
        var count = 0;
        await foreach (var row in table.QueryAsync<TableEntity>(filter, select: ["PartitionKey", "RowKey"], cancellationToken: cancellationToken))
        {
            await DeleteAsync(row.PartitionKey, row.RowKey, cancellationToken);
            count++;
        }

        return count;
    }

    private async Task DeleteAsync(string partitionKey, string rowKey, CancellationToken cancellationToken)
    {
        try
        {
            await table.DeleteEntityAsync(partitionKey, rowKey, ETag.All, cancellationToken);
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            // Already gone: deletes here are idempotent.
        }
    }

    private static string Bounded(string text) =>
        text.Length <= MaxStoredTextLength
            ? text
            : string.Concat(text.AsSpan(0, MaxStoredTextLength / 2), " … ", text.AsSpan(text.Length - (MaxStoredTextLength / 2)));

    private static ConversationTurn ToTurn(TableEntity row) => new(
        row.GetString("MessageId") ?? string.Empty,
        row.GetString("SenderId") ?? string.Empty,
        Enum.TryParse<ParticipantRole>(row.GetString("SenderRole"), out var role) ? role : ParticipantRole.Unknown,
        row.GetString("Text") ?? string.Empty,
        row.GetDateTimeOffset("SentAt") ?? DateTimeOffset.MinValue);
}

/// <summary>A sender's decided cases in table <c>ModerationSenderHistory</c>: PK sender id, RK case id (idempotent per case).</summary>
public sealed class TableSenderHistory : ISenderHistoryStore
{
    private readonly TableClient table;

    public TableSenderHistory(StorageConnection connection, IOptions<StorageOptions> storage)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(storage);
        table = connection.CreateTableClient(storage.Value.Tables.SenderHistory);
    }

    public async Task RecordAsync(string senderId, string caseId, bool blocked, DateTimeOffset decidedAt, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(senderId);
        ArgumentException.ThrowIfNullOrWhiteSpace(caseId);
        var entity = new TableEntity(senderId, caseId) { ["Blocked"] = blocked, ["DecidedAt"] = decidedAt.ToUniversalTime() };
        await table.UpsertEntityAsync(entity, TableUpdateMode.Replace, cancellationToken);
    }

    public async Task<(int Blocked, int Released)> CountSinceAsync(string senderId, DateTimeOffset since, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(senderId);
        var (blocked, released) = (0, 0);
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {senderId} and DecidedAt ge {since.ToUniversalTime()}");
        await foreach (var row in table.QueryAsync<TableEntity>(filter, select: ["Blocked"], cancellationToken: cancellationToken))
        {
            if (row.GetBoolean("Blocked") == true)
            {
                blocked++;
            }
            else
            {
                released++;
            }
        }

        return (blocked, released);
    }

    public Task<int> EraseSenderAsync(string senderId, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(senderId);
        return DeleteWhereAsync(TableClient.CreateQueryFilter($"PartitionKey eq {senderId}"), cancellationToken);
    }

    public Task<int> PurgeDecidedBeforeAsync(DateTimeOffset cutoff, CancellationToken cancellationToken) =>
        DeleteWhereAsync(TableClient.CreateQueryFilter($"DecidedAt lt {cutoff.ToUniversalTime()}"), cancellationToken);

    private async Task<int> DeleteWhereAsync(string filter, CancellationToken cancellationToken)
    {
        var count = 0;
        await foreach (var row in table.QueryAsync<TableEntity>(filter, select: ["PartitionKey", "RowKey"], cancellationToken: cancellationToken))
        {
            try
            {
                await table.DeleteEntityAsync(row.PartitionKey, row.RowKey, ETag.All, cancellationToken);
                count++;
            }
            catch (RequestFailedException ex) when (ex.Status == 404)
            {
                // Deleted meanwhile.
            }
        }

        return count;
    }
}
