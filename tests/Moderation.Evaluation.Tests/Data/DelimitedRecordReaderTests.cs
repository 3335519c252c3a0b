using Moderation.Evaluation.Data;

namespace Moderation.Evaluation.Tests.Data;

public sealed class DelimitedRecordReaderTests
{
    private static List<DelimitedRecord> Read(string text, char delimiter = ',') =>
        DelimitedRecordReader.Read(new StringReader(text), delimiter).ToList();

    [Fact]
    public void Quoted_fields_keep_commas_doubled_quotes_and_line_breaks()
    {
        var records = Read("id,tweet\n1,\"a, b \"\"quoted\"\"\nsecond line\"\n2,plain\n");
        Assert.Equal(3, records.Count);
        Assert.Equal(["1", "a, b \"quoted\"\nsecond line"], records[1].Fields);
        Assert.Equal(["2", "plain"], records[2].Fields);
    }

    [Fact]
    public void Each_record_reports_the_line_it_starts_on()
    {
        var records = Read("h1,h2\n1,\"two\nlines\"\n2,x\r\n3,y");
        Assert.Equal([1, 2, 4, 5], records.Select(r => r.LineNumber));
    }

    [Fact]
    public void Empty_fields_and_a_missing_final_newline_are_kept()
    {
        var records = Read("a,,c");
        Assert.Equal(["a", "", "c"], Assert.Single(records).Fields);
    }

    [Fact]
    public void Tab_delimited_fields_split_only_on_tabs()
    {
        var records = Read("label\ttext\nspam\tWin, now!", '\t');
        Assert.Equal(["spam", "Win, now!"], records[1].Fields);
    }

    [Fact]
    public void An_unclosed_quote_is_an_error_naming_the_line()
    {
        var error = Assert.Throws<InvalidDataException>(() => Read("a,b\n1,\"never closed\n"));
        Assert.Contains("Line 2", error.Message, StringComparison.Ordinal);
    }
}
