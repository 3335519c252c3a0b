using Moderation.Evaluation.Data;
using Moderation.Evaluation.Metrics;
using Moderation.Prefilter.Model;

namespace Moderation.Training;

/// <summary>How to release a model: where the data is, where the artefacts go, and how the threshold is chosen.</summary>
public sealed record ReleaseSettings
{
    public required string DataDirectory { get; init; }

    public required string OutputDirectory { get; init; }

    public int Seed { get; init; } = 17;

    public string ModelName { get; init; } = "prefilter-cnn";

    public string ModelVersion { get; init; } = "2.0.0";

    /// <summary>Recall each violation corpus should reach on validation; thresholds meeting it everywhere are preferred.</summary>
    public double TargetRecall { get; init; } = 0.90;

    /// <summary>Most false positives the threshold may cost on each clean dialogue corpus (validation).</summary>
    public double MaxCleanFalsePositiveRate { get; init; } = 0.015;

    /// <summary>Most of a 90 % clean / 10 % violation mix the threshold may route on each mixed corpus (validation).</summary>
    public double MaxRoutedShare { get; init; } = 0.20;

    /// <summary>Generated short gibberish strings trained as clean, against unknown-token inflation.</summary>
    public int GibberishCount { get; init; } = 4000;

    /// <summary>Start the embedding table from MiniLM word vectors.</summary>
    public bool PretrainedEmbeddings { get; init; } = true;

    /// <summary>Loss share of the Stormfront corpus (its clean rows are ideologically loaded, so it stays minor).</summary>
    public double StormfrontShare { get; init; } = 0.04;

    /// <summary>The corpora to read (default: all of ../shared/data); every one must be present.</summary>
    public IReadOnlyList<string> Corpora { get; init; } = TrainingCorpora.Names;

    /// <summary>Where computed MiniLM vectors are cached (git-ignored).</summary>
    public string CacheDirectory { get; init; } = Path.Combine("artifacts", "training-cache");

    public int Threads { get; init; }

    /// <summary>Share of the loss given to the MiniLM teacher's soft targets, where a row has one (0 trains on labels only).</summary>
    public double DistillationWeight { get; init; }

    /// <summary>Temperature applied to the teacher's and the student's logits in the distillation term.</summary>
    public double DistillationTemperature { get; init; } = 1.0;

    /// <summary>Training rows per corpus embedded by MiniLM for the teacher (a seeded subsample when a corpus is larger).</summary>
    public int TeacherSamplePerCorpus { get; init; } = 3000;

    /// <summary>Only fit and measure the teacher; write nothing.</summary>
    public bool TeacherOnly { get; init; }

    public PrefilterHyperParameters HyperParameters { get; init; } = new();
}

/// <summary>
/// The whole release: load the fixed public split, build the vocabulary on train, train with early stopping on
/// validation, calibrate the threshold on validation, measure validation and test, and write model.onnx, the
/// vocabulary and manifest.json. The test split is only ever measured, never used for a choice.
/// </summary>
public static class PrefilterModelRelease
{
    /// <summary>Suspicious share of the traffic mix the routing fraction is reported for (90 % clean / 10 % suspicious).</summary>
    public const double ReferenceSuspiciousShare = 0.10;

