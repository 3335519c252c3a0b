using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Moderation.Core.Screening;
using Moderation.Prefilter.Model;
using Moderation.Prefilter.Rules;

namespace Moderation.Prefilter.Tests;

public sealed class PrefilterRegistrationTests
{
    private static IConfiguration Configuration(params (string Key, string? Value)[] settings) =>
        new ConfigurationBuilder().AddInMemoryCollection(settings.Select(s => KeyValuePair.Create(s.Key, s.Value))).Build();

    [Fact]
    public async Task Configured_blocklist_and_a_team_model_are_used_by_the_registered_prefilter()
    {
        var services = new ServiceCollection();
        services.AddSingleton<IPrefilterModel>(new FakePrefilterModel());
        services.AddModerationPrefilter(Configuration(("Moderation:Prefilter:Blocklist:0", "scamword"), ("Moderation:Prefilter:MaxBatchSize", "8")));
        await using var provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true });

        var prefilter = provider.GetRequiredService<IMessagePrefilter>();
        Assert.IsType<RuleAndModelPrefilter>(prefilter);
        Assert.Same(provider.GetRequiredService<IPrefilterModel>(), provider.GetRequiredService<IPrefilterModel>());
        Assert.Equal(8, provider.GetRequiredService<IOptions<PrefilterOptions>>().Value.MaxBatchSize);
        Assert.Single(provider.GetRequiredService<RuleScreen>().Screen("a ScamWord"));
    }

    [Theory]
    [InlineData("Moderation:Prefilter:MaxBatchSize", "0", "MaxBatchSize")]
    [InlineData("Moderation:Prefilter:ModelThreads", "-1", "ModelThreads")]
    [InlineData("Moderation:Prefilter:Blocklist:0", " ", "Blocklist:0")]
    public async Task Invalid_settings_fail_at_start_up_naming_the_setting(string key, string value, string named)
    {
        var services = new ServiceCollection();
        services.AddSingleton<IPrefilterModel>(new FakePrefilterModel());
        services.AddModerationPrefilter(Configuration((key, value)));
        await using var provider = services.BuildServiceProvider();

        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<PrefilterOptions>>().Value);
        Assert.Contains(named, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_model_directory_without_a_manifest_fails_at_start_up()
    {
        var missing = Path.Combine(Path.GetTempPath(), "no-model-" + Guid.NewGuid().ToString("N"));
        var services = new ServiceCollection();
        services.AddModerationPrefilter(Configuration(("Moderation:Prefilter:ModelDirectory", missing)));
        await using var provider = services.BuildServiceProvider();

        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<PrefilterOptions>>().Value);
        Assert.Contains(PrefilterModelManifest.FileName, error.Message, StringComparison.Ordinal);
        Assert.Contains(missing, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_default_model_directory_is_the_shipped_one_and_relative_paths_follow_the_app()
    {
        Assert.Equal(OnnxPrefilterModel.DefaultDirectory, new PrefilterOptions().ResolveModelDirectory());
        Assert.Equal(
            Path.Combine(AppContext.BaseDirectory, "custom", "model"),
            new PrefilterOptions { ModelDirectory = Path.Combine("custom", "model") }.ResolveModelDirectory());
    }
}
