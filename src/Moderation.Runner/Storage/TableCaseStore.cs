using System.Globalization;
using System.Text;
using Azure;
using Azure.Data.Tables;
using Moderation.Core.Cases;
using Moderation.Core.Serialization;

namespace Moderation.Runner.Storage;

/// <summary>
/// The case store on Azure Table storage. The history table holds, per case (partition = case id), the state row
/// (row key <c>head</c>) and the history rows (row key = zero-padded sequence); a commit is one entity group
/// transaction that replaces the state row if its ETag still matches and adds the new history rows, so it is atomic
/// and two writers can never both append after the same state. The cases table holds one index row per case for the
/// poller. Large text (a 100 KB message in the case input) is split across several properties, as one property holds
/// at most 64 KB.
/// </summary>
public sealed class TableCaseStore : ICaseStore
{
    internal const string HeadRowKey = "head";

    /// <summary>Characters per property: 16K characters stay under the 64 KB property limit in any encoding.</summary>
    internal const int TextChunkLength = 16 * 1024;

    /// <summary>An entity holds at most 1 MB; text beyond this is refused with a clear error rather than a storage fault.</summary>
    internal const int MaxTextLength = 400_000;

    private readonly TableClient cases;
    private readonly TableClient history;
    private readonly SemaphoreSlim creating = new(1, 1);
    private volatile bool created;

    public TableCaseStore(TableServiceClient service, string casesTable, string historyTable)
    {
        ArgumentNullException.ThrowIfNull(service);
        cases = service.GetTableClient(casesTable);
        history = service.GetTableClient(historyTable);
    }

    /// <summary>Creates the tables once per store; every operation calls it, so the order of start-up does not matter.</summary>
    public async Task EnsureCreatedAsync(CancellationToken cancellationToken)
    {
        if (created)
        {
            return;
        }

        await creating.WaitAsync(cancellationToken);
        try
        {
            if (!created)
            {
                await cases.CreateIfNotExistsAsync(cancellationToken);
                await history.CreateIfNotExistsAsync(cancellationToken);
                created = true;
            }
        }
        finally
        {
            creating.Release();
        }
    }

    public async Task<bool> TryCreateAsync(CaseHead head, CaseHistoryEvent started, CancellationToken cancellationToken)
    {
        await EnsureCreatedAsync(cancellationToken);
        ArgumentNullException.ThrowIfNull(head);
        ArgumentNullException.ThrowIfNull(started);

        // The index row first, so a case can never exist without the poller seeing it.
        try
        {
            await cases.AddEntityAsync(ToIndexEntity(new CaseIndexEntry(head.CaseId, CaseRuntimeState.Running, WorkPending: true, null, string.Empty)), cancellationToken);
        }
        catch (RequestFailedException ex) when (ex.Status == 409)
        {
            // The case exists, or an earlier start stopped after writing the index row: the head decides below.
        }

        try
        {
            await history.SubmitTransactionAsync([
                new TableTransactionAction(TableTransactionActionType.Add, ToHeadEntity(head)),
                new TableTransactionAction(TableTransactionActionType.Add, ToHistoryEntity(head.CaseId, started)),
            ], cancellationToken);
            return true;
        }
        catch (TableTransactionFailedException ex) when (ex.Status == 409)
        {
            return false;
        }
    }

    public async Task<StoredCaseHead?> ReadHeadAsync(string caseId, CancellationToken cancellationToken)
    {
        await EnsureCreatedAsync(cancellationToken);
        var found = await history.GetEntityIfExistsAsync<TableEntity>(caseId, HeadRowKey, cancellationToken: cancellationToken);
        return found.HasValue ? new StoredCaseHead(FromHeadEntity(found.Value!), found.Value!.ETag.ToString()) : null;
    }

    public async Task<StoredCase?> LoadAsync(string caseId, CancellationToken cancellationToken)
    {
        // The head first: every row up to its history length is committed and immutable, later rows are ignored.
        if (await ReadHeadAsync(caseId, cancellationToken) is not { } head)
        {
            return null;
        }

        var events = new List<CaseHistoryEvent>(head.Head.HistoryLength);
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {caseId} and RowKey lt {HeadRowKey}");
        await foreach (var entity in history.QueryAsync<TableEntity>(filter, cancellationToken: cancellationToken))
        {
            var e = FromHistoryEntity(entity);
            if (e.Sequence <= head.Head.HistoryLength)
            {
                events.Add(e);
            }
        }

        if (events.Count != head.Head.HistoryLength)
        {
            throw new InvalidOperationException($"Case '{caseId}': the history has {events.Count} of {head.Head.HistoryLength} committed entries.");
        }

        return new StoredCase(head.Head, events, head.Version);
    }

