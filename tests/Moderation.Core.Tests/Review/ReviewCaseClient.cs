using System.Collections.Concurrent;
using Moderation.Core.Cases;
using Moderation.Core.Review;
using Moderation.Core.Workflow;

namespace Moderation.Core.Tests.Review;

/// <summary>A thread-safe case client for review intake tests: known cases, raised decisions, and an injectable raise failure.</summary>
internal sealed class ReviewCaseClient : IModerationCaseClient
{
    public ConcurrentDictionary<string, CaseSnapshot> Cases { get; } = new(StringComparer.Ordinal);

    public ConcurrentQueue<(string CaseId, ReviewDecision Decision)> Raised { get; } = new();

    /// <summary>When set, raising throws this (the engine's storage is down).</summary>
    public Exception? FailRaisesWith { get; set; }

    public Task<bool> StartCaseAsync(ModerationCase moderationCase, CancellationToken cancellationToken) =>
        throw new NotSupportedException("Review intake never starts cases.");

    public Task<CaseSnapshot?> GetCaseAsync(string caseId, CancellationToken cancellationToken) =>
        Task.FromResult(Cases.GetValueOrDefault(caseId));

    public async Task RaiseReviewDecisionAsync(string caseId, ReviewDecision decision, CancellationToken cancellationToken)
    {
        // Yield so concurrent submissions really interleave between their claim and their raise.
        await Task.Yield();
        if (FailRaisesWith is { } failure)
        {
            throw failure;
        }

        Raised.Enqueue((caseId, decision));
    }
}
