using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Moderation.Storage.Review;

/// <summary>Deletes expired signature nonces on a schedule, so the nonce table holds only the last few minutes of requests.</summary>
public sealed partial class SignatureNonceSweeper(TableSignatureNonces nonces, TimeProvider time, ILogger<SignatureNonceSweeper> logger) : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromMinutes(10);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                try
                {
                    var purged = await nonces.PurgeExpiredAsync(stoppingToken);
                    LogPurged(purged);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    // Expired rows no longer count; a failed sweep only leaves them a little longer.
                    LogFailed(ex.GetType().Name);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Purged {Count} expired signature nonce(s).")]
    private partial void LogPurged(int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Purging expired signature nonces failed ({Error}); retried at the next sweep.")]
    private partial void LogFailed(string error);
}
