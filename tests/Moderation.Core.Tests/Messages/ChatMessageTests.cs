using System.Text.Json;
using Moderation.Core.Messages;
using Moderation.Core.Policy;
using Moderation.Core.Serialization;
using Moderation.Core.Workflow;

namespace Moderation.Core.Tests.Messages;

/// <summary>What an inbound message must carry, and that every payload survives the JSON boundary of queues and durable history.</summary>
public class ChatMessageTests
{
    [Fact]
    public void A_well_formed_message_has_no_problems()
    {
        Assert.Empty(Samples.Message().Validate());
    }

    [Fact]
    public void Empty_text_is_allowed_because_the_prefilter_scores_it()
    {
        Assert.Empty((Samples.Message() with { Text = "" }).Validate());
    }

    public static TheoryData<ChatMessage, string> Malformed => new()
    {
        { Samples.Message() with { MessageId = "" }, "MessageId is required." },
        { Samples.Message() with { ConversationId = " " }, "ConversationId is required." },
        { Samples.Message() with { SenderId = null! }, "SenderId is required." },
        { Samples.Message() with { RecipientId = new string('x', ChatMessage.MaxIdLength + 1) }, $"RecipientId is longer than {ChatMessage.MaxIdLength} characters." },
        { Samples.Message() with { MessageId = "a/b" }, "MessageId contains a character that is not allowed ('/', '\\', '#', '?' or a control character)." },
        { Samples.Message() with { MessageId = "a\u0001b" }, "MessageId contains a character that is not allowed ('/', '\\', '#', '?' or a control character)." },
        { Samples.Message() with { Text = null! }, "Text is required (it may be empty, but not missing)." },
        { Samples.Message() with { SentAt = default }, "SentAt is required." },
    };

    [Theory]
    [MemberData(nameof(Malformed))]
    public void Malformed_messages_are_rejected_with_the_reason(ChatMessage message, string problem)
    {
        Assert.Contains(problem, message.Validate());
    }

    [Fact]
    public void A_moderation_case_round_trips_through_json_with_its_policy_snapshot()
    {
        var policy = ModerationPolicy.Default with { ReviewTimeout = TimeSpan.FromMinutes(3) };
        var original = Samples.Case(policy, Samples.Score(0.7, Samples.PhoneHit), Samples.Message() with { Metadata = new Dictionary<string, string> { ["app"] = "ios" } });

        var json = JsonSerializer.Serialize(original, ModerationJson.Options);
        var copy = JsonSerializer.Deserialize<ModerationCase>(json, ModerationJson.Options)!;

        Assert.Equal(original.CaseId, copy.CaseId);
        Assert.Equal(original.Message.Text, copy.Message.Text);
        Assert.Equal("ios", copy.Message.Metadata!["app"]);
        Assert.Equal(original.Prefilter.RuleHits, copy.Prefilter.RuleHits);
        Assert.Equal(original.Screening.Reasons, copy.Screening.Reasons);
        Assert.Equal(TimeSpan.FromMinutes(3), copy.Policy.ReviewTimeout);
        Assert.Equal(original.Policy.ClassificationRetry, copy.Policy.ClassificationRetry);
        Assert.Equal(original.Policy.Categories.OrderBy(c => c.Key), copy.Policy.Categories.OrderBy(c => c.Key));
        Assert.Contains("\"off_platform_contact\"", json, StringComparison.Ordinal);
    }

    [Fact]
    public void Verdicts_and_outcomes_use_snake_case_wire_names()
    {
        var json = JsonSerializer.Serialize(Samples.Verdict(PolicyCategory.ScamPhishing, 0.9), ModerationJson.Options);

        Assert.Contains("\"category\":\"scam_phishing\"", json, StringComparison.Ordinal);
        Assert.Contains("\"source\":\"model\"", json, StringComparison.Ordinal);
    }
}
