using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Moderation.Core;
using Moderation.Core.Conversations;
using Moderation.Hosting.Http;
using Moderation.Hosting.Http.Authentication;
using Moderation.Llm;
using Moderation.Prefilter;
using Moderation.Storage;
using Moderation.Storage.Conversations;

namespace Moderation.Hosting;

public static class HostingServiceCollectionExtensions
{
    /// <summary>
    /// Registers the whole moderation pipeline except the host's Durable Task client and worker: the core (policy,
    /// screening, activities, review intake), the conversation step and its retention purge, the adapters for every port (pre-filter, LLM, Azure Storage) and the shared
    /// HTTP handlers (<see cref="ModerationHttpHandlers"/>). Both hosts call exactly this, then add their own
    /// <see cref="Core.Cases.IModerationCaseClient"/> over their Durable Task client.
    /// </summary>
    public static IServiceCollection AddModerationPipeline(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddModerationCore(configuration);
        services.AddModerationPrefilter(configuration);
        services.AddModerationLlm(configuration);
        services.AddModerationStorage(configuration);
        services.AddReviewCallbackAuthentication(configuration);

        // The conversation step needs the store and sender history (storage) and the rule screen (pre-filter), so it
        // joins here, where every adapter is registered; without it, screening judges each message alone.
        services.TryAddSingleton<ConversationScreening>();

        // How a later copy of a message learns what was done for its id: the delivery ledger and the host's case client.
        services.TryAddSingleton<IActedDecisions, DeliveryLedgerActedDecisions>();
        services.TryAddSingleton<ConversationRetention>();
        services.TryAddSingleton<ReviewCallbackEndpoint>();
        services.TryAddSingleton<CaseQueryEndpoint>();
        services.TryAddSingleton<ModerationHttpHandlers>();
        services.TryAddSingleton<ReviewQueueEndpoint>();
        services.TryAddSingleton<ReviewConsoleHandlers>();
        return services;
    }
}
