using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Moderation.Evaluation.Data;

/// <summary>The layout of a labeled file: format, the names of the text / label / category columns (or JSON properties) and the label mapping.</summary>
public sealed record LabeledFileOptions
{
    /// <summary>Null: chosen from the extension (.csv, .tsv/.tab, .jsonl/.ndjson).</summary>
    public LabeledFileFormat? Format { get; init; }

    public string TextColumn { get; init; } = "text";

    public string LabelColumn { get; init; } = "label";

    /// <summary>A column holding a finer category (e.g. harassment) for per-category recall; null: the label's own category.</summary>
    public string? CategoryColumn { get; init; }

    /// <summary>How label values map to clean / violation; values it does not know are an error.</summary>
    public LabelMapping Labels { get; init; } = LabelMapping.Default;

    /// <summary>
    /// TSV only: whether '"' starts a quoted field. Off by default: in tab-separated chat data a quote is text, and
    /// reading it as a field quote silently merges the rows up to the next quote.
    /// </summary>
    public bool TsvQuoting { get; init; }
}

public enum LabeledFileFormat
{
    Csv,
    Tsv,
    JsonLines,
}

/// <summary>
/// Reads a team's own labeled messages (CSV or TSV with a header row, or JSON Lines) into <see cref="LabeledExample"/>s.
/// Labels are mapped by <see cref="LabeledFileOptions.Labels"/>: by default 1/0, true/false, spam/ham, suspicious/clean
/// and the policy category names; any other value is an error naming the value, file and line. TSV is read without
/// quote handling unless asked for.
/// </summary>
public static class LabeledFileReader
{
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
            : ReadDelimited(reader, format == LabeledFileFormat.Csv ? ',' : '\t', source, options, quoted: format == LabeledFileFormat.Csv || options.TsvQuoting);
    }

    public static LabeledFileFormat FormatFromExtension(string path) => Path.GetExtension(path).ToLowerInvariant() switch
    {
        ".csv" => LabeledFileFormat.Csv,
        ".tsv" or ".tab" => LabeledFileFormat.Tsv,
        ".jsonl" or ".ndjson" => LabeledFileFormat.JsonLines,
        var other => throw new ArgumentException($"Cannot tell the format of '{path}' from its extension '{other}'; name the format (csv, tsv or jsonl).", nameof(path)),
    };

    /// <summary>Maps one label with the default vocabulary; <c>null</c> when it is empty.</summary>
    /// <returns>Whether the label means suspicious, and the category it names (null for plain binary labels).</returns>
    /// <exception cref="InvalidDataException">The value is not in the default vocabulary.</exception>
    public static (bool Suspicious, string? Category)? ParseLabel(string? label)
    {
        var value = label?.Trim();
        if (string.IsNullOrEmpty(value))
        {
            return null;
        }

        return LabelMapping.Default.TryMap(value, out var meaning)
            ? (meaning.Suspicious, meaning.Category)
            : throw new InvalidDataException(LabelMapping.Default.Unknown(value) + ".");
    }

    /// <param name="quoted">Whether '"' starts a quoted field (CSV); false reads every character as text (TSV).</param>
    public static IReadOnlyList<LabeledExample> ReadDelimited(TextReader reader, char delimiter, string source, LabeledFileOptions options, bool quoted = true)
    {
        ArgumentNullException.ThrowIfNull(options);
        using var records = DelimitedRecordReader.Read(reader, delimiter, quoted).GetEnumerator();
        if (!records.MoveNext())
        {
            throw new InvalidDataException($"{source}: the file is empty; expected a header row naming the '{options.TextColumn}' and '{options.LabelColumn}' columns.");
        }

        var header = records.Current.Fields.Select(h => h.Trim().TrimStart('\uFEFF')).ToList();
        var textColumn = Column(header, options.TextColumn, source);
        var labelColumn = Column(header, options.LabelColumn, source);
        var categoryColumn = options.CategoryColumn is null ? -1 : Column(header, options.CategoryColumn, source);
        var examples = new List<LabeledExample>();
        while (records.MoveNext())
        {
            var record = records.Current;
            if (record.Fields.Count == 1 && string.IsNullOrWhiteSpace(record.Fields[0]))
            {
                continue;
            }

            var last = Math.Max(Math.Max(textColumn, labelColumn), categoryColumn);
            if (record.Fields.Count <= last)
            {
                throw new InvalidDataException($"{source}, line {record.LineNumber}: {record.Fields.Count} field(s), but the '{header[last]}' column is field {last + 1}.");
            }

            var example = Example(record.Fields[textColumn], record.Fields[labelColumn], categoryColumn < 0 ? null : record.Fields[categoryColumn], source, record.LineNumber, options);
            if (example is not null)
            {
                examples.Add(example);
            }
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
                string? category = null;
                if (options.CategoryColumn is not null)
                {
                    var categoryValue = Property(document.RootElement, options.CategoryColumn, source, lineNumber);
                    category = categoryValue.ValueKind == JsonValueKind.String ? categoryValue.GetString() : categoryValue.GetRawText();
                }

                var example = Example(text.GetString()!, labelText, category, source, lineNumber, options);
                if (example is not null)
                {
                    examples.Add(example);
                }
            }
        }

        return examples;
    }

    private static LabeledExample? Example(string text, string? label, string? category, string source, int lineNumber, LabeledFileOptions options)
    {
        var value = label?.Trim();
        if (string.IsNullOrEmpty(value))
        {
            throw new InvalidDataException($"{source}, line {lineNumber}: the '{options.LabelColumn}' value is empty.");
        }

        if (!options.Labels.TryMap(value, out var meaning))
        {
            throw new InvalidDataException($"{source}, line {lineNumber}: {options.Labels.Unknown(value)}.");
        }

        if (meaning.Skip)
        {
            return null;
        }

        var finer = string.IsNullOrWhiteSpace(category) ? meaning.Category : category.Trim().ToLowerInvariant();
        return new LabeledExample(text, meaning.Suspicious, source + ":" + lineNumber.ToString(CultureInfo.InvariantCulture), finer);
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
