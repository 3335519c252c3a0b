using System.Collections.Concurrent;
using Microsoft.Extensions.Logging.Abstractions;
using Moderation.Core.Audit;
using Moderation.Core.Delivery;
using Moderation.Core.Messages;
using Moderation.Core.Policy;
using Moderation.Core.Screening;

namespace Moderation.Core.Tests.Screening;

/// <summary>Batched screening: one message's failure stays its own, and concurrent single-message callers share batches.</summary>
public class ScreeningBatchTests
{
    private readonly FakeCaseClient cases = new();

    [Fact]
    public async Task A_failed_release_fails_only_its_message_and_the_rest_of_the_batch_is_released_and_audited()
    {
        var delivery = new BatchDeliveryGateway { FailingId = "m-bad" };
        var audit = new BatchAuditLog();
        var screening = Create(new FakePrefilter(_ => Samples.Score(0.05)), delivery, audit);

        var attempts = await screening.ScreenEachAsync([Samples.Message("a", "m-1"), Samples.Message("b", "m-bad"), Samples.Message("c", "m-2")], CancellationToken.None);

        Assert.Equal([false, true, false], attempts.Select(a => a.Failed));
        Assert.IsType<IOException>(attempts[1].Error);
        Assert.Equal(["m-1", "m-2"], delivery.Released.Order(StringComparer.Ordinal));
        Assert.Equal(1, delivery.BatchCalls);
        Assert.Equal(["m-1", "m-1", "m-2", "m-2"], audit.Records.Select(r => r.CaseId).Order(StringComparer.Ordinal));
        Assert.Equal(1, audit.BatchCalls);
    }

    [Fact]
    public async Task A_batch_audit_that_fails_is_retried_per_message_so_one_bad_record_fails_only_its_message()
    {
        var delivery = new BatchDeliveryGateway();
        var audit = new BatchAuditLog { FailingId = "m-bad" };
        var screening = Create(new FakePrefilter(_ => Samples.Score(0.05)), delivery, audit);

        var attempts = await screening.ScreenEachAsync([Samples.Message("a", "m-1"), Samples.Message("b", "m-bad"), Samples.Message("c", "m-2")], CancellationToken.None);

        Assert.Equal([false, true, false], attempts.Select(a => a.Failed));
        Assert.Equal(["m-1", "m-1", "m-2", "m-2"], audit.Records.Select(r => r.CaseId).Order(StringComparer.Ordinal));

        // Released before the audit failed: the redelivery finds it released (idempotent) and writes the audit then.
        Assert.Contains("m-bad", delivery.Released);
    }

    [Fact]
    public async Task Concurrent_single_message_callers_are_screened_as_one_batch_and_each_gets_its_own_result()
    {
        var prefilter = new FakePrefilter(m => Samples.Score(m.Text.Contains("venmo", StringComparison.Ordinal) ? 0.9 : 0.05));
        var delivery = new BatchDeliveryGateway { FailingId = "m-bad" };
        var coalescer = new ScreeningCoalescer(Create(prefilter, delivery, new BatchAuditLog()), TimeProvider.System, maxBatch: 4, window: TimeSpan.FromSeconds(30));

        // Four callers fill the batch, so it closes at once rather than after the (long) window.
        var calls = new[] { Samples.Message("a", "m-1"), Samples.Message("venmo me", "m-sus"), Samples.Message("b", "m-bad"), Samples.Message("c", "m-2") }
            .Select(m => coalescer.ScreenAsync(m, CancellationToken.None))
            .ToList();

        Assert.Equal(ScreeningRoute.Released, (await calls[0]).Route);
        Assert.Equal(ScreeningRoute.CaseStarted, (await calls[1]).Route);
        await Assert.ThrowsAsync<IOException>(() => calls[2]);
        Assert.Equal("m-2", (await calls[3]).Message.MessageId);
        Assert.Equal(1, prefilter.Calls);
        Assert.Equal(1, delivery.BatchCalls);
    }

    [Fact]
    public async Task A_lone_message_is_screened_once_the_window_closes()
    {
        var prefilter = new FakePrefilter(_ => Samples.Score(0.05));
        var coalescer = new ScreeningCoalescer(Create(prefilter, new BatchDeliveryGateway(), new BatchAuditLog()), TimeProvider.System, window: TimeSpan.FromMilliseconds(5));

        var result = await coalescer.ScreenAsync(Samples.Message("a", "m-1"), CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(ScreeningRoute.Released, result.Route);
    }

    private MessageScreening Create(IMessagePrefilter prefilter, IDeliveryGateway delivery, IAuditLog audit) =>
        new(prefilter, cases, delivery, audit, new StaticOptionsMonitor<ModerationPolicyOptions>(new ModerationPolicyOptions()), TimeProvider.System, NullLogger<MessageScreening>.Instance);

    /// <summary>Releases batches in one call, failing the order of <see cref="FailingId"/>.</summary>
    private sealed class BatchDeliveryGateway : IDeliveryGateway
    {
        public string? FailingId { get; init; }

        public ConcurrentBag<string> Released { get; } = [];

        public int BatchCalls { get; private set; }

        public Task ReleaseAsync(DeliveryOrder order, CancellationToken cancellationToken)
        {
            Released.Add(order.Message.MessageId);
            return Task.CompletedTask;
        }

        public Task BlockAsync(DeliveryOrder order, CancellationToken cancellationToken) => Task.CompletedTask;

        public Task<IReadOnlyList<ReleaseAttempt>> TryReleaseAllAsync(IReadOnlyList<DeliveryOrder> orders, CancellationToken cancellationToken)
        {
            BatchCalls++;
            return Task.FromResult<IReadOnlyList<ReleaseAttempt>>(orders.Select(o =>
            {
                if (o.Message.MessageId == FailingId)
                {
                    return new ReleaseAttempt(false, new IOException("released queue unavailable"));
                }

                Released.Add(o.Message.MessageId);
                return new ReleaseAttempt(true, null);
            }).ToList());
        }
    }

    /// <summary>Writes batches in one call; a batch (or a single case) holding <see cref="FailingId"/> fails whole.</summary>
    private sealed class BatchAuditLog : IAuditLog
    {
        private readonly Lock gate = new();

        public string? FailingId { get; init; }

        public List<AuditRecord> Records { get; } = [];

        public int BatchCalls { get; private set; }

        public Task RecordAsync(AuditRecord record, CancellationToken cancellationToken) => RecordAllAsync([record], cancellationToken);

        public Task RecordAllAsync(IReadOnlyList<AuditRecord> records, CancellationToken cancellationToken)
        {
            lock (gate)
            {
                BatchCalls++;
                if (records.Any(r => r.CaseId == FailingId))
                {
                    throw new IOException("audit record refused");
                }

                Records.AddRange(records);
            }

            return Task.CompletedTask;
        }

        public Task<IReadOnlyList<AuditRecord>> ReadCaseAsync(string caseId, CancellationToken cancellationToken) =>
            Task.FromResult<IReadOnlyList<AuditRecord>>(Records.Where(r => r.CaseId == caseId).ToList());
    }
}
