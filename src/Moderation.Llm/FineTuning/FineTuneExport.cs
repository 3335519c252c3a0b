using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Moderation.Core.Messages;
using Moderation.Core.Policy;
using Moderation.Llm.Prompting;

namespace Moderation.Llm.FineTuning;

/// <summary>One labeled message for fine-tuning: the text and the category a reviewer gave it.</summary>
public sealed record FineTuneExample(string Text, PolicyCategory Category);

/// <summary>
/// Writes chat fine-tuning JSONL (<c>{"messages":[system, user, assistant]}</c>) with exactly the system prompt, user-turn
/// encoding and answer schema the classifier uses at inference, so the tuned deployment answers the way it is asked.
/// </summary>
public static class FineTuneExport
{
    /// <summary>The confidence the target answers state. Below 1 so the tuned model keeps ranking by confidence.</summary>
    public const double DefaultTargetConfidence = 0.95;

    /// <summary>Label spellings found in labeled data that name a taxonomy category under another name.</summary>
    public static IReadOnlyDictionary<string, PolicyCategory> LabelAliases { get; } = new Dictionary<string, PolicyCategory>(StringComparer.OrdinalIgnoreCase)
    {
        ["ham"] = PolicyCategory.Clean,
        ["neither"] = PolicyCategory.Clean,
        ["none"] = PolicyCategory.Clean,
        ["ok"] = PolicyCategory.Clean,
        ["0"] = PolicyCategory.Clean,
        ["false"] = PolicyCategory.Clean,
        ["offensive"] = PolicyCategory.Harassment,
        ["abusive"] = PolicyCategory.Harassment,
        ["scam"] = PolicyCategory.ScamPhishing,
        ["phishing"] = PolicyCategory.ScamPhishing,
        ["hate_speech"] = PolicyCategory.Hate,
    };

    // Fine-tuning files are read by tools, not browsers: keep non-ASCII text readable, as in the requests themselves.
    private static readonly JsonWriterOptions LineOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>The category a label names (wire name, enum name or a known alias); false for binary labels such as "1".</summary>
    public static bool TryMapLabel(string? label, out PolicyCategory category)
    {
        var value = label?.Trim();
        if (PolicyCategories.TryParseWireName(value, out category))
        {
            return true;
        }

        return LabelAliases.TryGetValue(value ?? string.Empty, out category);
    }

    /// <summary>The assistant turn's one-sentence rationale for a label with no written rationale.</summary>
    public static string RationaleFor(PolicyCategory category) => category switch
    {
        PolicyCategory.Clean => "The message is ordinary conversation with no policy violation.",
        PolicyCategory.OffPlatformContact => "The message moves contact or payment off the platform.",
        PolicyCategory.JobSeeking => "The message uses the chat to look for work or to recruit.",
        PolicyCategory.PartnershipSolicitation => "The message solicits a partnership or business unrelated to the request.",
        PolicyCategory.ScamPhishing => "The message tries to defraud the recipient or obtain payment or account details.",
        PolicyCategory.Harassment => "The message insults or abuses the recipient.",
        PolicyCategory.Threat => "The message threatens violence or harm.",
        PolicyCategory.Hate => "The message attacks people for a protected characteristic.",
        PolicyCategory.Sexual => "The message contains sexual content or solicitation.",
        PolicyCategory.Spam => "The message is unsolicited bulk or promotional content.",
        _ => throw new ArgumentOutOfRangeException(nameof(category), category, "Not a policy category."),
    };

    /// <summary>One JSONL line for one example.</summary>
    public static string ToJsonLine(ModerationPrompt prompt, FineTuneExample example, double targetConfidence = DefaultTargetConfidence)
    {
        ArgumentNullException.ThrowIfNull(prompt);
        ArgumentNullException.ThrowIfNull(example);
        ArgumentOutOfRangeException.ThrowIfLessThan(targetConfidence, 0.0);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(targetConfidence, 1.0);

        // Reviewer labels carry no roles, so the user turn says "unknown", exactly as inference does for unknown roles.
        var user = ClassificationContract.EncodeUserMessage(example.Text, ParticipantRole.Unknown, ParticipantRole.Unknown);
        var answer = ClassificationContract.EncodeAnswer(new ClassifierAnswer(example.Category, targetConfidence, RationaleFor(example.Category), []));

        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, LineOptions))
        {
            writer.WriteStartObject();
            writer.WriteStartArray("messages");
            foreach (var (role, content) in new[] { ("system", prompt.SystemPrompt), ("user", user), ("assistant", answer) })
            {
                writer.WriteStartObject();
                writer.WriteString("role", role);
                writer.WriteString("content", content);
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    /// <summary>Writes every example as one line; returns how many were written.</summary>
    public static int Write(TextWriter output, ModerationPrompt prompt, IEnumerable<FineTuneExample> examples, double targetConfidence = DefaultTargetConfidence)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(examples);
        var count = 0;
        foreach (var example in examples)
        {
            output.Write(ToJsonLine(prompt, example, targetConfidence));
            output.Write('\n');
            count++;
        }

        return count;
    }
}
