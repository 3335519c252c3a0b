using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Moderation.Core.Audit;
using Moderation.Core.Conversations;
using Moderation.Core.Delivery;
using Moderation.Core.Review;
using Moderation.Storage.Audit;
using Moderation.Storage.Conversations;
using Moderation.Storage.Delivery;
using Moderation.Storage.Queues;
using Moderation.Storage.Review;
using Moderation.Storage.ReviewQueue;

namespace Moderation.Storage;

public static class StorageServiceCollectionExtensions
{
    /// <summary>
    /// Registers the Azure Storage adapters: <see cref="StorageOptions"/> (<c>Moderation:Storage</c>, validated at
    /// start-up), the <c>ModerationStorage</c> connection, <see cref="IDeliveryGateway"/>, <see cref="IReviewNotifier"/>,
    /// <see cref="IAuditLog"/>, <see cref="IReviewDecisionClaims"/>, <see cref="IReviewQueue"/>, <see cref="PoisonQueue"/>, <see cref="QueueBodyWriter"/>,
    /// <see cref="InboundMessageAdmission"/>, the conversation store, sender history and <see cref="PersonalDataErasure"/>, the signature nonce table and its sweeper, the label exporter, and the
    /// start-up provisioner that creates missing queues and tables.
    /// </summary>
    public static IServiceCollection AddModerationStorage(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<StorageOptions>()
            .Bind(configuration.GetSection(StorageOptions.SectionName))
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<StorageOptions>, StorageOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(_ => StorageConnection.FromConfiguration(configuration));
        services.TryAddSingleton<QueueBodyWriter>();
        services.TryAddSingleton<PoisonQueue>();
        services.TryAddSingleton<TableAuditLog>();
        services.TryAddSingleton<IAuditLog>(sp => sp.GetRequiredService<TableAuditLog>());
        services.TryAddSingleton<IDeliveryGateway, QueueDeliveryGateway>();
        services.TryAddSingleton<IReviewNotifier, QueueReviewNotifier>();
        services.TryAddSingleton<IReviewDecisionClaims, TableReviewDecisionClaims>();
        services.TryAddSingleton<IReviewQueue, TableReviewQueue>();
        services.TryAddSingleton<TableSignatureNonces>();
        services.TryAddSingleton<InboundMessageAdmission>();
        services.TryAddSingleton<LabeledExampleExporter>();
        services.TryAddSingleton<TableConversationStore>();
        services.TryAddSingleton<IConversationStore>(sp => sp.GetRequiredService<TableConversationStore>());
        services.TryAddSingleton<ISenderHistoryStore, TableSenderHistory>();
        services.TryAddSingleton<PersonalDataErasure>();
        services.AddHostedService<StorageProvisioner>();
        services.AddHostedService<SignatureNonceSweeper>();
        return services;
    }
}
