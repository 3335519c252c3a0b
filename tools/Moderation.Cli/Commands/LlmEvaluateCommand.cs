using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Moderation.Core.Classification;
using Moderation.Core.Policy;
using Moderation.Evaluation.Data;
using Moderation.Evaluation.Metrics;
using Moderation.Llm.Classification;
using Moderation.Llm.Configuration;
using Moderation.Llm.Costs;
using Moderation.Llm.Evaluation;

namespace Moderation.Cli.Commands;

/// <summary>
/// Classifies labeled messages with the configured LLM and reports how well its verdicts separate violations from clean
/// messages (ROC AUC over <see cref="LlmVerdict.ViolationProbability"/>; precision and recall of "category is not clean"),
/// what failed, and what it cost (total and per 1,000 messages).
/// </summary>
internal sealed class LlmEvaluateCommand(TextWriter output, TextWriter progressOutput) : ICliCommand
{
    private static readonly HashSet<string> Options = ["--file", "--text-column", "--label-column", "--format", "--data", "--split", "--limit", "--concurrency", "--attempts", "--config", "--json"];
    private static readonly HashSet<string> Flags = ["--public"];

    public LlmEvaluateCommand()
        : this(Console.Out, Console.Error)
    {
    }

    public string Name => "llm-evaluate";

    public string Summary => "Classify labeled messages with the configured LLM; report AUC, precision, recall and cost.";

    public string Usage => """
        usage: moderation llm-evaluate (--file <labeled file> [--text-column text] [--label-column label] [--format csv|tsv|jsonl]
                                        | --public [--data <dir>] [--split test|validation|train])
                                       [--limit N] [--concurrency 4] [--attempts 3] [--config settings.json] [--json out.json]

          LLM settings come from the Moderation:Llm section of ./appsettings.json, the --config file, then environment
          variables (Moderation__Llm__Provider, Moderation__Llm__Endpoint, Moderation__Llm__Deployment, Moderation__Llm__ApiKey...).
          A message counts as a violation when its label is not clean (ham, neither, clean, 0, false) and, for the LLM,
          when its category is not clean. Transient failures are retried up to --attempts times, honouring Retry-After.
        """;

    public async Task<int> RunAsync(IReadOnlyList<string> args, CancellationToken cancellationToken)
    {
        var parsed = LlmCommandArguments.Parse(args, Options, Flags, out var usageError);
        var limit = parsed?.PositiveInt("--limit", null);
        var concurrency = parsed?.PositiveInt("--concurrency", 4);
        var attempts = parsed?.PositiveInt("--attempts", 3);
        if (parsed is null || parsed.Has("--file") == parsed.Has("--public") || (parsed.Has("--limit") && limit is null) || concurrency is null || attempts is null)
        {
            await progressOutput.WriteLineAsync(usageError ?? "Give exactly one of --file or --public; --limit, --concurrency and --attempts are positive integers.");
            await progressOutput.WriteLineAsync(Usage);
            return 2;
        }

        IReadOnlyList<LabeledExample> examples;
        ILlmClassifier classifier;
        string model;
        try
        {
            examples = LoadExamples(parsed);
            var options = LlmSettingsSources.BindOptions(LlmSettingsSources.Build(parsed.Value("--config")));
            classifier = LlmClassifierFactory.Create(options, NullLoggerFactory.Instance);
            model = options.Deployment ?? "none";
        }
        catch (Exception ex) when (ex is IOException or InvalidDataException or ArgumentException or OptionsValidationException or InvalidOperationException or UnauthorizedAccessException)
        {
            await progressOutput.WriteLineAsync("llm-evaluate: " + ex.Message);
            return ex is ArgumentException ? 2 : 1;
        }

        if (classifier is NotConfiguredClassifier)
        {
            await progressOutput.WriteLineAsync($"llm-evaluate: {NotConfiguredClassifier.Detail} Set Moderation:Llm:Provider, Endpoint and Deployment.");
            return 1;
        }

        if (limit is { } n && examples.Count > n)
        {
            examples = examples.Take(n).ToList();
        }

        var bar = new LlmProgressBar(progressOutput, examples.Count);
        var batch = new BatchClassification(classifier, concurrency.Value, attempts.Value, maxRetryWait: TimeSpan.FromSeconds(60));
        var outcomes = await batch.RunAsync(examples.Select(e => e.Text).ToList(), bar, cancellationToken);
        bar.Finish();

        var report = LlmEvaluationReport.From(examples, outcomes, model);
        await output.WriteAsync(report.ToText());
        if (parsed.Value("--json") is { Length: > 0 } jsonPath)
        {
            await File.WriteAllTextAsync(jsonPath, JsonSerializer.Serialize(report, ReportJson), cancellationToken);
            await output.WriteLineAsync($"Wrote {Path.GetFullPath(jsonPath)}");
        }

        return report.Classified == 0 && report.Messages > 0 ? 1 : 0;
    }

