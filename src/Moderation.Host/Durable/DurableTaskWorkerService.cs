using DurableTask.Core;
using Microsoft.Extensions.Options;

namespace Moderation.Host.Durable;

/// <summary>
/// Runs the Durable Task worker for the host's lifetime: creates the task hub if missing (with its partition count),
/// then processes orchestrations and activities. Several hosts on one hub share its partitions through leases.
/// </summary>
public sealed partial class DurableTaskWorkerService(
    DurableTaskEngine engine,
    IServiceProvider services,
    IOptions<DurableTaskHostOptions> options,
    ILoggerFactory loggerFactory,
    ILogger<DurableTaskWorkerService> logger) : IHostedService
{
    private TaskHubWorker? worker;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var settings = options.Value;
        await engine.Service.CreateIfNotExistsAsync();
        worker = engine.CreateWorker(services, loggerFactory);
        await worker.StartAsync();
        LogStarted(settings.TaskHubName, settings.PartitionCount);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (worker is not null)
        {
            // Graceful: in-flight work items finish or are abandoned, and partition leases are released for other hosts.
            // If the host's shutdown timeout runs out first, stopping goes on in the background: the worker is not
            // disposed under it, and whatever it still held is taken over after the lease and visibility timeouts.
            try
            {
                await worker.StopAsync(isForced: false).WaitAsync(cancellationToken);
                LogStopped(options.Value.TaskHubName);
            }
            catch (OperationCanceledException)
            {
                LogStopTimedOut(options.Value.TaskHubName);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Durable Task worker started on task hub {TaskHub} ({Partitions} partitions).")]
    private partial void LogStarted(string taskHub, int partitions);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Durable Task worker on task hub {TaskHub} did not stop within the shutdown timeout.")]
    private partial void LogStopTimedOut(string taskHub);

    [LoggerMessage(Level = LogLevel.Information, Message = "Durable Task worker on task hub {TaskHub} stopped.")]
    private partial void LogStopped(string taskHub);
}
