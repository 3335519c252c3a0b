using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Moderation.Core.Cases;
using Moderation.Runner.Storage;

namespace Moderation.Runner;

internal enum CaseAdvanceStatus
{
    /// <summary>No case has this id.</summary>
    NotFound,

    /// <summary>The case is completed or failed.</summary>
    Finished,

    /// <summary>The case waits for an event or a timer.</summary>
    Waiting,

    /// <summary>Another runner instance holds the case's lease; it is left alone.</summary>
    Busy,
}

internal sealed record CaseAdvance(CaseAdvanceStatus Status, DateTime? NextTimerDueAt = null);

/// <summary>
/// Advances one case as far as it can go: replays the workflow over the history, records what it asks for (timers,
/// fired deadlines), runs its activities, appends their results, and replays again, until the case completes or
/// waits for an event or a timer. Every step is committed against the version it was computed from, under a lease
/// so that one runner instance at a time advances a case.
/// </summary>
internal sealed partial class ModerationCaseExecutor(
    ICaseStore store,
    ModerationActivityDispatcher dispatcher,
    IOptions<ModerationRunnerOptions> options,
    TimeProvider time,
    ILoggerFactory loggerFactory)
{
    private readonly ILogger logger = loggerFactory.CreateLogger<ModerationCaseExecutor>();

    /// <summary>This runner instance's name in case leases.</summary>
    public string InstanceId { get; } = $"{Environment.MachineName}-{Guid.NewGuid():N}";

    /// <exception cref="OperationCanceledException">Shutting down; what was not committed is redone by a later replay.</exception>
    public async Task<CaseAdvance> AdvanceAsync(string caseId, CancellationToken cancellationToken)
    {
        // Read before the case: if someone flags new work after this point, clearing the flag below fails and the
        // poller comes back.
        var index = await store.ReadIndexAsync(caseId, cancellationToken);

        // The state row alone tells whether another instance owns the case: no need to load its history then.
        if (await store.ReadHeadAsync(caseId, cancellationToken) is { } peek && peek.Head.IsLeasedByOther(InstanceId, time.UtcNowMilliseconds()))
        {
            return new CaseAdvance(CaseAdvanceStatus.Busy);
        }

        var stored = await store.LoadAsync(caseId, cancellationToken);
        if (stored is null)
        {
            return new CaseAdvance(CaseAdvanceStatus.NotFound);
        }

        var finishedActivities = new Dictionary<int, CaseHistoryEvent>();
        var leased = false;
        var replayedThrough = 0; // history this advance already ran the workflow past: its log lines are written
        try
        {
            while (true)
            {
                var head = stored.Head;
                var now = time.UtcNowMilliseconds();
                if (head.IsTerminal)
                {
                    await UpdateIndexAsync(head.CaseId, head.State, null, index, cancellationToken);
                    return new CaseAdvance(CaseAdvanceStatus.Finished);
                }

                if (head.IsLeasedByOther(InstanceId, now))
                {
                    return new CaseAdvance(CaseAdvanceStatus.Busy);
                }

                var replay = CaseReplay.Run(caseId, stored.History, Math.Max(head.ExecutedThrough, replayedThrough), loggerFactory);
                replayedThrough = Math.Max(replayedThrough, head.HistoryLength);
                var appended = new List<CaseHistoryEvent>();
                var sequence = head.HistoryLength;

                if (replay.Status != CaseReplayStatus.Running)
                {
                    var completed = replay.Status == CaseReplayStatus.Completed;
                    appended.Add(new CaseHistoryEvent(++sequence, completed ? CaseHistoryEventKind.CaseCompleted : CaseHistoryEventKind.CaseFailed, now, Payload: completed ? replay.Output : replay.Error));
                    var final = head with
                    {
                        State = completed ? CaseRuntimeState.Completed : CaseRuntimeState.Failed,
                        Output = replay.Output,
                        Error = replay.Error,
                        CustomStatus = replay.CustomStatus ?? head.CustomStatus,
                        LastUpdatedAt = now,
                        HistoryLength = sequence,
                        ExecutedThrough = sequence,
                        NextTimerDueAt = null,
                        LeaseOwner = null,
                        LeaseExpiresAt = null,
                    };
                    if (await TryCommitAsync(final, appended, stored.Version, cancellationToken) is not { } version)
                    {
                        stored = await ReloadAsync(caseId, cancellationToken);
                        continue;
                    }

                    leased = false;
                    if (completed)
                    {
                        LogCaseCompleted(caseId);
                    }
                    else
                    {
                        LogCaseFailed(caseId, replay.Error ?? "unknown error");
                    }

                    await UpdateIndexAsync(caseId, final.State, null, index, cancellationToken);
                    return new CaseAdvance(CaseAdvanceStatus.Finished);
                }

                foreach (var timer in replay.PendingTimers)
                {
                    if (timer.IsNew)
                    {
                        appended.Add(new CaseHistoryEvent(++sequence, CaseHistoryEventKind.TimerCreated, now, timer.TaskId, timer.EventName, FireAt: timer.FireAt));
                    }
                    else if (timer.FireAt <= now)
                    {
                        appended.Add(new CaseHistoryEvent(++sequence, CaseHistoryEventKind.TimerFired, now, timer.TaskId, timer.EventName));
                    }
                }

                foreach (var activity in replay.PendingActivities)
                {
                    if (finishedActivities.TryGetValue(activity.TaskId, out var result))
                    {
                        appended.Add(result with { Sequence = ++sequence });
                    }
                }

                var nextTimer = replay.PendingTimers.Where(t => t.FireAt > now).Select(t => (DateTime?)t.FireAt).Min();
                var needsLease = replay.PendingActivities.Count > 0 && !leased;

                // Published before the activities run: clients (the review callback) must see "delivering" while it happens.
                var statusChanged = replay.PendingActivities.Count > 0 && replay.CustomStatus is not null && replay.CustomStatus != head.CustomStatus;
                if (appended.Count > 0 || needsLease || statusChanged)
                {
                    if (replay.PendingTimers.Any(t => t.IsNew))
                    {
                        // Announced before it exists, so that a crash right after the commit cannot hide the deadline.
                        await store.RequestAttentionAsync(caseId, nextTimer, cancellationToken);
                    }

                    var step = head with
                    {
                        CustomStatus = replay.CustomStatus ?? head.CustomStatus,
                        LastUpdatedAt = now,
                        HistoryLength = sequence,
                        ExecutedThrough = Math.Max(head.ExecutedThrough, replayedThrough),
                        NextTimerDueAt = nextTimer,
                        LeaseOwner = InstanceId,
                        LeaseExpiresAt = now + options.Value.CaseLeaseDuration,
                    };
                    if (await TryCommitAsync(step, appended, stored.Version, cancellationToken) is not { } version)
                    {
                        stored = await ReloadAsync(caseId, cancellationToken);
                        continue;
                    }

                    leased = true;
                    finishedActivities.Clear();
                    stored = new StoredCase(step, [.. stored.History, .. appended], version);
                    continue;
                }

                if (replay.PendingActivities.Count > 0)
                {
                    // Finished work is committed above even while stopping; new work is left for the next runner.
                    cancellationToken.ThrowIfCancellationRequested();
                    foreach (var activity in replay.PendingActivities)
                    {
                        finishedActivities[activity.TaskId] = await dispatcher.RunAsync(caseId, activity, 0, cancellationToken);
                    }

                    continue;
                }

                // Nothing to do until an event arrives or a deadline passes: publish the status and let the case go.
                var waiting = head with
                {
                    CustomStatus = replay.CustomStatus ?? head.CustomStatus,
                    ExecutedThrough = Math.Max(head.ExecutedThrough, replayedThrough),
                    NextTimerDueAt = nextTimer,
                    LeaseOwner = null,
                    LeaseExpiresAt = null,
                };
                if (waiting != head)
                {
                    if (await TryCommitAsync(waiting with { LastUpdatedAt = now }, [], stored.Version, cancellationToken) is null)
                    {
                        stored = await ReloadAsync(caseId, cancellationToken);
                        continue;
                    }

                    leased = false;
                }

                await UpdateIndexAsync(caseId, CaseRuntimeState.Running, nextTimer, index, cancellationToken);
                return new CaseAdvance(CaseAdvanceStatus.Waiting, nextTimer);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested && leased)
        {
            await ReleaseLeaseAsync(caseId);
            throw;
        }
    }

    private async Task<StoredCase> ReloadAsync(string caseId, CancellationToken cancellationToken) =>
        await store.LoadAsync(caseId, CancellationToken.None) ?? throw new InvalidOperationException($"Case '{caseId}' disappeared while it was running.");

    private async Task<string?> TryCommitAsync(CaseHead head, IReadOnlyList<CaseHistoryEvent> appended, string version, CancellationToken cancellationToken)
    {
        try
        {
            // Not cancelled by shutdown: a finished activity's result is worth the short wait to checkpoint it.
            return await store.CommitAsync(head, appended, version, CancellationToken.None);
        }
        catch (CaseConcurrencyException)
        {
            // A raised event or another instance got there first: replay on the new history.
            return null;
        }
    }

    private async Task UpdateIndexAsync(string caseId, CaseRuntimeState state, DateTime? nextTimer, CaseIndexEntry? index, CancellationToken cancellationToken)
    {
        if (index is { WorkPending: false } && index.State == state && index.NextTimerDueAt == nextTimer)
        {
            return;
        }

        await store.TryUpdateIndexAsync(new CaseIndexEntry(caseId, state, WorkPending: false, nextTimer, string.Empty), index?.Version, cancellationToken);
    }

    /// <summary>On shutdown, hands the case back at once instead of making the next instance wait for the lease to expire.</summary>
    private async Task ReleaseLeaseAsync(string caseId)
    {
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            if (await store.ReadHeadAsync(caseId, timeout.Token) is { Head.LeaseOwner: var owner } current && owner == InstanceId)
            {
                await store.CommitAsync(current.Head with { LeaseOwner = null, LeaseExpiresAt = null }, [], current.Version, timeout.Token);
            }
        }
        catch (Exception ex) when (ex is CaseConcurrencyException or OperationCanceledException or InvalidOperationException or Azure.RequestFailedException)
        {
            LogLeaseNotReleased(caseId, ex.Message);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Case {CaseId} completed.")]
    private partial void LogCaseCompleted(string caseId);

    [LoggerMessage(Level = LogLevel.Error, Message = "Case {CaseId} failed: {Error}")]
    private partial void LogCaseFailed(string caseId, string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Case {CaseId}: could not release the lease on shutdown ({Error}); another instance takes over when it expires.")]
    private partial void LogLeaseNotReleased(string caseId, string error);
}
