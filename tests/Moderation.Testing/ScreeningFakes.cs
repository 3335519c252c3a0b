using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Moderation.Core.Messages;
using Moderation.Core.Policy;
using Moderation.Core.Screening;

namespace Moderation.Testing;

/// <summary>A pre-filter that scores every message the same, for routing tests.</summary>
public sealed class FixedScorePrefilter(double score) : IMessagePrefilter
{
    public List<ChatMessage> Scored { get; } = [];

    public ValueTask<IReadOnlyList<PrefilterScore>> ScoreAsync(IReadOnlyList<ChatMessage> messages, CancellationToken cancellationToken)
    {
        Scored.AddRange(messages);
        return ValueTask.FromResult<IReadOnlyList<PrefilterScore>>(messages.Select(_ => new PrefilterScore(score, 0.35, "prefilter-cnn@1.0.0", [])).ToList());
    }
}

/// <summary>A pre-filter whose scores the test chooses per message.</summary>
public sealed class FakePrefilter(Func<ChatMessage, PrefilterScore> score) : IMessagePrefilter
{
    public int Calls { get; private set; }

    public ValueTask<IReadOnlyList<PrefilterScore>> ScoreAsync(IReadOnlyList<ChatMessage> messages, CancellationToken cancellationToken)
    {
        Calls++;
        return ValueTask.FromResult<IReadOnlyList<PrefilterScore>>(messages.Select(score).ToList());
    }
}

/// <summary>Policy options that never change (the defaults unless the test sets them).</summary>
public sealed class FixedPolicyOptions(ModerationPolicyOptions? options = null) : IOptionsMonitor<ModerationPolicyOptions>
{
    public ModerationPolicyOptions CurrentValue { get; } = options ?? new();

    public ModerationPolicyOptions Get(string? name) => CurrentValue;

    public IDisposable? OnChange(Action<ModerationPolicyOptions, string?> listener) => null;
}

/// <summary>The screening step wired to fakes.</summary>
public sealed class ScreeningScenario(double score)
{
    public FixedScorePrefilter Prefilter { get; } = new(score);

    public RecordingDeliveryGateway Delivery { get; } = new();

    public RecordingAuditLog Audit { get; } = new();

    public RecordingCaseClient Cases { get; } = new();

    public ScreeningCoalescer Coalescer => new(Screening, TimeProvider.System);

    public MessageScreening Screening => new(Prefilter, Cases, Delivery, Audit, new FixedPolicyOptions(), TimeProvider.System, NullLogger<MessageScreening>.Instance);
}
