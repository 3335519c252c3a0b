using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Moderation.Storage.Tests;

/// <summary>The host starts with storage down and provisions it once it answers.</summary>
public class StorageProvisionerTests
{
    private const string Down = "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;BlobEndpoint=http://127.0.0.1:1/devstoreaccount1;QueueEndpoint=http://127.0.0.1:1/devstoreaccount1;TableEndpoint=http://127.0.0.1:1/devstoreaccount1;";

    [Fact]
    public async Task Start_up_does_not_fail_when_storage_is_unreachable()
    {
        var provisioner = new StorageProvisioner(StorageConnection.FromConnectionString(Down), Options.Create(new StorageOptions()), NullLogger<StorageProvisioner>.Instance);

        await provisioner.StartAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(5));

        Assert.False(provisioner.Provisioned.IsCompleted);
        await provisioner.StopAsync(CancellationToken.None);
    }

    [StorageFact]
    public async Task Once_storage_answers_every_queue_and_table_is_created()
    {
        await using var account = await StorageTestAccount.CreateAsync();
        foreach (var table in account.Options.Tables.All)
        {
            await account.Connection.CreateTableClient(table).DeleteAsync();
        }

        var provisioner = new StorageProvisioner(account.Connection, account.WrappedOptions, NullLogger<StorageProvisioner>.Instance);
        await provisioner.StartAsync(CancellationToken.None);
        await provisioner.Provisioned.WaitAsync(TimeSpan.FromSeconds(30));
        await provisioner.StopAsync(CancellationToken.None);

        foreach (var table in account.Options.Tables.All)
        {
            await account.Connection.CreateTableClient(table).GetEntityIfExistsAsync<Azure.Data.Tables.TableEntity>("p", "r");
        }
    }
}
