using System.Text.Json;
using Microsoft.Extensions.Logging;
using Moderation.Core.Serialization;
using Moderation.Core.Workflow;
using Moderation.Runner.Storage;

namespace Moderation.Runner;

/// <summary>Where one replay of the workflow left the case.</summary>
internal sealed record CaseReplayResult(
    CaseReplayStatus Status,
    string? Output,
    string? Error,
    string? CustomStatus,
    IReadOnlyList<PendingActivity> PendingActivities,
    IReadOnlyList<PendingTimer> PendingTimers,
    DateTime CurrentUtcDateTime);

internal enum CaseReplayStatus
{
    /// <summary>Waiting for activities, an event or a timer.</summary>
    Running,
    Completed,
    Failed,
}

/// <summary>Runs the moderation workflow over a case's history, from the start, to find what it does next.</summary>
internal static class CaseReplay
{
    public static CaseReplayResult Run(string caseId, IReadOnlyList<CaseHistoryEvent> history, int executedThrough, ILoggerFactory loggerFactory)
    {
        ArgumentNullException.ThrowIfNull(history);
        var context = new CaseOrchestrationContext(caseId, history, executedThrough, loggerFactory);
        ModerationCase? input;
        try
        {
            input = JsonSerializer.Deserialize<ModerationCase>(history[0].Payload ?? "null", ModerationJson.Options);
        }
        catch (JsonException ex)
        {
            return Result(CaseReplayStatus.Failed, null, $"The case input cannot be read: {ex.Message}");
        }

        if (input is null)
        {
            return Result(CaseReplayStatus.Failed, null, "The case has no input.");
        }

        // Every task the workflow awaits is either already complete (recorded) or never completes (pending), so the
        // workflow runs synchronously on this thread until it returns or blocks on pending work.
        var run = ModerationWorkflow.RunAsync(context, input);
        context.CheckNothingLeftOver();

        if (context.Divergence is { } divergence)
        {
            return Result(CaseReplayStatus.Failed, null, divergence.Message);
        }

        if (run.IsCompletedSuccessfully)
        {
            return Result(CaseReplayStatus.Completed, JsonSerializer.Serialize(run.Result, ModerationJson.Options), null);
        }

        if (run.IsFaulted)
        {
            var error = run.Exception!.InnerException ?? run.Exception;
            return Result(CaseReplayStatus.Failed, null, $"{error.GetType().Name}: {error.Message}");
        }

        return Result(CaseReplayStatus.Running, null, null);

        CaseReplayResult Result(CaseReplayStatus status, string? output, string? error) =>
            new(status, output, error, context.CustomStatus, context.PendingActivities, context.PendingTimers, context.CurrentUtcDateTime);
    }
}
