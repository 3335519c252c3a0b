using DurableTask.AzureStorage;
using DurableTask.Core;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Converters;
using Microsoft.DurableTask.Worker;
using Microsoft.DurableTask.Worker.Shims;
using Microsoft.Extensions.Options;
using Moderation.Core.Serialization;
using Moderation.Core.Workflow;
using Moderation.Storage;
using Moderation.Workflow;

namespace Moderation.Host.Durable;

/// <summary>
/// Durable Task on Azure Storage for the self-hosted host: the orchestration service (partitioned control queues,
/// history and instance tables, partition leases) and the client. The same engine Durable Functions runs on.
/// </summary>
public sealed class DurableTaskEngine : IDisposable
{
    public DurableTaskEngine(StorageConnection connection, IOptions<DurableTaskHostOptions> options, ILoggerFactory loggerFactory)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(options);
        var settings = options.Value;
        Service = new AzureStorageOrchestrationService(new AzureStorageOrchestrationServiceSettings
        {
            TaskHubName = settings.TaskHubName,
            StorageAccountClientProvider = connection.Select(
                connectionString => new StorageAccountClientProvider(connectionString),
                (accountName, credential) => new StorageAccountClientProvider(accountName, credential)),
            PartitionCount = settings.PartitionCount,
            MaxQueuePollingInterval = settings.MaxQueuePollingInterval,
            MaxConcurrentTaskActivityWorkItems = settings.MaxConcurrentActivities,
            MaxConcurrentTaskOrchestrationWorkItems = settings.MaxConcurrentOrchestrations,
            LeaseInterval = settings.PartitionLeaseInterval,
            LeaseRenewInterval = settings.PartitionLeaseInterval / 3,
            LeaseAcquireInterval = settings.PartitionLeaseInterval / 3,
            ControlQueueVisibilityTimeout = settings.MessageVisibilityTimeout,

            // One identity per process (the default is the machine name): two hosts on one machine must not both take
            // a lease as their own, and a restarted host waits for its predecessor's leases like any other host.
            WorkerId = $"{Environment.MachineName}-{Environment.ProcessId}",
            WorkItemQueueVisibilityTimeout = settings.MessageVisibilityTimeout,

            // Otherwise a start refused because the instance is running returns as if it had started.
            ThrowExceptionOnInvalidDedupeStatus = true,
            LoggerFactory = loggerFactory,
        });
        Client = new TaskHubClient(Service, DataConverter, loggerFactory);
    }

    /// <summary>The worker's side of <see cref="DataConverter"/> (declared first: static initializers run in order).</summary>
    internal static Microsoft.DurableTask.DataConverter WorkerDataConverter { get; } = new JsonDataConverter(ModerationJson.Options);

    /// <summary>
    /// The JSON contract of orchestration inputs, outputs, custom status and events: System.Text.Json with the
    /// moderation options, the same on the worker (the shims) and on the client, as in the Functions app.
    /// </summary>
    public static DurableTask.Core.Serializing.DataConverter DataConverter { get; } = new CoreJsonDataConverter(WorkerDataConverter);

    public AzureStorageOrchestrationService Service { get; }

    public TaskHubClient Client { get; }

    /// <summary>
    /// A worker running <see cref="ModerationOrchestrator"/> and the activities through durabletask-dotnet's shims, so
    /// the code is the Functions app's. Each execution gets a new shim (and orchestrator), looked up by name only.
    /// </summary>
    public TaskHubWorker CreateWorker(IServiceProvider services, ILoggerFactory loggerFactory)
    {
        var shims = new DurableTaskShimFactory(new DurableTaskWorkerOptions { DataConverter = WorkerDataConverter }, loggerFactory);
        var worker = new TaskHubWorker(Service, loggerFactory)
        {
            // Activity failures reach the orchestrator as TaskFailedException with details, as in Durable Functions.
            ErrorPropagationMode = ErrorPropagationMode.UseFailureDetails,
        };
        worker.AddTaskOrchestrations(new ShimCreator<TaskOrchestration>(
            ModerationWorkflow.Name,
            () => shims.CreateOrchestration(ModerationWorkflow.Name, new ModerationOrchestrator(), parent: null)));
        worker.AddTaskActivities([.. ModerationTasks.Activities.Select(a => new ShimCreator<TaskActivity>(
            a.Name,
            () => shims.CreateActivity(a.Name, (ITaskActivity)ActivatorUtilities.CreateInstance(services, a.Type))))]);
        return worker;
    }

    public void Dispose() => Service.Dispose();

    /// <summary>Creates a new instance per execution; the engine asks by name with version "".</summary>
    private sealed class ShimCreator<T> : ObjectCreator<T>
    {
        private readonly Func<T> create;

        public ShimCreator(string name, Func<T> create)
        {
            Name = name;
            Version = string.Empty;
            this.create = create;
        }

        public override T Create() => create();
    }
}
