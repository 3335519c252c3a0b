using System.Text.Json;
using Microsoft.Extensions.Logging;
using Moderation.Core.Activities;
using Moderation.Core.Audit;
using Moderation.Core.Delivery;
using Moderation.Core.Messages;
using Moderation.Core.Review;
using Moderation.Core.Serialization;
using Moderation.Core.Workflow;
using Moderation.Runner.Storage;

namespace Moderation.Runner;

/// <summary>
/// Runs the workflow's activities by name on <see cref="ModerationActivities"/>, outside the workflow, with the retry
/// policy the workflow asked for. Inputs and results cross as JSON, as they do in Durable Functions.
/// </summary>
internal sealed partial class ModerationActivityDispatcher(ModerationActivities activities, TimeProvider time, ILogger<ModerationActivityDispatcher> logger)
{
    /// <summary>Runs the activity until it succeeds or its attempts run out; the history entry records which.</summary>
    /// <exception cref="OperationCanceledException">Shutting down: nothing is recorded and a later replay runs it again.</exception>
    public async Task<CaseHistoryEvent> RunAsync(string caseId, PendingActivity activity, int sequence, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(activity);
        var attempts = Math.Max(1, activity.Retry?.MaxAttempts ?? 1);
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                var result = await InvokeAsync(activity.Name, activity.Input, cancellationToken);
                return new CaseHistoryEvent(sequence, CaseHistoryEventKind.ActivityCompleted, time.UtcNowMilliseconds(), activity.TaskId, activity.Name, result);
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                if (ex is UnknownActivityException || attempt >= attempts)
                {
                    LogActivityFailed(caseId, activity.Name, attempt, ex.Message);
                    return new CaseHistoryEvent(sequence, CaseHistoryEventKind.ActivityFailed, time.UtcNowMilliseconds(), activity.TaskId, activity.Name, $"{ex.GetType().Name}: {ex.Message}");
                }

                var delay = activity.Retry!.DelayBefore(attempt + 1);
                LogActivityRetry(caseId, activity.Name, attempt, delay, ex.Message);
                await Task.Delay(delay, time, cancellationToken);
            }
        }
    }

    private async Task<string> InvokeAsync(string name, string? input, CancellationToken cancellationToken)
    {
        object result = name switch
        {
            ModerationActivities.Classify => await activities.ClassifyAsync(Read<ChatMessage>(input), cancellationToken),
            ModerationActivities.RequestReview => await activities.RequestReviewAsync(Read<ReviewRequest>(input), cancellationToken),
            ModerationActivities.Deliver => await activities.DeliverAsync(Read<DeliveryOrder>(input), cancellationToken),
            ModerationActivities.RecordAudit => await activities.RecordAuditAsync(Read<AuditRecord>(input), cancellationToken),
            _ => throw new UnknownActivityException($"No activity is named '{name}'."),
        };
        return JsonSerializer.Serialize(result, result.GetType(), ModerationJson.Options);
    }

    private static T Read<T>(string? json) =>
        JsonSerializer.Deserialize<T>(json ?? "null", ModerationJson.Options) ?? throw new ArgumentException($"The activity input is not a {typeof(T).Name}.");

    [LoggerMessage(Level = LogLevel.Warning, Message = "Case {CaseId}: activity {Activity} attempt {Attempt} failed, retrying in {Delay}: {Error}")]
    private partial void LogActivityRetry(string caseId, string activity, int attempt, TimeSpan delay, string error);

    [LoggerMessage(Level = LogLevel.Error, Message = "Case {CaseId}: activity {Activity} failed after {Attempts} attempt(s): {Error}")]
    private partial void LogActivityFailed(string caseId, string activity, int attempts, string error);

    private sealed class UnknownActivityException(string message) : Exception(message);
}
