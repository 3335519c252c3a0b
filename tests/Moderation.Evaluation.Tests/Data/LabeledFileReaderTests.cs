using Moderation.Evaluation.Data;

namespace Moderation.Evaluation.Tests.Data;

public sealed class LabeledFileReaderTests : IDisposable
{
    private readonly string directory = Directory.CreateTempSubdirectory("labeled-file-").FullName;

    public void Dispose() => Directory.Delete(directory, recursive: true);

    private string Write(string name, string content)
    {
        var path = Path.Combine(directory, name);
        File.WriteAllText(path, content);
        return path;
    }

    [Theory]
    [InlineData("1", true)]
    [InlineData("0", false)]
    [InlineData("true", true)]
    [InlineData("FALSE", false)]
    [InlineData("spam", true)]
    [InlineData("ham", false)]
    [InlineData("suspicious", true)]
    [InlineData("clean", false)]
    [InlineData("off_platform_contact", true)]
    [InlineData("harassment", true)]
    [InlineData(" Neither ", false)]
    public void Labels_mean_suspicious_unless_they_name_the_clean_class(string label, bool suspicious)
    {
        Assert.Equal(suspicious, LabeledFileReader.ParseLabel(label)!.Value.Suspicious);
    }

    [Fact]
    public void Category_labels_are_kept_as_the_category()
    {
        Assert.Equal("harassment", LabeledFileReader.ParseLabel("Harassment")!.Value.Category);
        Assert.Null(LabeledFileReader.ParseLabel("1")!.Value.Category);
    }

    [Fact]
    public void Csv_columns_are_found_by_header_name_in_any_order()
    {
        var path = Write("a.csv", "label,id,message\nspam,1,\"Call now, win\"\nham,2,see you at 5\n");
        var examples = LabeledFileReader.Read(path, new LabeledFileOptions { TextColumn = "message" });
        Assert.Equal(2, examples.Count);
        Assert.Equal(new LabeledExample("Call now, win", true, "a.csv:2", "spam"), examples[0]);
        Assert.False(examples[1].Suspicious);
    }

    [Fact]
    public void Tsv_is_chosen_from_the_extension()
    {
        var path = Write("b.tsv", "text\tlabel\nhello there\t0\nmy number is 555\t1\n");
        var examples = LabeledFileReader.Read(path);
        Assert.Equal([false, true], examples.Select(e => e.Suspicious));
    }

    [Fact]
    public void Json_lines_accept_string_number_and_boolean_labels()
    {
        var path = Write("c.jsonl", "{\"text\":\"a\",\"label\":true}\n\n{\"text\":\"b\",\"label\":0}\n{\"text\":\"c\",\"label\":\"scam_phishing\"}\n");
        var examples = LabeledFileReader.Read(path);
        Assert.Equal([true, false, true], examples.Select(e => e.Suspicious));
        Assert.Equal("c.jsonl:4", examples[2].Source);
    }

    [Fact]
    public void A_missing_column_is_an_error_listing_the_columns()
    {
        var path = Write("d.csv", "message,verdict\nhi,0\n");
        var error = Assert.Throws<InvalidDataException>(() => LabeledFileReader.Read(path));
        Assert.Contains("no 'text' column", error.Message, StringComparison.Ordinal);
        Assert.Contains("message, verdict", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_empty_label_is_an_error_with_its_line_number()
    {
        var path = Write("e.csv", "text,label\nfine,0\n\"two\nlines\",1\nmissing,\n");
        var error = Assert.Throws<InvalidDataException>(() => LabeledFileReader.Read(path));
        Assert.Contains("line 5", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_short_row_is_an_error_with_its_line_number()
    {
        var path = Write("f.csv", "text,label\nonly text\n");
        var error = Assert.Throws<InvalidDataException>(() => LabeledFileReader.Read(path));
        Assert.Contains("line 2", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Invalid_json_is_an_error_with_its_line_number()
    {
        var path = Write("g.jsonl", "{\"text\":\"a\",\"label\":1}\n{not json}\n");
        var error = Assert.Throws<InvalidDataException>(() => LabeledFileReader.Read(path));
        Assert.Contains("line 2", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_unknown_extension_asks_for_the_format()
    {
        var path = Write("h.txt", "text,label\n");
        Assert.Throws<ArgumentException>(() => LabeledFileReader.Read(path));
        Assert.Empty(LabeledFileReader.Read(path, new LabeledFileOptions { Format = LabeledFileFormat.Csv }));
    }
}
