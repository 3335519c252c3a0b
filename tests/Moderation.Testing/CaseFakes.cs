using System.Collections.Concurrent;
using Moderation.Core.Cases;
using Moderation.Core.Review;
using Moderation.Core.Workflow;

namespace Moderation.Testing;

/// <summary>
/// An in-memory case client, like a durable runtime with one instance per case id: known cases by id, and a record of
/// what was started and raised. Can fail its starts or reads (the engine's storage is down).
/// </summary>
public sealed class FakeCaseClient : IModerationCaseClient
{
    private readonly ConcurrentQueue<ModerationCase> started = new();
    private readonly ConcurrentQueue<(string CaseId, ReviewDecision Decision)> raised = new();

    public ConcurrentDictionary<string, CaseSnapshot> Cases { get; } = new(StringComparer.Ordinal);

    /// <summary>The cases started, in order.</summary>
    public IReadOnlyList<ModerationCase> Started => started.ToArray();

    /// <summary>The review decisions raised, in order.</summary>
    public IReadOnlyList<(string CaseId, ReviewDecision Decision)> Raised => raised.ToArray();

    /// <summary>When set, starting a case throws this (a storage outage in the runner).</summary>
    public Exception? FailStartsWith { get; set; }

    /// <summary>When set, reading a case throws this (the engine's storage is down).</summary>
    public Exception? FailReadsWith { get; set; }

    public Task<bool> StartCaseAsync(ModerationCase moderationCase, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(moderationCase);
        if (FailStartsWith is { } failure)
        {
            throw failure;
        }

        if (!Cases.TryAdd(moderationCase.CaseId, new CaseSnapshot(moderationCase.CaseId, CaseRuntimeState.Running, new CaseProgress(CaseStage.Classifying), null, Samples.Start, Samples.Start)))
        {
            return Task.FromResult(false);
        }

        started.Enqueue(moderationCase);
        return Task.FromResult(true);
    }

    public Task<CaseSnapshot?> GetCaseAsync(string caseId, CancellationToken cancellationToken) =>
        FailReadsWith is { } failure ? Task.FromException<CaseSnapshot?>(failure) : Task.FromResult(Cases.TryGetValue(caseId, out var snapshot) ? snapshot : null);

    public Task RaiseReviewDecisionAsync(string caseId, ReviewDecision decision, CancellationToken cancellationToken)
    {
        raised.Enqueue((caseId, decision));
        return Task.CompletedTask;
    }
}

/// <summary>A case client that records the cases started (one per id, as the durable backends guarantee); can fail every start.</summary>
public sealed class RecordingCaseClient : IModerationCaseClient
{
    public const string Failure = "the task hub is unreachable";

    public List<ModerationCase> Started { get; } = [];

    /// <summary>When true, every start fails (the durable backend is unreachable).</summary>
    public bool Fails { get; set; }

    public Task<bool> StartCaseAsync(ModerationCase moderationCase, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(moderationCase);
        if (Fails)
        {
            throw new InvalidOperationException(Failure);
        }

        if (Started.Any(c => c.CaseId == moderationCase.CaseId))
        {
            return Task.FromResult(false);
        }

        Started.Add(moderationCase);
        return Task.FromResult(true);
    }

    public Task<CaseSnapshot?> GetCaseAsync(string caseId, CancellationToken cancellationToken) => Task.FromResult<CaseSnapshot?>(null);

    public Task RaiseReviewDecisionAsync(string caseId, ReviewDecision decision, CancellationToken cancellationToken) => Task.CompletedTask;
}
