using Microsoft.Extensions.Configuration;

namespace Moderation.Runner.Tests;

/// <summary>The Functions-style storage connection setting.</summary>
public sealed class RunnerStorageConnectionTests
{
    private const string Key = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    [Fact]
    public void Connection_string_setting_points_the_client_at_its_table_endpoint()
    {
        var configuration = Configuration(new() { ["ModerationStorage"] = $"DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey={Key};TableEndpoint=http://127.0.0.1:10002/devstoreaccount1;" });

        var client = RunnerStorageConnection.CreateTableServiceClient(configuration, "ModerationStorage");

        Assert.Equal(new Uri("http://127.0.0.1:10002/devstoreaccount1"), client.Uri);
    }

    [Fact]
    public void Table_service_uri_setting_uses_the_managed_identity_endpoint()
    {
        var configuration = Configuration(new() { ["ModerationStorage:tableServiceUri"] = "https://moderationprod.table.core.windows.net" });

        var client = RunnerStorageConnection.CreateTableServiceClient(configuration, "ModerationStorage");

        Assert.Equal("moderationprod", client.AccountName);
    }

    [Fact]
    public void Account_name_setting_builds_the_public_table_endpoint()
    {
        var configuration = Configuration(new() { ["ModerationStorage:accountName"] = "moderationprod" });

        var client = RunnerStorageConnection.CreateTableServiceClient(configuration, "ModerationStorage");

        Assert.Equal(new Uri("https://moderationprod.table.core.windows.net"), client.Uri);
    }

    [Fact]
    public void Missing_connection_is_refused_with_the_setting_names_to_fill_in()
    {
        var error = Assert.Throws<InvalidOperationException>(() => RunnerStorageConnection.CreateTableServiceClient(Configuration([]), "ModerationStorage"));

        Assert.Contains("ModerationStorage:tableServiceUri", error.Message, StringComparison.Ordinal);
    }

    private static IConfiguration Configuration(Dictionary<string, string?> values) =>
        new ConfigurationBuilder().AddInMemoryCollection(values).Build();
}
