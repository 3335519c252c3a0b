using DurableTask.Core;
using Microsoft.Extensions.Options;
using Moderation.Core.Review;

namespace Moderation.Host.Durable;

/// <summary>
/// Purges the history and instance rows of cases that finished (completed, failed, terminated) and were created more
/// than <see cref="DurableTaskHostOptions.Retention"/> ago, every <see cref="DurableTaskHostOptions.PurgeInterval"/>.
/// The audit trail keeps what a case did; the engine's history is only needed while a case runs. The review queue's
/// rows of cases finished before the same cutoff (they hold message text) go too.
/// </summary>
public sealed partial class FinishedCasePurge(
    DurableTaskWorkerService worker,
    DurableTaskEngine engine,
    IReviewQueue reviewQueue,
    IOptions<DurableTaskHostOptions> options,
    TimeProvider time,
    ILogger<FinishedCasePurge> logger) : ScheduledPurge(options.Value.PurgeInterval, time)
{
    private static readonly OrchestrationStatus[] Finished = [OrchestrationStatus.Completed, OrchestrationStatus.Failed, OrchestrationStatus.Terminated];

    /// <summary>Purges once; returns how many cases were purged.</summary>
    public async Task<int> PurgeOnceAsync()
    {
        var createdBefore = Time.GetUtcNow().UtcDateTime - options.Value.Retention;
        var result = await engine.Service.PurgeInstanceHistoryAsync(DateTime.MinValue, createdBefore, Finished);
        var listed = await reviewQueue.PurgeFinishedBeforeAsync(createdBefore, CancellationToken.None);
        if (result.InstancesDeleted > 0 || listed > 0)
        {
            LogPurged(result.InstancesDeleted, listed, createdBefore);
        }

        return result.InstancesDeleted;
    }

    protected override Task RunOnceAsync(CancellationToken cancellationToken) => PurgeOnceAsync();

    // The worker creates the task hub's tables; purging before that fails on tables that do not exist yet.
    protected override Task WhenReadyAsync(CancellationToken stoppingToken) => worker.Started.WaitAsync(stoppingToken);

    // Storage unreachable: purge on the next tick; nothing depends on it.
    protected override void OnFailed(Exception error) => LogPurgeFailed(error.Message);

    [LoggerMessage(Level = LogLevel.Information, Message = "Purged {Count} finished case(s) created before {CreatedBefore:O} and {Listed} review queue entr(ies) decided before it.")]
    private partial void LogPurged(int count, int listed, DateTime createdBefore);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Purging finished cases failed: {Error}")]
    private partial void LogPurgeFailed(string error);
}
