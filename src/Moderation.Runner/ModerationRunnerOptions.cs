using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;

namespace Moderation.Runner;

/// <summary>The self-hosted runner's settings (section <c>Moderation:Runner</c>).</summary>
public sealed class ModerationRunnerOptions
{
    public const string SectionName = "Moderation:Runner";

    /// <summary>
    /// The storage connection, Functions style: <c>ModerationStorage</c> holds a connection string, or
    /// <c>ModerationStorage:tableServiceUri</c> names the table endpoint for managed identity.
    /// </summary>
    public string ConnectionName { get; set; } = "ModerationStorage";

    /// <summary>One row per case: what the poller scans for running cases, raised events and due timers.</summary>
    public string CasesTable { get; set; } = "ModerationCases";

    /// <summary>Per case (partition): the state row and the append-only history, committed together.</summary>
    public string HistoryTable { get; set; } = "ModerationCaseHistory";

    /// <summary>How often to look for work written by other processes (the own process signals at once).</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Cases advanced at the same time by this process.</summary>
    public int MaxConcurrentCases { get; set; } = 8;

    /// <summary>
    /// How long a runner instance owns a case it is advancing; renewed on every commit. Another instance takes over a
    /// case only after its lease expired (the owner crashed). Must exceed the longest activity run with its retries.
    /// </summary>
    public TimeSpan CaseLeaseDuration { get; set; } = TimeSpan.FromMinutes(30);
}

/// <summary>Refuses settings the runner cannot work with, at start-up.</summary>
public sealed partial class ModerationRunnerOptionsValidator : IValidateOptions<ModerationRunnerOptions>
{
    public ValidateOptionsResult Validate(string? name, ModerationRunnerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var problems = new List<string>();
        if (string.IsNullOrWhiteSpace(options.ConnectionName))
        {
            problems.Add("ConnectionName is required.");
        }

        foreach (var (key, table) in new[] { (nameof(options.CasesTable), options.CasesTable), (nameof(options.HistoryTable), options.HistoryTable) })
        {
            if (table is null || !TableName().IsMatch(table))
            {
                problems.Add($"{key} '{table}' is not a valid table name (3-63 letters or digits, starting with a letter).");
            }
        }

        if (string.Equals(options.CasesTable, options.HistoryTable, StringComparison.OrdinalIgnoreCase))
        {
            problems.Add("CasesTable and HistoryTable must differ.");
        }

        if (options.PollInterval < TimeSpan.FromMilliseconds(50) || options.PollInterval > TimeSpan.FromMinutes(10))
        {
            problems.Add("PollInterval must be between 50 ms and 10 minutes.");
        }

        if (options.MaxConcurrentCases is < 1 or > 256)
        {
            problems.Add("MaxConcurrentCases must be between 1 and 256.");
        }

        if (options.CaseLeaseDuration < TimeSpan.FromSeconds(1) || options.CaseLeaseDuration > TimeSpan.FromHours(1))
        {
            problems.Add("CaseLeaseDuration must be between 1 second and 1 hour.");
        }

        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }

    [GeneratedRegex("^[A-Za-z][A-Za-z0-9]{2,62}$")]
    private static partial Regex TableName();
}
