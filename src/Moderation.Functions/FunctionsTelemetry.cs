using Azure.Identity;
using Azure.Monitor.OpenTelemetry.Exporter;
using Microsoft.Azure.Functions.Worker.OpenTelemetry;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Moderation.Core.Telemetry;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace Moderation.Functions;

public static class FunctionsTelemetry
{
    /// <summary>Application Insights' connection string setting (set by the Bicep).</summary>
    public const string ConnectionStringSetting = "APPLICATIONINSIGHTS_CONNECTION_STRING";

    /// <summary>"Authorization=AAD" (optionally ";ClientId=...") when ingestion uses Entra ID instead of the key.</summary>
    public const string AuthenticationSetting = "APPLICATIONINSIGHTS_AUTHENTICATION_STRING";

    /// <summary>
    /// OpenTelemetry for the worker: the Functions defaults (invocation spans joined to the host's trace), the
    /// pipeline's <see cref="ModerationTelemetry"/> source and meter and Durable Task's spans, exported to Application
    /// Insights when its connection string is configured, with the app's managed identity when the authentication
    /// string asks for Entra ID.
    /// </summary>
    public static IServiceCollection AddModerationFunctionsTelemetry(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var telemetry = services.AddOpenTelemetry()
            .UseFunctionsWorkerDefaults()
            .WithTracing(tracing => tracing.AddSource(ModerationTelemetry.Name, "Microsoft.DurableTask"))
            .WithMetrics(metrics => metrics.AddMeter(ModerationTelemetry.Name));

        if (!string.IsNullOrEmpty(configuration[ConnectionStringSetting]))
        {
            var authentication = configuration[AuthenticationSetting];
            telemetry.UseAzureMonitorExporter(options =>
            {
                options.ConnectionString = configuration[ConnectionStringSetting];
                if (ManagedIdentityClientId(authentication) is { } identity)
                {
                    options.Credential = identity.Length == 0 ? new ManagedIdentityCredential(ManagedIdentityId.SystemAssigned) : new ManagedIdentityCredential(ManagedIdentityId.FromUserAssignedClientId(identity));
                }
            });
        }

        return services;
    }

    /// <returns>Null when the string does not ask for Entra ID; empty for the system-assigned identity; else the client id.</returns>
    internal static string? ManagedIdentityClientId(string? authentication)
    {
        if (string.IsNullOrWhiteSpace(authentication))
        {
            return null;
        }

        var parts = authentication.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(p => p.Split('=', 2))
            .Where(p => p.Length == 2)
            .ToDictionary(p => p[0], p => p[1], StringComparer.OrdinalIgnoreCase);
        if (!parts.TryGetValue("Authorization", out var mode) || !string.Equals(mode, "AAD", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        return parts.TryGetValue("ClientId", out var clientId) ? clientId : string.Empty;
    }
}
