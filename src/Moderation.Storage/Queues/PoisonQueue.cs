using Azure.Storage.Queues;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Moderation.Core.Telemetry;

namespace Moderation.Storage.Queues;

/// <summary>
/// The inbound queue's poison queue (<c>moderation-inbound-poison</c>), used by both hosts. Unlike the Functions
/// runtime's own poisoning, every entry says why: a <see cref="PoisonEnvelope"/> with the reason, the original body,
/// the dequeue count and the time.
/// </summary>
public sealed class PoisonQueue
{
    private readonly QueueClient queue;
    private readonly string sourceQueue;
    private readonly QueueBodyWriter writer;
    private readonly TimeProvider time;
    private readonly ILogger<PoisonQueue> logger;

    public PoisonQueue(StorageConnection connection, QueueBodyWriter writer, IOptions<StorageOptions> options, TimeProvider time, ILogger<PoisonQueue> logger)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(options);
        queue = connection.CreateQueueClient(options.Value.Queues.InboundPoison);
        sourceQueue = options.Value.Queues.Inbound;
        this.writer = writer;
        this.time = time;
        this.logger = logger;
    }

    /// <summary>The reason both hosts give for a message that failed on its last allowed delivery attempt.</summary>
    public static string ExhaustedReason(int maxDequeueCount, Exception lastError)
    {
        ArgumentNullException.ThrowIfNull(lastError);
        return $"failed on all {maxDequeueCount} delivery attempts; last error: {lastError.GetType().Name}: {lastError.Message}";
    }

    /// <summary>Writes the envelope. The caller then deletes (or, in Functions, completes) the original message.</summary>
    /// <param name="originalBody">The body as received (after Base64 decoding); null or empty is recorded as empty.</param>
    /// <param name="reason">Why it cannot be moderated (the codec's reason, or the last error after too many attempts).</param>
    /// <param name="dequeueCount">How often the queue delivered it.</param>
    /// <param name="originalMessageId">The queue message id, when known.</param>
    public async Task SendAsync(string? originalBody, string reason, long dequeueCount, string? originalMessageId, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(reason);
        var envelope = new PoisonEnvelope(1, sourceQueue, reason, dequeueCount, time.GetUtcNow().UtcDateTime, originalMessageId, originalBody ?? string.Empty);
        var id = originalMessageId ?? Guid.NewGuid().ToString("N");
        await writer.SendAsync(queue, id, envelope, cancellationToken);
        ModerationTelemetry.RecordPoisoned(ReasonKind(reason));
        // The reason only: the body may hold personal data and belongs in the poison queue, not in the logs.
        logger.LogWarning("Inbound queue message {QueueMessageId} poisoned after {DequeueCount} attempt(s): {Reason}", originalMessageId, dequeueCount, reason);
    }

    /// <summary>A low-cardinality metric tag for a poison reason (the full reason is in the envelope).</summary>
    internal static string ReasonKind(string reason) =>
        reason.StartsWith("malformed", StringComparison.OrdinalIgnoreCase) ? "malformed"
        : reason.Contains("conflict", StringComparison.OrdinalIgnoreCase) ? "conflict"
        : reason.Contains("attempts", StringComparison.OrdinalIgnoreCase) ? "exhausted"
        : "other";
}
