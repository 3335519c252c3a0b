using System.Globalization;
using System.Text;

namespace Moderation.Evaluation.Reports;

/// <summary>One evaluated message: what the pre-filter said about it and what it really is.</summary>
/// <param name="Routed">Whether the screening policy (model threshold and rule hits) sends it to the LLM tier.</param>
/// <param name="BaselineScore">The baseline's score, null when the baseline did not run.</param>
public sealed record Prediction(
    string Source,
    string Id,
    bool Violation,
    string? Category,
    double Score,
    IReadOnlyList<string> Rules,
    bool Routed,
    double? BaselineScore,
    string Text);

/// <summary>
/// Writes predictions as UTF-8 TSV without quoting (tabs and line breaks in a text become one space each, the layout of
/// the shared derived files), one line per message, for error analysis in any spreadsheet or script.
/// </summary>
public static class PredictionsFile
{
    public static readonly IReadOnlyList<string> Columns = ["source", "id", "label", "category", "score", "rules", "routed", "baseline_score", "text"];

    public static void Write(string path, IEnumerable<Prediction> predictions)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        ArgumentNullException.ThrowIfNull(predictions);
        var directory = Path.GetDirectoryName(Path.GetFullPath(path));
        if (directory is not null)
        {
            Directory.CreateDirectory(directory);
        }

        using var writer = new StreamWriter(path, append: false, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false));
        Write(writer, predictions);
    }

    public static void Write(TextWriter writer, IEnumerable<Prediction> predictions)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(predictions);
        writer.Write(string.Join('\t', Columns));
        writer.Write('\n');
        foreach (var p in predictions)
        {
            writer.Write(string.Join(
                '\t',
                Clean(p.Source),
                Clean(p.Id),
                p.Violation ? "violation" : "clean",
                Clean(p.Category ?? string.Empty),
                p.Score.ToString("0.######", CultureInfo.InvariantCulture),
                Clean(string.Join(',', p.Rules)),
                p.Routed ? "true" : "false",
                p.BaselineScore?.ToString("0.######", CultureInfo.InvariantCulture) ?? string.Empty,
                Clean(p.Text)));
            writer.Write('\n');
        }
    }

    private static string Clean(string value)
    {
        if (value.AsSpan().IndexOfAny('\t', '\r', '\n') < 0)
        {
            return value;
        }

        var builder = new StringBuilder(value.Length);
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            if (c == '\r' && i + 1 < value.Length && value[i + 1] == '\n')
            {
                continue;
            }

            builder.Append(c is '\t' or '\r' or '\n' ? ' ' : c);
        }

        return builder.ToString();
    }
}
