using Microsoft.Extensions.Options;

namespace Moderation.Core.Conversations;

/// <summary>Conversation-aware moderation, bound from <c>Moderation:Conversations</c> and validated at start-up.</summary>
public sealed class ConversationOptions
{
    public const string SectionName = "Moderation:Conversations";

    /// <summary>Off (the default): every message is judged alone and nothing of the conversation is stored.</summary>
    public bool Enabled { get; set; }

    /// <summary>Most recent messages kept per conversation (all senders); older ones are dropped as new ones arrive.</summary>
    public int WindowSize { get; set; } = 20;

    /// <summary>How long stored message texts are kept before the retention purge deletes them.</summary>
    public TimeSpan Retention { get; set; } = TimeSpan.FromDays(7);

    /// <summary>How often the retention purge runs in the self-hosted host (the Functions app uses its timer schedule).</summary>
    public TimeSpan PurgeInterval { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Earlier messages of the same sender joined with the current one for the rule screen (0: off).</summary>
    public int SplitScreenMessages { get; set; } = 3;

    /// <summary>Only earlier messages sent at most this long before the current one are joined with it.</summary>
    public TimeSpan SplitScreenWithin { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>Most preceding messages given to the LLM and the reviewer as context (0: none).</summary>
    public int ContextMessages { get; set; } = 10;

    /// <summary>How far back a sender's blocked and released cases count as recent history.</summary>
    public TimeSpan SenderHistoryPeriod { get; set; } = TimeSpan.FromDays(30);

    /// <summary>
    /// How long after a message id was first admitted a later copy that finds nothing done for the id waits for the
    /// first copy (it is retried on the queue's next delivery) before it is screened itself: the first copy is presumed
    /// still screening within this time, and crashed after it.
    /// </summary>
    public TimeSpan EarlierCopyLease { get; set; } = TimeSpan.FromSeconds(15);
}

public sealed class ConversationOptionsValidator : IValidateOptions<ConversationOptions>
{
    public const int MaxWindowSize = 200;

    public ValidateOptionsResult Validate(string? name, ConversationOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        const string section = ConversationOptions.SectionName;
        var failures = new List<string>();
        if (options.WindowSize is < 1 or > MaxWindowSize)
        {
            failures.Add($"{section}:WindowSize must be between 1 and {MaxWindowSize} (was {options.WindowSize}).");
        }

        if (options.Retention < TimeSpan.FromMinutes(1) || options.Retention > TimeSpan.FromDays(400))
        {
            failures.Add($"{section}:Retention must be between 1 minute and 400 days (was {options.Retention}).");
        }

        if (options.PurgeInterval < TimeSpan.FromMinutes(1) || options.PurgeInterval > TimeSpan.FromDays(1))
        {
            failures.Add($"{section}:PurgeInterval must be between 1 minute and 1 day (was {options.PurgeInterval}).");
        }

        if (options.SplitScreenMessages < 0 || options.SplitScreenMessages >= options.WindowSize || options.SplitScreenMessages > 10)
        {
            failures.Add($"{section}:SplitScreenMessages must be between 0 and 10 and below WindowSize (was {options.SplitScreenMessages}).");
        }

        if (options.SplitScreenWithin <= TimeSpan.Zero || options.SplitScreenWithin > options.Retention)
        {
            failures.Add($"{section}:SplitScreenWithin must be positive and at most Retention (was {options.SplitScreenWithin}).");
        }

        if (options.ContextMessages < 0 || options.ContextMessages >= options.WindowSize)
        {
            failures.Add($"{section}:ContextMessages must be between 0 and WindowSize - 1 (was {options.ContextMessages}).");
        }

        if (options.SenderHistoryPeriod < TimeSpan.FromMinutes(1) || options.SenderHistoryPeriod > TimeSpan.FromDays(400))
        {
            failures.Add($"{section}:SenderHistoryPeriod must be between 1 minute and 400 days (was {options.SenderHistoryPeriod}).");
        }

        if (options.EarlierCopyLease < TimeSpan.Zero || options.EarlierCopyLease > TimeSpan.FromMinutes(10))
        {
            failures.Add($"{section}:EarlierCopyLease must be between 0 and 10 minutes (was {options.EarlierCopyLease}).");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
