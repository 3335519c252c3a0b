using Moderation.Host;
using Moderation.Host.Durable;
using Moderation.Host.Telemetry;
using Moderation.Hosting;
using Moderation.Hosting.Http;
using Moderation.Storage;

var builder = WebApplication.CreateBuilder(args);

// Scripts and tests hand over Azurite as MODERATION_STORAGE_CONNECTION; the ModerationStorage setting wins when set.
if (string.IsNullOrEmpty(builder.Configuration[StorageConnection.Name])
    && !builder.Configuration.GetSection(StorageConnection.Name).GetChildren().Any()
    && Environment.GetEnvironmentVariable(StorageConnection.EnvironmentVariable) is { Length: > 0 } connection)
{
    builder.Configuration.AddInMemoryCollection([new(StorageConnection.Name, connection)]);
}

builder.Logging.AddSimpleConsole(o =>
{
    o.SingleLine = true;
    o.TimestampFormat = "HH:mm:ss ";
});

builder.Services.AddModerationPipeline(builder.Configuration);
builder.Services.AddDurableTaskHost(builder.Configuration);
builder.Services.AddHostedService<InboundQueueListener>();
builder.Services.AddModerationHostTelemetry(builder.Configuration);
builder.Services.AddHostedService<ConversationRetentionService>();
builder.Services.AddModerationHttpErrorsAndHealth().AddCheck<DurableTaskEngineHealthCheck>(DurableTaskEngineHealthCheck.Name);

var app = builder.Build();
app.UseModerationErrors();
app.MapModerationEndpoints();
app.MapModerationMetrics();
app.Run();

/// <summary>The self-hosted moderation host (public for the HTTP tests' WebApplicationFactory).</summary>
public partial class Program;
