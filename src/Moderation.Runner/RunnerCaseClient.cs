using System.Text.Json;
using Microsoft.Extensions.Logging;
using Moderation.Core.Cases;
using Moderation.Core.Delivery;
using Moderation.Core.Review;
using Moderation.Core.Serialization;
using Moderation.Core.Workflow;
using Moderation.Runner.Storage;

namespace Moderation.Runner;

/// <summary>What became of a raised event.</summary>
public enum RaisedEventDisposition
{
    /// <summary>Recorded in the case's history; delivered to the workflow's first matching wait (now or later).</summary>
    Accepted,

    /// <summary>No case has this id.</summary>
    UnknownCase,

    /// <summary>The case has already finished; the event is discarded, as Durable Functions does.</summary>
    CaseFinished,
}

/// <summary>
/// <see cref="IModerationCaseClient"/> for the self-hosted runner: starts cases, reads them, and raises events by
/// writing to the case store; the runner in this process is signalled at once, runners elsewhere find the work by polling.
/// </summary>
public sealed partial class RunnerCaseClient : IModerationCaseClient
{
    private readonly ICaseStore store;
    private readonly CaseWorkSignal signal;
    private readonly TimeProvider time;
    private readonly ILogger<RunnerCaseClient> logger;

    internal RunnerCaseClient(ICaseStore store, CaseWorkSignal signal, TimeProvider time, ILogger<RunnerCaseClient> logger)
    {
        this.store = store;
        this.signal = signal;
        this.time = time;
        this.logger = logger;
    }

    public async Task<bool> StartCaseAsync(ModerationCase moderationCase, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(moderationCase);
        var now = time.UtcNowMilliseconds();
        var head = new CaseHead(moderationCase.CaseId, CaseRuntimeState.Running, now, now, HistoryLength: 1);
        var started = new CaseHistoryEvent(1, CaseHistoryEventKind.CaseStarted, now, Name: ModerationWorkflow.Name, Payload: JsonSerializer.Serialize(moderationCase, ModerationJson.Options));
        if (!await store.TryCreateAsync(head, started, cancellationToken))
        {
            return false;
        }

        signal.Notify(moderationCase.CaseId);
        return true;
    }

    public async Task<CaseSnapshot?> GetCaseAsync(string caseId, CancellationToken cancellationToken)
    {
        if (await store.ReadHeadAsync(caseId, cancellationToken) is not { Head: var head })
        {
            return null;
        }

        return new CaseSnapshot(
            head.CaseId,
            head.State,
            head.CustomStatus is null ? null : JsonSerializer.Deserialize<CaseProgress>(head.CustomStatus, ModerationJson.Options),
            head.Output is null ? null : JsonSerializer.Deserialize<ModerationOutcome>(head.Output, ModerationJson.Options),
            head.CreatedAt,
            head.LastUpdatedAt);
    }

    public async Task RaiseReviewDecisionAsync(string caseId, ReviewDecision decision, CancellationToken cancellationToken) =>
        await RaiseEventAsync(caseId, ModerationWorkflow.ReviewDecisionEvent, decision, cancellationToken);

    /// <summary>Records an event for the case; it is buffered until the workflow waits for it.</summary>
    public async Task<RaisedEventDisposition> RaiseEventAsync(string caseId, string eventName, object? payload, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(eventName);
        var body = payload is null ? null : JsonSerializer.Serialize(payload, payload.GetType(), ModerationJson.Options);
        var flagged = false;
        while (true)
        {
            if (await store.ReadHeadAsync(caseId, cancellationToken) is not { } current)
            {
                LogUnknownCase(eventName, caseId);
                return RaisedEventDisposition.UnknownCase;
            }

            if (current.Head.IsTerminal)
            {
                LogDiscarded(eventName, caseId, current.Head.State);
                return RaisedEventDisposition.CaseFinished;
            }

            if (!flagged)
            {
                // Flagged before the commit: a runner in another process finds the event even if this process dies now.
                await store.RequestAttentionAsync(caseId, null, cancellationToken);
                flagged = true;
            }

            var now = time.UtcNowMilliseconds();
            var sequence = current.Head.HistoryLength + 1;
            var raised = new CaseHistoryEvent(sequence, CaseHistoryEventKind.EventRaised, now, Name: eventName, Payload: body);
            try
            {
                await store.CommitAsync(current.Head with { HistoryLength = sequence, LastUpdatedAt = now }, [raised], current.Version, cancellationToken);
            }
            catch (CaseConcurrencyException)
            {
                continue;
            }

            signal.Notify(caseId);
            return RaisedEventDisposition.Accepted;
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Event {EventName} for unknown case {CaseId} was discarded.")]
    private partial void LogUnknownCase(string eventName, string caseId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Event {EventName} for case {CaseId} was discarded: the case is {State}.")]
    private partial void LogDiscarded(string eventName, string caseId, CaseRuntimeState state);
}
