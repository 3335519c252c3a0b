using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Moderation.Storage;

/// <summary>
/// At start-up: resolves the storage connection (so a missing setting stops the host at once, with the settings to
/// set) and, when <see cref="StorageOptions.CreateIfMissing"/>, creates the queues, tables and payload container.
/// </summary>
public sealed class StorageProvisioner(StorageConnection connection, IOptions<StorageOptions> options, ILogger<StorageProvisioner> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var value = options.Value;
        if (!value.CreateIfMissing)
        {
            logger.LogInformation("Using Azure Storage ({Connection}); queues and tables are expected to exist.", connection);
            return;
        }

        await EnsureCreatedAsync(connection, value, cancellationToken);
        logger.LogInformation("Using Azure Storage ({Connection}); queues, tables and the payload container exist.", connection);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

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
}
