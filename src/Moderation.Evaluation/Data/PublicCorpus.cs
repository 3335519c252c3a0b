using System.Globalization;
using System.Net;
using System.Text;

namespace Moderation.Evaluation.Data;

/// <summary>
/// The public labeled data (see ../shared/data/README.md): Davidson et al. hate/offensive tweets and the UCI SMS spam
/// collection, read at run time (rows are never copied into the repository) and divided by <see cref="SplitAssignment"/>.
/// Labels: Davidson class 0 (hate) and 1 (offensive) are suspicious, 2 (neither) is clean; SMS spam is suspicious,
/// ham is clean. Davidson text is HTML-decoded ("&amp;amp;" -> "&amp;", "&amp;#128514;" -> the emoji), as chat text arrives.
/// </summary>
public static class PublicCorpus
{
    public const string DavidsonFile = "davidson-hate-offensive/labeled_data.csv";
    public const string SmsFile = "sms-spam-collection/SMSSpamCollection.tsv";

    /// <summary>The default data directory, relative to the repository root.</summary>
    public const string DefaultRelativeDirectory = "../shared/data";

    /// <summary>Loads both sources and splits them; examples keep file order within each part.</summary>
    public static CorpusSplit Load(string dataDirectory)
    {
        var all = LoadAll(dataDirectory);
        var parts = new Dictionary<SplitPart, List<LabeledExample>>
        {
            [SplitPart.Train] = [],
            [SplitPart.Validation] = [],
            [SplitPart.Test] = [],
        };
        foreach (var example in all)
        {
            parts[SplitAssignment.Of(example.Text)].Add(example);
        }

        return new CorpusSplit(parts[SplitPart.Train], parts[SplitPart.Validation], parts[SplitPart.Test]);
    }

    /// <summary>Every example of both sources, unsplit.</summary>
    public static IReadOnlyList<LabeledExample> LoadAll(string dataDirectory)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(dataDirectory);
        if (!Directory.Exists(dataDirectory))
        {
            throw new DirectoryNotFoundException(
                $"The public labeled data directory '{Path.GetFullPath(dataDirectory)}' does not exist. It holds {DavidsonFile} and {SmsFile}; pass its path explicitly or place it at {DefaultRelativeDirectory} relative to the repository root.");
        }

        var examples = new List<LabeledExample>();
        examples.AddRange(ReadDavidson(RequireFile(dataDirectory, DavidsonFile)));
        examples.AddRange(ReadSms(RequireFile(dataDirectory, SmsFile)));
        return examples;
    }

    /// <summary>
    /// The configured directory when given, else ../shared/data beside the repository root (the folder holding
    /// ModerationFunctions.sln above <paramref name="startDirectory"/>, else above the application's base directory).
    /// </summary>
    public static string ResolveDataDirectory(string? configured, string? startDirectory = null)
    {
        if (!string.IsNullOrWhiteSpace(configured))
        {
            return Path.GetFullPath(configured);
        }

        // The working directory first (a developer in the repository), then the binary's own location.
        foreach (var start in new[] { startDirectory, AppContext.BaseDirectory }.OfType<string>())
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "ModerationFunctions.sln")))
                {
                    return Path.GetFullPath(Path.Combine(dir.FullName, DefaultRelativeDirectory));
                }
            }
        }

        return Path.GetFullPath(DefaultRelativeDirectory);
    }

    private static string RequireFile(string dataDirectory, string relative)
    {
        var path = Path.Combine(dataDirectory, relative);
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"The public labeled data file '{path}' is missing (expected under {Path.GetFullPath(dataDirectory)}).", path);
        }

        return path;
    }

    private static IEnumerable<LabeledExample> ReadDavidson(string path)
    {
        using var reader = new StreamReader(path, Encoding.UTF8);
        using var records = DelimitedRecordReader.Read(reader, ',').GetEnumerator();
        if (!records.MoveNext())
        {
            throw new InvalidDataException($"{path}: the file is empty.");
        }

        var header = records.Current.Fields;
        var idColumn = 0;
        var classColumn = IndexOf(header, "class", path);
        var tweetColumn = IndexOf(header, "tweet", path);
        var examples = new List<LabeledExample>();
        while (records.MoveNext())
        {
            var record = records.Current;
            if (record.Fields.Count == 1 && record.Fields[0].Length == 0)
            {
                continue;
            }

            if (record.Fields.Count != header.Count)
            {
                throw new InvalidDataException($"{path}, line {record.LineNumber}: expected {header.Count} fields, found {record.Fields.Count}.");
            }

            var (suspicious, category) = record.Fields[classColumn] switch
            {
                "0" => (true, "hate"),
                "1" => (true, "offensive"),
                "2" => (false, "neither"),
                var other => throw new InvalidDataException($"{path}, line {record.LineNumber}: class '{other}' is not 0, 1 or 2."),
            };
            var text = WebUtility.HtmlDecode(record.Fields[tweetColumn]);
            examples.Add(new LabeledExample(text, suspicious, "davidson:" + record.Fields[idColumn], category));
        }

        return examples;
    }

    private static IEnumerable<LabeledExample> ReadSms(string path)
    {
        using var reader = new StreamReader(path, Encoding.UTF8);
        var examples = new List<LabeledExample>();
        var lineNumber = 0;
        while (reader.ReadLine() is { } line)
        {
            lineNumber++;
            if (lineNumber == 1 || line.Length == 0)
            {
                continue;
            }

            // Messages contain stray quotes, so only the first tab is structure.
            var tab = line.IndexOf('\t', StringComparison.Ordinal);
            if (tab < 0)
            {
                throw new InvalidDataException($"{path}, line {lineNumber}: expected 'Label<TAB>SMS'.");
            }

            var label = line[..tab].Trim().ToLowerInvariant();
            var suspicious = label switch
            {
                "spam" => true,
                "ham" => false,
                _ => throw new InvalidDataException($"{path}, line {lineNumber}: label '{label}' is not spam or ham."),
            };
            examples.Add(new LabeledExample(line[(tab + 1)..], suspicious, "sms:" + lineNumber.ToString(CultureInfo.InvariantCulture), label));
        }

        return examples;
    }

    private static int IndexOf(IReadOnlyList<string> header, string column, string path)
    {
        for (var i = 0; i < header.Count; i++)
        {
            if (string.Equals(header[i].Trim(), column, StringComparison.OrdinalIgnoreCase))
            {
                return i;
            }
        }

        throw new InvalidDataException($"{path}: the header has no '{column}' column.");
    }
}
