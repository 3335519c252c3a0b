using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;

namespace Moderation.Host.Durable;

/// <summary>
/// How the self-hosted host runs Durable Task on Azure Storage (<c>Moderation:DurableTask</c>). The task hub is the
/// host's own: never the Functions app's, whose hub holds the same orchestration names.
/// </summary>
public sealed class DurableTaskHostOptions
{
    public const string SectionName = "Moderation:DurableTask";

    /// <summary>The task hub: its queues, tables and lease container are named after it. Letters and digits, 3 to 45.</summary>
    public string TaskHubName { get; set; } = "moderationhost";

    /// <summary>
    /// Control-queue partitions: the most hosts that can share orchestration work. Fixed when the hub is first created;
    /// changing it later has no effect on an existing hub.
    /// </summary>
    public int PartitionCount { get; set; } = 4;

    /// <summary>The longest an idle host waits between polls of its queues (Durable Task's default is 30 s).</summary>
    public TimeSpan MaxQueuePollingInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How long a finished case's history is kept before it is purged.</summary>
    public TimeSpan Retention { get; set; } = TimeSpan.FromDays(30);

    /// <summary>How often finished cases older than <see cref="Retention"/> are purged.</summary>
    public TimeSpan PurgeInterval { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Activities (LLM calls, queue writes) one host runs at once.</summary>
    public int MaxConcurrentActivities { get; set; } = 32;

    /// <summary>Orchestration episodes one host runs at once.</summary>
    public int MaxConcurrentOrchestrations { get; set; } = 32;

    /// <summary>How long a host holds a partition without renewing it before another host may take it over after a crash.</summary>
    public TimeSpan PartitionLeaseInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How long a dequeued orchestration or activity message stays invisible (Durable Task's default is 5 minutes).
    /// Hosts renew it while they work, so it bounds only how soon a message held by a crashed or stopped host is
    /// seen again: with the lease interval, the recovery time after a crash.
    /// </summary>
    public TimeSpan MessageVisibilityTimeout { get; set; } = TimeSpan.FromMinutes(1);
}

internal sealed partial class DurableTaskHostOptionsValidator : IValidateOptions<DurableTaskHostOptions>
{
    public ValidateOptionsResult Validate(string? name, DurableTaskHostOptions options)
    {
        var problems = new List<string>();
        if (options.TaskHubName is null || !HubName().IsMatch(options.TaskHubName))
        {
            problems.Add($"{DurableTaskHostOptions.SectionName}:TaskHubName must be 3 to 45 letters or digits, starting with a letter (it names queues, tables and a blob container).");
        }

        if (options.PartitionCount is < 1 or > 16)
        {
            problems.Add($"{DurableTaskHostOptions.SectionName}:PartitionCount must be between 1 and 16.");
        }

        Positive(options.MaxQueuePollingInterval, nameof(options.MaxQueuePollingInterval), problems);
        Positive(options.Retention, nameof(options.Retention), problems);
        Positive(options.PurgeInterval, nameof(options.PurgeInterval), problems);
        Positive(options.PartitionLeaseInterval, nameof(options.PartitionLeaseInterval), problems);
        Positive(options.MessageVisibilityTimeout, nameof(options.MessageVisibilityTimeout), problems);
        if (options.MaxConcurrentActivities < 1 || options.MaxConcurrentOrchestrations < 1)
        {
            problems.Add($"{DurableTaskHostOptions.SectionName}:MaxConcurrentActivities and MaxConcurrentOrchestrations must be at least 1.");
        }

        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }

    private static void Positive(TimeSpan value, string name, List<string> problems)
    {
        if (value <= TimeSpan.Zero)
        {
            problems.Add($"{DurableTaskHostOptions.SectionName}:{name} must be positive.");
        }
    }

    [GeneratedRegex("^[A-Za-z][A-Za-z0-9]{2,44}$")]
    private static partial Regex HubName();
}
