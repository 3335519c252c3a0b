using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Moderation.Core.Review;

namespace Moderation.Functions.Functions;

/// <summary>
/// Daily: purges the Durable history of cases that finished more than <see cref="FinishedCaseRetentionOptions.Retention"/>
/// ago and the review queue's rows of cases decided before then (they hold message text). The audit trail keeps what
/// each case did. The self-hosted host does the same on <c>Moderation:DurableTask:PurgeInterval</c>.
/// </summary>
public sealed partial class PurgeFinishedCases(
    IReviewQueue reviewQueue,
    IOptions<FinishedCaseRetentionOptions> options,
    TimeProvider time,
    ILogger<PurgeFinishedCases> logger)
{
    /// <summary>Daily at 03:17 UTC, away from the hourly conversation purge.</summary>
    public const string Schedule = "0 17 3 * * *";

    private static readonly OrchestrationRuntimeStatus[] Finished = [OrchestrationRuntimeStatus.Completed, OrchestrationRuntimeStatus.Failed, OrchestrationRuntimeStatus.Terminated];

    [Function(nameof(PurgeFinishedCases))]
    public async Task RunAsync([TimerTrigger(Schedule)] TimerInfo timer, [DurableClient] DurableTaskClient durableClient, FunctionContext context)
    {
        ArgumentNullException.ThrowIfNull(durableClient);
        ArgumentNullException.ThrowIfNull(context);
        var cutoff = time.GetUtcNow() - options.Value.Retention;
        var purged = await durableClient.PurgeAllInstancesAsync(new PurgeInstancesFilter(CreatedTo: cutoff, Statuses: Finished), context.CancellationToken);
        var listed = await reviewQueue.PurgeFinishedBeforeAsync(cutoff.UtcDateTime, context.CancellationToken);
        LogPurged(purged.PurgedInstanceCount, listed, cutoff);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Purged {Count} finished case(s) created before {Cutoff:O} and {Listed} review queue entr(ies) decided before it.")]
    private partial void LogPurged(int count, int listed, DateTimeOffset cutoff);
}

/// <summary>How long the Functions app keeps finished cases' Durable history and review-queue rows (<c>Moderation:DurableTask</c>, as the self-hosted host).</summary>
public sealed class FinishedCaseRetentionOptions
{
    public const string SectionName = "Moderation:DurableTask";

    /// <summary>Finished cases older than this are purged (default 30 days).</summary>
    public TimeSpan Retention { get; set; } = TimeSpan.FromDays(30);
}