    /// <summary>Embeds the teacher's sample and the validation parts (cached), fits the teacher and logs its validation ROC AUC per corpus.</summary>
    public static TeacherTargets MeasureTeacher(ReleaseSettings settings, Action<string> log)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var corpora = settings.Corpora.Select(name => TrainingCorpora.Load(settings.DataDirectory, name)).ToList();
        var trainingCorpora = corpora.Where(c => !TrainingMix.IsHeldOut(c.Name)).ToList();
        return DistillationTeacher.Build(trainingCorpora, corpora, settings.TeacherSamplePerCorpus, settings.Seed, settings.StormfrontShare, settings.CacheDirectory, log);
    }

    public static PrefilterModelManifest Run(ReleaseSettings settings, Action<string> log)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(log);
        var hp = settings.HyperParameters;
        var corpora = settings.Corpora.Select(name => TrainingCorpora.Load(settings.DataDirectory, name)).ToList();
        foreach (var corpus in corpora)
        {
            log(TrainingCorpora.Describe(corpus) + (TrainingMix.IsHeldOut(corpus.Name) ? " (held out of training: functional test suite)" : string.Empty));
        }

        var trainingCorpora = corpora.Where(c => !TrainingMix.IsHeldOut(c.Name)).ToList();
        var vocabulary = VocabularyBuilder.Build(trainingCorpora.SelectMany(c => c.Train).Select(e => e.Text), hp);
        log($"Vocabulary: {vocabulary.ListedCount} listed tokens + {vocabulary.HashBuckets} hashed buckets");

        var gibberish = TrainingMix.Gibberish(settings.GibberishCount, settings.Seed);
        var train = TrainingMix.Weighted(trainingCorpora, gibberish, vocabulary, hp.MaxLength, settings.StormfrontShare);
        var distillation = new DistillationLoss(settings.DistillationWeight, settings.DistillationTemperature);
        distillation.Validate();
        if (distillation.Enabled)
        {
            // The student learns from the teacher's soft targets where the teacher scored a row, from the label elsewhere.
            var targets = DistillationTeacher.Build(trainingCorpora, corpora, settings.TeacherSamplePerCorpus, settings.Seed, settings.StormfrontShare, settings.CacheDirectory, log, measureOnValidation: false);
            var logits = trainingCorpora.SelectMany(c => targets.TrainLogits[c.Name]).ToList();
            for (var i = 0; i < logits.Count; i++)
            {
                if (logits[i] is { } logit)
                {
                    train[i] = train[i] with { TeacherLogit = logit };
                }
            }

            log($"Distillation: {logits.Count(l => l is not null)} training rows with a teacher target (weight {distillation.Weight}, temperature {distillation.Temperature})");
        }

        var validationSets = corpora.Select(c => new EvaluationSet(c.Name, c.Validation, Encode(c.Validation, vocabulary, hp.MaxLength))).ToList();
        var testSets = corpora.Select(c => new EvaluationSet(c.Name, c.Test, Encode(c.Test, vocabulary, hp.MaxLength))).ToList();
        var validation = validationSets.Where(v => !TrainingMix.IsHeldOut(v.Name)).SelectMany(v => v.Encoded).ToList();
        log($"Training on {train.Count} weighted examples ({gibberish.Count} generated gibberish as clean); early stopping on {validation.Count} validation examples");

        var architecture = CnnArchitecture.From(hp, vocabulary.Size);
        Action<float[]>? initialise = null;
        if (settings.PretrainedEmbeddings)
        {
            var words = vocabulary.Tokens.Skip(1 + PrefilterTokenizer.PlaceholderTokens.Count).ToList();
            var vectors = PretrainedWordVectors.Embed(words, settings.CacheDirectory, log);
            var reduced = PretrainedWordVectors.Reduce(vectors, hp.EmbeddingDimension, 0.1f / MathF.Sqrt(3f));
            var first = 1 + PrefilterTokenizer.PlaceholderTokens.Count;
            initialise = parameters =>
            {
                for (var i = 0; i < reduced.Length; i++)
                {
                    reduced[i].CopyTo(parameters.AsSpan(architecture.EmbeddingOffset + ((first + i) * hp.EmbeddingDimension), hp.EmbeddingDimension));
                }
            };
        }

        var network = new CnnNetwork(architecture, hp.MaxLength);
        var trainer = new CnnTrainer(network, hp, settings.Seed, settings.Threads, initialise, distillation);
        log($"Model: {architecture.ParameterCount:N0} parameters; training up to {hp.Epochs} epochs (seed {settings.Seed}, pretrained embeddings {(settings.PretrainedEmbeddings ? "MiniLM" : "none")})");
        var outcome = trainer.Train(train, validation, RocAuc, report =>
            log($"epoch {report.Epoch}: loss {report.TrainingLoss:F4}, validation ROC AUC {report.ValidationAuc:F4}{(report.Improved ? " (best)" : string.Empty)}, {report.Elapsed.TotalSeconds:F1} s"));
        log($"Kept epoch {outcome.BestEpoch} (validation ROC AUC {outcome.BestValidationAuc:F4})");

        foreach (var set in validationSets.Concat(testSets))
        {
            set.Scores = trainer.Predict(set.Encoded, outcome.Parameters);
        }

        var threshold = RoutingBudget.Choose(validationSets.Where(v => !TrainingMix.IsHeldOut(v.Name)).ToList(), settings.MaxCleanFalsePositiveRate, settings.MaxRoutedShare, settings.TargetRecall);
        var rule = $"lowest validation threshold at which every clean dialogue corpus has a false-positive rate <= {settings.MaxCleanFalsePositiveRate} and every mixed corpus routes <= {settings.MaxRoutedShare} of a 90 % clean / 10 % violation mix (target recall per violation corpus: {settings.TargetRecall})";
        var pooledValidation = Measure(validation, validationSets.Where(v => !TrainingMix.IsHeldOut(v.Name)).SelectMany(v => v.Scores!).ToArray());
        var pooledTestEncoded = testSets.Where(v => !TrainingMix.IsHeldOut(v.Name)).SelectMany(v => v.Encoded).ToList();
        var pooledTest = Measure(pooledTestEncoded, testSets.Where(v => !TrainingMix.IsHeldOut(v.Name)).SelectMany(v => v.Scores!).ToArray());
        var sources = validationSets.Select(v => SourceMetrics(v, "validation", threshold)).Concat(testSets.Select(v => SourceMetrics(v, "test", threshold))).ToList();
        var gibberishCheck = TrainingMix.Gibberish(1000, settings.Seed + 1000);
        var gibberishScores = trainer.Predict(Encode(gibberishCheck.Select(t => new LabeledExample(t, false, "gibberish")), vocabulary, hp.MaxLength), outcome.Parameters);

        var manifest = new PrefilterModelManifest
        {
            Name = settings.ModelName,
            Version = settings.ModelVersion,
            Threshold = threshold,
            MaxLength = hp.MaxLength,
            VocabularySize = vocabulary.Size,
            NormalizationVersion = vocabulary.NormalizationVersion,
            Input = new(OnnxModelWriter.InputName, "int64", ["batch", "sequence"]),
            Output = new(OnnxModelWriter.OutputName, "float", ["batch", "1"]),
            ThresholdRule = rule,
            Metrics = new(Summarize(pooledValidation, threshold), Summarize(pooledTest, threshold)) { Sources = sources },
            DataSources = TrainingMix.Credits,
            SplitRule = $"per corpus {SplitAssignment.TrainPercent}/{SplitAssignment.ValidationPercent}/{100 - SplitAssignment.TrainPercent - SplitAssignment.ValidationPercent} train/validation/test by 64-bit FNV-1a of the salted ('{SplitAssignment.Salt}'), lower-cased, whitespace-collapsed group key: the text, or the chat log for League of Legends chat (Moderation.Evaluation SplitAssignment); hatecheck is never trained on",
            Seed = settings.Seed,
            HyperParameters = distillation.Enabled
                ? hp with { Epochs = outcome.BestEpoch, DistillationWeight = distillation.Weight, DistillationTemperature = distillation.Temperature, TeacherSamplePerCorpus = settings.TeacherSamplePerCorpus }
                : hp with { Epochs = outcome.BestEpoch },
        };

        Directory.CreateDirectory(settings.OutputDirectory);
        File.WriteAllBytes(Path.Combine(settings.OutputDirectory, manifest.ModelFile), OnnxModelWriter.Write(architecture, outcome.Parameters, manifest.Name, manifest.Version));
        vocabulary.Save(Path.Combine(settings.OutputDirectory, manifest.VocabularyFile));
        manifest.Save(Path.Combine(settings.OutputDirectory, PrefilterModelManifest.FileName));
        log($"Threshold {threshold:F6} ({rule})");
        log($"Validation (pooled): ROC AUC {manifest.Metrics.Validation.RocAuc:F4}, recall {manifest.Metrics.Validation.Recall:F4}, FPR {manifest.Metrics.Validation.FalsePositiveRate:F4}");
        log($"Test (pooled):       ROC AUC {manifest.Metrics.Test.RocAuc:F4}, recall {manifest.Metrics.Test.Recall:F4}, FPR {manifest.Metrics.Test.FalsePositiveRate:F4}");
        log("split      corpus                       n  viol  ROC AUC  PR AUC  recall   FPR    routed@90/10  precision@10%");
        foreach (var m in sources)
        {
            log(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{m.Split,-10} {m.Source,-26} {m.Examples,6} {m.Violations,5}  {Show(m.RocAuc)}  {Show(m.PrAuc)}  {Show(m.Recall)}  {Show(m.FalsePositiveRate)}  {Show(m.RoutedShare9010)}  {Show(m.PrecisionAt10Percent)}"));
        }

        log($"Generated gibberish (1,000 short strings, unseen seed): mean score {gibberishScores.Average():F4}, share at or above threshold {gibberishScores.Count(s => s >= threshold) / 1000.0:F4}");
        log($"Wrote {Path.GetFullPath(settings.OutputDirectory)}");
        return manifest;
    }

    private static string Show(double? value) => value is { } v ? v.ToString("F4", System.Globalization.CultureInfo.InvariantCulture) : "   -  ";

    private static PrefilterSourceMetrics SourceMetrics(EvaluationSet set, string split, double threshold)
    {
        var scores = set.Scores!;
        var positives = set.Examples.Count(e => e.Suspicious);
        var negatives = set.Examples.Count - positives;
        int tp = 0, fp = 0;
        for (var i = 0; i < scores.Length; i++)
        {
            if (scores[i] >= threshold)
            {
                if (set.Examples[i].Suspicious)
                {
                    tp++;
                }
                else
                {
                    fp++;
                }
            }
        }

        double? recall = positives > 0 ? Math.Round((double)tp / positives, 5) : null;
        double? fpr = negatives > 0 ? Math.Round((double)fp / negatives, 5) : null;
        double? rocAuc = null, prAuc = null, routed = null, precision = null;
        if (positives > 0 && negatives > 0)
        {
            var metrics = Measure(set.Encoded, scores);
            rocAuc = Math.Round(metrics.RocAuc, 5);
            prAuc = Math.Round(metrics.AveragePrecision, 5);
            routed = Math.Round((0.1 * recall!.Value) + (0.9 * fpr!.Value), 5);
            precision = routed > 0 ? Math.Round(0.1 * recall.Value / routed.Value, 5) : null;
        }

        return new PrefilterSourceMetrics(set.Name, split, set.Examples.Count, positives, rocAuc, prAuc, recall, fpr, routed, precision);
    }

    public static List<EncodedExample> Encode(IEnumerable<LabeledExample> examples, PrefilterVocabulary vocabulary, int maxLength)
    {
        ArgumentNullException.ThrowIfNull(vocabulary);
        return [.. examples.Select(e => new EncodedExample(vocabulary.Encode(e.Text, maxLength), e.Suspicious))];
    }



    public static double RocAuc(IReadOnlyList<float> scores, IReadOnlyList<bool> labels) =>
        new BinaryClassificationMetrics([.. scores.Select(s => (double)s)], labels).RocAuc;

    private static BinaryClassificationMetrics Measure(IReadOnlyList<EncodedExample> examples, float[] scores) =>
        new([.. scores.Select(s => (double)s)], [.. examples.Select(e => e.Suspicious)]);

    private static PrefilterSplitMetrics Summarize(BinaryClassificationMetrics metrics, double threshold)
    {
        var point = metrics.At(threshold);
        return new PrefilterSplitMetrics(
            metrics.Count,
            metrics.Positives,
            Math.Round(metrics.RocAuc, 5),
            Math.Round(metrics.AveragePrecision, 5),
            Math.Round(point.Precision, 5),
            Math.Round(point.Recall, 5),
            Math.Round(point.FalsePositiveRate, 5),
            Math.Round(point.RoutingFractionForMix(ReferenceSuspiciousShare), 5));
    }
}
