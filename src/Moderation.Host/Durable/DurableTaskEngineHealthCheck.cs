using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Moderation.Host.Durable;

/// <summary>
/// Reports whether the Durable Task worker runs: until it has created or found its task hub and started, cases are
/// not processed, so <c>/healthz</c> must not say healthy (for example while storage was down at start-up).
/// </summary>
public sealed class DurableTaskEngineHealthCheck(DurableTaskWorkerService worker) : IHealthCheck
{
    public const string Name = "durable-task";

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(worker.IsRunning
            ? HealthCheckResult.Healthy("The Durable Task worker processes the task hub.")
            : HealthCheckResult.Unhealthy("The Durable Task worker has not started yet" + (worker.LastStartFailure is { } failure ? $": {failure}." : ".")));
}
