namespace Moderation.Runner.Storage;

/// <summary>
/// Port: where the runner keeps cases. A case is a state row plus an append-only history; every commit appends
/// entries and replaces the state row atomically, conditional on the version read (optimistic concurrency), so two
/// writers can never both advance a case from the same state. A separate index row per case tells pollers where
/// work may be waiting; it is only a hint, written before the commit it announces.
/// </summary>
public interface ICaseStore
{
    /// <summary>Creates the tables (or whatever backs the store) if missing.</summary>
    Task EnsureCreatedAsync(CancellationToken cancellationToken);

    /// <summary>Creates the case with its first history entry. False, and nothing changed, if the case exists.</summary>
    Task<bool> TryCreateAsync(CaseHead head, CaseHistoryEvent started, CancellationToken cancellationToken);

    /// <summary>The state row only (cheap); null for an unknown case.</summary>
    Task<StoredCaseHead?> ReadHeadAsync(string caseId, CancellationToken cancellationToken);

    /// <summary>The state row and the committed history; null for an unknown case.</summary>
    Task<StoredCase?> LoadAsync(string caseId, CancellationToken cancellationToken);

    /// <summary>
    /// Appends <paramref name="appended"/> (sequences continuing the history) and replaces the state row, atomically,
    /// if the case is still at <paramref name="expectedVersion"/>. Returns the new version.
    /// </summary>
    /// <exception cref="CaseConcurrencyException">The case changed since it was read.</exception>
    Task<string> CommitAsync(CaseHead head, IReadOnlyList<CaseHistoryEvent> appended, string expectedVersion, CancellationToken cancellationToken);

    /// <summary>Null when the case has no index row.</summary>
    Task<CaseIndexEntry?> ReadIndexAsync(string caseId, CancellationToken cancellationToken);

    /// <summary>Marks the case as having work for the runner (a raised event) and, if given, an earlier timer.</summary>
    Task RequestAttentionAsync(string caseId, DateTime? timerDueAt, CancellationToken cancellationToken);

    /// <summary>
    /// Records what the runner left behind; skipped (false) if the index changed since <paramref name="expectedVersion"/>
    /// (null: only if the case has no index row yet).
    /// </summary>
    Task<bool> TryUpdateIndexAsync(CaseIndexEntry entry, string? expectedVersion, CancellationToken cancellationToken);

    /// <summary>Ids of every case the index says is running (start-up resume).</summary>
    Task<IReadOnlyList<string>> FindRunningCasesAsync(CancellationToken cancellationToken);

    /// <summary>Ids of running cases with pending work or a timer due at or before <paramref name="now"/>.</summary>
    Task<IReadOnlyList<string>> FindCasesNeedingWorkAsync(DateTime now, CancellationToken cancellationToken);
}
