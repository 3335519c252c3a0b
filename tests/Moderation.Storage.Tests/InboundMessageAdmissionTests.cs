using System.Text;
using Moderation.Storage.Queues;

namespace Moderation.Storage.Tests;

/// <summary>A message id stands for one content: a copy with other content under a known id is refused, never moderated.</summary>
public class InboundMessageAdmissionTests
{
    [StorageFact]
    public async Task A_redelivered_copy_with_the_same_content_is_admitted_again()
    {
        await using var account = await StorageTestAccount.CreateAsync();
        var admission = account.Admission();
        var body = Body(Samples.Message(id: "m-same"));

        var first = await admission.AdmitAsync(body, CancellationToken.None);
        var again = await admission.AdmitAsync(body, CancellationToken.None);

        Assert.True(first.Succeeded, first.Reason);
        Assert.True(again.Succeeded, again.Reason);
    }

    [StorageFact]
    public async Task A_second_message_with_the_same_id_and_other_text_is_refused_as_a_conflict_naming_both_hashes()
    {
        await using var account = await StorageTestAccount.CreateAsync();
        var admission = account.Admission();
        var clean = Samples.Message("See you on Tuesday", "m-reused");
        var other = clean with { Text = "text me on 07700 900123" };

        await admission.AdmitAsync(Body(clean), CancellationToken.None);
        var conflict = await admission.AdmitAsync(Body(other), CancellationToken.None);

        Assert.False(conflict.Succeeded);
        Assert.StartsWith("content conflict", conflict.Reason, StringComparison.Ordinal);
        Assert.Contains(MessageContentHash.Compute(clean), conflict.Reason, StringComparison.Ordinal);
        Assert.Contains(MessageContentHash.Compute(other), conflict.Reason, StringComparison.Ordinal);
    }

    [StorageFact]
    public async Task Of_two_contents_racing_under_one_id_exactly_one_is_admitted()
    {
        await using var account = await StorageTestAccount.CreateAsync();
        var admission = account.Admission();
        var a = Samples.Message("first text", "m-race");
        var b = a with { Text = "second text" };

        var results = await Task.WhenAll(Enumerable.Range(0, 20).Select(i => Task.Run(() => admission.AdmitAsync(Body(i % 2 == 0 ? a : b), CancellationToken.None))));

        var admitted = results.Where(r => r.Succeeded).Select(r => r.Message!.Text).Distinct().ToList();
        Assert.Single(admitted);
        Assert.Equal(10, results.Count(r => !r.Succeeded));
    }

    [Theory]
    [InlineData("Text")]
    [InlineData("SenderId")]
    [InlineData("ConversationId")]
    [InlineData("RecipientId")]
    public void The_content_hash_changes_with_each_field_that_identifies_content(string field)
    {
        var message = Samples.Message(id: "m-h");
        var changed = field switch
        {
            "Text" => message with { Text = message.Text + "!" },
            "SenderId" => message with { SenderId = "someone-else" },
            "ConversationId" => message with { ConversationId = "conv-other" },
            _ => message with { RecipientId = "other-recipient" },
        };

        Assert.NotEqual(MessageContentHash.Compute(message), MessageContentHash.Compute(changed));
        Assert.Equal(MessageContentHash.Compute(message), MessageContentHash.Compute(message with { SentAt = message.SentAt.AddSeconds(5) }));
    }

    private static BinaryData Body(Moderation.Core.Messages.ChatMessage message) => new(Encoding.UTF8.GetBytes(InboundMessageCodec.Encode(message)));
}
