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
/// with the ML.NET baseline, and prints ranking and routing metrics for each: on catalog corpora (per source, as the
/// model card's table), on the public Davidson + SMS split, or on a team's own labeled file.
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
    private readonly string? defaultCacheDirectory;

    public EvaluateCommand()
        : this(directory => OnnxPrefilterModel.Load(directory ?? OnnxPrefilterModel.DefaultDirectory), Console.Out, Console.Error)
    {
    }

    /// <param name="loadModel">Loads the model from a directory (null: the shipped one).</param>
    /// <param name="defaultCacheDirectory">Where baselines are cached without --cache (null: artifacts/baseline-cache in the repository).</param>
    internal EvaluateCommand(Func<string?, IPrefilterModel> loadModel, TextWriter output, TextWriter error, string? defaultCacheDirectory = null)
    {
        this.loadModel = loadModel;
        this.output = output;
        this.error = error;
        this.defaultCacheDirectory = defaultCacheDirectory;
    }

    public string Name => "evaluate";

    public string Summary => "Pre-filter metrics (CNN, rules, ML.NET baseline) per public corpus, on the public split or on a labeled file.";

    public string Usage => """
        usage: moderation evaluate [--tier prefilter|llm] ...   (--tier llm: the LLM tier, same as 'moderation llm-evaluate')
               moderation evaluate (--corpus NAME|all [--corpus NAME ...] | --public | --file PATH [file options])
                                   [--split test|validation] [--data DIR] [--model DIR] [--blocklist TERM[,TERM...]]
                                   [--mix 0.10] [--no-baseline | --baseline-train PATH] [--cache DIR]
                                   [--report OUT.md] [--predictions OUT.tsv] [--json OUT]

          --corpus NAME       evaluate a corpus of the data directory with its documented label mapping, on its own
                              split (repeatable or comma-separated; 'all' for every corpus). Prints the per-source
                              Markdown table: CNN, CNN + rules, baseline. Corpora: {Corpora}
          --public            evaluate on the fixed Davidson + SMS split the shipped model was trained on
          --file PATH         evaluate on your own labeled CSV/TSV/JSONL
          --split PART        the split part to evaluate: test (default) or validation
          --data DIR          the public data (default ../shared/data beside the repository)
          --model DIR         the pre-filter model directory (default: the shipped models/prefilter)
          --blocklist TERMS   comma-separated blocklist for the rule screen (default: none)
          --mix SHARE         violation share of the assumed traffic mix (default 0.10 = 90/10)
          --no-baseline       skip the ML.NET baseline
          --baseline-train P  train the baseline on this labeled file (--public/--file only)
          --cache DIR         where trained baselines are kept by a hash of their training data
                              (default artifacts/baseline-cache in the repository); --no-cache retrains
          --report OUT.md     --corpus: also write the Markdown report to this file
          --predictions OUT   also write one TSV line per message: source, id, label, category, score, rules fired,
                              routed (screening policy), baseline score, text
          --json OUT          also write every number as JSON

        File options (--file, --baseline-train):
          --format csv|tsv|jsonl   default: from the extension
          --text-column NAME       default text
          --label-column NAME      default label
          --category-column NAME   a finer category per row, for recall per category
          --label-map MAP          how label values map, e.g. '0=violation:hate,1=violation:profanity,2=clean' or
                                   'x=skip'; without it only 1/0, true/false, yes/no, spam/ham, suspicious/violation/
                                   clean and policy category names are accepted, and any other value is an error
          --tsv-quoted             TSV fields may be quoted (default: a '"' in a TSV is text)

        The CNN threshold is the one in the model manifest. The baseline's threshold is calibrated on validation data
        (with --baseline-train: on that file) to the recall the CNN reaches there at its threshold, so the two are
        compared at equal recall. "+rules" routes a message when a rule fires OR the score is at or above the
        threshold, as the screening policy does.
        """.Replace("{Corpora}", string.Join(", ", CorpusCatalog.All.Select(c => c.Name)), StringComparison.Ordinal);

    private static readonly HashSet<string> Options = new(StringComparer.Ordinal)
    {
        "--split", "--file", "--format", "--text-column", "--label-column", "--category-column", "--label-map", "--data", "--model", "--blocklist", "--mix",
        "--baseline-train", "--cache", "--report", "--predictions", "--json",
    };

    private static readonly HashSet<string> Flags = new(StringComparer.Ordinal) { "--public", "--no-baseline", "--no-cache", "--tsv-quoted" };

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

        // --corpus may repeat; the shared parser keeps one value per option, so it is collected first.
        var corpusNames = new List<string>();
        var remaining = new List<string>();
        for (var i = 0; i < args.Count; i++)
        {
            if (args[i] == "--corpus")
            {
                if (i + 1 >= args.Count)
                {
                    return Task.FromResult(UsageError("--corpus needs a value."));
                }

                corpusNames.AddRange(args[++i].Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
            }
            else
            {
                remaining.Add(args[i]);
            }
        }

        var parsed = LlmCommandArguments.Parse(remaining, Options, Flags, out var usageError);
        if (parsed is null)
        {
            return Task.FromResult(UsageError(usageError!));
        }

        var usePublic = parsed.Has("--public");
        var file = parsed.Value("--file");
        var useCorpus = args.Contains("--corpus");
        if ((usePublic ? 1 : 0) + (file is not null ? 1 : 0) + (useCorpus ? 1 : 0) != 1)
        {
            return Task.FromResult(UsageError("Give exactly one of --corpus NAME, --public or --file PATH."));
        }

        if (useCorpus && corpusNames.Count == 0)
        {
            return Task.FromResult(UsageError("--corpus needs a corpus name or 'all'."));
        }

        if (useCorpus && parsed.Has("--baseline-train"))
        {
            return Task.FromResult(UsageError("--baseline-train is for --public and --file; with --corpus the baseline trains on every corpus's train split."));
        }

        if (!useCorpus && parsed.Has("--report"))
        {
            return Task.FromResult(UsageError("--report writes the per-source table of --corpus."));
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
            var dataDirectory = PublicCorpus.ResolveDataDirectory(parsed.Value("--data"), Directory.GetCurrentDirectory());
            var cacheDirectory = parsed.Has("--no-cache")
                ? null
                : parsed.Value("--cache") ?? defaultCacheDirectory ?? DefaultCacheDirectory();
            var blocklist = (parsed.Value("--blocklist") ?? string.Empty).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            if (useCorpus)
            {
                var corpora = corpusNames.Any(n => n.Equals("all", StringComparison.OrdinalIgnoreCase))
                    ? CorpusCatalog.All
                    : corpusNames.Select(CorpusCatalog.Get).Distinct().ToList();
                var settings = new CorpusEvaluationSettings(
                    corpora,
                    part,
                    dataDirectory,
                    blocklist,
                    mix,
                    !parsed.Has("--no-baseline"),
                    cacheDirectory ?? Path.Combine(Path.GetTempPath(), "moderation-baseline-" + Guid.NewGuid().ToString("N")),
                    parsed.Value("--report"),
                    parsed.Value("--predictions"),
                    parsed.Value("--json"),
                    "moderation evaluate " + string.Join(' ', args.Select(a => a.Contains(' ', StringComparison.Ordinal) ? $"'{a}'" : a)));
                return RunCorpora(settings, parsed.Value("--model"), cancellationToken);
            }

            var fileOptions = new LabeledFileOptions
            {
                Format = format,
                TextColumn = parsed.Value("--text-column") ?? "text",
                LabelColumn = parsed.Value("--label-column") ?? "label",
                CategoryColumn = parsed.Value("--category-column"),
                Labels = parsed.Value("--label-map") is { } map ? LabelMapping.Parse(map) : LabelMapping.Default,
                TsvQuoting = parsed.Has("--tsv-quoted"),
            };
            var run = new EvaluationRun(
                usePublic,
                part,
                file,
                fileOptions,
                dataDirectory,
                parsed.Value("--model"),
                blocklist,
                mix,
                !parsed.Has("--no-baseline"),
                parsed.Value("--baseline-train"),
                parsed.Value("--json"),
                cacheDirectory,
                parsed.Value("--predictions"));
            return Task.FromResult(Run(run, cancellationToken));
        }
        catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException or ArgumentException or JsonException)
        {
            error.WriteLine($"evaluate: {e.Message}");
            return Task.FromResult(1);
        }
    }

    private async Task<int> RunCorpora(CorpusEvaluationSettings settings, string? modelDirectory, CancellationToken cancellationToken)
    {
        var model = loadModel(modelDirectory);
        try
        {
            return await new CorpusEvaluation(model, output, error).RunAsync(settings, cancellationToken);
        }
        catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException or ArgumentException)
        {
            error.WriteLine($"evaluate: {e.Message}");
            return 1;
        }
        finally
        {
            (model as IDisposable)?.Dispose();
        }
    }

    /// <summary>artifacts/baseline-cache in the repository (found above the working directory), else in the temp folder.</summary>
    private static string DefaultCacheDirectory()
    {
        for (var dir = new DirectoryInfo(Directory.GetCurrentDirectory()); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "ModerationFunctions.sln")))
            {
                return Path.Combine(dir.FullName, "artifacts", "baseline-cache");
            }
        }

        return Path.Combine(Path.GetTempPath(), "moderation-baseline-cache");
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
            double[]? baselineScores = null;
            var baselineThreshold = double.NaN;
            if (!run.Baseline)
            {
                baselineSkipped = "--no-baseline";
            }
            else
            {
                var training = run.BaselineTrain is null ? PublicData().Train : LabeledFileReader.Read(run.BaselineTrain, run.FileOptions);
                var calibration = run.BaselineTrain is null ? PublicData().Validation : training;
                error.WriteLine($"Baseline {MlNetTextBaseline.Name} on {training.Count} examples ({(run.BaselineTrain is null ? "public train split" : run.BaselineTrain)})...");
                var cached = false;
                var baseline = run.CacheDirectory is null ? MlNetTextBaseline.Train(training) : new BaselineCache(run.CacheDirectory).TrainOrLoad(training, out cached);
                error.WriteLine(cached ? "Baseline loaded from the cache (same training data)." : "Baseline trained.");
                cancellationToken.ThrowIfCancellationRequested();

                // Compare at equal recall: the baseline's threshold reaches, on the calibration data, the recall the
                // CNN reaches there at its released threshold.
                var calibrationTexts = calibration.Select(e => e.Text).ToArray();
                var calibrationLabels = calibration.Select(e => e.Suspicious).ToArray();
                var targetRecall = new BinaryClassificationMetrics(Score(model.Score, calibrationTexts, cancellationToken), calibrationLabels).At(manifest.Threshold).Recall;
                var baselineCalibration = new BinaryClassificationMetrics(Score(baseline.Score, calibrationTexts, cancellationToken), calibrationLabels);
                baselineThreshold = ThresholdCalibration.ForRecall(baselineCalibration, targetRecall).Threshold;
                var source = $"recall {F(targetRecall)} on {(run.BaselineTrain is null ? "validation" : "its training file")}";

                baselineScores = Score(baseline.Score, texts, cancellationToken);
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

            var routed = modelScores.Select((score, i) => hit[i] || score >= manifest.Threshold).ToArray();
            var scorerOutputs = new List<ScorerOutput>
            {
                new(manifest.ModelVersion, modelScores, modelScores.Select(score => score >= manifest.Threshold).ToArray()),
                new(manifest.ModelVersion + " +rules", WithRules(modelScores, hit), routed),
            };
            if (baselineScores is not null)
            {
                scorerOutputs.Add(new(baselineName!, baselineScores, baselineScores.Select(score => score >= baselineThreshold).ToArray()));
            }

            var categoryRecall = BreakdownTables.CategoryRecall([new SourceEvaluation(dataName, false, false, examples, scorerOutputs)]);
            var report = new EvaluateReport(dataName, examples.Count, labels.Count(l => l), manifest.ModelVersion, manifest.Threshold, baselineName, baselineSkipped, reports, ruleSummary, categoryRecall);
            Print(report);
            if (run.PredictionsPath is not null)
            {
                var source = run.UsePublic ? "public-" + run.Part.ToString().ToLowerInvariant() : Path.GetFileName(run.File!);
                PredictionsFile.Write(run.PredictionsPath, examples.Select((e, i) => new Prediction(
                    source, e.Source, e.Suspicious, e.Category, modelScores[i], hits[i].Select(h => h.RuleId).Distinct().ToArray(), routed[i], baselineScores?[i], e.Text)));
                output.WriteLine($"Wrote {examples.Count} predictions to {Path.GetFullPath(run.PredictionsPath)}");
            }

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

        if (report.CategoryRecall.Count > 0)
        {
            output.WriteLine($"Recall per category ({string.Join(", ", report.Scorers.Select(s => s.Scorer).Where(s => s != "rules" && s != report.Baseline + " +rules"))}):");
            foreach (var row in report.CategoryRecall)
            {
                output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {row.Category,-24} {row.Violations,6}  {string.Join("  ", row.Recall.Select(F))}"));
            }
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
        string? JsonPath,
        string? CacheDirectory,
        string? PredictionsPath);
}
