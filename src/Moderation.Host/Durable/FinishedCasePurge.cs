using DurableTask.Core;
using Microsoft.Extensions.Options;

namespace Moderation.Host.Durable;

/// <summary>
/// Purges the history and instance rows of cases that finished (completed, failed, terminated) and were created more
/// than <see cref="DurableTaskHostOptions.Retention"/> ago, every <see cref="DurableTaskHostOptions.PurgeInterval"/>.
/// The audit trail keeps what a case did; the engine's history is only needed while a case runs.
/// </summary>
public sealed partial class FinishedCasePurge(
    DurableTaskEngine engine,
    IOptions<DurableTaskHostOptions> options,
    TimeProvider time,
    ILogger<FinishedCasePurge> logger) : BackgroundService
{
    private static readonly OrchestrationStatus[] Finished = [OrchestrationStatus.Completed, OrchestrationStatus.Failed, OrchestrationStatus.Terminated];

    /// <summary>Purges once; returns how many cases were purged.</summary>
    public async Task<int> PurgeOnceAsync()
    {
        var createdBefore = time.GetUtcNow().UtcDateTime - options.Value.Retention;
        var result = await engine.Service.PurgeInstanceHistoryAsync(DateTime.MinValue, createdBefore, Finished);
        if (result.InstancesDeleted > 0)
        {
            LogPurged(result.InstancesDeleted, createdBefore);
        }

        return result.InstancesDeleted;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.PurgeInterval, time);
        do
        {
            try
            {
                await PurgeOnceAsync();
            }
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
            {
                // Storage unreachable: purge on the next tick; nothing depends on it.
                LogPurgeFailed(ex.Message);
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

    [LoggerMessage(Level = LogLevel.Information, Message = "Purged {Count} finished case(s) created before {CreatedBefore:O}.")]
    private partial void LogPurged(int count, DateTime createdBefore);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Purging finished cases failed: {Error}")]
    private partial void LogPurgeFailed(string error);
}
