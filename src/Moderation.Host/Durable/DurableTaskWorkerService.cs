using DurableTask.Core;
using Microsoft.Extensions.Options;
using Moderation.Hosting.Http.Errors;

namespace Moderation.Host.Durable;

/// <summary>
/// Runs the Durable Task worker for the host's lifetime: creates the task hub if missing (with its partition count),
/// then processes orchestrations and activities. Several hosts on one hub share its partitions through leases.
/// Storage that is down at start-up does not stop the host: the hub is created and the worker started as soon as
/// storage answers, retrying with backoff, and <see cref="DurableTaskEngineHealthCheck"/> reports the wait.
/// </summary>
public sealed partial class DurableTaskWorkerService(
    DurableTaskEngine engine,
    IServiceProvider services,
    IOptions<DurableTaskHostOptions> options,
    ILoggerFactory loggerFactory,
    ILogger<DurableTaskWorkerService> logger) : BackgroundService
{
    private static readonly TimeSpan FirstRetryDelay = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan MaxRetryDelay = TimeSpan.FromSeconds(30);

    private readonly TaskCompletionSource started = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private volatile TaskHubWorker? worker;

    /// <summary>True once the worker processes the task hub's work.</summary>
    public bool IsRunning => worker is not null;

    /// <summary>Completes once the task hub exists and the worker processes it.</summary>
    public Task Started => started.Task;

    /// <summary>Why the worker has not started yet (type and storage status only), or null.</summary>
    public string? LastStartFailure { get; private set; }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        if (worker is { } running)
        {
            // Graceful: in-flight work items finish or are abandoned, and partition leases are released for other hosts.
            // If the host's shutdown timeout runs out first, stopping goes on in the background: the worker is not
            // disposed under it, and whatever it still held is taken over after the lease and visibility timeouts.
            try
            {
                await running.StopAsync(isForced: false).WaitAsync(cancellationToken);
                LogStopped(options.Value.TaskHubName);
            }
            catch (OperationCanceledException)
            {
                LogStopTimedOut(options.Value.TaskHubName);
            }
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var settings = options.Value;
        var delay = FirstRetryDelay;
        while (!stoppingToken.IsCancellationRequested)
        {
            TaskHubWorker? starting = null;
            try
            {
                await engine.Service.CreateIfNotExistsAsync();
                starting = engine.CreateWorker(services, loggerFactory);
                await starting.StartAsync();
                worker = starting;
                LastStartFailure = null;
                started.TrySetResult();
                LogStarted(settings.TaskHubName, settings.PartitionCount);
                return;
            }
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
            {
                LastStartFailure = StorageFailures.Describe(ex);
                LogStartFailed(settings.TaskHubName, LastStartFailure, delay);
                if (starting is not null)
                {
                    await StopQuietlyAsync(starting);
                }
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

    private async Task StopQuietlyAsync(TaskHubWorker failed)
    {
        try
        {
            await failed.StopAsync(isForced: true);
        }
        catch (Exception ex)
        {
            LogAbandonedWorker(StorageFailures.Describe(ex));
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Durable Task worker started on task hub {TaskHub} ({Partitions} partitions).")]
    private partial void LogStarted(string taskHub, int partitions);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Durable Task worker on task hub {TaskHub} could not start ({Failure}); retrying in {Delay}.")]
    private partial void LogStartFailed(string taskHub, string failure, TimeSpan delay);

    [LoggerMessage(Level = LogLevel.Debug, Message = "A worker that failed to start did not stop cleanly ({Failure}).")]
    private partial void LogAbandonedWorker(string failure);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Durable Task worker on task hub {TaskHub} did not stop within the shutdown timeout.")]
    private partial void LogStopTimedOut(string taskHub);

    [LoggerMessage(Level = LogLevel.Information, Message = "Durable Task worker on task hub {TaskHub} stopped.")]
    private partial void LogStopped(string taskHub);
}