    public async Task<string> CommitAsync(CaseHead head, IReadOnlyList<CaseHistoryEvent> appended, string expectedVersion, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(head);
        ArgumentNullException.ThrowIfNull(appended);
        if (appended.Count > 99)
        {
            throw new ArgumentException("At most 99 history entries fit in one commit.", nameof(appended));
        }

        var actions = new List<TableTransactionAction>(appended.Count + 1)
        {
            new(TableTransactionActionType.UpdateReplace, ToHeadEntity(head), new ETag(expectedVersion)),
        };
        actions.AddRange(appended.Select(e => new TableTransactionAction(TableTransactionActionType.Add, ToHistoryEntity(head.CaseId, e))));
        try
        {
            var response = await history.SubmitTransactionAsync(actions, cancellationToken);
            if (response.Value.Count > 0 && response.Value[0].Headers.ETag is { } etag)
            {
                return etag.ToString();
            }
        }
        catch (TableTransactionFailedException ex) when (ex.Status is 412 or 409 or 404)
        {
            throw new CaseConcurrencyException($"Case '{head.CaseId}' changed since it was read.", ex);
        }

        return (await ReadHeadAsync(head.CaseId, cancellationToken))?.Version
            ?? throw new InvalidOperationException($"Case '{head.CaseId}' disappeared after a commit.");
    }

    public async Task<CaseIndexEntry?> ReadIndexAsync(string caseId, CancellationToken cancellationToken)
    {
        await EnsureCreatedAsync(cancellationToken);
        var found = await cases.GetEntityIfExistsAsync<TableEntity>(caseId, string.Empty, cancellationToken: cancellationToken);
        if (!found.HasValue)
        {
            return null;
        }

        var e = found.Value!;
        return new CaseIndexEntry(
            caseId,
            ParseState(e.GetString("State")),
            e.GetBoolean("WorkPending") ?? false,
            e.GetDateTimeOffset("NextTimerDueAt")?.UtcDateTime,
            e.ETag.ToString());
    }

    public async Task RequestAttentionAsync(string caseId, DateTime? timerDueAt, CancellationToken cancellationToken)
    {
        await EnsureCreatedAsync(cancellationToken);
        var entity = new TableEntity(caseId, string.Empty) { ["State"] = Wire(CaseRuntimeState.Running) };
        if (timerDueAt is { } due)
        {
            entity["NextTimerDueAt"] = Utc(due);
        }
        else
        {
            entity["WorkPending"] = true;
        }

        await cases.UpsertEntityAsync(entity, TableUpdateMode.Merge, cancellationToken);
    }

    public async Task<bool> TryUpdateIndexAsync(CaseIndexEntry entry, string? expectedVersion, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(entry);
        try
        {
            if (expectedVersion is null)
            {
                await cases.AddEntityAsync(ToIndexEntity(entry), cancellationToken);
            }
            else
            {
                await cases.UpdateEntityAsync(ToIndexEntity(entry), new ETag(expectedVersion), TableUpdateMode.Replace, cancellationToken);
            }

            return true;
        }
        catch (RequestFailedException ex) when (ex.Status is 409 or 412 or 404)
        {
            return false;
        }
    }

    public Task<IReadOnlyList<string>> FindRunningCasesAsync(CancellationToken cancellationToken) =>
        QueryIndexAsync(TableClient.CreateQueryFilter($"State eq {Wire(CaseRuntimeState.Running)}"), cancellationToken);

    public Task<IReadOnlyList<string>> FindCasesNeedingWorkAsync(DateTime now, CancellationToken cancellationToken) =>
        QueryIndexAsync(TableClient.CreateQueryFilter($"State eq {Wire(CaseRuntimeState.Running)} and (WorkPending eq {true} or NextTimerDueAt le {Utc(now)})"), cancellationToken);

    private async Task<IReadOnlyList<string>> QueryIndexAsync(string filter, CancellationToken cancellationToken)
    {
        await EnsureCreatedAsync(cancellationToken);
        var ids = new List<string>();
        await foreach (var entity in cases.QueryAsync<TableEntity>(filter, select: ["PartitionKey"], cancellationToken: cancellationToken))
        {
            ids.Add(entity.PartitionKey);
        }

        return ids;
    }

    private static TableEntity ToIndexEntity(CaseIndexEntry entry)
    {
        var entity = new TableEntity(entry.CaseId, string.Empty)
        {
            ["State"] = Wire(entry.State),
            ["WorkPending"] = entry.WorkPending,
        };
        if (entry.NextTimerDueAt is { } due)
        {
            entity["NextTimerDueAt"] = Utc(due);
        }

        return entity;
    }

