using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Moderation.Core.Serialization;
using Moderation.Evaluation.Baselines;
using Moderation.Evaluation.Data;
using Moderation.Evaluation.Metrics;
using Moderation.Evaluation.Reports;
using Moderation.Prefilter.Model;
using Moderation.Prefilter.Rules;

namespace Moderation.Cli.Commands;

/// <summary>
/// <c>moderation evaluate</c>: scores a labeled set with the shipped pre-filter (rules, CNN, both) and, side by side,
/// with the ML.NET baseline trained on the public train split, and prints ranking and routing metrics for each.
/// </summary>
internal sealed class EvaluateCommand : ICliCommand
{
    private const int ScoringBatch = 256;

    private static readonly JsonSerializerOptions ReportJson = new(ModerationJson.Options)
    {
        WriteIndented = true,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    private readonly Func<string?, IPrefilterModel> loadModel;
    private readonly TextWriter output;
    private readonly TextWriter error;

    public EvaluateCommand()
        : this(directory => OnnxPrefilterModel.Load(directory ?? OnnxPrefilterModel.DefaultDirectory), Console.Out, Console.Error)
    {
    }

    /// <param name="loadModel">Loads the model from a directory (null: the shipped one).</param>
    internal EvaluateCommand(Func<string?, IPrefilterModel> loadModel, TextWriter output, TextWriter error)
    {
        this.loadModel = loadModel;
        this.output = output;
        this.error = error;
    }

    public string Name => "evaluate";

    public string Summary => "Pre-filter metrics (rules, CNN, ML.NET baseline) on the public test split or a labeled file.";

    public string Usage => """
        usage: moderation evaluate [--tier prefilter|llm] ...   (--tier llm: the LLM tier, same as 'moderation llm-evaluate')
               moderation evaluate (--public [--split test|validation] | --file PATH [--format csv|tsv|jsonl]
                                    [--text-column text] [--label-column label])
                                   [--data DIR] [--model DIR] [--blocklist TERM[,TERM...]] [--mix 0.10]
                                   [--no-baseline | --baseline-train PATH] [--json OUT]

          --public            evaluate on the fixed public split (default part: test)
          --file PATH         evaluate on your own labeled CSV/TSV/JSONL (labels: 1/0, true/false, spam/ham,
                              suspicious/clean or a category name; anything but clean is suspicious)
          --data DIR          the public data (default ../shared/data beside the repository)
          --model DIR         the pre-filter model directory (default: the shipped models/prefilter)
          --blocklist TERMS   comma-separated blocklist for the rule screen (default: none)
          --mix SHARE         suspicious share for the re-weighted routing fraction (default 0.10 = 90/10)
          --no-baseline       skip the ML.NET baseline
          --baseline-train P  train the baseline on this labeled file instead of the public train split
          --json OUT          also write every number as JSON

        The CNN threshold is the one in the model manifest. The baseline's threshold is calibrated on the public
        validation split to the recall the CNN reaches there at its threshold (with --baseline-train: on that file),
        so the two are compared at equal recall. "+rules" rows route a message when a rule fires OR the score is at or
        above the threshold, as the screening policy does.
        """;

    private static readonly HashSet<string> Options = new(StringComparer.Ordinal)
    {
        "--split", "--file", "--format", "--text-column", "--label-column", "--data", "--model", "--blocklist", "--mix", "--baseline-train", "--json",
    };

    private static readonly HashSet<string> Flags = new(StringComparer.Ordinal) { "--public", "--no-baseline" };

    public Task<int> RunAsync(IReadOnlyList<string> args, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(args);

        // One evaluation command for both tiers: the LLM tier has its own options, so it is handed over whole.
        var tier = args.ToList().IndexOf("--tier");
        if (tier >= 0)
        {
            var name = tier + 1 < args.Count ? args[tier + 1] : null;
            var rest = args.Where((_, i) => i != tier && i != tier + 1).ToList();
            return name switch
            {
                "llm" => new LlmEvaluateCommand(output, error).RunAsync(rest, cancellationToken),
                "prefilter" => RunAsync(rest, cancellationToken),
                _ => Task.FromResult(UsageError("--tier takes 'prefilter' or 'llm'.")),
            };
        }

        var parsed = LlmCommandArguments.Parse(args, Options, Flags, out var usageError);
        if (parsed is null)
        {
            return Task.FromResult(UsageError(usageError!));
        }

        var usePublic = parsed.Has("--public");
        var file = parsed.Value("--file");
        if (usePublic == (file is not null))
        {
            return Task.FromResult(UsageError("Give exactly one of --public or --file PATH."));
        }

        SplitPart part;
        switch (parsed.Value("--split") ?? "test")
        {
            case "test":
                part = SplitPart.Test;
                break;
            case "validation":
                part = SplitPart.Validation;
                break;
            case var other:
                return Task.FromResult(UsageError($"--split must be test or validation (was '{other}'); the train split is what the models learned from."));
        }

        var mix = 0.10;
        if (parsed.Value("--mix") is { } mixText
            && (!double.TryParse(mixText, NumberStyles.Float, CultureInfo.InvariantCulture, out mix) || mix is <= 0 or >= 1))
        {
            return Task.FromResult(UsageError($"--mix must be a share between 0 and 1, e.g. 0.10 (was '{mixText}')."));
        }

        LabeledFileFormat? format = null;
        if (parsed.Value("--format") is { } formatText)
        {
            format = formatText.ToLowerInvariant() switch
            {
                "csv" => LabeledFileFormat.Csv,
                "tsv" => LabeledFileFormat.Tsv,
                "jsonl" => LabeledFileFormat.JsonLines,
                _ => null,
            };
            if (format is null)
            {
                return Task.FromResult(UsageError($"--format must be csv, tsv or jsonl (was '{formatText}')."));
            }
        }

        try
        {
            var fileOptions = new LabeledFileOptions
            {
                Format = format,
                TextColumn = parsed.Value("--text-column") ?? "text",
                LabelColumn = parsed.Value("--label-column") ?? "label",
            };
            var run = new EvaluationRun(
                usePublic,
                part,
                file,
                fileOptions,
                PublicCorpus.ResolveDataDirectory(parsed.Value("--data"), Directory.GetCurrentDirectory()),
                parsed.Value("--model"),
                (parsed.Value("--blocklist") ?? string.Empty).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries),
                mix,
                !parsed.Has("--no-baseline"),
                parsed.Value("--baseline-train"),
                parsed.Value("--json"));
            return Task.FromResult(Run(run, cancellationToken));
        }
        catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException or ArgumentException or JsonException)
        {
            error.WriteLine($"evaluate: {e.Message}");
            return Task.FromResult(1);
        }
    }

    private int Run(EvaluationRun run, CancellationToken cancellationToken)
    {
        CorpusSplit? corpus = null;
        CorpusSplit PublicData() => corpus ??= PublicCorpus.Load(run.DataDirectory);

        var examples = run.UsePublic ? PublicData()[run.Part] : LabeledFileReader.Read(run.File!, run.FileOptions);
        var dataName = run.UsePublic ? $"public {run.Part.ToString().ToLowerInvariant()} split ({run.DataDirectory})" : Path.GetFullPath(run.File!);
        if (examples.Count == 0)
        {
            error.WriteLine($"evaluate: no examples in {dataName}.");
            return 1;
        }

        var labels = examples.Select(e => e.Suspicious).ToArray();
        if (labels.All(l => l) || !labels.Any(l => l))
        {
            error.WriteLine($"evaluate: {dataName} has only {(labels[0] ? "suspicious" : "clean")} examples; ranking metrics need both.");
            return 1;
        }

        var model = loadModel(run.ModelDirectory);
        try
        {
            var manifest = model.Manifest;
            output.WriteLine($"Evaluating {examples.Count} messages ({labels.Count(l => l)} suspicious) from {dataName}");
            output.WriteLine($"Model {manifest.ModelVersion}, threshold {F(manifest.Threshold)}; mix for re-weighted routing: {F(1 - run.Mix)} clean / {F(run.Mix)} suspicious");

            var rules = new RuleScreen(run.Blocklist);
            var texts = examples.Select(e => e.Text).ToArray();
            var hits = texts.Select(t => rules.Screen(t)).ToArray();
            var hit = hits.Select(h => h.Count > 0).ToArray();
            var modelScores = Score(model.Score, texts, cancellationToken);

            var reports = new List<ScorerReport>
            {
                ScorerReport.Create("rules", hit.Select(h => h ? 1.0 : 0.0).ToArray(), labels, 1.0, "any rule hit", run.Mix),
                ScorerReport.Create(manifest.ModelVersion, modelScores, labels, manifest.Threshold, "manifest", run.Mix),
                ScorerReport.Create(manifest.ModelVersion + " +rules", WithRules(modelScores, hit), labels, manifest.Threshold, "manifest", run.Mix),
            };

            string? baselineName = null;
            string? baselineSkipped = null;
            if (!run.Baseline)
            {
                baselineSkipped = "--no-baseline";
            }
            else
            {
                var training = run.BaselineTrain is null ? PublicData().Train : LabeledFileReader.Read(run.BaselineTrain, run.FileOptions);
                var calibration = run.BaselineTrain is null ? PublicData().Validation : training;
                output.WriteLine($"Training the {MlNetTextBaseline.Name} baseline on {training.Count} examples ({(run.BaselineTrain is null ? "public train split" : run.BaselineTrain)})...");
                var baseline = MlNetTextBaseline.Train(training);
                cancellationToken.ThrowIfCancellationRequested();

                // Compare at equal recall: the baseline's threshold reaches, on the calibration data, the recall the
                // CNN reaches there at its released threshold.
                var calibrationTexts = calibration.Select(e => e.Text).ToArray();
                var calibrationLabels = calibration.Select(e => e.Suspicious).ToArray();
                var targetRecall = new BinaryClassificationMetrics(Score(model.Score, calibrationTexts, cancellationToken), calibrationLabels).At(manifest.Threshold).Recall;
                var baselineCalibration = new BinaryClassificationMetrics(Score(baseline.Score, calibrationTexts, cancellationToken), calibrationLabels);
                var baselineThreshold = ThresholdCalibration.ForRecall(baselineCalibration, targetRecall).Threshold;
                var source = $"recall {F(targetRecall)} on {(run.BaselineTrain is null ? "validation" : "its training file")}";

                var baselineScores = Score(baseline.Score, texts, cancellationToken);
                baselineName = MlNetTextBaseline.Name;
                reports.Add(ScorerReport.Create(baselineName, baselineScores, labels, baselineThreshold, source, run.Mix));
                reports.Add(ScorerReport.Create(baselineName + " +rules", WithRules(baselineScores, hit), labels, baselineThreshold, source, run.Mix));
            }

            var ruleSummary = hits
                .SelectMany((h, i) => h.Select(x => x.RuleId).Distinct().Select(id => (id, labels[i])))
                .GroupBy(p => p.id)
                .Select(g => new RuleHitSummary(g.Key, g.Count(), g.Count(p => p.Item2)))
                .OrderByDescending(s => s.Messages)
                .ToArray();

            var report = new EvaluateReport(dataName, examples.Count, labels.Count(l => l), manifest.ModelVersion, manifest.Threshold, baselineName, baselineSkipped, reports, ruleSummary);
            Print(report);
            if (run.JsonPath is not null)
            {
                File.WriteAllText(run.JsonPath, JsonSerializer.Serialize(report, ReportJson));
                output.WriteLine($"Wrote {Path.GetFullPath(run.JsonPath)}");
            }

            return 0;
        }
        finally
        {
            (model as IDisposable)?.Dispose();
        }
    }

    /// <summary>
    /// A ranking score for "rule hit OR score &gt;= threshold": rule hits move above every plain score (thresholds are
    /// at most 1), keeping their model order among themselves.
    /// </summary>
    internal static double[] WithRules(IReadOnlyList<double> scores, IReadOnlyList<bool> hit) =>
        scores.Select((s, i) => hit[i] ? 1.0 + s : s).ToArray();

    private static double[] Score(Func<IReadOnlyList<string>, float[]> score, string[] texts, CancellationToken cancellationToken)
    {
        var result = new double[texts.Length];
        for (var start = 0; start < texts.Length; start += ScoringBatch)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var batch = texts.AsSpan(start, Math.Min(ScoringBatch, texts.Length - start)).ToArray();
            var scores = score(batch);
            for (var i = 0; i < scores.Length; i++)
            {
                result[start + i] = scores[i];
            }
        }

        return result;
    }

    private void Print(EvaluateReport report)
    {
        output.WriteLine();
        var mix = report.Scorers[0].MixSuspiciousShare;
        var mixLabel = $"{(1 - mix) * 100:0}/{mix * 100:0}";
        output.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"{"scorer",-32} {"ROC AUC",8} {"PR AUC",7} {"thresh",7} {"prec",6} {"recall",6} {"F1",6} {"FPR",6} {"routed",7} {"r@" + mixLabel,8} {"R@10%",6} {"R@20%",6} {"R@30%",6}"));
        foreach (var s in report.Scorers)
        {
            output.WriteLine(string.Create(
                CultureInfo.InvariantCulture,
                $"{s.Scorer,-32} {F(s.RocAuc),8} {F(s.PrAuc),7} {F(s.Threshold),7} {F(s.Precision),6} {F(s.Recall),6} {F(s.F1),6} {F(s.FalsePositiveRate),6} {F(s.RoutingFraction),7} {F(s.RoutingFractionInMix),8} {F(s.RecallAtRouting[0].Recall),6} {F(s.RecallAtRouting[1].Recall),6} {F(s.RecallAtRouting[2].Recall),6}"));
        }

        output.WriteLine();
        output.WriteLine($"Recall when at most 10/20/30% of a {mixLabel} clean/suspicious mix may go to the LLM tier:");
        foreach (var s in report.Scorers)
        {
            output.WriteLine(string.Create(
                CultureInfo.InvariantCulture,
                $"  {s.Scorer,-32} {string.Join("  ", s.RecallAtRouting.Select(r => $"{r.RoutingFraction * 100:0}%: {F(r.RecallInMix)}"))}"));
        }

        output.WriteLine();
        output.WriteLine("Thresholds: " + string.Join("; ", report.Scorers.Where(s => !s.Scorer.EndsWith("+rules", StringComparison.Ordinal)).Select(s => $"{s.Scorer} {F(s.Threshold)} ({s.ThresholdSource})")));
        if (report.BaselineSkipped is not null)
        {
            output.WriteLine($"Baseline skipped: {report.BaselineSkipped}");
        }

        output.WriteLine(report.RuleHits.Count == 0
            ? "Rule hits: none"
            : "Rule hits (messages, share suspicious): " + string.Join(", ", report.RuleHits.Select(r => $"{r.RuleId} {r.Messages} ({F(r.Precision)})")));
    }

    private static string F(double value) => double.IsNaN(value) ? "n/a" : value.ToString("0.000", CultureInfo.InvariantCulture);

    private int UsageError(string message)
    {
        error.WriteLine($"evaluate: {message}");
        error.WriteLine(Usage);
        return 2;
    }

    private sealed record EvaluationRun(
        bool UsePublic,
        SplitPart Part,
        string? File,
        LabeledFileOptions FileOptions,
        string DataDirectory,
        string? ModelDirectory,
        IReadOnlyList<string> Blocklist,
        double Mix,
        bool Baseline,
        string? BaselineTrain,
        string? JsonPath);
}
