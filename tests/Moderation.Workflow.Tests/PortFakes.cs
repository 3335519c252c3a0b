using System.Collections.Concurrent;
using Moderation.Core.Audit;
using Moderation.Core.Classification;
using Moderation.Core.Conversations;
using Moderation.Core.Delivery;
using Moderation.Core.Messages;
using Moderation.Core.Review;

namespace Moderation.Workflow.Tests;

/// <summary>An LLM whose answer the test scripts per call; can hold its answer until the test lets it go.</summary>
internal sealed class ScriptedClassifier(Func<int, LlmClassification> answer) : ILlmClassifier
{
    private int calls;

    /// <summary>When set, every classification waits for it (to act while the case is still classifying).</summary>
    public TaskCompletionSource? Gate { get; set; }

    public int Calls => Volatile.Read(ref calls);

    /// <summary>The conversation context each call was given (empty when classified alone).</summary>
    public ConcurrentQueue<IReadOnlyList<ConversationTurn>> Contexts { get; } = new();

    public Task<LlmClassification> ClassifyAsync(ChatMessage message, IReadOnlyList<ConversationTurn> context, CancellationToken cancellationToken)
    {
        Contexts.Enqueue(context);
        return ClassifyAsync(message, cancellationToken);
    }

    public async Task<LlmClassification> ClassifyAsync(ChatMessage message, CancellationToken cancellationToken)
    {
        var call = Interlocked.Increment(ref calls);
        if (Gate is { } gate)
        {
            await gate.Task.WaitAsync(cancellationToken);
        }

        return answer(call);
    }
}

internal sealed class RecordingReviewNotifier : IReviewNotifier
{
    public ConcurrentQueue<ReviewRequest> Requests { get; } = new();

    /// <summary>When true, every request fails (the review queue is unreachable).</summary>
    public bool Fails { get; set; }

    public Task RequestReviewAsync(ReviewRequest request, CancellationToken cancellationToken)
    {
        if (Fails)
        {
            throw new InvalidOperationException("review queue unreachable");
        }

        Requests.Enqueue(request);
        return Task.CompletedTask;
    }
}

/// <summary>Records deliveries; can fail, and can run a probe at the moment of delivery (to see what clients see then).</summary>
internal sealed class RecordingDeliveryGateway : IDeliveryGateway
{
    public ConcurrentQueue<DeliveryOrder> Delivered { get; } = new();

    public bool Fails { get; set; }

    public Func<DeliveryOrder, Task>? OnDelivery { get; set; }

    public Task ReleaseAsync(DeliveryOrder order, CancellationToken cancellationToken) => DeliverAsync(order);

    public Task BlockAsync(DeliveryOrder order, CancellationToken cancellationToken) => DeliverAsync(order);

    private async Task DeliverAsync(DeliveryOrder order)
    {
        if (Fails)
        {
            throw new InvalidOperationException("delivery queue unreachable");
        }

        if (OnDelivery is { } probe)
        {
            await probe(order);
        }

        Delivered.Enqueue(order);
    }
}

internal sealed class RecordingAuditLog : IAuditLog
{
    public ConcurrentQueue<AuditRecord> Records { get; } = new();

    public bool Fails { get; set; }

    public Task RecordAsync(AuditRecord record, CancellationToken cancellationToken)
    {
        if (Fails)
        {
            throw new InvalidOperationException("audit table unreachable");
        }

        Records.Enqueue(record);
        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<AuditRecord>> ReadCaseAsync(string caseId, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<AuditRecord>>(Records.Where(r => r.CaseId == caseId).ToList());

    public IReadOnlyList<AuditStage> Stages(string caseId) => Records.Where(r => r.CaseId == caseId).Select(r => r.Stage).ToList();
}
