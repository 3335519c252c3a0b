using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;
using Moderation.Core.Conversations;

namespace Moderation.Functions.Functions;

/// <summary>Deletes stored conversation texts and sender history older than their retention periods, hourly (the self-hosted host uses <c>Moderation:Conversations:PurgeInterval</c>).</summary>
public sealed partial class PurgeConversationTexts(ConversationRetention retention, ILogger<PurgeConversationTexts> logger)
{
    /// <summary>Hourly, at seven minutes past, so it does not coincide with other hourly jobs.</summary>
    public const string Schedule = "0 7 * * * *";

    [Function(nameof(PurgeConversationTexts))]
    public async Task RunAsync([TimerTrigger(Schedule)] TimerInfo timer, FunctionContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var purged = await retention.PurgeAsync(context.CancellationToken);
        LogPurged(purged.Messages, purged.SenderCases);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Conversation retention: deleted {Messages} stored message(s) and {SenderCases} sender history row(s).")]
    private partial void LogPurged(int messages, int senderCases);
}
