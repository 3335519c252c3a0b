using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Moderation.Core;

namespace Moderation.Pipeline;

public static class PipelineServiceCollectionExtensions
{
    /// <summary>
    /// Registers the whole moderation pipeline except the host-specific case client: the core (policy, screening,
    /// activities, review intake) and the adapters for every port. Both hosts call exactly this.
    /// </summary>
    public static IServiceCollection AddModerationPipeline(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddModerationCore(configuration);
        return services;
    }
}
