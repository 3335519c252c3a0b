using System.Text;

namespace Moderation.Evaluation.Data;

/// <summary>One record of a delimited file, with the physical line it started on (1-based) for error messages.</summary>
public sealed record DelimitedRecord(int LineNumber, IReadOnlyList<string> Fields);

/// <summary>
/// Reads RFC 4180-style delimited text: fields may be quoted, and quoted fields may hold the delimiter, doubled quotes
/// and line breaks. Used for CSV (',') and TSV ('\t'); the public Davidson CSV needs every one of these cases.
/// </summary>
public static class DelimitedRecordReader
{
    /// <param name="quoted">False for formats where '"' is ordinary text (the SMS TSV has unbalanced quotes in messages).</param>
    public static IEnumerable<DelimitedRecord> Read(TextReader reader, char delimiter, bool quoted = true)
    {
        ArgumentNullException.ThrowIfNull(reader);
        var fields = new List<string>();
        var field = new StringBuilder();
        var line = 1;
        var recordLine = 1;
        var inQuotes = false;
        var fieldWasQuoted = false;
        var any = false;

        while (true)
        {
            var next = reader.Read();
            if (next < 0)
            {
                if (inQuotes)
                {
                    throw new InvalidDataException($"Line {recordLine}: a quoted field is not closed before the end of the file.");
                }

                if (any || field.Length > 0 || fields.Count > 0)
                {
                    fields.Add(field.ToString());
                    yield return new DelimitedRecord(recordLine, fields.ToArray());
                }

                yield break;
            }

            var c = (char)next;
            any = true;
            if (inQuotes)
            {
                if (c == '"')
                {
                    if (reader.Peek() == '"')
                    {
                        reader.Read();
                        field.Append('"');
                    }
                    else
                    {
                        inQuotes = false;
                    }
                }
                else
                {
                    if (c == '\n')
                    {
                        line++;
                    }

                    field.Append(c);
                }

                continue;
            }

            if (c == delimiter)
            {
                fields.Add(field.ToString());
                field.Clear();
                fieldWasQuoted = false;
            }
            else if (c == '"' && quoted && field.Length == 0 && !fieldWasQuoted)
            {
                inQuotes = true;
                fieldWasQuoted = true;
            }
            else if (c is '\r' or '\n')
            {
                if (c == '\r' && reader.Peek() == '\n')
                {
                    reader.Read();
                }

                fields.Add(field.ToString());
                yield return new DelimitedRecord(recordLine, fields.ToArray());
                fields.Clear();
                field.Clear();
                fieldWasQuoted = false;
                any = false;
                line++;
                recordLine = line;
            }
            else
            {
                field.Append(c);
            }
        }
    }
}
