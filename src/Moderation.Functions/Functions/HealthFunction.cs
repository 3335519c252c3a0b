using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Moderation.Functions.Functions;

/// <summary><c>GET /api/healthz</c>: the pipeline's storage checks, 200 when healthy and 503 otherwise, nothing secret in the body.</summary>
public sealed class HealthFunction(HealthCheckService health)
{
    [Function("Health")]
    public async Task<IActionResult> RunAsync([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "healthz")] HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var report = await health.CheckHealthAsync(request.HttpContext.RequestAborted);
        return new ContentResult
        {
            StatusCode = report.Status == HealthStatus.Healthy ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable,
            ContentType = "text/plain",
            Content = report.Status.ToString(),
        };
    }
}
