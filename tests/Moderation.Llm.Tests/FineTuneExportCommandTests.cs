using System.Text.Json;
using Moderation.Cli.Commands;
using Moderation.Core.Messages;
using Moderation.Core.Policy;
using Moderation.Llm.Configuration;
using Moderation.Llm.Prompting;
using Moderation.Llm.Tests.Fakes;

namespace Moderation.Llm.Tests;

public sealed class FineTuneExportCommandTests : IDisposable
{
    private const string Fixture = """
        text,category
        "Text me on 07700 900123 instead",off_platform_contact
        "See you Tuesday",clean
        "you are a joke",offensive
        "ambiguous row",1
        """;

    private readonly TempDirectory temp = new();

    public void Dispose() => temp.Dispose();

    [Fact]
    public async Task Export_writes_system_user_assistant_lines_in_the_classifier_format_and_skips_binary_labels()
    {
        var output = new StringWriter();
        var outPath = temp.File("train.jsonl");

        var exit = await new FineTuneExportCommand(output, new StringWriter())
            .RunAsync(["--file", temp.File("labeled.csv", Fixture), "--out", outPath], CancellationToken.None);

        Assert.Equal(0, exit);
        var prompt = ModerationPrompt.Load(new LlmOptions().ResolvedPromptPath);
        var lines = File.ReadAllLines(outPath);
        Assert.Equal(3, lines.Length);
        var expected = new[] { ("Text me on 07700 900123 instead", PolicyCategory.OffPlatformContact), ("See you Tuesday", PolicyCategory.Clean), ("you are a joke", PolicyCategory.Harassment) };
        foreach (var (line, (text, category)) in lines.Zip(expected))
        {
            using var document = JsonDocument.Parse(line);
            var messages = document.RootElement.GetProperty("messages").EnumerateArray().ToArray();
            Assert.Equal(["system", "user", "assistant"], messages.Select(m => m.GetProperty("role").GetString()));
            Assert.Equal(prompt.SystemPrompt, messages[0].GetProperty("content").GetString());
            Assert.Equal(ClassificationContract.EncodeUserMessage(text, ParticipantRole.Unknown, ParticipantRole.Unknown), messages[1].GetProperty("content").GetString());
            var answer = ClassificationContract.ParseAnswer(messages[2].GetProperty("content").GetString(), text);
            Assert.Equal(category, answer.Category);
            Assert.Equal(0.95, answer.Confidence);
        }

        Assert.Contains("skipped", output.ToString(), StringComparison.Ordinal);
        Assert.Contains(prompt.Version, output.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Exported_conversation_is_exactly_what_the_classifier_sends_at_inference()
    {
        await using var endpoint = await FakeChatEndpoint.StartAsync();
        const string text = "Text me on 07700 900123 \"now\"";
        var outPath = temp.File("train.jsonl");
        await new FineTuneExportCommand(new StringWriter(), new StringWriter())
            .RunAsync(["--file", temp.File("one.jsonl", JsonSerializer.Serialize(new { text, category = "off_platform_contact" }) + "\n"), "--out", outPath], CancellationToken.None);
        var classifier = Classifiers.Create(Classifiers.AzureOptions(endpoint));

        await classifier.ClassifyAsync(
            new ChatMessage("m", "c", "s", ParticipantRole.Unknown, "r", ParticipantRole.Unknown, text, DateTimeOffset.UnixEpoch),
            CancellationToken.None);

        using var exported = JsonDocument.Parse(File.ReadAllLines(outPath).Single());
        using var sent = Assert.Single(endpoint.Requests).Json();
        for (var i = 0; i < 2; i++)
        {
            Assert.Equal(
                exported.RootElement.GetProperty("messages")[i].GetProperty("content").GetString(),
                sent.RootElement.GetProperty("messages")[i].GetProperty("content").GetString());
        }
    }

    [Fact]
    public async Task An_edited_prompt_template_is_used_for_the_system_turn()
    {
        var template = File.ReadAllText(new LlmOptions().ResolvedPromptPath).Replace("services marketplace", "tutoring marketplace", StringComparison.Ordinal);
        var promptPath = temp.File("edited.prompt.md", template);
        var outPath = temp.File("train.jsonl");

        var exit = await new FineTuneExportCommand(new StringWriter(), new StringWriter())
            .RunAsync(["--file", temp.File("labeled.csv", Fixture), "--out", outPath, "--prompt", promptPath], CancellationToken.None);

        Assert.Equal(0, exit);
        using var document = JsonDocument.Parse(File.ReadAllLines(outPath)[0]);
        Assert.Contains("tutoring marketplace", document.RootElement.GetProperty("messages")[0].GetProperty("content").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_file_whose_labels_name_no_category_fails()
    {
        var errors = new StringWriter();

        var exit = await new FineTuneExportCommand(new StringWriter(), errors)
            .RunAsync(["--file", temp.File("binary.csv", "text,category\nhello,1\nbye,1\n"), "--out", temp.File("train.jsonl")], CancellationToken.None);

        Assert.Equal(1, exit);
        Assert.Contains("no row has a label that names a category", errors.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Missing_out_is_a_usage_error()
    {
        var exit = await new FineTuneExportCommand(new StringWriter(), new StringWriter())
            .RunAsync(["--file", temp.File("labeled.csv", Fixture)], CancellationToken.None);

        Assert.Equal(2, exit);
    }
}
