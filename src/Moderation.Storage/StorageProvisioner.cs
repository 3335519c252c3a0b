using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Moderation.Storage;

/// <summary>
/// At start-up: resolves the storage connection (so a missing setting stops the host at once, with the settings to
/// set) and, when <see cref="StorageOptions.CreateIfMissing"/>, creates the queues, tables and payload container. A
/// storage outage does not stop the host: creation is retried in the background, with backoff, until storage answers;
/// meanwhile the listener's polls fail and back off, the HTTP API answers 503, and <c>/healthz</c> reports it.
/// </summary>
public sealed partial class StorageProvisioner(StorageConnection connection, IOptions<StorageOptions> options, ILogger<StorageProvisioner> logger) : BackgroundService
{
    private static readonly TimeSpan FirstRetryDelay = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan MaxRetryDelay = TimeSpan.FromSeconds(30);

    /// <summary>Completes once storage is provisioned (or provisioning is off); for callers that must wait for it.</summary>
    public Task Provisioned => provisioned.Task;

    private readonly TaskCompletionSource provisioned = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>How long start-up waits for the first attempt before leaving provisioning to the background.</summary>
    public static readonly TimeSpan FirstAttemptTimeout = TimeSpan.FromSeconds(3);

    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        // Touching the connection here fails start-up on a missing or malformed setting: retrying cannot fix that.
        LogUsing(connection.ToString());
        var value = options.Value;
        if (!value.CreateIfMissing)
        {
            provisioned.TrySetResult();
        }
        else
        {
            // With storage up, everything exists before the other services start, as they expect.
            using var firstAttempt = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            firstAttempt.CancelAfter(FirstAttemptTimeout);
            try
            {
                await EnsureCreatedAsync(connection, value, firstAttempt.Token);
                LogProvisioned();
                provisioned.TrySetResult();
            }
            catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
            {
                LogRetrying(0, ex.GetType().Name, FirstRetryDelay);
            }
        }

        await base.StartAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (provisioned.Task.IsCompleted)
        {
            return;
        }

        var value = options.Value;

        var delay = FirstRetryDelay;
        for (var attempt = 1; !stoppingToken.IsCancellationRequested; attempt++)
        {
            try
            {
                await EnsureCreatedAsync(connection, value, stoppingToken);
                LogProvisioned();
                provisioned.TrySetResult();
                return;
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                LogRetrying(attempt, ex.GetType().Name, delay);
            }

            try
            {
                await Task.Delay(delay, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, MaxRetryDelay.Ticks));
        }
    }

    /// <summary>Creates every queue, table and container the adapters use, when missing (idempotent).</summary>
    public static async Task EnsureCreatedAsync(StorageConnection connection, StorageOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(options);
        var work = new List<Task>();
        work.AddRange(options.Queues.All.Select(q => connection.CreateQueueClient(q).CreateIfNotExistsAsync(cancellationToken: cancellationToken)));
        work.AddRange(options.Tables.All.Select(t => connection.CreateTableClient(t).CreateIfNotExistsAsync(cancellationToken)));
        work.Add(connection.CreateBlobContainerClient(options.PayloadContainer).CreateIfNotExistsAsync(cancellationToken: cancellationToken));
        await Task.WhenAll(work);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Using Azure Storage ({Connection}).")]
    private partial void LogUsing(string connection);

    [LoggerMessage(Level = LogLevel.Information, Message = "Queues, tables and the payload container exist.")]
    private partial void LogProvisioned();

    [LoggerMessage(Level = LogLevel.Warning, Message = "Storage unavailable while creating queues and tables (attempt {Attempt}, {Error}); retrying in {Delay}.")]
    private partial void LogRetrying(int attempt, string error, TimeSpan delay);
}
