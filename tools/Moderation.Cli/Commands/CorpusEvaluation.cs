using System.Globalization;
using System.Reflection;
using System.Text.Json;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Moderation.Core.Messages;
using Moderation.Core.Policy;
using Moderation.Core.Screening;
using Moderation.Evaluation.Baselines;
using Moderation.Evaluation.Data;
using Moderation.Evaluation.Metrics;
using Moderation.Evaluation.Reports;
using Moderation.Prefilter;
using Moderation.Prefilter.Model;
using Moderation.Prefilter.Rules;

namespace Moderation.Cli.Commands;

/// <summary>What <c>moderation evaluate --corpus</c> needs to know.</summary>
internal sealed record CorpusEvaluationSettings(
    IReadOnlyList<CorpusDefinition> Corpora,
    SplitPart Part,
    string DataDirectory,
    IReadOnlyList<string> Blocklist,
    double Prevalence,
    bool Baseline,
    string CacheDirectory,
    string? ReportPath,
    string? PredictionsPath,
    string? JsonPath,
    string CommandLine);

/// <summary>
/// <c>moderation evaluate --corpus NAME|all</c>: the pre-filter as deployed (the same composition as the hosts: rule
/// screen, model, screening policy) on each catalog corpus's own split part, beside the ML.NET baseline, reported per
/// source as Markdown, with per-message predictions, recall per category and rule hit rates on clean messages.
/// </summary>
internal sealed class CorpusEvaluation(IPrefilterModel model, TextWriter output, TextWriter progress)
{
    public const string Cnn = "CNN";
    public const string CnnWithRules = "CNN + rules";
    public const string Baseline = "baseline";

    /// <summary>Kept out of the baseline's training and calibration: README advises using it as a functional test only.</summary>
    public static readonly IReadOnlySet<string> NotForTraining = new HashSet<string>(StringComparer.Ordinal) { CorpusCatalog.HateCheck };

    private const int ScoringChunk = 1024;

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    public async Task<int> RunAsync(CorpusEvaluationSettings settings, CancellationToken cancellationToken)
    {
        var manifest = model.Manifest;
        var policy = ModerationPolicy.Default;
        using var services = Compose(model, settings.Blocklist);
        var prefilter = services.GetRequiredService<IMessagePrefilter>();

        var part = settings.Part.ToString().ToLowerInvariant();
        var scored = new List<ScoredCorpus>();
        foreach (var corpus in settings.Corpora)
        {
            var examples = corpus.LoadSplit(settings.DataDirectory)[settings.Part];
            var scores = await ScoreAsync(prefilter, examples, $"{corpus.Name} ({part})", cancellationToken);
            scored.Add(new ScoredCorpus(corpus, examples, scores));
        }

        var scorers = new List<string> { Cnn, CnnWithRules };
        double[][]? baselineScores = null;
        string? baselineNote = null;
        if (settings.Baseline)
        {
            (baselineScores, baselineNote) = await BaselineAsync(settings, prefilter, manifest.Threshold, scored, cancellationToken);
            scorers.Add(Baseline);
        }

        var sources = new List<SourceEvaluation>();
        var rulesFired = new List<IReadOnlyList<IReadOnlyList<string>>>();
        var predictions = new List<Prediction>();
        for (var c = 0; c < scored.Count; c++)
        {
            var (corpus, examples, scores) = scored[c];
            var cnnRouted = scores.Select(s => policy.Screen(s with { RuleHits = [] }).IsSuspicious).ToArray();
            var routed = scores.Select(s => policy.Screen(s).IsSuspicious).ToArray();
            var rulesRoute = scores.Select(s => policy.Screen(s with { Score = 0 }).IsSuspicious).ToArray();
            var outputs = new List<ScorerOutput>
            {
                new(Cnn, scores.Select(s => s.Score).ToArray(), cnnRouted),
                new(CnnWithRules, scores.Select((s, i) => rulesRoute[i] ? 1.0 + s.Score : s.Score).ToArray(), routed),
            };
            if (baselineScores is not null)
            {
                var threshold = BaselineThreshold;
                outputs.Add(new(Baseline, baselineScores[c], baselineScores[c].Select(s => s >= threshold).ToArray()));
            }

            sources.Add(new SourceEvaluation(corpus.Name, corpus.CleanOnly, corpus.ViolationsOnly, examples, outputs));
            var fired = scores.Select(s => (IReadOnlyList<string>)s.RuleHits.Select(h => h.RuleId).Distinct(StringComparer.Ordinal).ToArray()).ToArray();
            rulesFired.Add(fired);
            predictions.AddRange(examples.Select((e, i) => new Prediction(
                corpus.Name, e.Source, e.Suspicious, e.Category, scores[i].Score, fired[i], routed[i], baselineScores?[c][i], e.Text)));
        }

        var table = SourceTable.Build(sources, settings.Prevalence);
        var categories = BreakdownTables.CategoryRecall(sources);
        var ruleHits = BreakdownTables.RuleHitRates(sources, rulesFired, KnownRuleIds());
        var preamble = new List<string>
        {
            string.Create(CultureInfo.InvariantCulture, $"Pre-filter model `{manifest.ModelVersion}` at its shipped threshold {manifest.Threshold:0.###}, on the {part} part of each source's own split (models learn from train parts only)."),
            "\"CNN\" routes on the model score alone; \"CNN + rules\" routes as the screening policy does (score at or above the threshold, or a rule hit); "
                + (baselineNote ?? "the baseline was skipped."),
            $"Produced by: `{settings.CommandLine}`",
        };

        var markdown = new StringWriter(CultureInfo.InvariantCulture);
        MarkdownReport.Write(markdown, preamble, table, scorers, categories, ruleHits);
        output.Write(markdown.ToString());
        if (settings.ReportPath is not null)
        {
            WriteFile(settings.ReportPath, markdown.ToString());
            output.WriteLine($"Wrote {Path.GetFullPath(settings.ReportPath)}");
        }

        if (settings.PredictionsPath is not null)
        {
            PredictionsFile.Write(settings.PredictionsPath, predictions);
            output.WriteLine($"Wrote {predictions.Count} predictions to {Path.GetFullPath(settings.PredictionsPath)}");
        }

        if (settings.JsonPath is not null)
        {
            var report = new { Model = manifest.ModelVersion, manifest.Threshold, Split = part, Data = settings.DataDirectory, Scorers = scorers, Sources = table, Categories = categories, RuleHits = ruleHits };
            WriteFile(settings.JsonPath, JsonSerializer.Serialize(report, Json));
            output.WriteLine($"Wrote {Path.GetFullPath(settings.JsonPath)}");
        }

        return 0;
    }

