using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Moderation.Core;
using Moderation.Llm;
using Moderation.Pipeline.Http;
using Moderation.Pipeline.Http.Authentication;
using Moderation.Prefilter;
using Moderation.Storage;

namespace Moderation.Pipeline;

public static class PipelineServiceCollectionExtensions
{
    /// <summary>
    /// Registers the whole moderation pipeline except the host-specific case client: the core (policy, screening,
    /// activities, review intake), the adapters for every port (pre-filter, LLM, Azure Storage) and the shared HTTP
    /// endpoints (<see cref="ReviewCallbackEndpoint"/>, <see cref="CaseQueryEndpoint"/>). Both hosts call exactly this,
    /// then add their own <see cref="Core.Cases.IModerationCaseClient"/>.
    /// </summary>
    public static IServiceCollection AddModerationPipeline(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddModerationCore(configuration);
        services.AddModerationPrefilter(configuration);
        services.AddModerationLlm(configuration);
        services.AddModerationStorage(configuration);
        services.AddReviewCallbackAuthentication(configuration);
        services.TryAddSingleton<ReviewCallbackEndpoint>();
        services.TryAddSingleton<CaseQueryEndpoint>();
        return services;
    }
}
