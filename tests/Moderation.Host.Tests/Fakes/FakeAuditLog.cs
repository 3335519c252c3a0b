using System.Collections.Concurrent;
using Moderation.Core.Audit;

namespace Moderation.Host.Tests.Fakes;

internal sealed class FakeAuditLog : IAuditLog
{
    private readonly ConcurrentDictionary<(string CaseId, AuditStage Stage), AuditRecord> records = new();

    public Task RecordAsync(AuditRecord record, CancellationToken cancellationToken)
    {
        records[(record.CaseId, record.Stage)] = record;
        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<AuditRecord>> ReadCaseAsync(string caseId, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<AuditRecord>>(records.Values.Where(r => r.CaseId == caseId).OrderBy(r => r.Stage).ToList());
}
