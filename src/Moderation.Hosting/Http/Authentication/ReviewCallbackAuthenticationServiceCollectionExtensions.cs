using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Moderation.Storage.Review;

namespace Moderation.Hosting.Http.Authentication;

public static class ReviewCallbackAuthenticationServiceCollectionExtensions
{
    /// <summary>
    /// Registers review-callback authentication: <see cref="ReviewCallbackOptions"/> (<c>Moderation:Review</c>,
    /// validated at start-up), <see cref="ReviewCallbackAuthenticator"/>, and the nonce store on Azure Table storage.
    /// </summary>
    public static IServiceCollection AddReviewCallbackAuthentication(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<ReviewCallbackOptions>()
            .Bind(configuration.GetSection(ReviewCallbackOptions.SectionName))
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ReviewCallbackOptions>, ReviewCallbackOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<IRequestNonceStore>(sp => new TableRequestNonceStore(sp.GetRequiredService<TableSignatureNonces>()));
        services.TryAddSingleton<ReviewCallbackAuthenticator>();
        return services;
    }

    /// <summary>The nonce port over the storage adapter's table.</summary>
    private sealed class TableRequestNonceStore(TableSignatureNonces table) : IRequestNonceStore
    {
        public Task<bool> TryUseAsync(string nonce, DateTimeOffset expiresAt, CancellationToken cancellationToken) =>
            table.TryRecordAsync(nonce, expiresAt, cancellationToken);
    }
}
