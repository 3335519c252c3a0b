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
/// partition and a redelivered message overwrites its own row.
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

    public async Task AppendAsync(ChatMessage message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        var entity = new TableEntity(message.ConversationId, RowKey(message.SentAt, message.MessageId))
        {
            ["MessageId"] = message.MessageId,
            ["SenderId"] = message.SenderId,
            ["SenderRole"] = message.SenderRole.ToString(),
            ["Text"] = Bounded(message.Text ?? string.Empty),
            ["SentAt"] = message.SentAt.ToUniversalTime(),
        };
        await table.UpsertEntityAsync(entity, TableUpdateMode.Replace, cancellationToken);

        // Rows past the window are the partition's tail; a concurrent writer may delete one too, which is harmless.
        var window = options.CurrentValue.WindowSize;
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {message.ConversationId}");
        var index = 0;
        await foreach (var row in table.QueryAsync<TableEntity>(filter, select: ["PartitionKey", "RowKey"], cancellationToken: cancellationToken))
        {
            if (index++ >= window)
            {
                await DeleteAsync(row.PartitionKey, row.RowKey, cancellationToken);
            }
        }
    }

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
