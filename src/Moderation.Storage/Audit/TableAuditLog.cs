using Azure.Data.Tables;
using Microsoft.Extensions.Options;
using Moderation.Core.Audit;

namespace Moderation.Storage.Audit;

/// <summary>
/// The audit trail in table <c>ModerationAudit</c>: one row per (case id, stage), replaced when a stage is written
/// again (a retried activity or a replay), read back in stage order. Payload layout: <see cref="AuditEntityCodec"/>.
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

    /// <summary>Records of one case share a partition, so they are written in one transaction (one round trip).</summary>
    public async Task RecordAllAsync(IReadOnlyList<AuditRecord> records, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(records);
        if (records.Count == 0)
        {
            return;
        }

        if (records.Count > 100 || records.Any(r => !string.Equals(r.CaseId, records[0].CaseId, StringComparison.Ordinal)) || records.DistinctBy(r => r.Stage).Count() != records.Count)
        {
            // A transaction holds at most 100 entities of one partition, each once.
            foreach (var record in records)
            {
                await RecordAsync(record, cancellationToken);
            }

            return;
        }

        var actions = records.Select(r => new TableTransactionAction(TableTransactionActionType.UpsertReplace, AuditEntityCodec.ToEntity(r)));
        await table.SubmitTransactionAsync(actions, cancellationToken);
    }

    public async Task<IReadOnlyList<AuditRecord>> ReadCaseAsync(string caseId, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(caseId);
        var records = new List<AuditRecord>();
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {caseId}");
        await foreach (var entity in table.QueryAsync<TableEntity>(filter, cancellationToken: cancellationToken))
        {
            records.Add(AuditEntityCodec.FromEntity(entity));
        }

        // Row keys start with the stage's order, so this is already sorted; sort anyway rather than rely on it.
        return records.OrderBy(r => r.Stage).ToList();
    }

    /// <summary>Every case's records, one case at a time in case-id order (for exports).</summary>
    public async IAsyncEnumerable<IReadOnlyList<AuditRecord>> ReadAllCasesAsync([System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var current = new List<AuditRecord>();
        string? partition = null;
        await foreach (var entity in table.QueryAsync<TableEntity>(cancellationToken: cancellationToken))
        {
            if (partition is not null && !string.Equals(partition, entity.PartitionKey, StringComparison.Ordinal))
            {
                yield return current.OrderBy(r => r.Stage).ToList();
                current = [];
            }

            partition = entity.PartitionKey;
            current.Add(AuditEntityCodec.FromEntity(entity));
        }

        if (current.Count > 0)
        {
            yield return current.OrderBy(r => r.Stage).ToList();
        }
    }
}
