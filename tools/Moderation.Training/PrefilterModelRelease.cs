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

    public string ModelVersion { get; init; } = "1.0.0";

    /// <summary>Choose the threshold that catches at least this share of suspicious validation messages (default).</summary>
    public double TargetRecall { get; init; } = 0.95;

    /// <summary>When set, instead choose the threshold routing at most this share of a 90/10 clean/suspicious mix.</summary>
    public double? TargetRouting { get; init; }

    public int Threads { get; init; }

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

    public static PrefilterModelManifest Run(ReleaseSettings settings, Action<string> log)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(log);
        var hp = settings.HyperParameters;
        var split = PublicCorpus.Load(settings.DataDirectory);
        log($"Data: {split.Train.Count} train, {split.Validation.Count} validation, {split.Test.Count} test examples from {settings.DataDirectory}");

        var vocabulary = VocabularyBuilder.Build(split.Train.Select(e => e.Text), hp);
        log($"Vocabulary: {vocabulary.ListedCount} listed tokens + {vocabulary.HashBuckets} hashed buckets");
        var train = Encode(split.Train, vocabulary, hp.MaxLength);
        var validation = Encode(split.Validation, vocabulary, hp.MaxLength);
        var test = Encode(split.Test, vocabulary, hp.MaxLength);

        var architecture = CnnArchitecture.From(hp, vocabulary.Size);
        var network = new CnnNetwork(architecture, hp.MaxLength);
        var trainer = new CnnTrainer(network, hp, settings.Seed, settings.Threads);
        log($"Model: {architecture.ParameterCount:N0} parameters; training up to {hp.Epochs} epochs (seed {settings.Seed})");
        var outcome = trainer.Train(train, validation, RocAuc, report =>
            log($"epoch {report.Epoch}: loss {report.TrainingLoss:F4}, validation ROC AUC {report.ValidationAuc:F4}{(report.Improved ? " (best)" : string.Empty)}, {report.Elapsed.TotalSeconds:F1} s"));
        log($"Kept epoch {outcome.BestEpoch} (validation ROC AUC {outcome.BestValidationAuc:F4})");

        var validationMetrics = Measure(trainer.Predict(validation, outcome.Parameters), validation);
        var operatingPoint = settings.TargetRouting is { } routing
            ? ThresholdCalibration.ForRoutingFraction(validationMetrics, routing, ReferenceSuspiciousShare)
            : ForConfidentRecall(validationMetrics, settings.TargetRecall);
        var threshold = operatingPoint.Threshold;
        var rule = settings.TargetRouting is { } r
            ? $"highest validation recall with routing fraction <= {r} of a 90 % clean / 10 % suspicious mix"
            : $"highest threshold whose validation recall has a one-sided 95 % Wilson lower bound >= {settings.TargetRecall}";
        var testMetrics = Measure(trainer.Predict(test, outcome.Parameters), test);

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
            Metrics = new(Summarize(validationMetrics, threshold), Summarize(testMetrics, threshold)),
            DataSources =
            [
                "Davidson et al., ICWSM 2017, t-davidson/hate-speech-and-offensive-language data/labeled_data.csv (MIT): class 0 hate and 1 offensive = suspicious, 2 neither = clean",
                "UCI SMS Spam Collection v.1, Almeida et al., DocEng 2011 (CC BY 4.0): spam = suspicious, ham = clean",
            ],
            SplitRule = $"{SplitAssignment.TrainPercent}/{SplitAssignment.ValidationPercent}/{100 - SplitAssignment.TrainPercent - SplitAssignment.ValidationPercent} train/validation/test by 64-bit FNV-1a of the salted ('{SplitAssignment.Salt}'), lower-cased, whitespace-collapsed text (Moderation.Evaluation SplitAssignment)",
            Seed = settings.Seed,
            HyperParameters = hp with { Epochs = outcome.BestEpoch },
        };

        Directory.CreateDirectory(settings.OutputDirectory);
        File.WriteAllBytes(Path.Combine(settings.OutputDirectory, manifest.ModelFile), OnnxModelWriter.Write(architecture, outcome.Parameters, manifest.Name, manifest.Version));
        vocabulary.Save(Path.Combine(settings.OutputDirectory, manifest.VocabularyFile));
        manifest.Save(Path.Combine(settings.OutputDirectory, PrefilterModelManifest.FileName));
        log($"Threshold {threshold:F6} ({rule})");
        log($"Validation: ROC AUC {manifest.Metrics.Validation.RocAuc:F4}, PR AUC {manifest.Metrics.Validation.PrAuc:F4}, precision {manifest.Metrics.Validation.Precision:F4}, recall {manifest.Metrics.Validation.Recall:F4}, routing at 90/10 {manifest.Metrics.Validation.RoutingFraction9010:F4}");
        log($"Test:       ROC AUC {manifest.Metrics.Test.RocAuc:F4}, PR AUC {manifest.Metrics.Test.PrAuc:F4}, precision {manifest.Metrics.Test.Precision:F4}, recall {manifest.Metrics.Test.Recall:F4}, routing at 90/10 {manifest.Metrics.Test.RoutingFraction9010:F4}");
        log($"Wrote {Path.GetFullPath(settings.OutputDirectory)}");
        return manifest;
    }

    /// <summary>
    /// The highest threshold at which the target recall holds with 95 % confidence on the validation split, not merely
    /// on average: the one-sided Wilson lower bound of the observed recall must reach the target. Calibrating to the
    /// point estimate would leave unseen data a coin flip away from the target.
    /// </summary>
    public static ThresholdMetrics ForConfidentRecall(BinaryClassificationMetrics metrics, double targetRecall)
    {
        ArgumentNullException.ThrowIfNull(metrics);
        foreach (var point in metrics.OperatingPoints)
        {
            if (WilsonLowerBound(point.TruePositives, metrics.Positives) >= targetRecall)
            {
                return point;
            }
        }

        return ThresholdCalibration.ForRecall(metrics, targetRecall);
    }

    /// <summary>One-sided 95 % (z = 1.645) Wilson score lower bound of a proportion successes/trials.</summary>
    public static double WilsonLowerBound(int successes, int trials)
    {
        if (trials == 0)
        {
            return 0;
        }

        const double z = 1.6448536269514722;
        var p = (double)successes / trials;
        var denominator = 1 + (z * z / trials);
        var centre = p + (z * z / (2.0 * trials));
        var margin = z * Math.Sqrt((p * (1 - p) / trials) + (z * z / (4.0 * trials * trials)));
        return (centre - margin) / denominator;
    }

    public static List<EncodedExample> Encode(IEnumerable<LabeledExample> examples, PrefilterVocabulary vocabulary, int maxLength)
    {
        ArgumentNullException.ThrowIfNull(vocabulary);
        return [.. examples.Select(e => new EncodedExample(vocabulary.Encode(e.Text, maxLength), e.Suspicious))];
    }

    public static double RocAuc(IReadOnlyList<float> scores, IReadOnlyList<bool> labels) =>
        new BinaryClassificationMetrics([.. scores.Select(s => (double)s)], labels).RocAuc;

    private static BinaryClassificationMetrics Measure(float[] scores, IReadOnlyList<EncodedExample> examples) =>
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
