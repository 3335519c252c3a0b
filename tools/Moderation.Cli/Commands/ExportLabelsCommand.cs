using Microsoft.Extensions.Options;
using Moderation.Storage.Audit;

namespace Moderation.Cli.Commands;

/// <summary>
/// <c>moderation export-labels</c>: turns the audit trail into labeled JSON lines (reviewer decisions first, else
/// final outcomes), the input of <c>evaluate --file</c> and <c>export-finetune --file</c>.
/// </summary>
internal sealed class ExportLabelsCommand : ICliCommand
{
    public string Name => "export-labels";

    public string Summary => "Export moderated cases as labeled JSONL (text, label, category) from the audit table.";

    public string Usage => """
        usage: moderation export-labels --out FILE.jsonl [--reviewed-only]

          Reads every case in the audit table (ModerationAudit) and writes one line per decided case:
            {"id":..., "text":..., "label":"suspicious|clean", "category":"<wire name>", "source":"reviewer|llm|prefilter|timeout", "decidedAt":...}
          The label is the reviewer's decision when there was one, else the final outcome.
          --reviewed-only   only cases a human decided (labels free of the models' own bias)

          Storage comes from the environment: ModerationStorage (connection string) or ModerationStorage__queueServiceUri,
          __tableServiceUri, __blobServiceUri (managed identity); locally MODERATION_STORAGE_CONNECTION.
          Then: moderation export-finetune --file FILE.jsonl --label-column category --out train.jsonl
        """;

    public async Task<int> RunAsync(IReadOnlyList<string> args, CancellationToken cancellationToken)
    {
        string? outPath = null;
        var reviewedOnly = false;
        for (var i = 0; i < args.Count; i++)
        {
            switch (args[i])
            {
                case "--out" when i + 1 < args.Count:
                    outPath = args[++i];
                    break;
                case "--reviewed-only":
                    reviewedOnly = true;
                    break;
                default:
                    await Console.Error.WriteLineAsync($"export-labels: unexpected argument '{args[i]}'.\n{Usage}");
                    return 2;
            }
        }

        if (string.IsNullOrWhiteSpace(outPath))
        {
            await Console.Error.WriteLineAsync(Usage);
            return 2;
        }

        try
        {
            var (connection, options) = StorageCommandConfiguration.FromEnvironment();
            var exporter = new LabeledExampleExporter(new TableAuditLog(connection, Options.Create(options)));
            var directory = Path.GetDirectoryName(Path.GetFullPath(outPath));
            if (directory is not null)
            {
                Directory.CreateDirectory(directory);
            }

            await using var writer = new StreamWriter(outPath, append: false, new System.Text.UTF8Encoding(false));
            var summary = await exporter.ExportAsync(writer, reviewedOnly, cancellationToken);
            Console.WriteLine($"export-labels: wrote {summary.Written} example(s) to {outPath} ({summary.FromReviewers} from reviewers); skipped {summary.SkippedUndecided} undecided" + (reviewedOnly ? $" and {summary.SkippedNotReviewed} not reviewed." : "."));
            return 0;
        }
        catch (Exception ex) when (ex is InvalidOperationException or OptionsValidationException or Azure.RequestFailedException or IOException)
        {
            await Console.Error.WriteLineAsync($"export-labels: {(ex is Azure.RequestFailedException storage ? $"Azure Storage answered {storage.Status} {storage.ErrorCode}" : ex.Message)}");
            return 1;
        }
    }
}