    private static readonly JsonSerializerOptions ReportJson = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    private static IReadOnlyList<LabeledExample> LoadExamples(LlmCommandArguments args)
    {
        if (args.Has("--public"))
        {
            var split = PublicCorpus.Load(PublicCorpus.ResolveDataDirectory(args.Value("--data")));
            var part = args.Value("--split") ?? "test";
            return Enum.TryParse<SplitPart>(part, ignoreCase: true, out var which)
                ? split[which]
                : throw new ArgumentException($"--split must be train, validation or test (was '{part}').");
        }

        return LabeledFileReader.Read(args.Value("--file")!, LlmLabeledFile.Options(args, defaultLabelColumn: "label"));
    }
}

/// <summary>What <c>llm-evaluate</c> measured; also its --json output.</summary>
internal sealed record LlmEvaluationReport(
    string Model,
    IReadOnlyList<string> PromptVersions,
    int Messages,
    int Classified,
    int Failures,
    IReadOnlyList<string> SampleErrors,
    double RocAuc,
    double PrAuc,
    double Precision,
    double Recall,
    int TruePositives,
    int FalsePositives,
    int TrueNegatives,
    int FalseNegatives,
    int ContentFilterVerdicts,
    IReadOnlyDictionary<string, int> Categories,
    long InputTokens,
    long OutputTokens,
    decimal TotalCostUsd,
    decimal CostPer1000MessagesUsd)
{
    public static LlmEvaluationReport From(IReadOnlyList<LabeledExample> examples, IReadOnlyList<BatchOutcome> outcomes, string model)
    {
        var tally = new LlmUsageTally();
        var scores = new List<double>();
        var labels = new List<bool>();
        int tp = 0, fp = 0, tn = 0, fn = 0;
        foreach (var outcome in outcomes.Where(o => o.Verdict is not null))
        {
            var verdict = outcome.Verdict!;
            var truth = examples[outcome.Index].Suspicious;
            var predicted = verdict.Category != PolicyCategory.Clean;
            tally.Add(verdict.Usage);
            scores.Add(verdict.ViolationProbability);
            labels.Add(truth);
            if (predicted)
            {
                if (truth)
                {
                    tp++;
                }
                else
                {
                    fp++;
                }
            }
            else if (truth)
            {
                fn++;
            }
            else
            {
                tn++;
            }
        }

        var metrics = new BinaryClassificationMetrics(scores, labels);
        var usage = tally.Summarize();
        var verdicts = outcomes.Where(o => o.Verdict is not null).Select(o => o.Verdict!).ToList();
        var failures = outcomes.Where(o => o.Verdict is null).ToList();
        return new LlmEvaluationReport(
            model,
            verdicts.Select(v => v.PromptVersion).Distinct(StringComparer.Ordinal).ToList(),
            outcomes.Count,
            verdicts.Count,
            failures.Count,
            failures.Select(f => f.Error ?? "unknown").GroupBy(e => e, StringComparer.Ordinal).OrderByDescending(g => g.Count()).Take(5).Select(g => $"{g.Count()} x {g.Key}").ToList(),
            metrics.RocAuc,
            metrics.AveragePrecision,
            tp + fp == 0 ? double.NaN : (double)tp / (tp + fp),
            tp + fn == 0 ? double.NaN : (double)tp / (tp + fn),
            tp,
            fp,
            tn,
            fn,
            verdicts.Count(v => v.Source == VerdictSource.ContentFilter),
            verdicts.GroupBy(v => v.Category.WireName()).OrderByDescending(g => g.Count()).ToDictionary(g => g.Key, g => g.Count()),
            usage.InputTokens,
            usage.OutputTokens,
            usage.TotalCostUsd,
            usage.CostPer1000MessagesUsd);
    }

    public string ToText()
    {
        var c = CultureInfo.InvariantCulture;
        var lines = new List<string>
        {
            $"LLM evaluation: {Model}, prompt {string.Join(", ", PromptVersions)}",
            string.Create(c, $"  messages        {Messages} ({Classified} classified, {Failures} failed, {ContentFilterVerdicts} by the content filter)"),
            string.Create(c, $"  ROC AUC         {RocAuc:0.0000}   (violation probability vs label)"),
            string.Create(c, $"  PR AUC          {PrAuc:0.0000}"),
            string.Create(c, $"  precision       {Precision:0.0000}   (violation = category is not clean)"),
            string.Create(c, $"  recall          {Recall:0.0000}"),
            string.Create(c, $"  confusion       TP {TruePositives}  FP {FalsePositives}  TN {TrueNegatives}  FN {FalseNegatives}"),
            "  categories      " + string.Join(", ", Categories.Select(kv => $"{kv.Key} {kv.Value}")),
            string.Create(c, $"  tokens          {InputTokens} in + {OutputTokens} out"),
            string.Create(c, $"  cost            ${TotalCostUsd:0.######} total, ${CostPer1000MessagesUsd:0.####} per 1,000 messages"),
        };
        lines.AddRange(SampleErrors.Select(e => "  failure         " + e));
        return string.Join('\n', lines) + "\n";
    }
}

