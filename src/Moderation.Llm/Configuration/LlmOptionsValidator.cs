using Microsoft.Extensions.Options;
using Moderation.Llm.Prompting;

namespace Moderation.Llm.Configuration;

/// <summary>Rejects LLM settings that could only fail later, on the first suspicious message: checked at start-up.</summary>
public sealed class LlmOptionsValidator : IValidateOptions<LlmOptions>
{
    public static readonly TimeSpan MaxRequestTimeout = TimeSpan.FromMinutes(5);

    public ValidateOptionsResult Validate(string? name, LlmOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (!Enum.IsDefined(options.Provider))
        {
            return ValidateOptionsResult.Fail($"Provider must be one of {string.Join(", ", Enum.GetNames<LlmProvider>())}.");
        }

        if (options.Provider == LlmProvider.None)
        {
            return ValidateOptionsResult.Success;
        }

        var failures = new List<string>();
        if (!Uri.TryCreate(options.Endpoint, UriKind.Absolute, out var endpoint) || endpoint.Scheme is not ("https" or "http"))
        {
            failures.Add("Endpoint must be an absolute http(s) URL.");
        }

        if (string.IsNullOrWhiteSpace(options.Deployment))
        {
            failures.Add(options.Provider == LlmProvider.AzureOpenAI ? "Deployment (the Azure OpenAI deployment name) is required." : "Deployment (the model name) is required.");
        }

        if (options.Provider == LlmProvider.AzureOpenAI && !LlmOptions.SupportedAzureApiVersions.Contains(options.ApiVersion))
        {
            failures.Add($"ApiVersion must be one of {string.Join(", ", LlmOptions.SupportedAzureApiVersions)} (was '{options.ApiVersion}').");
        }

        if (options.RequestTimeout <= TimeSpan.Zero || options.RequestTimeout > MaxRequestTimeout)
        {
            failures.Add($"RequestTimeout must be positive and at most {MaxRequestTimeout} (was {options.RequestTimeout}).");
        }

        if (options.MaxContextTokens is < 0 or > 100_000)
        {
            failures.Add($"MaxContextTokens must be between 0 and 100000 (was {options.MaxContextTokens}).");
        }

        if (options.MaxOutputTokens is < 16 or > 16_384)
        {
            failures.Add($"MaxOutputTokens must be between 16 and 16384 (was {options.MaxOutputTokens}).");
        }

        if (float.IsNaN(options.Temperature) || options.Temperature is < 0 or > 2)
        {
            failures.Add($"Temperature must be between 0 and 2 (was {options.Temperature}).");
        }

        if (options.InputCostPer1KTokens < 0 || options.OutputCostPer1KTokens < 0)
        {
            failures.Add("InputCostPer1KTokens and OutputCostPer1KTokens cannot be negative.");
        }

        try
        {
            _ = ModerationPrompt.Load(options.ResolvedPromptPath);
        }
        catch (Exception ex) when (ex is InvalidOperationException or IOException or UnauthorizedAccessException)
        {
            failures.Add($"PromptPath: {ex.Message}");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
