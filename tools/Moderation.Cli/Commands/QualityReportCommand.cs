using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Moderation.Evaluation.Quality;
using Moderation.Storage.Audit;
using Moderation.Storage.Queues;

namespace Moderation.Cli.Commands;

/// <summary>
/// <c>moderation report</c>: the quality report of a period from the audit trail, printed and written as JSON and HTML,
/// plus the cases a tier got wrong as an evaluation set in the <c>export-labels</c> format.
/// </summary>
internal sealed class QualityReportCommand : ICliCommand
{
    public string Name => "report";

    public string Summary => "Quality report from the audit trail: volumes, routed share, cost, review SLA, agreement with reviewers.";

    public string Usage => """
        usage: moderation report [--from DATE] [--to DATE] [--out DIR]

          Reads every case in the audit table (ModerationAudit) screened in [--from, --to) and reports volumes, routed
          share, LLM cost per 1,000 messages, review SLA (wait percentiles, timeouts) and, on every case a reviewer
          decided, the agreement of the LLM verdict and of the pre-filter with the reviewer (precision, recall,
          confusion matrix), with the disagreeing cases listed by id.
          --from DATE   start, UTC (ISO 8601, e.g. 2026-11-01 or 2026-11-01T08:00Z); default: 7 days before --to
          --to DATE     end, exclusive; a date without a time includes that whole day; default: now
          --out DIR     where to write quality-report.json, quality-report.html and disagreements.jsonl
                        (default: quality-report)

          disagreements.jsonl holds the disagreeing cases labeled with the reviewer's decision, in export-labels'
          format, so they can be replayed: moderation evaluate --file DIR/disagreements.jsonl, or
          moderation llm-evaluate / export-finetune --file DIR/disagreements.jsonl --label-column category.
          Storage comes from the environment, as for export-labels.
        """;

    public async Task<int> RunAsync(IReadOnlyList<string> args, CancellationToken cancellationToken)
    {
        string? fromText = null, toText = null, outDir = "quality-report";
        for (var i = 0; i < args.Count; i++)
        {
            switch (args[i])
            {
                case "--from" when i + 1 < args.Count:
                    fromText = args[++i];
                    break;
                case "--to" when i + 1 < args.Count:
                    toText = args[++i];
                    break;
                case "--out" when i + 1 < args.Count:
                    outDir = args[++i];
                    break;
                default:
                    await Console.Error.WriteLineAsync($"report: unexpected argument '{args[i]}'.\n{Usage}");
                    return 2;
            }
        }

        DateTimeOffset to = DateTimeOffset.UtcNow;
        if (toText is not null && !TryParseBound(toText, endOfDay: true, out to))
        {
            await Console.Error.WriteLineAsync($"report: --to '{toText}' is not an ISO 8601 date or time.");
            return 2;
        }

        DateTimeOffset from = to.AddDays(-7);
        if (fromText is not null && !TryParseBound(fromText, endOfDay: false, out from))
        {
            await Console.Error.WriteLineAsync($"report: --from '{fromText}' is not an ISO 8601 date or time.");
            return 2;
        }

        if (from >= to)
        {
            await Console.Error.WriteLineAsync($"report: --from ({from:O}) must be before --to ({to:O}).");
            return 2;
        }

        try
        {
            var (connection, options) = StorageCommandConfiguration.FromEnvironment();
            var audit = new TableAuditLog(connection, Options.Create(options));
            var report = await BuildAsync(audit.ReadAllCasesAsync(cancellationToken), from, to, cancellationToken);
            var written = await WriteAsync(report, outDir, cancellationToken);
            Console.Write(QualityReportRendering.ToText(report));
            Console.WriteLine($"report: wrote {string.Join(", ", written)}");
            return 0;
        }
        catch (Exception ex) when (ex is InvalidOperationException or OptionsValidationException or Azure.RequestFailedException or IOException or UnauthorizedAccessException)
        {
            await Console.Error.WriteLineAsync($"report: {(ex is Azure.RequestFailedException storage ? $"Azure Storage answered {storage.Status} {storage.ErrorCode}" : ex.Message)}");
            return 1;
        }
    }

    internal static async Task<QualityReport> BuildAsync(IAsyncEnumerable<IReadOnlyList<Core.Audit.AuditRecord>> cases, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken)
    {
        var builder = new QualityReportBuilder(from, to);
        await foreach (var records in cases.WithCancellation(cancellationToken))
        {
            builder.Add(records);
        }

        return builder.Build();
    }

    /// <summary>Writes the JSON, the HTML and the evaluation set; returns the paths written.</summary>
    internal static async Task<IReadOnlyList<string>> WriteAsync(QualityReport report, string outDir, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(outDir);
        var utf8 = new UTF8Encoding(false);
        var json = Path.Combine(outDir, "quality-report.json");
        var html = Path.Combine(outDir, "quality-report.html");
        var set = Path.Combine(outDir, "disagreements.jsonl");
        await File.WriteAllTextAsync(json, QualityReportRendering.ToJson(report), utf8, cancellationToken);
        await File.WriteAllTextAsync(html, QualityReportRendering.ToHtml(report), utf8, cancellationToken);

        await using var writer = new StreamWriter(set, append: false, utf8);
        foreach (var records in report.DisagreementCases)
        {
            // The same labeling as export-labels: reviewer-decided cases carry the reviewer's label.
            if (LabeledExampleExporter.ToExample(records) is { } example)
            {
                await writer.WriteLineAsync(JsonSerializer.Serialize(example, QueueBodyWriter.JsonOptions).AsMemory(), cancellationToken);
            }
        }

        return [json, html, set];
    }

    /// <summary>ISO 8601, UTC unless an offset is given; a date alone is the start of that day (or the end, for --to).</summary>
    internal static bool TryParseBound(string text, bool endOfDay, out DateTimeOffset value)
    {
        if (DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day))
        {
            value = new DateTimeOffset(day.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero).AddDays(endOfDay ? 1 : 0);
            return true;
        }

        return DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out value);
    }
}
