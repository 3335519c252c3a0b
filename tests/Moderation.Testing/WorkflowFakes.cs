using System.Collections.Concurrent;
using Moderation.Core.Classification;
using Moderation.Core.Conversations;
using Moderation.Core.Delivery;
using Moderation.Core.Messages;
using Moderation.Core.Review;

namespace Moderation.Testing;

/// <summary>An LLM whose answer the test scripts per call (1, 2, ...); can hold its answer until the test lets it go.</summary>
public sealed class ScriptedClassifier(Func<int, LlmClassification> answer) : ILlmClassifier
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

public sealed class RecordingReviewNotifier : IReviewNotifier
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
public sealed class RecordingDeliveryGateway : IDeliveryGateway
{
    private readonly ConcurrentQueue<DeliveryOrder> released = new();
    private readonly ConcurrentQueue<DeliveryOrder> blocked = new();

    /// <summary>Every delivery, released or blocked, in arrival order.</summary>
    public ConcurrentQueue<DeliveryOrder> Delivered { get; } = new();

    public IReadOnlyList<DeliveryOrder> Released => released.ToArray();

    public IReadOnlyList<DeliveryOrder> Blocked => blocked.ToArray();

    public bool Fails { get; set; }

    public Func<DeliveryOrder, Task>? OnDelivery { get; set; }

    public Task ReleaseAsync(DeliveryOrder order, CancellationToken cancellationToken) => DeliverAsync(order, released);

    public Task BlockAsync(DeliveryOrder order, CancellationToken cancellationToken) => DeliverAsync(order, blocked);

    private async Task DeliverAsync(DeliveryOrder order, ConcurrentQueue<DeliveryOrder> kind)
    {
        if (Fails)
        {
            throw new InvalidOperationException("delivery queue unreachable");
        }

        if (OnDelivery is { } probe)
        {
            await probe(order);
        }

        kind.Enqueue(order);
        Delivered.Enqueue(order);
    }
}
