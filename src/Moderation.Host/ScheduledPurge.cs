namespace Moderation.Host;

/// <summary>
/// A purge the self-hosted host runs at start-up (once what it reads exists) and then every
/// <paramref name="interval"/>. A failed run (storage unreachable) is reported and the next tick tries again: nothing
/// waits on a purge, so it never stops the host.
/// </summary>
public abstract class ScheduledPurge(TimeSpan interval, TimeProvider time) : BackgroundService
{
    /// <summary>The clock of the schedule, for the run's own cut-offs.</summary>
    protected TimeProvider Time { get; } = time;

    /// <summary>One purge run.</summary>
    protected abstract Task RunOnceAsync(CancellationToken cancellationToken);

    protected abstract void OnFailed(Exception error);

    /// <summary>Completes when what the purge reads exists; the first run waits for it. Ready at once unless overridden.</summary>
    protected virtual Task WhenReadyAsync(CancellationToken stoppingToken) => Task.CompletedTask;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await WhenReadyAsync(stoppingToken);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            return;
        }

        using var timer = new PeriodicTimer(interval, Time);
        do
        {
            try
            {
                await RunOnceAsync(stoppingToken);
            }
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
            {
                OnFailed(ex);
            }
        }
        while (await WaitAsync(timer, stoppingToken));
    }

    private static async Task<bool> WaitAsync(PeriodicTimer timer, CancellationToken stoppingToken)
    {
        try
        {
            return await timer.WaitForNextTickAsync(stoppingToken);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }
}
