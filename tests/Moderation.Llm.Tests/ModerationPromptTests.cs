using Moderation.Core.Policy;
using Moderation.Llm.Configuration;
using Moderation.Llm.Prompting;

namespace Moderation.Llm.Tests;

public sealed class ModerationPromptTests
{
    private static readonly string ShippedPath = new LlmOptions().ResolvedPromptPath;

    [Fact]
    public void The_shipped_prompt_is_valid_and_defines_every_category()
    {
        var template = File.ReadAllText(ShippedPath);

        Assert.Empty(ModerationPrompt.Validate(template));
        var prompt = ModerationPrompt.Parse(template, ShippedPath);
        foreach (var category in PolicyCategories.All)
        {
            Assert.Contains("### " + category.WireName() + "\n", prompt.SystemPrompt, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Rendering_fills_the_placeholders_and_drops_editor_comments()
    {
        var prompt = ModerationPrompt.Load(ShippedPath);

        Assert.DoesNotContain("{{", prompt.SystemPrompt, StringComparison.Ordinal);
        Assert.DoesNotContain("<!--", prompt.SystemPrompt, StringComparison.Ordinal);
        Assert.Contains(string.Join(", ", PolicyCategories.All.Select(c => c.WireName())), prompt.SystemPrompt, StringComparison.Ordinal);
    }

    [Fact]
    public void Version_is_twelve_hex_digits_of_the_content_hash_and_changes_with_any_edit()
    {
        var template = File.ReadAllText(ShippedPath);
        var original = ModerationPrompt.Parse(template, "a");
        var again = ModerationPrompt.Parse(template.Replace("\n", "\r\n", StringComparison.Ordinal), "b");
        var edited = ModerationPrompt.Parse(template.Replace("-> clean", "-> clean ", StringComparison.Ordinal), "c");

        Assert.Matches("^[0-9a-f]{12}$", original.Version);
        Assert.Equal(original.Version, again.Version);
        Assert.NotEqual(original.Version, edited.Version);
    }

    [Theory]
    [InlineData("{{categories}}", "Placeholder {{categories}} is missing.")]
    [InlineData("{{input_format}}", "Placeholder {{input_format}} is missing.")]
    [InlineData("### spam\n", "Category 'spam' has no")]
    public void A_template_missing_a_placeholder_or_a_category_is_rejected(string removed, string problem)
    {
        var template = File.ReadAllText(ShippedPath).Replace(removed, string.Empty, StringComparison.Ordinal);

        Assert.Contains(ModerationPrompt.Validate(template), p => p.StartsWith(problem, StringComparison.Ordinal));
        var ex = Assert.Throws<InvalidOperationException>(() => ModerationPrompt.Parse(template, "edited.prompt.md"));
        Assert.Contains("edited.prompt.md", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_category_heading_outside_the_taxonomy_or_an_unknown_placeholder_is_rejected()
    {
        var template = File.ReadAllText(ShippedPath) + "\n### rudeness\nBeing rude.\n{{tone}}\n";

        var problems = ModerationPrompt.Validate(template);

        Assert.Contains(problems, p => p.Contains("\"### rudeness\" is not a category", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("Unknown placeholder {{tone}}", StringComparison.Ordinal));
    }

    [Fact]
    public void A_missing_template_file_is_reported_with_its_path()
    {
        var ex = Assert.Throws<InvalidOperationException>(() => ModerationPrompt.Load("/nonexistent/moderation.prompt.md"));

        Assert.Contains("/nonexistent/moderation.prompt.md", ex.Message, StringComparison.Ordinal);
    }
}
