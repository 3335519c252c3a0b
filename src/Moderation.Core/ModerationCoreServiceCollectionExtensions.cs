using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Moderation.Core.Activities;
using Moderation.Core.Conversations;
using Moderation.Core.Policy;
using Moderation.Core.Review;
using Moderation.Core.Screening;
using Moderation.Core.Workflow;

namespace Moderation.Core;

public static class ModerationCoreServiceCollectionExtensions
{
    /// <summary>
    /// Registers the routing policy (bound from <c>Moderation:Policy</c>, validated at start-up), the screening step,
    /// the workflow's activities, the conversation options (<c>Moderation:Conversations</c>), and the review intake (its <see cref="IReviewDecisionClaims"/> comes from the storage adapter). Adapters for the ports are registered by their own projects.
    /// </summary>
    public static IServiceCollection AddModerationCore(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<ModerationPolicyOptions>()
            .Bind(configuration.GetSection(ModerationPolicyOptions.SectionName))
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ModerationPolicyOptions>, ModerationPolicyOptionsValidator>());
        services.AddOptions<ConversationOptions>()
            .Bind(configuration.GetSection(ConversationOptions.SectionName))
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ConversationOptions>, ConversationOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<MessageScreening>();
        services.TryAddSingleton(sp => new ScreeningCoalescer(sp.GetRequiredService<MessageScreening>(), sp.GetRequiredService<TimeProvider>()));
        services.TryAddSingleton<ModerationActivities>();
        services.TryAddSingleton<ReviewIntake>();
        return services;
    }
}
