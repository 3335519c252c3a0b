using Microsoft.Extensions.Options;
using Moderation.Core.Telemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Moderation.Host.Telemetry;

public static class HostTelemetryServiceCollectionExtensions
{
    /// <summary>The Durable Task engine's own spans (create_orchestration, orchestration:, activity:).</summary>
    public const string DurableTaskSource = "DurableTask.Core";

    /// <summary>
    /// OpenTelemetry for the self-hosted host: the pipeline's <see cref="ModerationTelemetry"/> source and meter, the
    /// Durable Task engine's spans (which carry the trace context from the screening span into the case and its
    /// activities) and ASP.NET Core's; a Prometheus scrape endpoint and, when configured, an OTLP exporter.
    /// </summary>
    public static IServiceCollection AddModerationHostTelemetry(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var section = configuration.GetSection(HostTelemetryOptions.SectionName);
        services.AddOptions<HostTelemetryOptions>().Bind(section).ValidateDataAnnotations().ValidateOnStart();

        // Exporters are chosen while the container is built, so they read the same section directly.
        var settings = section.Get<HostTelemetryOptions>() ?? new HostTelemetryOptions();
        var otlp = settings.OtlpEndpoint is not null || !string.IsNullOrEmpty(configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]);

        services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService(settings.ServiceName))
            .WithTracing(tracing =>
            {
                tracing.AddSource(ModerationTelemetry.Name, DurableTaskSource).AddAspNetCoreInstrumentation();
                if (otlp)
                {
                    tracing.AddOtlpExporter(o => o.Endpoint = settings.OtlpEndpoint ?? o.Endpoint);
                }
            })
            .WithMetrics(metrics =>
            {
                metrics.AddMeter(ModerationTelemetry.Name).AddAspNetCoreInstrumentation();
                if (settings.PrometheusEnabled)
                {
                    metrics.AddPrometheusExporter();
                }

                if (otlp)
                {
                    metrics.AddOtlpExporter(o => o.Endpoint = settings.OtlpEndpoint ?? o.Endpoint);
                }
            });
        return services;
    }

    /// <summary>Maps the Prometheus scrape endpoint when it is enabled.</summary>
    public static IEndpointRouteBuilder MapModerationMetrics(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        var settings = endpoints.ServiceProvider.GetRequiredService<IOptions<HostTelemetryOptions>>().Value;
        if (settings.PrometheusEnabled)
        {
            endpoints.MapPrometheusScrapingEndpoint(settings.PrometheusPath);
        }

        return endpoints;
    }
}
