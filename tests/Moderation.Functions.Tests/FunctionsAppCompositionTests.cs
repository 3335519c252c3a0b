using System.Text.Json;
using Azure.Core.Serialization;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Moderation.Core.Cases;
using Moderation.Core.Policy;
using Moderation.Core.Review;
using Moderation.Core.Workflow;
using Moderation.Functions.Functions;
using Moderation.Storage;

namespace Moderation.Functions.Tests;

/// <summary>The app's registrations, as Program.cs makes them, without the Functions host.</summary>
public sealed class FunctionsAppCompositionTests : IDisposable
{
    private readonly ServiceProvider services;

    public FunctionsAppCompositionTests()
    {
        // The settings a deployment provides (here as a connection string instead of managed identity).
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["ModerationStorage"] = "UseDevelopmentStorage=true",
                ["Moderation:Storage:CreateIfMissing"] = "false",
                ["Moderation:Review:SigningSecret"] = "composition-test-secret-0123456789abcdef",
            })
            .Build();
        var collection = new ServiceCollection().AddLogging();
        collection.AddModerationFunctionsApp(configuration);
        services = collection.BuildServiceProvider();
    }

    [Fact]
    public void Every_function_class_can_be_created_from_the_app_registrations()
    {
        Assert.NotNull(ActivatorUtilities.CreateInstance<ScreenInboundMessage>(services));
        Assert.NotNull(ActivatorUtilities.CreateInstance<ModerationActivityFunctions>(services));
        Assert.NotNull(ActivatorUtilities.CreateInstance<ModerationHttpFunctions>(services));
    }

    [Fact]
    public void The_case_client_is_injected_and_says_clearly_when_an_invocation_has_no_durable_client()
    {
        var cases = services.GetRequiredService<IModerationCaseClient>();

        var error = Assert.Throws<InvalidOperationException>(() => cases.GetCaseAsync("case-1", CancellationToken.None).GetAwaiter().GetResult());
        Assert.Contains("[DurableClient]", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_inbound_queue_trigger_reads_the_same_setting_as_the_storage_options()
    {
        var body = typeof(ScreenInboundMessage).GetMethod(nameof(ScreenInboundMessage.RunAsync))!.GetParameters()[0];
        var trigger = Assert.Single(body.GetCustomAttributes(typeof(QueueTriggerAttribute), inherit: false).Cast<QueueTriggerAttribute>());

        // One source of truth: the binding expression names the configuration key StorageOptions binds.
        Assert.Equal($"%{StorageOptions.SectionName}:Queues:{nameof(QueueNameOptions.Inbound)}%", trigger.QueueName);
        var configured = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { [trigger.QueueName.Trim('%')] = "tenant-a-inbound" })
            .Build();
        Assert.Equal("tenant-a-inbound", configured.GetSection(StorageOptions.SectionName).Get<StorageOptions>()!.Queues.Inbound);
    }

    [Fact]
    public void Every_function_that_needs_the_case_client_declares_the_durable_client_binding()
    {
        var functions = new[]
        {
            typeof(ScreenInboundMessage).GetMethod(nameof(ScreenInboundMessage.RunAsync))!,
            typeof(ModerationHttpFunctions).GetMethod(nameof(ModerationHttpFunctions.SubmitReviewDecisionAsync))!,
            typeof(ModerationHttpFunctions).GetMethod(nameof(ModerationHttpFunctions.GetModerationCaseAsync))!,
        };

        Assert.All(functions, f => Assert.Contains(f.GetParameters(), p => p.GetCustomAttributes(typeof(DurableClientAttribute), false).Length == 1));
    }

    [Fact]
    public void The_options_validated_at_start_up_accept_the_deployment_settings()
    {
        services.GetRequiredService<IStartupValidator>().Validate();
    }

    [Fact]
    public void Durable_payloads_use_the_moderation_JSON_contract()
    {
        var serializer = services.GetRequiredService<IOptions<WorkerOptions>>().Value.Serializer;

        var json = Assert.IsType<JsonObjectSerializer>(serializer).Serialize(new CaseProgress(CaseStage.AwaitingReview, ReviewReason: "needs a human")).ToString();

        Assert.Equal("{\"stage\":\"awaiting_review\",\"reviewReason\":\"needs a human\"}", json);
    }

    [Fact]
    public void The_documented_local_settings_sample_passes_start_up_validation()
    {
        // local.settings.json "Values" become environment variables, where "__" separates configuration sections.
        using var sample = JsonDocument.Parse(File.ReadAllText(Path.Combine(TestEnvironment.RepositoryRoot, "local.settings.sample.json")));
        var values = sample.RootElement.GetProperty("Values").EnumerateObject()
            .ToDictionary(p => p.Name.Replace("__", ":", StringComparison.Ordinal), p => (string?)p.Value.GetString());
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(values).Build();
        var collection = new ServiceCollection().AddLogging();
        collection.AddModerationFunctionsApp(configuration);
        using var provider = collection.BuildServiceProvider();

        provider.GetRequiredService<IStartupValidator>().Validate();
        var policy = ModerationPolicy.From(provider.GetRequiredService<IOptions<ModerationPolicyOptions>>().Value);
        Assert.Equal(ReviewAction.Release, policy.Categories[PolicyCategory.JobSeeking].OnReviewTimeout);
    }

    public void Dispose() => services.Dispose();
}
