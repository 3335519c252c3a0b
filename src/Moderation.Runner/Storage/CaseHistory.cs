using Moderation.Core.Cases;

namespace Moderation.Runner.Storage;

/// <summary>The kinds of event in a case's history. The history is append-only; replay reads it in sequence order.</summary>
public enum CaseHistoryEventKind
{
    /// <summary>The case started; the payload is the <c>ModerationCase</c> input.</summary>
    CaseStarted,

    /// <summary>An activity succeeded; the payload is its result.</summary>
    ActivityCompleted,

    /// <summary>An activity failed on every attempt; the payload is the last error.</summary>
    ActivityFailed,

    /// <summary>The workflow started waiting for the named event, with a deadline in <see cref="CaseHistoryEvent.FireAt"/>.</summary>
    TimerCreated,

    /// <summary>The deadline of the timer with the same task id passed before the event arrived.</summary>
    TimerFired,

    /// <summary>An external event arrived (it is delivered to the first matching wait, before or after it).</summary>
    EventRaised,

    /// <summary>The workflow returned; the payload is its output.</summary>
    CaseCompleted,

    /// <summary>The workflow threw or diverged from its history; the payload is the error.</summary>
    CaseFailed,
}

/// <summary>One entry of a case's history.</summary>
/// <param name="Sequence">1-based position in the history.</param>
/// <param name="Timestamp">When the entry was written; it is the workflow's time when replay reaches it.</param>
/// <param name="TaskId">The workflow's n-th scheduled task (activity or event wait), for activity and timer entries.</param>
/// <param name="Name">Activity or event name.</param>
/// <param name="Payload">JSON (results, inputs, event bodies) or the error text of a failure.</param>
public sealed record CaseHistoryEvent(
    int Sequence,
    CaseHistoryEventKind Kind,
    DateTime Timestamp,
    int? TaskId = null,
    string? Name = null,
    string? Payload = null,
    DateTime? FireAt = null);

/// <summary>The state row of a case: the authority on its state, guarded by optimistic concurrency.</summary>
/// <param name="HistoryLength">The number of committed history entries; entries beyond it are never read.</param>
/// <param name="ExecutedThrough">The history length the workflow has already run past, so replayed log lines are muted.</param>
/// <param name="NextTimerDueAt">The earliest deadline the workflow is waiting on, if any.</param>
/// <param name="LeaseOwner">The runner instance advancing the case; others leave it alone until the lease expires.</param>
public sealed record CaseHead(
    string CaseId,
    CaseRuntimeState State,
    DateTime CreatedAt,
    DateTime LastUpdatedAt,
    int HistoryLength,
    int ExecutedThrough = 0,
    string? CustomStatus = null,
    string? Output = null,
    string? Error = null,
    DateTime? NextTimerDueAt = null,
    string? LeaseOwner = null,
    DateTime? LeaseExpiresAt = null)
{
    public bool IsTerminal => State is CaseRuntimeState.Completed or CaseRuntimeState.Failed or CaseRuntimeState.Terminated;

    public bool IsLeasedByOther(string owner, DateTime now) =>
        LeaseOwner is { } holder && holder != owner && LeaseExpiresAt is { } until && until > now;
}

/// <summary>A case's state row, its committed history, and the version to commit against.</summary>
public sealed record StoredCase(CaseHead Head, IReadOnlyList<CaseHistoryEvent> History, string Version);

/// <summary>A case's state row and the version to commit against.</summary>
public sealed record StoredCaseHead(CaseHead Head, string Version);

/// <summary>The lookup row the poller reads; a hint that errs on the side of extra work, never the authority.</summary>
public sealed record CaseIndexEntry(string CaseId, CaseRuntimeState State, bool WorkPending, DateTime? NextTimerDueAt, string Version);

/// <summary>Someone else committed to the case since it was read; reload and try again.</summary>
public sealed class CaseConcurrencyException : Exception
{
    public CaseConcurrencyException()
    {
    }

    public CaseConcurrencyException(string message)
        : base(message)
    {
    }

    public CaseConcurrencyException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
