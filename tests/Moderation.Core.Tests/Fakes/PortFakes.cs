using Moderation.Core.Audit;
using Moderation.Core.Cases;
using Moderation.Core.Delivery;
using Moderation.Core.Messages;
using Moderation.Core.Review;
using Moderation.Core.Screening;
using Moderation.Core.Workflow;

namespace Moderation.Core.Tests.Fakes;

/// <summary>A case client that keeps cases in memory, like a durable runtime with one instance per case id.</summary>
internal sealed class FakeCaseClient : IModerationCaseClient
{
    public Dictionary<string, CaseSnapshot> Cases { get; } = new(StringComparer.Ordinal);

    public List<ModerationCase> Started { get; } = [];

    public List<(string CaseId, ReviewDecision Decision)> Raised { get; } = [];

    public Task<bool> StartCaseAsync(ModerationCase moderationCase, CancellationToken cancellationToken)
    {
        if (Cases.ContainsKey(moderationCase.CaseId))
        {
            return Task.FromResult(false);
        }

        Started.Add(moderationCase);
        Cases[moderationCase.CaseId] = new CaseSnapshot(moderationCase.CaseId, CaseRuntimeState.Running, new CaseProgress(CaseStage.Classifying), null, Samples.Start, Samples.Start);
        return Task.FromResult(true);
    }

    public Task<CaseSnapshot?> GetCaseAsync(string caseId, CancellationToken cancellationToken) =>
        Task.FromResult(Cases.GetValueOrDefault(caseId));

    public Task RaiseReviewDecisionAsync(string caseId, ReviewDecision decision, CancellationToken cancellationToken)
    {
        Raised.Add((caseId, decision));
        return Task.CompletedTask;
    }
}

/// <summary>A pre-filter whose scores the test chooses per message text.</summary>
internal sealed class FakePrefilter(Func<ChatMessage, PrefilterScore> score) : IMessagePrefilter
{
    public int Calls { get; private set; }

    public ValueTask<IReadOnlyList<PrefilterScore>> ScoreAsync(IReadOnlyList<ChatMessage> messages, CancellationToken cancellationToken)
    {
        Calls++;
        return ValueTask.FromResult<IReadOnlyList<PrefilterScore>>(messages.Select(score).ToList());
    }
}

internal sealed class RecordingDeliveryGateway : IDeliveryGateway
{
    public List<DeliveryOrder> Released { get; } = [];

    public List<DeliveryOrder> Blocked { get; } = [];

    public Task ReleaseAsync(DeliveryOrder order, CancellationToken cancellationToken)
    {
        Released.Add(order);
        return Task.CompletedTask;
    }

    public Task BlockAsync(DeliveryOrder order, CancellationToken cancellationToken)
    {
        Blocked.Add(order);
        return Task.CompletedTask;
    }
}

internal sealed class InMemoryAuditLog : IAuditLog
{
    public List<AuditRecord> Records { get; } = [];

    public Task RecordAsync(AuditRecord record, CancellationToken cancellationToken)
    {
        Records.RemoveAll(r => r.CaseId == record.CaseId && r.Stage == record.Stage);
        Records.Add(record);
        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<AuditRecord>> ReadCaseAsync(string caseId, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<AuditRecord>>(Records.Where(r => r.CaseId == caseId).OrderBy(r => r.Stage).ToList());
}
