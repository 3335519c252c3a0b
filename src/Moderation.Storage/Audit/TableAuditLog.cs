using Azure.Data.Tables;
using Microsoft.Extensions.Options;
using Moderation.Core.Audit;

namespace Moderation.Storage.Audit;

/// <summary>
/// The audit trail in table <c>ModerationAudit</c>: one row per (case id, stage), replaced when a stage is written
/// again (a retried activity or a replay), read back in stage order. Cases share a few partitions (a stable hash of
/// the case id) with row key <c>id|stage</c>, so a batch's records are written in a few transactions and a case is
/// still read with one range query. Payload layout: <see cref="AuditEntityCodec"/>.
/// </summary>
public sealed class TableAuditLog : IAuditLog
{
    private readonly TableClient table;

    public TableAuditLog(StorageConnection connection, IOptions<StorageOptions> options)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(options);
        table = connection.CreateTableClient(options.Value.Tables.Audit);
    }

    internal TableClient Table => table;

    public async Task RecordAsync(AuditRecord record, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(record);
        // Replace, not merge: a rewrite with fewer payload chunks must not keep stale ones.
        await table.UpsertEntityAsync(AuditEntityCodec.ToEntity(record), TableUpdateMode.Replace, cancellationToken);
    }

    /// <summary>
    /// Writes records of any number of cases with one transaction per partition (at most 100 rows and about 3 MiB a
    /// transaction): a received batch's records in a few round trips. A failed transaction fails the call; the rows
    /// are upserts, so the caller may write them again (or one case at a time, to isolate a bad record).
    /// </summary>
    public async Task RecordAllAsync(IReadOnlyList<AuditRecord> records, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(records);
        if (records.Count == 0)
        {
            return;
        }

        if (records.Count == 1)
        {
            await RecordAsync(records[0], cancellationToken);
            return;
        }

        // A transaction holds each row once: the last record of a (case, stage) wins, as with sequential writes.
        var entities = records.Select(AuditEntityCodec.ToEntity)
            .GroupBy(e => (e.PartitionKey, e.RowKey))
            .Select(g => g.Last());
        var transactions = new List<List<TableTransactionAction>>();
        foreach (var partition in entities.GroupBy(e => e.PartitionKey, StringComparer.Ordinal))
        {
            List<TableTransactionAction>? current = null;
            var bytes = 0;
            foreach (var entity in partition)
            {
                var size = AuditEntityCodec.EstimatedJsonBytes(entity);
                if (current is null || current.Count == MaxTransactionRows || bytes + size > MaxTransactionBytes)
                {
                    current = [];
                    transactions.Add(current);
                    bytes = 0;
                }

                // Replace, not merge: a rewrite with fewer payload chunks must not keep stale ones.
                current.Add(new TableTransactionAction(TableTransactionActionType.UpsertReplace, entity));
                bytes += size;
            }
        }

        await Task.WhenAll(transactions.Select(t => table.SubmitTransactionAsync(t, cancellationToken)));
    }

    private const int MaxTransactionRows = 100;

    // The service takes 4 MiB per transaction; the estimate is generous, and this leaves room for the envelope.
    private const int MaxTransactionBytes = 3 * 1024 * 1024;

    public async Task<IReadOnlyList<AuditRecord>> ReadCaseAsync(string caseId, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(caseId);
        var records = new List<AuditRecord>();
        var prefix = AuditEntityCodec.RowKeyPrefix(caseId);

        // The case's rows are one row-key range in its partition: from "id|" up to (not including) "id}".
        var end = caseId + (char)(AuditEntityCodec.KeySeparator + 1);
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {AuditEntityCodec.PartitionKey(caseId)} and RowKey ge {prefix} and RowKey lt {end}");
        await foreach (var entity in table.QueryAsync<TableEntity>(filter, cancellationToken: cancellationToken))
        {
            if (AuditEntityCodec.IsRowOf(entity.RowKey, caseId))
            {
                records.Add(AuditEntityCodec.FromEntity(entity));
            }
        }

        // Row keys order the stages already; sort anyway rather than rely on it.
        return records.OrderBy(r => r.Stage).ToList();
    }

    /// <summary>Every case's records, one case at a time, in key order within each partition (for exports).</summary>
    public async IAsyncEnumerable<IReadOnlyList<AuditRecord>> ReadAllCasesAsync([System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var current = new List<AuditRecord>();
        await foreach (var entity in table.QueryAsync<TableEntity>(cancellationToken: cancellationToken))
        {
            // A case's rows are adjacent: its row keys share the "id|" prefix.
            var record = AuditEntityCodec.FromEntity(entity);
            if (current.Count > 0 && !string.Equals(current[0].CaseId, record.CaseId, StringComparison.Ordinal))
            {
                yield return current.OrderBy(r => r.Stage).ToList();
                current = [];
            }

            current.Add(record);
        }

        if (current.Count > 0)
        {
            yield return current.OrderBy(r => r.Stage).ToList();
        }
    }
}