/// <summary>The labeled-file layout options shared by the LLM commands.</summary>
internal static class LlmLabeledFile
{
    public static LabeledFileOptions Options(LlmCommandArguments args, string defaultLabelColumn) => new()
    {
        TextColumn = args.Value("--text-column") ?? "text",
        LabelColumn = args.Value("--label-column") ?? defaultLabelColumn,
        Format = args.Value("--format") switch
        {
            null => null,
            var f when f.Equals("csv", StringComparison.OrdinalIgnoreCase) => LabeledFileFormat.Csv,
            var f when f.Equals("tsv", StringComparison.OrdinalIgnoreCase) => LabeledFileFormat.Tsv,
            var f when f.Equals("jsonl", StringComparison.OrdinalIgnoreCase) => LabeledFileFormat.JsonLines,
            var f => throw new ArgumentException($"--format must be csv, tsv or jsonl (was '{f}')."),
        },
    };
}

/// <summary>A one-line progress bar on stderr, redrawn at most once per percent.</summary>
internal sealed class LlmProgressBar(TextWriter output, int total) : IProgress<int>
{
    private readonly Lock gate = new();
    private int lastPercent = -1;

    public void Report(int value)
    {
        var percent = total == 0 ? 100 : value * 100 / total;
        lock (gate)
        {
            if (percent == lastPercent)
            {
                return;
            }

            lastPercent = percent;
            var filled = percent * 30 / 100;
            output.Write(string.Create(CultureInfo.InvariantCulture, $"\r[{new string('#', filled)}{new string('.', 30 - filled)}] {value}/{total} ({percent}%)"));
        }
    }

    public void Finish()
    {
        lock (gate)
        {
            output.WriteLine();
        }
    }
}
