using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Moderation.Core.Audit;
using Moderation.Core.Cases;
using Moderation.Core.Delivery;
using Moderation.Core.Messages;
using Moderation.Core.Policy;
using Moderation.Core.Review;
using Moderation.Core.Screening;
using Moderation.Core.Workflow;

namespace Moderation.Functions.Tests.Fakes;

/// <summary>A pre-filter that scores every message the same, for routing tests.</summary>
internal sealed class FixedScorePrefilter(double score) : IMessagePrefilter
{
    public List<ChatMessage> Scored { get; } = [];

    public ValueTask<IReadOnlyList<PrefilterScore>> ScoreAsync(IReadOnlyList<ChatMessage> messages, CancellationToken cancellationToken)
    {
        Scored.AddRange(messages);
        return ValueTask.FromResult<IReadOnlyList<PrefilterScore>>(messages.Select(_ => new PrefilterScore(score, 0.35, "prefilter-cnn@1.0.0", [])).ToList());
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

internal sealed class RecordingAuditLog : IAuditLog
{
    public List<AuditRecord> Records { get; } = [];

    public Task RecordAsync(AuditRecord record, CancellationToken cancellationToken)
    {
        Records.Add(record);
        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<AuditRecord>> ReadCaseAsync(string caseId, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<AuditRecord>>(Records.Where(r => r.CaseId == caseId).ToList());
}

internal sealed class FixedPolicyOptions : IOptionsMonitor<ModerationPolicyOptions>
{
    public ModerationPolicyOptions CurrentValue { get; } = new();

    public ModerationPolicyOptions Get(string? name) => CurrentValue;

    public IDisposable? OnChange(Action<ModerationPolicyOptions, string?> listener) => null;
}

/// <summary>A case client that records the cases started (one per id, as the durable backends guarantee).</summary>
internal sealed class RecordingCaseClient : IModerationCaseClient
{
    public const string Failure = "the task hub is unreachable";

    public List<ModerationCase> Started { get; } = [];

    /// <summary>When true, every start fails (the durable backend is unreachable).</summary>
    public bool Fails { get; set; }

    public Task<bool> StartCaseAsync(ModerationCase moderationCase, CancellationToken cancellationToken)
    {
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

/// <summary>The screening step wired to fakes.</summary>
internal sealed class ScreeningScenario(double score)
{
    public FixedScorePrefilter Prefilter { get; } = new(score);

    public RecordingDeliveryGateway Delivery { get; } = new();

    public RecordingAuditLog Audit { get; } = new();

    public RecordingCaseClient Cases { get; } = new();

    public ScreeningCoalescer Coalescer => new(Screening, TimeProvider.System);

    public MessageScreening Screening => new(Prefilter, Cases, Delivery, Audit, new FixedPolicyOptions(), TimeProvider.System, NullLogger<MessageScreening>.Instance);
}
