using System.Text.Json;
using Moderation.Cli.Commands;
using Moderation.Llm.Tests.Fakes;

namespace Moderation.Llm.Tests;

public sealed class LlmEvaluateCommandTests : IAsyncLifetime
{
    private const string Fixture = """
        text,label
        "WIN a free cruise, call 09061701461 now",spam
        "Are you free on Tuesday?",ham
        "CLAIM your prize: text WIN to 80082",spam
        "Thanks, the tap works again",ham
        """;

    private readonly TempDirectory temp = new();
    private FakeChatEndpoint endpoint = null!;

    public async Task InitializeAsync()
    {
        endpoint = await FakeChatEndpoint.StartAsync();

        // A fake model that calls anything mentioning WIN spam, with high confidence, and everything else clean.
        endpoint.AnswerFor = request => FakeChatEndpoint.MessageText(request).Contains("WIN", StringComparison.Ordinal)
            ? """{"category":"spam","confidence":0.97,"rationale":"Prize spam.","evidence":["WIN"]}"""
            : """{"category":"clean","confidence":0.9,"rationale":"Ordinary talk.","evidence":[]}""";
    }

    public async Task DisposeAsync()
    {
        await endpoint.DisposeAsync();
        temp.Dispose();
    }

    [Fact]
    public async Task Evaluating_a_labeled_file_reports_auc_precision_recall_tokens_and_cost_per_thousand()
    {
        var file = temp.File("labeled.csv", Fixture);
        var json = temp.File("report.json");
        var output = new StringWriter();

        var exit = await new LlmEvaluateCommand(output, new StringWriter())
            .RunAsync(["--file", file, "--config", SettingsFile(), "--concurrency", "2", "--json", json], CancellationToken.None);

        Assert.Equal(0, exit);
        Assert.Equal(4, endpoint.Requests.Count);
        using var report = JsonDocument.Parse(File.ReadAllText(json));
        var root = report.RootElement;
        Assert.Equal(4, root.GetProperty("classified").GetInt32());
        Assert.Equal(0, root.GetProperty("failures").GetInt32());
        Assert.Equal(1.0, root.GetProperty("rocAuc").GetDouble());
        Assert.Equal(1.0, root.GetProperty("precision").GetDouble());
        Assert.Equal(1.0, root.GetProperty("recall").GetDouble());
        Assert.Equal(4 * 800, root.GetProperty("inputTokens").GetInt64());
        Assert.Equal(4 * 40, root.GetProperty("outputTokens").GetInt64());

        // Per message: 800 x 0.15 / 1K + 40 x 0.60 / 1K = 0.144 USD, so 144 USD per 1,000 messages.
        Assert.Equal(0.576m, root.GetProperty("totalCostUsd").GetDecimal());
        Assert.Equal(144m, root.GetProperty("costPer1000MessagesUsd").GetDecimal());
        Assert.Contains("per 1,000 messages", output.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Failed_classifications_are_counted_and_kept_out_of_the_metrics()
    {
        var file = temp.File("labeled.csv", Fixture);
        var json = temp.File("report.json");
        endpoint.AnswerFor = request => FakeChatEndpoint.MessageText(request).StartsWith("Thanks", StringComparison.Ordinal)
            ? "not json"
            : """{"category":"clean","confidence":0.6,"rationale":"Unsure.","evidence":[]}""";

        var exit = await new LlmEvaluateCommand(new StringWriter(), new StringWriter())
            .RunAsync(["--file", file, "--config", SettingsFile(), "--attempts", "2", "--json", json], CancellationToken.None);

        Assert.Equal(0, exit);
        using var report = JsonDocument.Parse(File.ReadAllText(json));
        Assert.Equal(3, report.RootElement.GetProperty("classified").GetInt32());
        Assert.Equal(1, report.RootElement.GetProperty("failures").GetInt32());
        Assert.Equal(0.0, report.RootElement.GetProperty("recall").GetDouble());
        // The invalid answer is retried once (--attempts 2): 3 good requests + 2 for the failing message.
        Assert.Equal(5, endpoint.Requests.Count);
    }

    [Fact]
    public async Task Without_a_configured_provider_the_command_fails_and_says_what_to_set()
    {
        var file = temp.File("labeled.csv", Fixture);
        var errors = new StringWriter();

        var exit = await new LlmEvaluateCommand(new StringWriter(), errors)
            .RunAsync(["--file", file, "--config", temp.File("empty.json", "{}")], CancellationToken.None);

        Assert.Equal(1, exit);
        Assert.Contains("Provider", errors.ToString(), StringComparison.Ordinal);
        Assert.Empty(endpoint.Requests);
    }

    [Theory]
    [InlineData("--limit", "0")]
    [InlineData("--bogus", "1")]
    public async Task Bad_arguments_are_a_usage_error(string name, string value)
    {
        var exit = await new LlmEvaluateCommand(new StringWriter(), new StringWriter())
            .RunAsync(["--file", temp.File("x.csv", Fixture), name, value], CancellationToken.None);

        Assert.Equal(2, exit);
    }

    [SharedDataFact]
    public async Task The_public_test_split_can_be_evaluated_with_a_limit()
    {
        var json = temp.File("report.json");

        var exit = await new LlmEvaluateCommand(new StringWriter(), new StringWriter())
            .RunAsync(["--public", "--data", TestEnvironment.SharedDataDirectory!, "--limit", "12", "--config", SettingsFile(), "--json", json], CancellationToken.None);

        Assert.Equal(0, exit);
        Assert.Equal(12, endpoint.Requests.Count);
        using var report = JsonDocument.Parse(File.ReadAllText(json));
        Assert.Equal(12, report.RootElement.GetProperty("messages").GetInt32());
    }

    private string SettingsFile() => temp.File("settings.json", JsonSerializer.Serialize(new
    {
        Moderation = new
        {
            Llm = new
            {
                Provider = "AzureOpenAI",
                Endpoint = endpoint.BaseAddress.ToString(),
                Deployment = Classifiers.Deployment,
                ApiKey = Classifiers.Key,
                RequestTimeout = "00:00:05",
                InputCostPer1KTokens = 0.15,
                OutputCostPer1KTokens = 0.60,
            },
        },
    }));
}
