using Microsoft.Extensions.Options;
using Moderation.Core.Conversations;

namespace Moderation.Host;

/// <summary>
/// Runs <see cref="ConversationRetention"/> every <see cref="ConversationOptions.PurgeInterval"/>: stored conversation
/// texts and sender history older than their periods are deleted. The Functions app runs the same purge on a timer.
/// </summary>
public sealed partial class ConversationRetentionService(
    ConversationRetention retention,
    IOptions<ConversationOptions> options,
    TimeProvider time,
    ILogger<ConversationRetentionService> logger) : ScheduledPurge(options.Value.PurgeInterval, time)
{
    protected override async Task RunOnceAsync(CancellationToken cancellationToken)
    {
        var purged = await retention.PurgeAsync(cancellationToken);
        LogPurged(purged.Messages, purged.SenderCases);
    }

    // Storage unreachable: the next tick purges what this one could not.
    protected override void OnFailed(Exception error) => LogPurgeFailed(error.GetType().Name);

    [LoggerMessage(Level = LogLevel.Information, Message = "Conversation retention: deleted {Messages} stored message(s) and {SenderCases} sender history row(s).")]
    private partial void LogPurged(int messages, int senderCases);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Conversation retention failed ({Error}); retrying at the next interval.")]
    private partial void LogPurgeFailed(string error);
}
