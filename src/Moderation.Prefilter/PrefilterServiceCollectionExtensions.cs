using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Moderation.Core.Conversations;
using Moderation.Core.Screening;
using Moderation.Prefilter.Model;
using Moderation.Prefilter.Rules;

namespace Moderation.Prefilter;

public static class PrefilterServiceCollectionExtensions
{
    /// <summary>
    /// Registers tier one: <see cref="PrefilterOptions"/> (<c>Moderation:Prefilter</c>, validated at start-up), the
    /// ONNX model as a singleton (loaded once, shared by every caller), the rule screen with the configured blocklist
    /// <see cref="IMessagePrefilter"/>, and the rule screen as <see cref="ITextRuleScreen"/> for text joined across messages. An <see cref="IPrefilterModel"/> registered earlier (a team's own model,
    /// or a test's fake) is kept.
    /// </summary>
    public static IServiceCollection AddModerationPrefilter(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<PrefilterOptions>()
            .Bind(configuration.GetSection(PrefilterOptions.SectionName))
            .ValidateOnStart();
        var ownModel = services.Any(d => d.ServiceType == typeof(IPrefilterModel));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<PrefilterOptions>>(new PrefilterOptionsValidator(requireModelDirectory: !ownModel)));
        services.TryAddSingleton<IPrefilterModel>(provider =>
        {
            var options = provider.GetRequiredService<IOptions<PrefilterOptions>>().Value;
            return OnnxPrefilterModel.Load(options.ResolveModelDirectory(), options.ModelThreads);
        });
        services.TryAddSingleton(provider =>
        {
            var options = provider.GetRequiredService<IOptions<PrefilterOptions>>().Value;
            return new RuleScreen(options.Blocklist, options.FlaggedLinkDomains);
        });
        services.TryAddSingleton<ITextRuleScreen>(provider => provider.GetRequiredService<RuleScreen>());
        services.TryAddSingleton<IMessagePrefilter, RuleAndModelPrefilter>();
        return services;
    }
}
