using Azure;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using Moderation.Hosting.Http.Errors;
using Moderation.Storage;

namespace Moderation.Hosting.Http.Health;

/// <summary>
/// Reports whether the pipeline's storage answers: the inbound queue and the delivery ledger table, each within a
/// short timeout (a storage outage must not hang <c>/healthz</c>). Combine it with other checks (the durable engine's)
/// on the same health endpoint. The description never carries the connection or exception messages.
/// </summary>
public sealed class StorageHealthCheck(StorageConnection connection, IOptions<StorageOptions> options) : IHealthCheck
{
    public const string Name = "storage";

    /// <summary>How long each probe may take before storage counts as unavailable.</summary>
    public static readonly TimeSpan ProbeTimeout = TimeSpan.FromSeconds(3);

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(ProbeTimeout);
        var value = options.Value;
        try
        {
            if (!(await connection.CreateQueueClient(value.Queues.Inbound, o => o.Retry.MaxRetries = 0).ExistsAsync(timeout.Token)).Value)
            {
                return HealthCheckResult.Unhealthy("The inbound queue does not exist (yet): storage is being provisioned, or infrastructure must create it.");
            }

            try
            {
                await connection.CreateTableClient(value.Tables.Deliveries).GetEntityIfExistsAsync<Azure.Data.Tables.TableEntity>("health", "probe", cancellationToken: timeout.Token);
            }
            catch (RequestFailedException ex) when (ex.Status == 404)
            {
                // The table service answered; a missing table is created by the provisioner.
            }

            return HealthCheckResult.Healthy("Queues and tables answer.");
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            return HealthCheckResult.Unhealthy($"Storage did not answer within {ProbeTimeout.TotalSeconds:0} s.");
        }
        catch (Exception ex) when (ex is RequestFailedException || StorageFailures.IsStorageFailure(ex))
        {
            return HealthCheckResult.Unhealthy($"Storage unavailable: {StorageFailures.Describe(ex)}.");
        }
    }
}
