using System.Text.Json;
using Azure.Core.Serialization;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Moderation.Core.Policy;
using Moderation.Core.Review;
using Moderation.Core.Workflow;
using Moderation.Functions.Functions;
using Moderation.TestSupport;

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
