using Moderation.Core.Delivery;
using Moderation.Core.Messages;

namespace Moderation.Core.Screening;

/// <summary>
/// Gathers messages screened one at a time by concurrent callers (the Functions queue trigger, one invocation per
/// message) into batches for <see cref="MessageScreening.ScreenEachAsync"/>, so they share its batched storage round
/// trips just as the self-hosted listener's received batches do. A batch closes when it holds
/// <paramref name="maxBatch"/> messages or <paramref name="window"/> after its first message arrived; each caller gets
/// its own message's result or error. A lone message waits at most the window.
/// </summary>
public sealed class ScreeningCoalescer(MessageScreening screening, TimeProvider time, int maxBatch = ScreeningCoalescer.DefaultMaxBatch, TimeSpan? window = null)
{
    /// <summary>The Functions trigger's <c>batchSize</c> limit (32), the largest batch a storage transaction step then carries.</summary>
    public const int DefaultMaxBatch = 32;

    /// <summary>Long enough for the invocations of one dequeued batch to arrive, short beside a storage round trip's wait.</summary>
    public static readonly TimeSpan DefaultWindow = TimeSpan.FromMilliseconds(5);

    private readonly TimeSpan window = window ?? DefaultWindow;
    private readonly Lock gate = new();
    private List<Pending>? open;

    /// <summary>Screens one message as part of the next batch; the caller's cancellation stops only its wait.</summary>
    public Task<ScreeningResult> ScreenAsync(ChatMessage message, CancellationToken cancellationToken) => ScreenAsync(message, null, cancellationToken);

    /// <param name="admission">How this copy was admitted (first copy or a later one); null when unknown.</param>
    public Task<ScreeningResult> ScreenAsync(ChatMessage message, Admission? admission, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        var pending = new Pending(message, admission, new TaskCompletionSource<ScreeningResult>(TaskCreationOptions.RunContinuationsAsynchronously));
        List<Pending>? full = null;
        List<Pending>? started = null;
        lock (gate)
        {
            if (open is null)
            {
                open = [];
                started = open;
            }

            open.Add(pending);
            if (open.Count >= maxBatch)
            {
                full = open;
                open = null;
            }
        }

        if (full is not null)
        {
            _ = RunAsync(full);
        }
        else if (started is not null)
        {
            _ = CloseAfterWindowAsync(started);
        }

        return pending.Result.Task.WaitAsync(cancellationToken);
    }

    private async Task CloseAfterWindowAsync(List<Pending> batch)
    {
        await Task.Delay(window, time);
        lock (gate)
        {
            if (!ReferenceEquals(open, batch))
            {
                return; // closed when it filled up
            }

            open = null;
        }

        await RunAsync(batch);
    }

    /// <summary>
    /// Screens a closed batch on behalf of its callers, whatever their cancellation says: a message is handled whole
    /// or fails, and a redelivered one is skipped by the idempotent steps. A fault of the whole batch is retried one
    /// message at a time, so it fails only the messages that cause it.
    /// </summary>
    private async Task RunAsync(List<Pending> batch)
    {
        try
        {
            var attempts = await screening.ScreenEachAsync(batch.Select(p => p.Message).ToList(), batch.Select(p => p.Admission).ToList(), CancellationToken.None);
            for (var i = 0; i < batch.Count; i++)
            {
                Settle(batch[i], attempts[i]);
            }
        }
        catch (Exception) when (batch.Count > 1)
        {
            foreach (var pending in batch)
            {
                await RunAsync([pending]);
            }
        }
        catch (Exception ex)
        {
            batch[0].Result.TrySetException(ex);
        }
    }

    private static void Settle(Pending pending, ScreeningAttempt attempt)
    {
        if (attempt.Failed)
        {
            pending.Result.TrySetException(attempt.Error);
        }
        else
        {
            pending.Result.TrySetResult(attempt.Result);
        }
    }

    private sealed record Pending(ChatMessage Message, Admission? Admission, TaskCompletionSource<ScreeningResult> Result);
}
