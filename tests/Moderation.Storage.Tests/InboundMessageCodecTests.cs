using System.Text.Json;
using Moderation.Core.Messages;
using Moderation.Storage.Queues;

namespace Moderation.Storage.Tests;

public class InboundMessageCodecTests
{
    [Fact]
    public void Encoded_message_decodes_to_an_equal_message()
    {
        var message = Samples.Message(id: "m-1");

        var decoded = InboundMessageCodec.Decode(InboundMessageCodec.Encode(message));

        Assert.True(decoded.Succeeded, decoded.Reason);
        Assert.Equal(message with { Metadata = null }, decoded.Message with { Metadata = null });
        Assert.Equal(message.Metadata, decoded.Message.Metadata);
    }

    [Fact]
    public void Encoding_writes_schema_version_1_first_and_enums_as_wire_names()
    {
        var json = InboundMessageCodec.Encode(Samples.Message(id: "m-2"));

        using var document = JsonDocument.Parse(json);
        var first = document.RootElement.EnumerateObject().First();
        Assert.Equal("schemaVersion", first.Name);
        Assert.Equal(1, first.Value.GetInt32());
        Assert.Equal("customer", document.RootElement.GetProperty("senderRole").GetString());
        Assert.Equal("m-2", document.RootElement.GetProperty("messageId").GetString());
    }

    [Fact]
    public void A_body_written_by_hand_in_the_documented_format_decodes()
    {
        const string body = """
            {"schemaVersion":1,"messageId":"m-3","conversationId":"c-1","senderId":"u-1","senderRole":"customer",
             "recipientId":"u-2","recipientRole":"professional","text":"Hello","sentAt":"2026-03-01T12:00:00Z","unknownField":true}
            """;

        var decoded = InboundMessageCodec.Decode(body);

        Assert.True(decoded.Succeeded, decoded.Reason);
        Assert.Equal(ParticipantRole.Customer, decoded.Message.SenderRole);
        Assert.Equal("Hello", decoded.Message.Text);
    }

    [Theory]
    [InlineData("", "empty")]
    [InlineData("   ", "empty")]
    [InlineData("{not json", "malformed JSON")]
    [InlineData("[1,2]", "not an object")]
    [InlineData("null", "not an object")]
    [InlineData("""{"messageId":"m"}""", "no 'schemaVersion'")]
    [InlineData("""{"schemaVersion":2,"messageId":"m"}""", "unknown schemaVersion 2")]
    [InlineData("""{"schemaVersion":"1","messageId":"m"}""", "unknown schemaVersion (a JSON string)")]
    [InlineData("""{"schemaVersion":1.5,"messageId":"m"}""", "unknown schemaVersion 1.5")]
    public void Undecodable_bodies_are_rejected_with_the_reason(string body, string expectedReason)
    {
        var decoded = InboundMessageCodec.Decode(body);

        Assert.False(decoded.Succeeded);
        Assert.Null(decoded.Message);
        Assert.Contains(expectedReason, decoded.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void A_role_outside_the_enum_is_rejected_as_a_malformed_message()
    {
        var body = InboundMessageCodec.Encode(Samples.Message(id: "m-4")).Replace("\"professional\"", "\"wizard\"", StringComparison.Ordinal);

        var decoded = InboundMessageCodec.Decode(body);

        Assert.False(decoded.Succeeded);
        Assert.StartsWith("malformed message:", decoded.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Validation_problems_of_the_message_are_the_rejection_reason()
    {
        const string body = """{"schemaVersion":1,"messageId":"a/b","conversationId":"c","senderId":"s","senderRole":"customer","recipientRole":"professional","text":"hi","sentAt":"2026-03-01T12:00:00Z"}""";

        var decoded = InboundMessageCodec.Decode(body);

        Assert.False(decoded.Succeeded);
        Assert.StartsWith("invalid message:", decoded.Reason, StringComparison.Ordinal);
        Assert.Contains("MessageId contains a character that is not allowed", decoded.Reason, StringComparison.Ordinal);
        Assert.Contains("RecipientId is required", decoded.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_text_is_rejected_but_an_empty_text_is_accepted()
    {
        var withEmpty = InboundMessageCodec.Encode(Samples.Message(string.Empty, "m-5"));
        var withoutText = withEmpty.Replace("\"text\":\"\",", string.Empty, StringComparison.Ordinal);

        Assert.True(InboundMessageCodec.Decode(withEmpty).Succeeded);
        var rejected = InboundMessageCodec.Decode(withoutText);
        Assert.False(rejected.Succeeded);
        Assert.Contains("Text is required", rejected.Reason, StringComparison.Ordinal);
    }
}

/// <summary>Bodies a hostile or broken producer could send: each is refused with a reason, never half-read.</summary>
public class InboundMessageCodecHardeningTests
{
    private const string Body = """{"schemaVersion":1,"messageId":"m-9","conversationId":"c-1","senderId":"u-1","senderRole":"customer","recipientId":"u-2","recipientRole":"professional","text":"Hello","sentAt":"2026-03-01T12:00:00Z"}""";

    [Fact]
    public void A_body_with_a_duplicated_property_is_rejected_rather_than_letting_the_last_copy_win()
    {
        var body = Body.Replace("\"text\":\"Hello\"", "\"text\":\"Hello\",\"text\":\"call me on 07700 900123\"", StringComparison.Ordinal);

        var decoded = InboundMessageCodec.Decode(body);

        Assert.False(decoded.Succeeded);
        Assert.Contains("duplicate", decoded.Reason, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void A_body_that_is_not_valid_utf8_is_rejected_instead_of_silently_replaced()
    {
        var bytes = System.Text.Encoding.UTF8.GetBytes(Body.Replace("Hello", "Hel#lo", StringComparison.Ordinal));
        bytes[Array.IndexOf(bytes, (byte)'#')] = 0xC3; // a lead byte with no continuation

        var decoded = InboundMessageCodec.Decode(new BinaryData(bytes));

        Assert.False(decoded.Succeeded);
        Assert.Contains("UTF-8", decoded.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void A_rejection_reason_never_repeats_a_property_name_chosen_by_the_sender()
    {
        // Reasons reach the logs; a property name is attacker-controlled text.
        var body = Body.Replace("\"text\":\"Hello\"", "\"text\":\"Hello\",\"metadata\":{\"IGNORE-PREVIOUS-<script>\":{\"x\":1}}", StringComparison.Ordinal);

        var decoded = InboundMessageCodec.Decode(body);

        Assert.False(decoded.Succeeded);
        Assert.DoesNotContain("IGNORE-PREVIOUS", decoded.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void A_property_name_chosen_by_the_sender_never_appears_in_a_json_error_reason()
    {
        var body = """{"schemaVersion":1,"EVIL-NAME":[1,2,}""";

        var decoded = InboundMessageCodec.Decode(body);

        Assert.False(decoded.Succeeded);
        Assert.DoesNotContain("EVIL-NAME", decoded.Reason, StringComparison.Ordinal);
    }
}
