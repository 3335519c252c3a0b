using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Moderation.Core.Cases;
using Moderation.Storage;

namespace Moderation.Host.Durable;

public static class DurableTaskHostServiceCollectionExtensions
{
    /// <summary>
    /// Durable Task on Azure Storage for the self-hosted host: options (<c>Moderation:DurableTask</c>, validated at
    /// start-up), the engine, the case client, the worker and the purge of finished cases.
    /// </summary>
    public static IServiceCollection AddDurableTaskHost(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<DurableTaskHostOptions>()
            .Bind(configuration.GetSection(DurableTaskHostOptions.SectionName))
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<DurableTaskHostOptions>, DurableTaskHostOptionsValidator>());
        services.TryAddSingleton<DurableTaskEngine>();
        services.TryAddSingleton<IModerationCaseClient, TaskHubCaseClient>();

        // Registered before the queue listener so the hub exists before the first case starts.
        services.TryAddSingleton<DurableTaskWorkerService>();
        services.AddHostedService(sp => sp.GetRequiredService<DurableTaskWorkerService>());
        services.AddHostedService<FinishedCasePurge>();
        return services;
    }
}
