using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Moderation.Core.Audit;
using Moderation.Core.Delivery;
using Moderation.Core.Messages;
using Moderation.Core.Policy;
using Moderation.Core.Screening;

namespace Moderation.Core.Tests.Screening;

/// <summary>Tier one behind the inbound queue: clean messages are released at once, suspicious ones open exactly one case.</summary>
public class MessageScreeningTests
{
    private readonly RecordingDeliveryGateway delivery = new();
    private readonly InMemoryAuditLog audit = new();
    private readonly FakeCaseClient cases = new();

    [Fact]
    public async Task Clean_messages_are_released_at_once_and_suspicious_ones_start_a_case()
    {
        var screening = Create(m => Samples.Score(m.Text.Contains("venmo", StringComparison.Ordinal) ? 0.9 : 0.05));
        var clean = Samples.Message("See you Tuesday at 10, I'll bring the tile samples.", "m-clean");
        var suspicious = Samples.Message("just venmo me the deposit", "m-sus");

        var results = await screening.ScreenAsync([clean, suspicious], CancellationToken.None);

        Assert.Equal([ScreeningRoute.Released, ScreeningRoute.CaseStarted], results.Select(r => r.Route));
        var released = Assert.Single(delivery.Released);
        Assert.Equal("m-clean", released.Message.MessageId);
        Assert.Equal(DecidedBy.Prefilter, released.Outcome.DecidedBy);
        Assert.Equal(Disposition.Released, released.Outcome.Disposition);
        var started = Assert.Single(cases.Started);
        Assert.Equal("m-sus", started.CaseId);
        Assert.True(started.Screening.IsSuspicious);
        Assert.Empty(delivery.Blocked);
    }

    [Fact]
    public async Task Every_message_gets_a_screened_audit_record_and_released_ones_a_delivered_record()
    {
        var screening = Create(_ => Samples.Score(0.05));

        await screening.ScreenAsync([Samples.Message("hello", "m-1")], CancellationToken.None);

        Assert.Equal([AuditStage.Screened, AuditStage.Delivered], audit.Records.Select(r => r.Stage));
        var screened = audit.Records[0];
        Assert.NotNull(screened.Prefilter);
        Assert.NotNull(screened.Message);
        Assert.StartsWith("clean:", screened.Summary, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_failing_audit_write_fails_the_batch_so_the_queue_redelivers_and_the_idempotent_release_is_repeated_safely()
    {
        var failing = new FailingAuditLog();
        var screening = new MessageScreening(new FakePrefilter(_ => Samples.Score(0.05)), cases, delivery, failing, Monitor(new ModerationPolicyOptions()), TimeProvider.System, NullLogger<MessageScreening>.Instance);

        await Assert.ThrowsAsync<IOException>(() => screening.ScreenAsync([Samples.Message("hello", "m-1")], CancellationToken.None));

        // The message was released before the audit write failed; nothing was lost and a redelivery completes the trail.
        Assert.Single(delivery.Released);
    }

    [Fact]
    public async Task A_duplicate_suspicious_message_does_not_start_a_second_case()
    {
        var screening = Create(_ => Samples.Score(0.9));
        var message = Samples.Message("text me at 555 123 4567", "m-dup");

        var first = await screening.ScreenAsync([message], CancellationToken.None);
        var second = await screening.ScreenAsync([message], CancellationToken.None);

        Assert.Equal(ScreeningRoute.CaseStarted, first[0].Route);
        Assert.Equal(ScreeningRoute.CaseAlreadyExists, second[0].Route);
        Assert.Single(cases.Started);
    }

    [Fact]
    public async Task The_policy_snapshot_is_captured_into_the_case()
    {
        var options = new ModerationPolicyOptions { ReviewTimeout = TimeSpan.FromMinutes(42) };
        var screening = Create(_ => Samples.Score(0.9), options);

        await screening.ScreenAsync([Samples.Message()], CancellationToken.None);

        Assert.Equal(TimeSpan.FromMinutes(42), cases.Started[0].Policy.ReviewTimeout);
    }

    [Fact]
    public async Task A_prefilter_that_returns_the_wrong_number_of_scores_fails_the_batch_instead_of_misrouting()
    {
        var screening = new MessageScreening(new MiscountingPrefilter(), cases, delivery, audit, Monitor(new ModerationPolicyOptions()), TimeProvider.System, NullLogger<MessageScreening>.Instance);

        await Assert.ThrowsAsync<InvalidOperationException>(() => screening.ScreenAsync([Samples.Message(), Samples.Message(id: "m-2")], CancellationToken.None));
        Assert.Empty(delivery.Released);
        Assert.Empty(cases.Started);
    }

    [Fact]
    public async Task An_empty_batch_does_nothing()
    {
        var prefilter = new FakePrefilter(_ => Samples.Score());
        var screening = new MessageScreening(prefilter, cases, delivery, audit, Monitor(new ModerationPolicyOptions()), TimeProvider.System, NullLogger<MessageScreening>.Instance);

        Assert.Empty(await screening.ScreenAsync([], CancellationToken.None));
        Assert.Equal(0, prefilter.Calls);
    }

    private MessageScreening Create(Func<ChatMessage, PrefilterScore> score, ModerationPolicyOptions? options = null) =>
        new(new FakePrefilter(score), cases, delivery, audit, Monitor(options ?? new ModerationPolicyOptions()), TimeProvider.System, NullLogger<MessageScreening>.Instance);

    private static IOptionsMonitor<ModerationPolicyOptions> Monitor(ModerationPolicyOptions options) => new StaticOptionsMonitor<ModerationPolicyOptions>(options);

    private sealed class FailingAuditLog : IAuditLog
    {
        public Task RecordAsync(AuditRecord record, CancellationToken cancellationToken) => throw new IOException("table unavailable");

        public Task<IReadOnlyList<AuditRecord>> ReadCaseAsync(string caseId, CancellationToken cancellationToken) => throw new IOException("table unavailable");
    }

    private sealed class MiscountingPrefilter : IMessagePrefilter
    {
        public ValueTask<IReadOnlyList<PrefilterScore>> ScoreAsync(IReadOnlyList<ChatMessage> messages, CancellationToken cancellationToken) =>
            ValueTask.FromResult<IReadOnlyList<PrefilterScore>>([Samples.Score()]);
    }
}

internal sealed class StaticOptionsMonitor<T>(T value) : IOptionsMonitor<T>
{
    public T CurrentValue => value;

    public T Get(string? name) => value;

    public IDisposable? OnChange(Action<T, string?> listener) => null;
}
