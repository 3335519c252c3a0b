using System.Diagnostics;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Moderation.Core.Telemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace Moderation.Functions.Tests;

/// <summary>The worker's OpenTelemetry setup: the pipeline's source and meter, and Application Insights only when configured.</summary>
public sealed class FunctionsTelemetryTests
{
    private static ServiceProvider Build(Dictionary<string, string?> settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var collection = new ServiceCollection().AddLogging();
        collection.AddSingleton<IConfiguration>(configuration);
        collection.AddModerationFunctionsTelemetry(configuration);
        return collection.BuildServiceProvider();
    }

    [Theory]
    [InlineData(null)]
    [InlineData("InstrumentationKey=00000000-0000-0000-0000-000000000000;IngestionEndpoint=https://127.0.0.1:1/")]
    public void The_worker_listens_to_the_pipeline_source_with_or_without_application_insights(string? connectionString)
    {
        using var services = Build(new() { [FunctionsTelemetry.ConnectionStringSetting] = connectionString, [FunctionsTelemetry.AuthenticationSetting] = "Authorization=AAD" });

        Assert.NotNull(services.GetService<TracerProvider>());
        Assert.NotNull(services.GetService<MeterProvider>());
        using var span = ModerationTelemetry.Source.StartActivity("moderation.test");
        Assert.NotNull(span);
        Assert.Equal(ModerationTelemetry.Name, span.Source.Name);
        Assert.True(span.IsAllDataRequested || span.ActivityTraceFlags.HasFlag(ActivityTraceFlags.Recorded));
    }

    [Theory]
    [InlineData(null, null)]
    [InlineData("", null)]
    [InlineData("Authorization=Key", null)]
    [InlineData("Authorization=AAD", "")]
    [InlineData("authorization=aad; ClientId=1b2c3d4e-0000-0000-0000-000000000000", "1b2c3d4e-0000-0000-0000-000000000000")]
    public void The_authentication_string_selects_the_managed_identity(string? authentication, string? expectedClientId)
    {
        Assert.Equal(expectedClientId, FunctionsTelemetry.ManagedIdentityClientId(authentication));
    }
}
