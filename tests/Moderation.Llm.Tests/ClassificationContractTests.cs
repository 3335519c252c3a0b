using Moderation.Core.Classification;
using Moderation.Core.Messages;
using Moderation.Core.Policy;
using Moderation.Llm.Prompting;

namespace Moderation.Llm.Tests;

public sealed class ClassificationContractTests
{
    [Fact]
    public void An_encoded_answer_parses_back_to_the_same_answer()
    {
        var answer = new ClassifierAnswer(PolicyCategory.ScamPhishing, 0.87, "Asks for the verification code.", ["6-digit code"]);

        var parsed = ClassificationContract.ParseAnswer(ClassificationContract.EncodeAnswer(answer), "Send me the 6-digit code now");

        Assert.Equal(answer.Category, parsed.Category);
        Assert.Equal(answer.Confidence, parsed.Confidence);
        Assert.Equal(answer.Rationale, parsed.Rationale);
        Assert.Equal(answer.Evidence, parsed.Evidence);
    }

    [Fact]
    public void Duplicate_and_blank_evidence_spans_are_dropped()
    {
        var parsed = ClassificationContract.ParseAnswer(
            """{"category":"spam","confidence":0.9,"rationale":"Prize.","evidence":["WIN","WIN"," ","prize"]}""",
            "WIN a prize");

        Assert.Equal(["WIN", "prize"], parsed.Evidence);
    }

    [Fact]
    public void Unknown_roles_and_non_ascii_text_are_encoded_readably()
    {
        var encoded = ClassificationContract.EncodeUserMessage("Привет <b> & café", ParticipantRole.Unknown, ParticipantRole.Customer);

        Assert.Equal("{\"sender_role\":\"unknown\",\"recipient_role\":\"customer\",\"message\":\"Привет <b> & café\"}", encoded);
    }

    [Fact]
    public void Emoji_survive_the_encoding()
    {
        var encoded = ClassificationContract.EncodeUserMessage("thanks 👋", ParticipantRole.Customer, ParticipantRole.Professional);

        using var data = System.Text.Json.JsonDocument.Parse(encoded);
        Assert.Equal("thanks 👋", data.RootElement.GetProperty("message").GetString());
    }

    [Fact]
    public void An_empty_answer_is_a_transient_failure()
    {
        var ex = Assert.Throws<LlmClassificationException>(() => ClassificationContract.ParseAnswer("  ", "text"));

        Assert.True(ex.IsTransient);
    }
}
