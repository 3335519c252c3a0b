using Microsoft.Extensions.Configuration;

namespace Moderation.Storage.Tests;

public class StorageConfigurationTests
{
    [Fact]
    public void Default_options_are_valid_and_follow_the_queue_and_table_conventions()
    {
        var options = new StorageOptions();

        Assert.True(new StorageOptionsValidator().Validate(null, options).Succeeded);
        Assert.Equal(["moderation-inbound", "moderation-released", "moderation-blocked", "moderation-review-requests", "moderation-inbound-poison"], options.Queues.All);
        Assert.Equal(["ModerationAudit", "ModerationDeliveries", "ModerationReviewRequests", "ModerationReviewDecisions", "ModerationSignatureNonces", "ModerationMessageContent", "ModerationReviewQueue", "ModerationConversations", "ModerationSenderHistory"], options.Tables.All);
        Assert.Equal(5, options.MaxDequeueCount);
    }

    [Fact]
    public void Invalid_names_and_limits_fail_validation_with_each_problem()
    {
        var options = new StorageOptions { BatchSize = 33, MaxDequeueCount = 0, VisibilityTimeout = TimeSpan.Zero, MaxConcurrentBatches = 0, MinPollInterval = TimeSpan.FromSeconds(5) };
        options.Queues.Released = "Released_Queue";
        options.Queues.Blocked = options.Queues.Inbound;
        options.Tables.Audit = "9audit";

        var result = new StorageOptionsValidator().Validate(null, options);

        Assert.True(result.Failed);
        var failures = result.Failures!.ToList();
        Assert.Contains(failures, f => f.Contains("Released_Queue", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.Contains("own name", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.Contains("9audit", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.Contains("BatchSize", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.Contains("MaxDequeueCount", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.Contains("VisibilityTimeout", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.Contains("MaxConcurrentBatches", StringComparison.Ordinal));
        // A first idle wait longer than the longest one would make the back-off shrink.
        Assert.Contains(failures, f => f.Contains("MinPollInterval", StringComparison.Ordinal));
    }

    [Fact]
    public void A_missing_connection_names_the_settings_to_set()
    {
        var configuration = new ConfigurationBuilder().Build();

        var error = Assert.Throws<InvalidOperationException>(() => StorageConnection.FromConfiguration(configuration));

        Assert.Contains("ModerationStorage:queueServiceUri", error.Message, StringComparison.Ordinal);
        Assert.Contains(StorageConnection.EnvironmentVariable, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Service_uris_select_managed_identity_and_a_connection_string_does_not()
    {
        var identity = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ModerationStorage:queueServiceUri"] = "https://acct.queue.core.windows.net",
            ["ModerationStorage:tableServiceUri"] = "https://acct.table.core.windows.net",
            ["ModerationStorage:blobServiceUri"] = "https://acct.blob.core.windows.net",
            ["ModerationStorage:clientId"] = "00000000-0000-0000-0000-000000000001",
        }).Build();
        var keyed = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ModerationStorage"] = "DefaultEndpointsProtocol=https;AccountName=acct;AccountKey=c2VjcmV0LWtleS12YWx1ZQ==;EndpointSuffix=core.windows.net",
        }).Build();

        var byIdentity = StorageConnection.FromConfiguration(identity);
        var byKey = StorageConnection.FromConfiguration(keyed);

        Assert.True(byIdentity.IsIdentityBased);
        Assert.Equal(new Uri("https://acct.queue.core.windows.net/moderation-inbound"), byIdentity.CreateQueueClient("moderation-inbound").Uri);
        Assert.False(byKey.IsIdentityBased);
        Assert.DoesNotContain("c2VjcmV0", byKey.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Service_uris_without_the_blob_endpoint_are_reported_as_incomplete()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ModerationStorage:queueServiceUri"] = "https://acct.queue.core.windows.net",
            ["ModerationStorage:tableServiceUri"] = "https://acct.table.core.windows.net",
        }).Build();

        Assert.Throws<InvalidOperationException>(() => StorageConnection.FromConfiguration(configuration));
    }
}
