using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Moderation.Functions;
using Moderation.Functions.Durable;
using Moderation.Functions.Functions;

var builder = FunctionsApplication.CreateBuilder(args);

// ASP.NET Core integration: the HTTP functions take HttpRequest and return IActionResult.
builder.ConfigureFunctionsWebApplication();

// Binds each invocation's [DurableClient] for the injected case client.
builder.UseMiddleware<DurableClientMiddleware>();

// HTTP functions answer failures as the self-hosted host does: 503 problem details for storage, nothing echoed.
builder.UseMiddleware<HttpFailureMiddleware>();

// Traces and metrics through OpenTelemetry, to Application Insights when it is configured (host.json's telemetryMode
// makes the Functions host do the same).
builder.Services.AddModerationFunctionsTelemetry(builder.Configuration);

// The worker serializer, the shared pipeline and the case client over Durable Functions' client.
builder.Services.AddModerationFunctionsApp(builder.Configuration);

builder.Build().Run();