    private double BaselineThreshold { get; set; }

    /// <summary>
    /// The baseline, trained on the train parts of every catalog corpus (whatever the run evaluates, so its cache is
    /// shared), its threshold set on their validation parts to the recall the pre-filter model reaches there.
    /// </summary>
    private async Task<(double[][] Scores, string Note)> BaselineAsync(
        CorpusEvaluationSettings settings, IMessagePrefilter prefilter, double modelThreshold, List<ScoredCorpus> scored, CancellationToken cancellationToken)
    {
        var training = new List<LabeledExample>();
        var calibration = new List<LabeledExample>();
        foreach (var corpus in CorpusCatalog.All.Where(c => !NotForTraining.Contains(c.Name)))
        {
            var split = corpus.LoadSplit(settings.DataDirectory);
            training.AddRange(split.Train);
            calibration.AddRange(split.Validation);
        }

        var cache = new BaselineCache(settings.CacheDirectory);
        progress.WriteLine($"Baseline {MlNetTextBaseline.Name}: {training.Count:N0} training examples; looking in {cache.Directory}...");
        var started = DateTime.UtcNow;
        var baseline = cache.TrainOrLoad(training, out var cached);
        progress.WriteLine(cached
            ? "Baseline loaded from the cache (same training data)."
            : string.Create(CultureInfo.InvariantCulture, $"Baseline trained in {(DateTime.UtcNow - started).TotalSeconds:0} s and cached."));

        var calibrationLabels = calibration.Select(e => e.Suspicious).ToArray();
        var modelOnCalibration = (await ScoreAsync(prefilter, calibration, "validation (baseline calibration)", cancellationToken)).Select(s => s.Score).ToArray();
        var targetRecall = new BinaryClassificationMetrics(modelOnCalibration, calibrationLabels).At(modelThreshold).Recall;
        var baselineOnCalibration = ScoreBaseline(baseline, calibration.Select(e => e.Text).ToArray(), "validation (baseline)", cancellationToken);
        BaselineThreshold = ThresholdCalibration.ForRecall(new BinaryClassificationMetrics(baselineOnCalibration, calibrationLabels), targetRecall).Threshold;

        var scores = scored.Select(s => ScoreBaseline(baseline, s.Examples.Select(e => e.Text).ToArray(), s.Corpus.Name + " (baseline)", cancellationToken)).ToArray();
        var note = string.Create(
            CultureInfo.InvariantCulture,
            $"\"baseline\" is {MlNetTextBaseline.Name} trained on the train parts of every source but hatecheck ({training.Count:N0} messages), its threshold {BaselineThreshold:0.###} set on their validation parts to the model's recall there ({targetRecall:0.000}).");
        return (scores, note);
    }

