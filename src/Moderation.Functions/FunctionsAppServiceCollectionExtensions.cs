using Azure.Core.Serialization;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Moderation.Core.Cases;
using Moderation.Core.Serialization;
using Moderation.Functions.Durable;
using Moderation.Functions.Functions;
using Moderation.Hosting;
using Moderation.Hosting.Http.Errors;
using Moderation.Hosting.Http.Health;
using Moderation.Workflow;

namespace Moderation.Functions;

public static class FunctionsAppServiceCollectionExtensions
{
    /// <summary>
    /// The app's own registrations: the worker serializer, the shared pipeline, and the case client over the
    /// <c>[DurableClient]</c> binding of each invocation (bound by <see cref="DurableClientMiddleware"/>).
    /// </summary>
    public static IServiceCollection AddModerationFunctionsApp(this IServiceCollection services, IConfiguration configuration)
    {
        // One JSON contract everywhere: Durable Functions serializes orchestration inputs, activity payloads, custom
        // status and external events with the worker serializer, so it uses the options of queue bodies, tables and HTTP.
        services.Configure<WorkerOptions>(options => options.Serializer = new JsonObjectSerializer(ModerationJson.Options));

        services.TryAddSingleton<DurableClientAccessor>();
        services.TryAddSingleton<IModerationCaseClient>(sp =>
        {
            var accessor = sp.GetRequiredService<DurableClientAccessor>();
            return new DurableTaskCaseClient(() => accessor.Client);
        });

        services.AddOptions<FinishedCaseRetentionOptions>()
            .Bind(configuration.GetSection(FinishedCaseRetentionOptions.SectionName))
            .Validate(o => o.Retention > TimeSpan.Zero, $"{FinishedCaseRetentionOptions.SectionName}:Retention must be positive.")
            .ValidateOnStart();

        // Failures of HTTP functions (HttpFailureMiddleware) and the health function use the self-hosted host's handler and checks.
        services.TryAddSingleton<ModerationExceptionHandler>();
        services.AddHealthChecks().AddCheck<StorageHealthCheck>(StorageHealthCheck.Name);

        // The same composition root as the self-hosted host.
        return services.AddModerationPipeline(configuration);
    }
}
