using Azure.Core.Serialization;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Moderation.Core.Serialization;
using Moderation.Pipeline;

namespace Moderation.Functions;

public static class FunctionsAppServiceCollectionExtensions
{
    /// <summary>
    /// The app's own registrations: the worker serializer and the shared pipeline. The case client is not registered:
    /// it wraps the <c>[DurableClient]</c> binding of each invocation.
    /// </summary>
    public static IServiceCollection AddModerationFunctionsApp(this IServiceCollection services, IConfiguration configuration)
    {
        // One JSON contract everywhere: Durable Functions serializes orchestration inputs, activity payloads, custom
        // status and external events with the worker serializer, so it uses the options of queue bodies, tables and HTTP.
        services.Configure<WorkerOptions>(options => options.Serializer = new JsonObjectSerializer(ModerationJson.Options));

        // The same composition root as the self-hosted host.
        return services.AddModerationPipeline(configuration);
    }
}
