using System.Collections.Concurrent;
using Azure;
using Azure.Storage.Queues;
using Azure.Storage.Queues.Models;
using Microsoft.Extensions.Options;
using Moderation.Core.Delivery;
using Moderation.Core.Messages;
using Moderation.Core.Screening;
using Moderation.Storage;
using Moderation.Storage.Queues;

namespace Moderation.Host;

/// <summary>
/// The self-hosted equivalent of the Functions queue trigger on <c>moderation-inbound</c>: receives batches, sends
/// undecodable messages and messages that failed too often to the poison queue with the reason, screens the rest
/// (<see cref="MessageScreening"/>: release clean ones, start a case for suspicious ones) and deletes each message only
/// once it was handled. A failed message stays on the queue and reappears after the visibility timeout; every step is
/// idempotent per message id, so a redelivery never releases twice or opens a second case.
/// </summary>
public sealed partial class InboundQueueListener : BackgroundService
{
    private const int MaxRememberedErrors = 10_000;

    private readonly QueueClient inbound;
    private readonly PoisonQueue poison;
    private readonly InboundMessageAdmission admission;
    private readonly InFlightInboundMessages inFlight = new();
    private readonly MessageScreening screening;
    private readonly StorageOptions options;
    private readonly ILogger<InboundQueueListener> logger;
    private readonly InboundPollSchedule polls;

    // The last failure per queue message, so a message poisoned for too many attempts says why it kept failing.
    private readonly ConcurrentDictionary<string, string> lastErrors = new(StringComparer.Ordinal);

