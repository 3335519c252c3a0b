using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Moderation.Evaluation.Data;

/// <summary>The layout of a labeled file: format and the names of the text and label columns (or JSON properties).</summary>
public sealed record LabeledFileOptions
{
    /// <summary>Null: chosen from the extension (.csv, .tsv/.tab, .jsonl/.ndjson).</summary>
    public LabeledFileFormat? Format { get; init; }

    public string TextColumn { get; init; } = "text";

    public string LabelColumn { get; init; } = "label";
}

public enum LabeledFileFormat
{
    Csv,
    Tsv,
    JsonLines,
}

/// <summary>
/// Reads a team's own labeled messages (CSV or TSV with a header row, or JSON Lines) into <see cref="LabeledExample"/>s.
/// A label is suspicious unless it names the clean class: 1/0, true/false, spam/ham, suspicious/clean, or any
/// category name ("harassment", "off_platform_contact": suspicious; "clean", "neither", "none": clean).
/// </summary>
public static class LabeledFileReader
{
    private static readonly HashSet<string> CleanLabels = new(StringComparer.OrdinalIgnoreCase)
    {
        "ham", "clean", "neither", "none", "ok", "legit", "legitimate",
    };

    public static IReadOnlyList<LabeledExample> Read(string path, LabeledFileOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        options ??= new LabeledFileOptions();
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"The labeled file '{Path.GetFullPath(path)}' does not exist.", path);
        }

        var format = options.Format ?? FormatFromExtension(path);
        using var reader = new StreamReader(path, Encoding.UTF8);
        var source = Path.GetFileName(path);
        return format == LabeledFileFormat.JsonLines
            ? ReadJsonLines(reader, source, options)
            : ReadDelimited(reader, format == LabeledFileFormat.Csv ? ',' : '\t', source, options);
    }

    public static LabeledFileFormat FormatFromExtension(string path) => Path.GetExtension(path).ToLowerInvariant() switch
    {
        ".csv" => LabeledFileFormat.Csv,
        ".tsv" or ".tab" => LabeledFileFormat.Tsv,
        ".jsonl" or ".ndjson" => LabeledFileFormat.JsonLines,
        var other => throw new ArgumentException($"Cannot tell the format of '{path}' from its extension '{other}'; name the format (csv, tsv or jsonl).", nameof(path)),
    };

    /// <summary>Parses one label; <c>null</c> when it is empty.</summary>
    /// <returns>Whether the label means suspicious, and the category it names (null for plain binary labels).</returns>
    public static (bool Suspicious, string? Category)? ParseLabel(string? label)
    {
        var value = label?.Trim();
        if (string.IsNullOrEmpty(value))
        {
            return null;
        }

        var lower = value.ToLowerInvariant();
        if (lower is "1" or "true" or "yes" or "suspicious" or "positive")
        {
            return (true, null);
        }

        if (lower is "0" or "false" or "no" or "negative")
        {
            return (false, null);
        }

        return (!CleanLabels.Contains(lower), lower);
    }

    public static IReadOnlyList<LabeledExample> ReadDelimited(TextReader reader, char delimiter, string source, LabeledFileOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        using var records = DelimitedRecordReader.Read(reader, delimiter).GetEnumerator();
        if (!records.MoveNext())
        {
            throw new InvalidDataException($"{source}: the file is empty; expected a header row naming the '{options.TextColumn}' and '{options.LabelColumn}' columns.");
        }

        var header = records.Current.Fields.Select(h => h.Trim().TrimStart('\uFEFF')).ToList();
        var textColumn = Column(header, options.TextColumn, source);
        var labelColumn = Column(header, options.LabelColumn, source);
        var examples = new List<LabeledExample>();
        while (records.MoveNext())
        {
            var record = records.Current;
            if (record.Fields.Count == 1 && string.IsNullOrWhiteSpace(record.Fields[0]))
            {
                continue;
            }

            var needed = Math.Max(textColumn, labelColumn) + 1;
            if (record.Fields.Count < needed)
            {
                throw new InvalidDataException($"{source}, line {record.LineNumber}: {record.Fields.Count} field(s), but the '{header[Math.Max(textColumn, labelColumn)]}' column is field {needed}.");
            }

            examples.Add(Example(record.Fields[textColumn], record.Fields[labelColumn], source, record.LineNumber, options));
        }

        return examples;
    }

    public static IReadOnlyList<LabeledExample> ReadJsonLines(TextReader reader, string source, LabeledFileOptions options)
    {
        ArgumentNullException.ThrowIfNull(reader);
        ArgumentNullException.ThrowIfNull(options);
        var examples = new List<LabeledExample>();
        var lineNumber = 0;
        while (reader.ReadLine() is { } line)
        {
            lineNumber++;
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            JsonDocument document;
            try
            {
                document = JsonDocument.Parse(line);
            }
            catch (JsonException e)
            {
                throw new InvalidDataException($"{source}, line {lineNumber}: not valid JSON ({e.Message}).", e);
            }

            using (document)
            {
                if (document.RootElement.ValueKind != JsonValueKind.Object)
                {
                    throw new InvalidDataException($"{source}, line {lineNumber}: expected a JSON object.");
                }

                var text = Property(document.RootElement, options.TextColumn, source, lineNumber);
                if (text.ValueKind != JsonValueKind.String)
                {
                    throw new InvalidDataException($"{source}, line {lineNumber}: '{options.TextColumn}' must be a string.");
                }

                var label = Property(document.RootElement, options.LabelColumn, source, lineNumber);
                var labelText = label.ValueKind switch
                {
                    JsonValueKind.String => label.GetString(),
                    JsonValueKind.True => "true",
                    JsonValueKind.False => "false",
                    JsonValueKind.Number => label.GetRawText(),
                    _ => throw new InvalidDataException($"{source}, line {lineNumber}: '{options.LabelColumn}' must be a string, number or boolean."),
                };
                examples.Add(Example(text.GetString()!, labelText, source, lineNumber, options));
            }
        }

        return examples;
    }

    private static LabeledExample Example(string text, string? label, string source, int lineNumber, LabeledFileOptions options)
    {
        var parsed = ParseLabel(label)
            ?? throw new InvalidDataException($"{source}, line {lineNumber}: the '{options.LabelColumn}' value is empty.");
        return new LabeledExample(text, parsed.Suspicious, source + ":" + lineNumber.ToString(CultureInfo.InvariantCulture), parsed.Category);
    }

    private static int Column(List<string> header, string name, string source)
    {
        var index = header.FindIndex(h => string.Equals(h, name, StringComparison.OrdinalIgnoreCase));
        return index >= 0
            ? index
            : throw new InvalidDataException($"{source}, line 1: no '{name}' column in the header (columns: {string.Join(", ", header)}).");
    }

    private static JsonElement Property(JsonElement root, string name, string source, int lineNumber)
    {
        foreach (var property in root.EnumerateObject())
        {
            if (string.Equals(property.Name, name, StringComparison.OrdinalIgnoreCase))
            {
                return property.Value;
            }
        }

        throw new InvalidDataException($"{source}, line {lineNumber}: no '{name}' property.");
    }
}
