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
    [InlineData("violation", true)]
    public void Known_label_values_map_to_suspicious_or_clean(string label, bool suspicious)
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

    [Fact]
    public void A_quote_in_a_tsv_is_text_so_no_rows_are_swallowed()
    {
        // Read as a quoted field, the '"' on line 2 would merge every row up to the next quote into one text.
        var path = Write("sms.tsv", "label\ttext\nham\t\"Pete can you ring me\nspam\tWIN a prize\nham\tsee you\nham\tok\"\n");

        var examples = LabeledFileReader.Read(path);

        Assert.Equal(["\"Pete can you ring me", "WIN a prize", "see you", "ok\""], examples.Select(e => e.Text));
        Assert.Equal([false, true, false, false], examples.Select(e => e.Suspicious));
    }

    [Fact]
    public void Quoted_tsv_fields_are_read_when_asked_for()
    {
        var path = Write("quoted.tsv", "text\tlabel\n\"a\ttab\"\t1\n");

        var example = Assert.Single(LabeledFileReader.Read(path, new LabeledFileOptions { TsvQuoting = true }));

        Assert.Equal("a\ttab", example.Text);
    }

    [Theory]
    [InlineData("2")]
    [InlineData("offensive")]
    [InlineData("maybe")]
    public void An_unknown_label_value_is_an_error_naming_the_value_file_and_line(string label)
    {
        var path = Write("davidson.csv", $"text,label\nfine,0\nrude,{label}\n");

        var error = Assert.Throws<InvalidDataException>(() => LabeledFileReader.Read(path));

        Assert.Contains($"'{label}'", error.Message, StringComparison.Ordinal);
        Assert.Contains("davidson.csv, line 3", error.Message, StringComparison.Ordinal);
        Assert.Contains("--label-map", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_explicit_label_mapping_replaces_the_default_vocabulary()
    {
        // Davidson's classes: 0 hate, 1 offensive, 2 neither. By default "0" would read as clean.
        var path = Write("classes.csv", "class,tweet\n0,hateful\n1,rude\n2,nice\n3,unsure\n");
        var options = new LabeledFileOptions { TextColumn = "tweet", LabelColumn = "class", Labels = LabelMapping.Parse("0=violation:hate, 1=violation, 2=clean, 3=skip") };

        var examples = LabeledFileReader.Read(path, options);

        Assert.Equal(
            [new LabeledExample("hateful", true, "classes.csv:2", "hate"), new LabeledExample("rude", true, "classes.csv:3"), new LabeledExample("nice", false, "classes.csv:4", "none")],
            examples);
    }

    [Fact]
    public void With_a_mapping_a_value_outside_it_is_an_error_listing_the_mapped_values()
    {
        var path = Write("classes.csv", "text,label\na,0\nb,spam\n");

        var error = Assert.Throws<InvalidDataException>(() => LabeledFileReader.Read(path, new LabeledFileOptions { Labels = LabelMapping.Parse("0=clean,1=violation") }));

        Assert.Contains("line 3", error.Message, StringComparison.Ordinal);
        Assert.Contains("'spam'", error.Message, StringComparison.Ordinal);
        Assert.Contains("0, 1", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData("0")]
    [InlineData("0=bad")]
    [InlineData("=clean")]
    [InlineData("0=clean,0=violation")]
    [InlineData("0=clean:none")]
    [InlineData("0=violation:")]
    public void A_malformed_label_mapping_is_refused(string mapping)
    {
        Assert.Throws<ArgumentException>(() => LabelMapping.Parse(mapping));
    }

    [Fact]
    public void A_category_column_gives_each_row_its_category()
    {
        var path = Write("cats.tsv", "text\tlabel\tkind\nyou idiot\t1\tHarassment\nhello\t0\t\n");

        var examples = LabeledFileReader.Read(path, new LabeledFileOptions { CategoryColumn = "kind" });

        Assert.Equal(["harassment", null], examples.Select(e => e.Category));
    }

    [Fact]
    public void The_open_mapping_keeps_unknown_values_as_violation_categories_for_callers_that_map_categories_themselves()
    {
        var path = Write("cats.csv", "text,label\nyou joke,offensive\nhello,ham\n");

        var examples = LabeledFileReader.Read(path, new LabeledFileOptions { Labels = LabelMapping.Open });

        Assert.Equal([(true, "offensive"), (false, "ham")], examples.Select(e => (e.Suspicious, e.Category)));
    }
}
