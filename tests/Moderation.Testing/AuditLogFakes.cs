using System.Collections.Concurrent;
using Moderation.Core.Audit;

namespace Moderation.Testing;

/// <summary>An audit log with the table's semantics: one record per case and stage (a rewrite replaces it), read in stage order.</summary>
public class InMemoryAuditLog : IAuditLog
{
    private readonly ConcurrentDictionary<(string CaseId, AuditStage Stage), AuditRecord> records = new();

    /// <summary>Every record kept, by case and then stage.</summary>
    public IReadOnlyList<AuditRecord> Records => records.Values.OrderBy(r => r.CaseId, StringComparer.Ordinal).ThenBy(r => r.Stage).ToList();

    public Task RecordAsync(AuditRecord record, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(record);
        records[(record.CaseId, record.Stage)] = record;
        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<AuditRecord>> ReadCaseAsync(string caseId, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<AuditRecord>>(records.Values.Where(r => r.CaseId == caseId).OrderBy(r => r.Stage).ToList());
}

/// <summary>The in-memory audit log under the name the host's tests know it by.</summary>
public sealed class FakeAuditLog : InMemoryAuditLog;

/// <summary>An audit log that keeps every write in arrival order (rewrites included); can fail (the table is unreachable).</summary>
public sealed class RecordingAuditLog : IAuditLog
{
    private readonly ConcurrentQueue<AuditRecord> records = new();

    /// <summary>Every write, in arrival order.</summary>
    public IReadOnlyList<AuditRecord> Records => records.ToArray();

    public bool Fails { get; set; }

    public Task RecordAsync(AuditRecord record, CancellationToken cancellationToken)
    {
        if (Fails)
        {
            throw new InvalidOperationException("audit table unreachable");
        }

        records.Enqueue(record);
        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<AuditRecord>> ReadCaseAsync(string caseId, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<AuditRecord>>(records.Where(r => r.CaseId == caseId).ToList());

    public IReadOnlyList<AuditStage> Stages(string caseId) => records.Where(r => r.CaseId == caseId).Select(r => r.Stage).ToList();
}
