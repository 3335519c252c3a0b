using Microsoft.Extensions.Configuration;

namespace Moderation.Llm.Configuration;

/// <summary>
/// Where command-line tools read the <c>Moderation:Llm</c> settings from, later sources winning: appsettings.json in
/// the working directory, an explicit settings file, then environment variables (<c>Moderation__Llm__ApiKey</c>), so a
/// key never has to be written to a file or typed on a command line.
/// </summary>
public static class LlmSettingsSources
{
    public static IConfiguration Build(string? settingsFile = null, string? workingDirectory = null)
    {
        var directory = workingDirectory ?? Directory.GetCurrentDirectory();
        var builder = new ConfigurationBuilder()
            .AddJsonFile(Path.Combine(directory, "appsettings.json"), optional: true, reloadOnChange: false);
        if (settingsFile is { Length: > 0 })
        {
            var path = Path.GetFullPath(settingsFile, directory);
            if (!File.Exists(path))
            {
                throw new FileNotFoundException($"The settings file '{path}' does not exist.", path);
            }

            builder.AddJsonFile(path, optional: false, reloadOnChange: false);
        }

        return builder.AddEnvironmentVariables().Build();
    }

    /// <summary>Binds <c>Moderation:Llm</c> from <paramref name="configuration"/> (unvalidated; the classifier factory validates).</summary>
    public static LlmOptions BindOptions(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var options = new LlmOptions();
        configuration.GetSection(LlmOptions.SectionName).Bind(options);
        return options;
    }
}
