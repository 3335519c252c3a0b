using System.Globalization;
using Moderation.Core.Cases;

namespace Moderation.Runner.Storage;

/// <summary>
/// A case store in process memory with the same commit semantics as the table store (atomic append + versioned state
/// row). For tests and demos: nothing survives the process.
/// </summary>
public sealed class InMemoryCaseStore : ICaseStore
{
    private readonly Lock gate = new();
    private readonly Dictionary<string, (CaseHead Head, List<CaseHistoryEvent> History, long Version)> cases = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (CaseIndexEntry Entry, long Version)> index = new(StringComparer.Ordinal);
    private long nextVersion;

    public Task EnsureCreatedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task<bool> TryCreateAsync(CaseHead head, CaseHistoryEvent started, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(head);
        lock (gate)
        {
            if (!index.ContainsKey(head.CaseId))
            {
                SetIndex(new CaseIndexEntry(head.CaseId, CaseRuntimeState.Running, WorkPending: true, null, string.Empty));
            }

            if (cases.ContainsKey(head.CaseId))
            {
                return Task.FromResult(false);
            }

            cases[head.CaseId] = (head, [started], ++nextVersion);
            return Task.FromResult(true);
        }
    }

    public Task<StoredCaseHead?> ReadHeadAsync(string caseId, CancellationToken cancellationToken)
    {
        lock (gate)
        {
            return Task.FromResult(cases.TryGetValue(caseId, out var c) ? new StoredCaseHead(c.Head, Format(c.Version)) : null);
        }
    }

    public Task<StoredCase?> LoadAsync(string caseId, CancellationToken cancellationToken)
    {
        lock (gate)
        {
            return Task.FromResult(cases.TryGetValue(caseId, out var c) ? new StoredCase(c.Head, [.. c.History], Format(c.Version)) : null);
        }
    }

    public Task<string> CommitAsync(CaseHead head, IReadOnlyList<CaseHistoryEvent> appended, string expectedVersion, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(head);
        ArgumentNullException.ThrowIfNull(appended);
        lock (gate)
        {
            if (!cases.TryGetValue(head.CaseId, out var c) || Format(c.Version) != expectedVersion)
            {
                throw new CaseConcurrencyException($"Case '{head.CaseId}' changed since version {expectedVersion}.");
            }

            if (c.History.Count + appended.Count != head.HistoryLength || appended.Select((e, i) => e.Sequence != c.History.Count + i + 1).Any(bad => bad))
            {
                throw new InvalidOperationException($"Case '{head.CaseId}': appended entries do not continue the history.");
            }

            c.History.AddRange(appended);
            var version = ++nextVersion;
            cases[head.CaseId] = (head, c.History, version);
            return Task.FromResult(Format(version));
        }
    }

    public Task<CaseIndexEntry?> ReadIndexAsync(string caseId, CancellationToken cancellationToken)
    {
        lock (gate)
        {
            return Task.FromResult(index.TryGetValue(caseId, out var e) ? e.Entry with { Version = Format(e.Version) } : null);
        }
    }

    public Task RequestAttentionAsync(string caseId, DateTime? timerDueAt, CancellationToken cancellationToken)
    {
        lock (gate)
        {
            var current = index.TryGetValue(caseId, out var e) ? e.Entry : new CaseIndexEntry(caseId, CaseRuntimeState.Running, false, null, string.Empty);
            SetIndex(current with
            {
                WorkPending = current.WorkPending || timerDueAt is null,
                NextTimerDueAt = timerDueAt ?? current.NextTimerDueAt,
            });
            return Task.CompletedTask;
        }
    }

    public Task<bool> TryUpdateIndexAsync(CaseIndexEntry entry, string? expectedVersion, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(entry);
        lock (gate)
        {
            var exists = index.TryGetValue(entry.CaseId, out var e);
            if (expectedVersion is null ? exists : !exists || Format(e.Version) != expectedVersion)
            {
                return Task.FromResult(false);
            }

            SetIndex(entry);
            return Task.FromResult(true);
        }
    }

    public Task<IReadOnlyList<string>> FindRunningCasesAsync(CancellationToken cancellationToken)
    {
        lock (gate)
        {
            return Task.FromResult<IReadOnlyList<string>>([.. index.Values.Where(e => e.Entry.State == CaseRuntimeState.Running).Select(e => e.Entry.CaseId)]);
        }
    }

    public Task<IReadOnlyList<string>> FindCasesNeedingWorkAsync(DateTime now, CancellationToken cancellationToken)
    {
        lock (gate)
        {
            return Task.FromResult<IReadOnlyList<string>>([.. index.Values
                .Select(e => e.Entry)
                .Where(e => e.State == CaseRuntimeState.Running && (e.WorkPending || e.NextTimerDueAt <= now))
                .Select(e => e.CaseId)]);
        }
    }

    private void SetIndex(CaseIndexEntry entry) => index[entry.CaseId] = (entry, ++nextVersion);

    private static string Format(long version) => version.ToString(CultureInfo.InvariantCulture);
}