    private async Task<IReadOnlyList<PrefilterScore>> ScoreAsync(IMessagePrefilter prefilter, IReadOnlyList<LabeledExample> examples, string what, CancellationToken cancellationToken)
    {
        var result = new List<PrefilterScore>(examples.Count);
        var bar = new EvaluationProgress(progress, "Scoring " + what, examples.Count);
        var sentAt = DateTimeOffset.UnixEpoch;
        for (var start = 0; start < examples.Count; start += ScoringChunk)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var messages = examples.Skip(start).Take(ScoringChunk)
                .Select((e, i) => new ChatMessage($"eval-{start + i}", "evaluation", "sender", ParticipantRole.Unknown, "recipient", ParticipantRole.Unknown, e.Text, sentAt))
                .ToArray();
            result.AddRange(await prefilter.ScoreAsync(messages, cancellationToken));
            bar.Report(result.Count);
        }

        bar.Finish();
        return result;
    }

    private double[] ScoreBaseline(MlNetTextBaseline baseline, string[] texts, string what, CancellationToken cancellationToken)
    {
        var scores = new double[texts.Length];
        var bar = new EvaluationProgress(progress, "Scoring " + what, texts.Length);
        for (var start = 0; start < texts.Length; start += ScoringChunk)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var batch = baseline.Score(texts.AsSpan(start, Math.Min(ScoringChunk, texts.Length - start)).ToArray());
            for (var i = 0; i < batch.Length; i++)
            {
                scores[start + i] = batch[i];
            }

            bar.Report(start + batch.Length);
        }

        bar.Finish();
        return scores;
    }

    /// <summary>Tier one composed exactly as the hosts compose it, around the already loaded model.</summary>
    private static ServiceProvider Compose(IPrefilterModel model, IReadOnlyList<string> blocklist)
    {
        var settings = blocklist.Select((term, i) => new KeyValuePair<string, string?>($"{PrefilterOptions.SectionName}:{nameof(PrefilterOptions.Blocklist)}:{i}", term));
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection();
        services.AddSingleton(model);
        services.AddModerationPrefilter(configuration);
        return services.BuildServiceProvider();
    }

    /// <summary>Every rule id the rule screen declares, so rules that never fire still get their (zero) row.</summary>
    private static IEnumerable<string> KnownRuleIds() =>
        typeof(RuleIds).GetFields(BindingFlags.Public | BindingFlags.Static)
            .Where(f => f.IsLiteral && f.FieldType == typeof(string))
            .Select(f => (string)f.GetRawConstantValue()!);

    private static void WriteFile(string path, string content)
    {
        var directory = Path.GetDirectoryName(Path.GetFullPath(path));
        if (directory is not null)
        {
            Directory.CreateDirectory(directory);
        }

        File.WriteAllText(path, content);
    }

    private sealed record ScoredCorpus(CorpusDefinition Corpus, IReadOnlyList<LabeledExample> Examples, IReadOnlyList<PrefilterScore> Scores);
}

/// <summary>"label: done/total (percent)" on one stderr line, redrawn at most once per percent; a newline when finished.</summary>
internal sealed class EvaluationProgress(TextWriter output, string label, int total)
{
    private int lastPercent = -1;

    public void Report(int done)
    {
        var percent = total == 0 ? 100 : (int)(done * 100L / total);
        if (percent == lastPercent)
        {
            return;
        }

        lastPercent = percent;
        output.Write(string.Create(CultureInfo.InvariantCulture, $"\r{label}: {done:N0}/{total:N0} ({percent}%)"));
    }

    public void Finish()
    {
        Report(total);
        output.WriteLine();
    }
}
