using System.ComponentModel.DataAnnotations;

namespace Moderation.Host.Telemetry;

/// <summary>
/// <c>Moderation:Telemetry</c>: where the self-hosted host sends its traces and metrics. The Prometheus scrape endpoint
/// is on by default; OTLP export is on when an endpoint is set here or in <c>OTEL_EXPORTER_OTLP_ENDPOINT</c>.
/// </summary>
public sealed class HostTelemetryOptions
{
    public const string SectionName = "Moderation:Telemetry";

    /// <summary>The service name on every span and metric.</summary>
    [Required]
    public string ServiceName { get; set; } = "moderation-host";

    /// <summary>Serve the pipeline's metrics for Prometheus at <see cref="PrometheusPath"/>.</summary>
    public bool PrometheusEnabled { get; set; } = true;

    [Required]
    [RegularExpression("^/[A-Za-z0-9/_-]*$", ErrorMessage = "PrometheusPath must be an absolute path such as /metrics.")]
    public string PrometheusPath { get; set; } = "/metrics";

    /// <summary>An OTLP collector (e.g. http://localhost:4317); traces and metrics go there when set.</summary>
    public Uri? OtlpEndpoint { get; set; }
}
