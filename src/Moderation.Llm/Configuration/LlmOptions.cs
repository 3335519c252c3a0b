namespace Moderation.Llm.Configuration;

/// <summary>Which service answers classification requests.</summary>
public enum LlmProvider
{
    /// <summary>No LLM: every suspicious message goes to human review.</summary>
    None = 0,

    /// <summary>An Azure OpenAI resource; the deployment may be a base or a fine-tuned model.</summary>
    AzureOpenAI,

    /// <summary>Any endpoint speaking the OpenAI chat completions API (OpenAI itself, Ollama, vLLM, LM Studio).</summary>
    OpenAICompatible,
}

/// <summary>The LLM tier's settings, bound from <c>Moderation:Llm</c> and validated at start-up.</summary>
public sealed class LlmOptions
{
    public const string SectionName = "Moderation:Llm";

    /// <summary>The Azure OpenAI data-plane API versions the client library supports.</summary>
    public static IReadOnlyList<string> SupportedAzureApiVersions { get; } = ["2024-10-21"];

    public LlmProvider Provider { get; set; } = LlmProvider.None;

    /// <summary>
    /// Azure: the resource endpoint (https://name.openai.azure.com/). OpenAI-compatible: the API base including
    /// its version segment (https://api.openai.com/v1, http://localhost:11434/v1).
    /// </summary>
    public string? Endpoint { get; set; }

    /// <summary>Azure: the deployment name (a fine-tuned deployment is just another name). OpenAI-compatible: the model name.</summary>
    public string? Deployment { get; set; }

    /// <summary>Azure OpenAI data-plane API version; one of <see cref="SupportedAzureApiVersions"/>.</summary>
    public string ApiVersion { get; set; } = "2024-10-21";

    /// <summary>
    /// Azure: leave empty to authenticate with managed identity (DefaultAzureCredential); set only where keys are unavoidable.
    /// OpenAI-compatible: the bearer key (local servers usually ignore it). Never logged.
    /// </summary>
    public string? ApiKey { get; set; }

    /// <summary>Client id of a user-assigned managed identity; empty for the system-assigned one.</summary>
    public string? ManagedIdentityClientId { get; set; }

    /// <summary>How long one classification request may take before it counts as a transient failure.</summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Most tokens (o200k encoding, counted before the call) the preceding messages of the conversation may take in
    /// the prompt; the oldest are left out first. 0: classify without context.
    /// </summary>
    public int MaxContextTokens { get; set; } = 1000;

    /// <summary>Cap on the answer's length; a verdict is a few dozen tokens, so hitting it means the answer went astray.</summary>
    public int MaxOutputTokens { get; set; } = 400;

    /// <summary>Sampling temperature; 0 for the most repeatable verdicts.</summary>
    public float Temperature { get; set; }

    /// <summary>Price per 1,000 input (prompt) tokens in USD, for cost accounting.</summary>
    public decimal InputCostPer1KTokens { get; set; }

    /// <summary>Price per 1,000 output (completion) tokens in USD, for cost accounting.</summary>
    public decimal OutputCostPer1KTokens { get; set; }

    /// <summary>The prompt template file; empty for the one shipped beside the binaries (Prompts/moderation.prompt.md).</summary>
    public string? PromptPath { get; set; }

    /// <summary>The prompt path actually used: the configured one, or the shipped default.</summary>
    public string ResolvedPromptPath =>
        PromptPath is { Length: > 0 } path ? Path.GetFullPath(path) : Path.Combine(AppContext.BaseDirectory, "Prompts", "moderation.prompt.md");

    /// <summary>For logs and diagnostics: never includes the key.</summary>
    public override string ToString() =>
        $"Provider={Provider}, Endpoint={Endpoint}, Deployment={Deployment}, ApiVersion={ApiVersion}, " +
        $"Auth={(ApiKey is { Length: > 0 } ? "api-key" : "managed identity")}, RequestTimeout={RequestTimeout}, " +
        $"MaxOutputTokens={MaxOutputTokens}, Temperature={Temperature}, Prompt={ResolvedPromptPath}";
}