    private static TableEntity ToHeadEntity(CaseHead head)
    {
        var entity = new TableEntity(head.CaseId, HeadRowKey)
        {
            ["State"] = Wire(head.State),
            ["CreatedAt"] = Utc(head.CreatedAt),
            ["LastUpdatedAt"] = Utc(head.LastUpdatedAt),
            ["HistoryLength"] = head.HistoryLength,
            ["ExecutedThrough"] = head.ExecutedThrough,
        };
        WriteText(entity, "CustomStatus", head.CustomStatus);
        WriteText(entity, "Output", head.Output);
        WriteText(entity, "Error", head.Error);
        SetIfPresent(entity, "NextTimerDueAt", head.NextTimerDueAt);
        if (head.LeaseOwner is not null)
        {
            entity["LeaseOwner"] = head.LeaseOwner;
        }

        SetIfPresent(entity, "LeaseExpiresAt", head.LeaseExpiresAt);
        return entity;
    }

    private static CaseHead FromHeadEntity(TableEntity e) => new(
        e.PartitionKey,
        ParseState(e.GetString("State")),
        e.GetDateTimeOffset("CreatedAt")!.Value.UtcDateTime,
        e.GetDateTimeOffset("LastUpdatedAt")!.Value.UtcDateTime,
        e.GetInt32("HistoryLength") ?? 0,
        e.GetInt32("ExecutedThrough") ?? 0,
        ReadText(e, "CustomStatus"),
        ReadText(e, "Output"),
        ReadText(e, "Error"),
        e.GetDateTimeOffset("NextTimerDueAt")?.UtcDateTime,
        e.GetString("LeaseOwner"),
        e.GetDateTimeOffset("LeaseExpiresAt")?.UtcDateTime);

    private static TableEntity ToHistoryEntity(string caseId, CaseHistoryEvent e)
    {
        var entity = new TableEntity(caseId, e.Sequence.ToString("D10", CultureInfo.InvariantCulture))
        {
            ["Kind"] = e.Kind.ToString(),
            ["At"] = Utc(e.Timestamp),
        };
        if (e.TaskId is { } taskId)
        {
            entity["TaskId"] = taskId;
        }

        if (e.Name is not null)
        {
            entity["Name"] = e.Name;
        }

        WriteText(entity, "Payload", e.Payload);
        SetIfPresent(entity, "FireAt", e.FireAt);
        return entity;
    }

    private static CaseHistoryEvent FromHistoryEntity(TableEntity e) => new(
        int.Parse(e.RowKey, NumberStyles.None, CultureInfo.InvariantCulture),
        Enum.Parse<CaseHistoryEventKind>(e.GetString("Kind")),
        e.GetDateTimeOffset("At")!.Value.UtcDateTime,
        e.GetInt32("TaskId"),
        e.GetString("Name"),
        ReadText(e, "Payload"),
        e.GetDateTimeOffset("FireAt")?.UtcDateTime);

    /// <summary>Short text in one property; longer text as <c>{name}Parts</c> plus <c>{name}0..n</c>.</summary>
    internal static void WriteText(TableEntity entity, string name, string? value)
    {
        if (value is null)
        {
            return;
        }

        if (value.Length > MaxTextLength)
        {
            throw new InvalidOperationException($"{name} is {value.Length} characters; the case store keeps at most {MaxTextLength} per entry.");
        }

        if (value.Length <= TextChunkLength)
        {
            entity[name] = value;
            return;
        }

        var part = 0;
        for (var start = 0; start < value.Length; part++)
        {
            var length = Math.Min(TextChunkLength, value.Length - start);
            if (start + length < value.Length && char.IsHighSurrogate(value[start + length - 1]))
            {
                length--; // never split a surrogate pair: half a character does not survive the wire
            }

            entity[name + part.ToString(CultureInfo.InvariantCulture)] = value.Substring(start, length);
            start += length;
        }

        entity[name + "Parts"] = part;
    }

    internal static string? ReadText(TableEntity entity, string name)
    {
        if (entity.GetInt32(name + "Parts") is not { } parts)
        {
            return entity.GetString(name);
        }

        var text = new StringBuilder();
        for (var part = 0; part < parts; part++)
        {
            text.Append(entity.GetString(name + part.ToString(CultureInfo.InvariantCulture)));
        }

        return text.ToString();
    }

    private static void SetIfPresent(TableEntity entity, string name, DateTime? value)
    {
        if (value is { } v)
        {
            entity[name] = Utc(v);
        }
    }

    private static DateTimeOffset Utc(DateTime value) => new(DateTime.SpecifyKind(value, DateTimeKind.Utc));

    private static string Wire(CaseRuntimeState state) => System.Text.Json.JsonSerializer.Serialize(state, ModerationJson.Options).Trim('"');

    private static CaseRuntimeState ParseState(string? value) =>
        System.Text.Json.JsonSerializer.Deserialize<CaseRuntimeState>($"\"{value}\"", ModerationJson.Options);
}
