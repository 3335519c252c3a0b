using System.Globalization;
using System.Net;
using System.Text;
using System.Text.RegularExpressions;

namespace Moderation.Evaluation.Data;

/// <summary>The per-format readers behind <see cref="CorpusCatalog"/>; every error names the file and line.</summary>
internal static partial class CorpusReaders
{
    public const string Clean = "none";

    /// <summary>
    /// The shared layout of the derived .tsv files: header first, columns text, label (clean / violation), category,
    /// source_id, extras. No quoting: a '"' is an ordinary character, so a line is split on tabs only.
    /// </summary>
    public static IEnumerable<LabeledExample> DerivedTsv(string path)
    {
        var header = (string[]?)null;
        var lineNumber = 0;
        foreach (var line in File.ReadLines(path, Encoding.UTF8))
        {
            lineNumber++;
            if (header is null)
            {
                header = line.TrimStart('\uFEFF').Split('\t');
                string[] expected = ["text", "label", "category", "source_id"];
                if (header.Length < expected.Length || !header.Take(expected.Length).SequenceEqual(expected, StringComparer.Ordinal))
                {
                    throw new InvalidDataException($"{path}, line 1: expected the header to start with {string.Join(", ", expected)}; found {string.Join(", ", header)}.");
                }

                continue;
            }

            if (line.Length == 0)
            {
                continue;
            }

            var fields = line.Split('\t');
            if (fields.Length != header.Length)
            {
                throw new InvalidDataException($"{path}, line {lineNumber}: {fields.Length} tab-separated fields, the header has {header.Length}.");
            }

            var suspicious = fields[1] switch
            {
                "violation" => true,
                "clean" => false,
                var other => throw new InvalidDataException($"{path}, line {lineNumber}: label '{other}' is not 'clean' or 'violation'."),
            };
            var category = fields[2];
            if (category.Length == 0 || (!suspicious && category != Clean))
            {
                throw new InvalidDataException($"{path}, line {lineNumber}: category '{category}' does not fit label '{fields[1]}' (clean rows have category '{Clean}').");
            }

            yield return new LabeledExample(fields[0], suspicious, fields[3], category);
        }

        if (header is null)
        {
            throw new InvalidDataException($"{path}: the file is empty; expected a header line.");
        }
    }

    /// <summary>UCI SMS Spam Collection: "Label&lt;TAB&gt;SMS", header first, no quoting. Text is kept as upstream.</summary>
    public static IEnumerable<LabeledExample> Sms(string path)
    {
        var lineNumber = 0;
        foreach (var line in File.ReadLines(path, Encoding.UTF8))
        {
            lineNumber++;
            if (lineNumber == 1 || line.Length == 0)
            {
                continue;
            }

            var tab = line.IndexOf('\t', StringComparison.Ordinal);
            if (tab < 0)
            {
                throw new InvalidDataException($"{path}, line {lineNumber}: expected 'Label<TAB>SMS'.");
            }

            var (suspicious, category) = line[..tab] switch
            {
                "spam" => (true, "spam"),
                "ham" => (false, Clean),
                var other => throw new InvalidDataException($"{path}, line {lineNumber}: label '{other}' is not 'spam' or 'ham'."),
            };
            yield return new LabeledExample(line[(tab + 1)..], suspicious, "sms:" + lineNumber.ToString(CultureInfo.InvariantCulture), category);
        }
    }

    /// <summary>Davidson et al.: class 0 hate, 1 offensive language (profanity), 2 neither. Tweets are HTML-decoded.</summary>
    public static IEnumerable<LabeledExample> Davidson(string path)
    {
        foreach (var row in QuotedCsv(path, ',', "class", "tweet"))
        {
            var (suspicious, category) = row["class"] switch
            {
                "0" => (true, "hate"),
                "1" => (true, "profanity"),
                "2" => (false, Clean),
                var other => throw row.Error($"class '{other}' is not 0, 1 or 2"),
            };
            yield return new LabeledExample(WebUtility.HtmlDecode(row["tweet"]), suspicious, "davidson:" + row.Fields[0], category);
        }
    }

    /// <summary>
    /// L2DTnH League of Legends chat: ';'-separated with quoted fields, label 1 toxic (harassment) / 0 clean, grouped by
    /// chat log. Rows whose chatlog_id is empty (an upstream export artefact) belong to the chat log of the row before
    /// them (the one after, at the top of the file). Messages are HTML-decoded ("&amp;lt;3" is "&lt;3" as typed).
    /// </summary>
    public static IEnumerable<LabeledExample> LeagueChat(string path, string corpus)
    {
        var rows = new List<(LabeledExample Example, string? ChatLog)>();
        foreach (var row in QuotedCsv(path, ';', "id", "message", "chatlog_id", "label"))
        {
            var (suspicious, category) = row["label"] switch
            {
                "1" => (true, "harassment"),
                "0" => (false, Clean),
                var other => throw row.Error($"label '{other}' is not 1 or 0"),
            };
            var chatLog = row["chatlog_id"];
            var example = new LabeledExample(
                WebUtility.HtmlDecode(RestoreCutEntity(row["message"])),
                suspicious,
                "l2dtnh:" + row.LineNumber.ToString(CultureInfo.InvariantCulture),
                category);
            rows.Add((example, chatLog.Length == 0 ? null : chatLog));
        }

        var firstChatLog = rows.Select(r => r.ChatLog).FirstOrDefault(c => c is not null)
            ?? throw new InvalidDataException($"{path}: no row has a chatlog_id, so the rows cannot be grouped by chat log.");
        var current = firstChatLog;
        foreach (var (example, chatLog) in rows)
        {
            current = chatLog ?? current;
            yield return example with { GroupKey = corpus + ":chatlog:" + current };
        }
    }

