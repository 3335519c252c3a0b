using Azure.Data.Tables;
using Moderation.Runner.Storage;

namespace Moderation.Runner.Tests;

/// <summary>Text longer than one table property is split and joined back without losing a character.</summary>
public sealed class TableTextChunkingTests
{
    [Fact]
    public void Long_text_with_a_surrogate_pair_on_a_chunk_boundary_is_split_and_joined_back_exactly()
    {
        var text = new string('a', TableCaseStore.TextChunkLength - 1) + "😀" + new string('b', TableCaseStore.TextChunkLength * 2);
        var entity = new TableEntity("case", "1");

        TableCaseStore.WriteText(entity, "Payload", text);

        Assert.Equal(text, TableCaseStore.ReadText(entity, "Payload"));
        var parts = entity.GetInt32("PayloadParts")!.Value;
        Assert.True(parts >= 3);
        for (var part = 0; part < parts; part++)
        {
            var chunk = entity.GetString("Payload" + part)!;
            Assert.InRange(chunk.Length, 1, TableCaseStore.TextChunkLength);
            Assert.False(char.IsHighSurrogate(chunk[^1]), $"chunk {part} ends in half a character");
        }
    }

    [Fact]
    public void Short_text_stays_in_one_property()
    {
        var entity = new TableEntity("case", "1");

        TableCaseStore.WriteText(entity, "Payload", "{\"ok\":true}");

        Assert.Equal("{\"ok\":true}", entity.GetString("Payload"));
        Assert.Null(entity.GetInt32("PayloadParts"));
    }

    [Fact]
    public void Text_beyond_what_an_entity_can_hold_is_refused_with_a_clear_error()
    {
        var entity = new TableEntity("case", "1");

        var error = Assert.Throws<InvalidOperationException>(() => TableCaseStore.WriteText(entity, "Payload", new string('x', TableCaseStore.MaxTextLength + 1)));

        Assert.Contains("Payload", error.Message, StringComparison.Ordinal);
    }
}
