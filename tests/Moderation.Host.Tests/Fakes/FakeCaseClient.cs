using System.Collections.Concurrent;
using Moderation.Core.Cases;
using Moderation.Core.Review;
using Moderation.Core.Workflow;

namespace Moderation.Host.Tests.Fakes;

/// <summary>An in-memory case client: known cases by id, and a record of what was started and raised.</summary>
internal sealed class FakeCaseClient : IModerationCaseClient
{
    public ConcurrentDictionary<string, CaseSnapshot> Cases { get; } = new(StringComparer.Ordinal);

    public ConcurrentQueue<ModerationCase> Started { get; } = new();

    public ConcurrentQueue<(string CaseId, ReviewDecision Decision)> Raised { get; } = new();

    /// <summary>When set, starting a case throws this (a storage outage in the runner).</summary>
    public Exception? FailStartsWith { get; set; }

    public Task<bool> StartCaseAsync(ModerationCase moderationCase, CancellationToken cancellationToken)
    {
        if (FailStartsWith is { } failure)
        {
            throw failure;
        }

        var now = DateTime.UtcNow;
        if (!Cases.TryAdd(moderationCase.CaseId, new CaseSnapshot(moderationCase.CaseId, CaseRuntimeState.Running, new CaseProgress(CaseStage.Classifying), null, now, now)))
        {
            return Task.FromResult(false);
        }

        Started.Enqueue(moderationCase);
        return Task.FromResult(true);
    }

    /// <summary>When set, reading a case throws this (the engine's storage is down).</summary>
    public Exception? FailReadsWith { get; set; }

    public Task<CaseSnapshot?> GetCaseAsync(string caseId, CancellationToken cancellationToken) =>
        FailReadsWith is { } failure ? Task.FromException<CaseSnapshot?>(failure) : Task.FromResult(Cases.TryGetValue(caseId, out var snapshot) ? snapshot : null);

    public Task RaiseReviewDecisionAsync(string caseId, ReviewDecision decision, CancellationToken cancellationToken)
    {
        Raised.Enqueue((caseId, decision));
        return Task.CompletedTask;
    }
}
