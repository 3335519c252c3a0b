using System.Collections;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;
using Moderation.Storage;

namespace Moderation.Cli.Commands;

/// <summary>
/// Storage settings for the CLI's storage commands, from the environment as the hosts read them:
/// <c>ModerationStorage</c> (or <c>ModerationStorage__queueServiceUri</c> etc. for managed identity),
/// <c>Moderation__Storage__*</c> for names, and <c>MODERATION_STORAGE_CONNECTION</c> as the local fallback.
/// Connection strings are never taken on the command line, where shell history would keep them.
/// </summary>
internal static class StorageCommandConfiguration
{
    public static (StorageConnection Connection, StorageOptions Options) FromEnvironment()
    {
        var values = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        foreach (DictionaryEntry entry in Environment.GetEnvironmentVariables())
        {
            values[((string)entry.Key).Replace("__", ":", StringComparison.Ordinal)] = entry.Value as string;
        }

        if (!values.Keys.Any(k => k.Equals(StorageConnection.Name, StringComparison.OrdinalIgnoreCase) || k.StartsWith(StorageConnection.Name + ":", StringComparison.OrdinalIgnoreCase))
            && values.TryGetValue(StorageConnection.EnvironmentVariable, out var local) && !string.IsNullOrEmpty(local))
        {
            values[StorageConnection.Name] = local;
        }

        var configuration = new ConfigurationBuilder().AddInMemoryCollection(values).Build();
        var options = new StorageOptions();
        configuration.GetSection(StorageOptions.SectionName).Bind(options);
        var validation = new StorageOptionsValidator().Validate(null, options);
        if (validation.Failed)
        {
            throw new OptionsValidationException(StorageOptions.SectionName, typeof(StorageOptions), validation.Failures);
        }

        return (StorageConnection.FromConfiguration(configuration), options);
    }
}
