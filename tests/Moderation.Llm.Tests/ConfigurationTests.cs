using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Moderation.Core.Classification;
using Moderation.Llm.Classification;
using Moderation.Llm.Configuration;
using Moderation.Llm.Costs;

namespace Moderation.Llm.Tests;

public sealed class ConfigurationTests
{
    [Fact]
    public void ToString_never_includes_the_api_key()
    {
        var options = new LlmOptions { Provider = LlmProvider.AzureOpenAI, Endpoint = "https://x.openai.azure.com/", Deployment = "d", ApiKey = "super-secret-key" };

        Assert.DoesNotContain("super-secret-key", options.ToString(), StringComparison.Ordinal);
        Assert.Contains("api-key", options.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Provider_none_needs_no_other_setting()
    {
        Assert.True(new LlmOptionsValidator().Validate(null, new LlmOptions()).Succeeded);
    }

    [Fact]
    public void Invalid_azure_settings_are_all_reported()
    {
        var options = new LlmOptions
        {
            Provider = LlmProvider.AzureOpenAI,
            Endpoint = "not a url",
            ApiVersion = "2023-01-01",
            RequestTimeout = TimeSpan.Zero,
            MaxOutputTokens = 2,
            Temperature = 3,
            InputCostPer1KTokens = -1,
            PromptPath = "/nonexistent/prompt.md",
        };

        var result = new LlmOptionsValidator().Validate(null, options);

        Assert.True(result.Failed);
        foreach (var setting in new[] { "Endpoint", "Deployment", "ApiVersion", "RequestTimeout", "MaxOutputTokens", "Temperature", "InputCostPer1KTokens", "PromptPath" })
        {
            Assert.Contains(result.Failures!, f => f.StartsWith(setting, StringComparison.Ordinal));
        }
    }

    [Fact]
    public void Start_up_validation_rejects_a_provider_without_endpoint()
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["Moderation:Llm:Provider"] = "AzureOpenAI", ["Moderation:Llm:Deployment"] = "d" })
            .Build();
        using var provider = new ServiceCollection().AddModerationLlm(configuration).BuildServiceProvider();

        var ex = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IStartupValidator>().Validate());

        Assert.Contains(ex.Failures, f => f.StartsWith("Endpoint", StringComparison.Ordinal));
    }

    [Fact]
    public void Configuration_binds_every_setting_and_registers_the_chat_model_classifier()
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["Moderation:Llm:Provider"] = "OpenAICompatible",
                ["Moderation:Llm:Endpoint"] = "http://127.0.0.1:11434/v1",
                ["Moderation:Llm:Deployment"] = "llama3.1:8b",
                ["Moderation:Llm:RequestTimeout"] = "00:00:12",
                ["Moderation:Llm:MaxOutputTokens"] = "300",
                ["Moderation:Llm:Temperature"] = "0.2",
                ["Moderation:Llm:InputCostPer1KTokens"] = "0.0005",
                ["Moderation:Llm:OutputCostPer1KTokens"] = "0.0015",
            })
            .Build();
        using var provider = new ServiceCollection().AddModerationLlm(configuration).BuildServiceProvider();

        provider.GetRequiredService<IStartupValidator>().Validate();
        var options = provider.GetRequiredService<IOptions<LlmOptions>>().Value;
        var classifier = provider.GetRequiredService<ILlmClassifier>();

        Assert.Equal(TimeSpan.FromSeconds(12), options.RequestTimeout);
        Assert.Equal(300, options.MaxOutputTokens);
        Assert.Equal(0.2f, options.Temperature);
        Assert.Equal(0.0015m, options.OutputCostPer1KTokens);
        Assert.Equal("llama3.1:8b", Assert.IsType<ChatModelClassifier>(classifier).Model);
    }

    [Fact]
    public void Unset_provider_registers_the_not_configured_classifier()
    {
        using var provider = new ServiceCollection().AddModerationLlm(new ConfigurationBuilder().Build()).BuildServiceProvider();

        Assert.IsType<NotConfiguredClassifier>(provider.GetRequiredService<ILlmClassifier>());
    }

    [Fact]
    public void Pricing_charges_input_and_output_tokens_at_their_own_rates()
    {
        var usage = new TokenPricing(0.15m, 0.60m).Price(2000, 100);

        Assert.Equal(0.36m, usage.EstimatedCostUsd);
        Assert.Equal(2100, usage.TotalTokens);
    }

    [Fact]
    public void Usage_tally_reports_cost_per_thousand_messages()
    {
        var tally = new LlmUsageTally();
        tally.Add(new TokenUsage(800, 40, 0.0010m));
        tally.Add(new TokenUsage(900, 60, 0.0030m));

        var summary = tally.Summarize();

        Assert.Equal(2, summary.Messages);
        Assert.Equal(1800, summary.TotalTokens);
        Assert.Equal(0.0040m, summary.TotalCostUsd);
        Assert.Equal(2.0m, summary.CostPer1000MessagesUsd);
    }
}
