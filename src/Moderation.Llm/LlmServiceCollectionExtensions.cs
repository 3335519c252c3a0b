using Azure.Core;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Moderation.Core.Classification;
using Moderation.Llm.Classification;
using Moderation.Llm.Configuration;

namespace Moderation.Llm;

public static class LlmServiceCollectionExtensions
{
    /// <summary>
    /// Registers the LLM classifier (<see cref="ILlmClassifier"/>) from <c>Moderation:Llm</c>, validated at start-up
    /// (settings and the prompt template). Authenticates with a <see cref="TokenCredential"/> registered in the container
    /// if there is one, else with DefaultAzureCredential; an API key in the settings takes precedence.
    /// </summary>
    public static IServiceCollection AddModerationLlm(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<LlmOptions>()
            .Bind(configuration.GetSection(LlmOptions.SectionName))
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<LlmOptions>, LlmOptionsValidator>());
        services.AddSingleton<ILlmClassifier>(sp => LlmClassifierFactory.Create(
            sp.GetRequiredService<IOptions<LlmOptions>>().Value,
            sp.GetService<ILoggerFactory>() ?? NullLoggerFactory.Instance,
            sp.GetService<TokenCredential>()));
        return services;
    }
}
