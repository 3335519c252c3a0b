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
    ILogger<ConversationRetentionService> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.PurgeInterval, time);
        do
        {
            try
            {
                var purged = await retention.PurgeAsync(stoppingToken);
                LogPurged(purged.Messages, purged.SenderCases);
            }
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
            {
                // Storage unreachable: the next tick purges what this one could not.
                LogPurgeFailed(ex.GetType().Name);
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

    [LoggerMessage(Level = LogLevel.Information, Message = "Conversation retention: deleted {Messages} stored message(s) and {SenderCases} sender history row(s).")]
    private partial void LogPurged(int messages, int senderCases);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Conversation retention failed ({Error}); retrying at the next interval.")]
    private partial void LogPurgeFailed(string error);
}