    /// <summary>The export cut artefact rows at an entity's ';' ("RIVEN! &amp;gt"): give it back so the entity decodes.</summary>
    private static string RestoreCutEntity(string message) =>
        CutEntity().IsMatch(message) ? message + ";" : message;

    [GeneratedRegex("&(#[0-9]+|#x[0-9a-fA-F]+|[a-zA-Z]+)$")]
    private static partial Regex CutEntity();

    /// <summary>EDOS: label_sexist "sexist" is a violation (category threat for "1. threats...", hate otherwise).</summary>
    public static IEnumerable<LabeledExample> Edos(string path)
    {
        foreach (var row in QuotedCsv(path, ',', "rewire_id", "text", "label_sexist", "label_category"))
        {
            var suspicious = row["label_sexist"] switch
            {
                "sexist" => true,
                "not sexist" => false,
                var other => throw row.Error($"label_sexist '{other}' is not 'sexist' or 'not sexist'"),
            };
            var category = row["label_category"];
            var mapped = suspicious
                ? category.StartsWith("1.", StringComparison.Ordinal) ? "threat"
                    : category.Length > 2 && char.IsAsciiDigit(category[0]) && category[1] == '.' ? "hate"
                    : throw row.Error($"label_category '{category}' is not one of the four numbered sexism categories")
                : category == "none" ? Clean
                : throw row.Error($"label_category '{category}' on a 'not sexist' row (expected 'none')");
            yield return new LabeledExample(row["text"], suspicious, row["rewire_id"], mapped);
        }
    }

    /// <summary>The HateCheck functionalities whose label depends on a marketplace's policy; left out of the corpus.</summary>
    public static readonly IReadOnlySet<string> PolicyDependentHateCheck = new HashSet<string>(StringComparer.Ordinal)
    {
        "target_group_nh",
        "profanity_nh",
        "slur_reclaimed_nh",
    };

    /// <summary>
    /// HateCheck: hateful is a violation (threat for threat_dir_h / threat_norm_h, hate otherwise); non-hateful is clean
    /// except target_indiv_nh (abuse of a person: harassment). Policy-dependent functionalities are skipped.
    /// </summary>
    public static IEnumerable<LabeledExample> HateCheck(string path)
    {
        foreach (var row in QuotedCsv(path, ',', "functionality", "case_id", "test_case", "label_gold"))
        {
            var functionality = row["functionality"];
            if (PolicyDependentHateCheck.Contains(functionality))
            {
                continue;
            }

            var (suspicious, category) = row["label_gold"] switch
            {
                "hateful" => (true, functionality is "threat_dir_h" or "threat_norm_h" ? "threat" : "hate"),
                "non-hateful" => functionality == "target_indiv_nh" ? (true, "harassment") : (false, Clean),
                var other => throw row.Error($"label_gold '{other}' is not 'hateful' or 'non-hateful'"),
            };
            // The functionality in the id lets the predictions file be read as per-functionality pass rates.
            yield return new LabeledExample(row["test_case"], suspicious, "hatecheck:" + functionality + ":" + row["case_id"], category);
        }
    }

    /// <summary>YouTube Spam Collection: CLASS 1 spam / 0 ham. Comments are HTML-decoded and lose the trailing U+FEFF of the export.</summary>
    public static IEnumerable<LabeledExample> YouTube(string path)
    {
        var file = Path.GetFileNameWithoutExtension(path);
        foreach (var row in QuotedCsv(path, ',', "CONTENT", "CLASS"))
        {
            var (suspicious, category) = row["CLASS"] switch
            {
                "1" => (true, "spam"),
                "0" => (false, Clean),
                var other => throw row.Error($"CLASS '{other}' is not 1 or 0"),
            };
            var text = WebUtility.HtmlDecode(row["CONTENT"]).TrimEnd('\uFEFF');
            yield return new LabeledExample(text, suspicious, "youtube:" + file + ":" + row.LineNumber.ToString(CultureInfo.InvariantCulture), category);
        }
    }

    /// <summary>A quoted delimited file with a header; every record must have the header's field count.</summary>
    private static IEnumerable<CsvRow> QuotedCsv(string path, char delimiter, params string[] required)
    {
        using var reader = new StreamReader(path, Encoding.UTF8);
        using var records = DelimitedRecordReader.Read(reader, delimiter).GetEnumerator();
        if (!records.MoveNext())
        {
            throw new InvalidDataException($"{path}: the file is empty; expected a header line.");
        }

        var header = records.Current.Fields.Select(h => h.Trim().TrimStart('\uFEFF')).ToList();
        var columns = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var name in required)
        {
            var index = header.IndexOf(name);
            columns[name] = index >= 0
                ? index
                : throw new InvalidDataException($"{path}, line 1: no '{name}' column in the header (columns: {string.Join(", ", header)}).");
        }

        while (records.MoveNext())
        {
            var record = records.Current;
            if (record.Fields.Count == 1 && record.Fields[0].Length == 0)
            {
                continue;
            }

            if (record.Fields.Count != header.Count)
            {
                throw new InvalidDataException($"{path}, line {record.LineNumber}: {record.Fields.Count} field(s), the header has {header.Count}.");
            }

            yield return new CsvRow(path, record.LineNumber, record.Fields, columns);
        }
    }

    private sealed record CsvRow(string Path, int LineNumber, IReadOnlyList<string> Fields, IReadOnlyDictionary<string, int> Columns)
    {
        public string this[string column] => Fields[Columns[column]];

        public InvalidDataException Error(string problem) => new($"{Path}, line {LineNumber}: {problem}.");
    }
}
