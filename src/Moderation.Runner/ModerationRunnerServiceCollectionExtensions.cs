using Azure.Data.Tables;
using Azure.Identity;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Moderation.Core.Activities;
using Moderation.Core.Cases;
using Moderation.Runner.Storage;

namespace Moderation.Runner;

public static class ModerationRunnerServiceCollectionExtensions
{
    /// <summary>
    /// Registers the self-hosted runner: <see cref="IModerationCaseClient"/> (and <see cref="RunnerCaseClient"/>), the
    /// case store, and the hosted service that advances cases. Options come from <c>Moderation:Runner</c> and are
    /// validated at start-up. The store is the Azure Table store on the <c>ModerationStorage</c> connection unless an
    /// <see cref="ICaseStore"/> is registered first; a registered <see cref="TableServiceClient"/> is used if present.
    /// The workflow's activities (<c>ModerationActivities</c>) and their adapters are registered by their own projects.
    /// </summary>
    public static IServiceCollection AddModerationRunner(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<ModerationRunnerOptions>()
            .Bind(configuration.GetSection(ModerationRunnerOptions.SectionName))
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ModerationRunnerOptions>, ModerationRunnerOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<ICaseStore>(sp =>
        {
            var options = sp.GetRequiredService<IOptions<ModerationRunnerOptions>>().Value;
            var tables = sp.GetService<TableServiceClient>() ?? RunnerStorageConnection.CreateTableServiceClient(configuration, options.ConnectionName);
            return new TableCaseStore(tables, options.CasesTable, options.HistoryTable);
        });
        services.TryAddSingleton<CaseWorkSignal>();
        services.TryAddSingleton<ModerationActivityDispatcher>();
        services.TryAddSingleton<ModerationCaseExecutor>();
        services.TryAddSingleton(sp => new RunnerCaseClient(
            sp.GetRequiredService<ICaseStore>(),
            sp.GetRequiredService<CaseWorkSignal>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILogger<RunnerCaseClient>>()));
        services.TryAddSingleton<IModerationCaseClient>(sp => sp.GetRequiredService<RunnerCaseClient>());
        services.AddHostedService<ModerationRunnerService>();
        return services;
    }
}

/// <summary>Builds the table client from a Functions-style connection setting.</summary>
public static class RunnerStorageConnection
{
    /// <summary>
    /// <c>{name}</c> as a connection string, or <c>{name}:tableServiceUri</c> (or <c>{name}:accountName</c>) with
    /// managed identity (<c>{name}:clientId</c> picks a user-assigned identity). The connection string is never logged or echoed.
    /// </summary>
    public static TableServiceClient CreateTableServiceClient(IConfiguration configuration, string name)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var section = configuration.GetSection(name);
        if (section.Value is { Length: > 0 } connectionString)
        {
            return new TableServiceClient(connectionString);
        }

        var uri = section["tableServiceUri"] is { Length: > 0 } configured
            ? configured
            : section["accountName"] is { Length: > 0 } account ? $"https://{account}.table.core.windows.net" : null;
        if (uri is not null)
        {
            var credential = new DefaultAzureCredential(new DefaultAzureCredentialOptions { ManagedIdentityClientId = section["clientId"] });
            return new TableServiceClient(new Uri(uri), credential);
        }

        throw new InvalidOperationException($"Storage connection '{name}' is not configured: set '{name}' to a connection string, or '{name}:tableServiceUri' (or '{name}:accountName') for managed identity.");
    }
}