    public InboundQueueListener(
        StorageConnection connection,
        PoisonQueue poison,
        InboundMessageAdmission admission,
        MessageScreening screening,
        IOptions<StorageOptions> options,
        TimeProvider time,
        ILogger<InboundQueueListener> logger)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(options);
        this.poison = poison;
        this.admission = admission;
        this.screening = screening;
        this.options = options.Value;
        this.logger = logger;
        polls = new InboundPollSchedule(this.options.MinPollInterval, this.options.MaxPollInterval, this.options.MaxConcurrentBatches, this.options.BatchSize, time);
        inbound = connection.CreateQueueClient(this.options.Queues.Inbound, o => o.MessageDecodingFailed += OnUndecodableAsync);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        LogListening(options.Queues.Inbound, options.BatchSize, options.MaxConcurrentBatches, options.VisibilityTimeout, options.MaxDequeueCount);
        await Task.WhenAll(Enumerable.Range(0, options.MaxConcurrentBatches).Select(_ => PollLoopAsync(stoppingToken)));
        LogStopped(options.Queues.Inbound);
    }

    /// <summary>One receive-handle loop; several run side by side and, when the queue runs dry, share one <see cref="InboundPollSchedule"/>.</summary>
    private async Task PollLoopAsync(CancellationToken stoppingToken)
    {
        await Task.Yield();
        while (!stoppingToken.IsCancellationRequested)
        {
            int received;
            try
            {
                received = await PollOnceAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
            {
                // Storage unreachable or a fault outside one message: keep trying, backing off as for an empty queue,
                // rather than stopping the host; unhandled messages reappear after the visibility timeout.
                LogPollFailed(ex.Message);
                received = 0;
            }

            if (received > 0)
            {
                continue;
            }

            try
            {
                await polls.WaitIdleAsync(stoppingToken);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }
    }

    /// <summary>Receives and handles one batch; returns how many messages were received.</summary>
    internal async Task<int> PollOnceAsync(CancellationToken cancellationToken)
    {
        QueueMessage[] received = (await inbound.ReceiveMessagesAsync(options.BatchSize, options.VisibilityTimeout, cancellationToken)).Value;
        polls.Received(received.Length);
        if (received.Length == 0)
        {
            return 0;
        }

        foreach (var queued in received)
        {
            inFlight.Add(queued);
        }

        var toScreen = new List<(QueueMessage Queued, ChatMessage Message, Admission? Admission)>(received.Length);
        var toAdmit = new List<QueueMessage>(received.Length);
        foreach (var queued in received)
        {
            if (queued.DequeueCount > options.MaxDequeueCount)
            {
                var lastError = lastErrors.TryGetValue(queued.MessageId, out var error) ? error : "not seen by this instance";
                await PoisonAsync(queued, $"exceeded {options.MaxDequeueCount} delivery attempts; last error: {lastError}", cancellationToken);
                continue;
            }

            toAdmit.Add(queued);
        }

        // Decoded from the bytes (invalid UTF-8 is refused, not replaced) and bound to its id's content, for the batch at once.
        var admitted = await admission.AdmitAllAsync(toAdmit.Select(q => q.Body).ToList(), cancellationToken);
        for (var i = 0; i < toAdmit.Count; i++)
        {
            if (admitted[i].Message is { } message)
            {
                // A copy whose id was admitted before is known as such for free; the last allowed attempt is never deferred.
                toScreen.Add((toAdmit[i], message, admitted[i].ToAdmission(lastAttempt: toAdmit[i].DequeueCount >= options.MaxDequeueCount)));
            }
            else
            {
                await PoisonAsync(toAdmit[i], admitted[i].Reason ?? "not admitted", cancellationToken);
            }
        }

        if (toScreen.Count == 0)
        {
            return received.Length;
        }

        try
        {
            await ScreenAsync(toScreen, cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            await AbandonAsync(toScreen);
            throw;
        }

        return received.Length;
    }

    private async Task ScreenAsync(List<(QueueMessage Queued, ChatMessage Message, Admission? Admission)> batch, CancellationToken cancellationToken)
    {
        IReadOnlyList<ScreeningAttempt> attempts;
        try
        {
            attempts = await screening.ScreenEachAsync(batch.Select(b => b.Message).ToList(), batch.Select(b => b.Admission).ToList(), cancellationToken);
        }
        catch (Exception ex) when (batch.Count > 1 && !cancellationToken.IsCancellationRequested)
        {
            // A fault of the whole batch (the pre-filter): screen the messages one at a time, so one that cannot be
            // scored fails alone (idempotent: messages the failed batch already handled are not handled twice).
            LogBatchFailed(batch.Count, ex.Message);
            foreach (var single in batch)
            {
                await ScreenAsync([single], cancellationToken);
            }

            return;
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            await HandleFailureAsync(batch[0].Queued, batch[0].Message, ex, cancellationToken);
            return;
        }

        // Deletes are independent calls: overlapped, like the releases before them.
        await Task.WhenAll(batch.Select((item, i) => SettleAsync(item.Queued, item.Message, attempts[i], cancellationToken)));
    }

    /// <summary>Deletes a handled message (and logs its route), or leaves a failed one for its retry.</summary>
    private async Task SettleAsync(QueueMessage queued, ChatMessage message, ScreeningAttempt attempt, CancellationToken cancellationToken)
    {
        if (attempt.Failed)
        {
            await HandleFailureAsync(queued, message, attempt.Error, cancellationToken);
            return;
        }

        var result = attempt.Result;
        await DeleteAsync(queued, cancellationToken);
        lastErrors.TryRemove(queued.MessageId, out _);
        var score = result.Score.Score;
        var rules = result.Score.HasRuleHits ? string.Join(",", result.Score.RuleHits.Select(h => h.RuleId).Distinct()) : "none";
        switch (result.Route)
        {
            case ScreeningRoute.Released:
                LogReleased(message.MessageId, score, rules);
                break;
            case ScreeningRoute.CaseStarted:
                LogCaseStarted(message.MessageId, score, rules);
                break;
            case ScreeningRoute.AlreadyReleased:
                LogAlreadyReleased(message.MessageId);
                break;
            default:
                LogDuplicate(message.MessageId);
                break;
        }
    }

    private async Task HandleFailureAsync(QueueMessage queued, ChatMessage message, Exception error, CancellationToken cancellationToken)
    {
        var description = $"{error.GetType().Name}: {error.Message}";
        if (lastErrors.Count >= MaxRememberedErrors)
        {
            lastErrors.Clear();
        }

        lastErrors[queued.MessageId] = description;
        inFlight.Settle(queued.MessageId);
        if (queued.DequeueCount >= options.MaxDequeueCount)
        {
            // This was the last allowed attempt: poison now, with the real error, rather than after one more timeout.
            await PoisonAsync(queued, PoisonQueue.ExhaustedReason(options.MaxDequeueCount, error), cancellationToken);
            return;
        }

        LogFailed(message.MessageId, queued.DequeueCount, options.MaxDequeueCount, description, options.VisibilityTimeout);
    }

    private async Task PoisonAsync(QueueMessage queued, string reason, CancellationToken cancellationToken)
    {
        await poison.SendAsync(queued.Body.ToString(), reason, queued.DequeueCount, queued.MessageId, cancellationToken);
        await DeleteAsync(queued, cancellationToken);
        lastErrors.TryRemove(queued.MessageId, out _);
        LogPoisoned(queued.MessageId, reason);
    }

    private async Task DeleteAsync(QueueMessage queued, CancellationToken cancellationToken)
    {
        try
        {
            await inbound.DeleteMessageAsync(queued.MessageId, queued.PopReceipt, cancellationToken);
            inFlight.Settle(queued.MessageId);
        }
        catch (RequestFailedException ex) when (ex.Status is 404 or 400)
        {
            // Handled but held longer than the visibility timeout: it reappears and is handled again, harmlessly.
            inFlight.Settle(queued.MessageId);
            LogDeleteFailed(queued.MessageId, ex.Status);
        }
    }

    /// <summary>On shutdown, make unhandled messages visible again at once instead of after the visibility timeout.</summary>
    private async Task AbandonAsync(List<(QueueMessage Queued, ChatMessage Message, Admission? Admission)> batch)
    {
        using var grace = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        foreach (var (queued, _, _) in batch)
        {
            try
            {
                await inbound.UpdateMessageAsync(queued.MessageId, queued.PopReceipt, visibilityTimeout: TimeSpan.Zero, cancellationToken: grace.Token);
            }
            catch (Exception ex) when (ex is RequestFailedException or OperationCanceledException)
            {
                // Already deleted, or no time left: it reappears after the visibility timeout instead.
            }

            inFlight.Settle(queued.MessageId);
        }

        LogAbandoned(batch.Count);
    }

    /// <summary>
    /// A graceful stop returns every received but unsettled message to the queue at once, including those whose work
    /// did not end within the host's shutdown timeout (a scorer that does not observe cancellation).
    /// </summary>
    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        try
        {
            await base.StopAsync(cancellationToken);
        }
        finally
        {
            using var grace = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            var returned = await inFlight.ReturnAllAsync(inbound, grace.Token);
            if (returned > 0)
            {
                LogAbandoned(returned);
            }
        }
    }

    private async Task OnUndecodableAsync(QueueMessageDecodingFailedEventArgs args)
    {
        // Not Base64 (e.g. enqueued as plain text): unreadable for both hosts, so poison it as received.
        if (args.ReceivedMessage is not { } raw)
        {
            return;
        }

        await poison.SendAsync(raw.Body.ToString(), "malformed: the queue message is not Base64-encoded (the inbound queue uses Base64 message encoding).", raw.DequeueCount, raw.MessageId, args.CancellationToken);
        await args.Queue.DeleteMessageAsync(raw.MessageId, raw.PopReceipt, args.CancellationToken);
        LogPoisoned(raw.MessageId, "not Base64");
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Listening to queue {Queue} (batch {BatchSize} x {ConcurrentBatches}, visibility timeout {VisibilityTimeout}, max dequeue count {MaxDequeueCount}).")]
    private partial void LogListening(string queue, int batchSize, int concurrentBatches, TimeSpan visibilityTimeout, int maxDequeueCount);

    [LoggerMessage(Level = LogLevel.Information, Message = "Stopped listening to queue {Queue}.")]
    private partial void LogStopped(string queue);

    [LoggerMessage(Level = LogLevel.Information, Message = "inbound {MessageId}: released (score {Score:0.000}, rules {Rules})")]
    private partial void LogReleased(string messageId, double score, string rules);

    [LoggerMessage(Level = LogLevel.Information, Message = "inbound {MessageId}: case started (score {Score:0.000}, rules {Rules})")]
    private partial void LogCaseStarted(string messageId, double score, string rules);

    [LoggerMessage(Level = LogLevel.Information, Message = "inbound {MessageId}: duplicate (case already exists)")]
    private partial void LogDuplicate(string messageId);

    [LoggerMessage(Level = LogLevel.Information, Message = "inbound {MessageId}: duplicate (already released; nothing sent)")]
    private partial void LogAlreadyReleased(string messageId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "inbound queue message {QueueMessageId}: poisoned ({Reason})")]
    private partial void LogPoisoned(string queueMessageId, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "inbound {MessageId}: failed on attempt {Attempt}/{MaxAttempts}, retried after {VisibilityTimeout}: {Error}")]
    private partial void LogFailed(string messageId, long attempt, int maxAttempts, string error, TimeSpan visibilityTimeout);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Screening a batch of {Count} failed ({Error}); screening its messages one at a time.")]
    private partial void LogBatchFailed(int count, string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Polling the inbound queue failed: {Error}")]
    private partial void LogPollFailed(string error);

    [LoggerMessage(Level = LogLevel.Information, Message = "Shutting down: {Count} unhandled message(s) returned to the inbound queue.")]
    private partial void LogAbandoned(int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "inbound queue message {QueueMessageId}: handled, but its delete failed ({Status}); it will be seen again and skipped as a duplicate.")]
    private partial void LogDeleteFailed(string queueMessageId, int status);
}
