using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using Moderation.Core.Serialization;

namespace Moderation.Prefilter.Model;

/// <summary>
/// The model manifest shipped next to the .onnx file (manifest.json): what the model is, its input contract, and the
/// threshold and metrics it was released with.
/// </summary>
public sealed record PrefilterModelManifest
{
    public const string FileName = "manifest.json";

    public required string Name { get; init; }

    public required string Version { get; init; }

    /// <summary>Decision threshold on the model's probability, chosen on the validation split.</summary>
    public required double Threshold { get; init; }

    /// <summary>Tokens per input after padding/truncation.</summary>
    public required int MaxLength { get; init; }

    /// <summary>"name@version", as recorded in every pre-filter score.</summary>
    [JsonIgnore]
    public string ModelVersion => $"{Name}@{Version}";

    /// <summary>The ONNX file, relative to the manifest's directory.</summary>
    public string ModelFile { get; init; } = "model.onnx";

    /// <summary>The vocabulary file, relative to the manifest's directory.</summary>
    public string VocabularyFile { get; init; } = "vocab.txt";

    /// <summary>Rows of the embedding table: listed tokens plus hashed buckets (ids are in [0, size)).</summary>
    public int VocabularySize { get; init; }

    /// <summary>The <see cref="PrefilterTextNormalizer.Version"/> the model was trained with.</summary>
    public string NormalizationVersion { get; init; } = PrefilterTextNormalizer.Version;

    /// <summary>Token ids: int64 [batch, sequence]; 0 is padding; a batch is padded to its longest sequence.</summary>
    public PrefilterTensorContract Input { get; init; } = new("input_ids", "int64", ["batch", "sequence"]);

    /// <summary>Probability of "suspicious": float [batch, 1].</summary>
    public PrefilterTensorContract Output { get; init; } = new("probability", "float", ["batch", "1"]);

    /// <summary>How <see cref="Threshold"/> was chosen, e.g. "recall >= 0.95 on validation".</summary>
    public string? ThresholdRule { get; init; }

    public PrefilterReleaseMetrics? Metrics { get; init; }

    public IReadOnlyList<string> DataSources { get; init; } = [];

    public string? SplitRule { get; init; }

    public int? Seed { get; init; }

    public PrefilterHyperParameters? HyperParameters { get; init; }

    /// <summary>Options for writing the manifest human-readably (the shared wire options, indented).</summary>
    public static JsonSerializerOptions JsonOptions { get; } = new(ModerationJson.Options) { WriteIndented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>Reads and checks a manifest file; the message says what is wrong and where.</summary>
    public static PrefilterModelManifest Load(string path)
    {
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"The pre-filter model manifest '{path}' does not exist.", path);
        }

        PrefilterModelManifest? manifest;
        try
        {
            manifest = JsonSerializer.Deserialize<PrefilterModelManifest>(File.ReadAllText(path), JsonOptions);
        }
        catch (JsonException exception)
        {
            throw new InvalidDataException($"'{path}' is not a valid pre-filter model manifest: {exception.Message}", exception);
        }

        if (manifest is null)
        {
            throw new InvalidDataException($"'{path}' is empty.");
        }

        var problems = new List<string>();
        if (string.IsNullOrWhiteSpace(manifest.Name) || string.IsNullOrWhiteSpace(manifest.Version))
        {
            problems.Add("name and version are required");
        }

        if (manifest.Threshold is < 0 or > 1 || double.IsNaN(manifest.Threshold))
        {
            problems.Add($"threshold {manifest.Threshold} is not in [0, 1]");
        }

        if (manifest.MaxLength < 1)
        {
            problems.Add($"maxLength {manifest.MaxLength} must be at least 1");
        }

        if (manifest.VocabularySize < 1)
        {
            problems.Add("vocabularySize must be positive");
        }

        if (manifest.Input is null || manifest.Output is null)
        {
            problems.Add("input and output contracts are required");
        }

        if (problems.Count > 0)
        {
            throw new InvalidDataException($"'{path}': {string.Join("; ", problems)}.");
        }

        return manifest;
    }

    public void Save(string path) => File.WriteAllText(path, JsonSerializer.Serialize(this, JsonOptions) + "\n");
}

/// <summary>One input or output of the ONNX graph: name, element type ("int64", "float") and shape (symbolic or fixed dims).</summary>
public sealed record PrefilterTensorContract(string Name, string ElementType, IReadOnlyList<string> Shape);

/// <summary>Metrics the model was released with, on the validation split (where the threshold was chosen) and the test split.</summary>
public sealed record PrefilterReleaseMetrics(PrefilterSplitMetrics Validation, PrefilterSplitMetrics Test)
{
    /// <summary>Per corpus and split part, at the shipped threshold.</summary>
    public IReadOnlyList<PrefilterSourceMetrics>? Sources { get; init; }
}

/// <summary>
/// One corpus's metrics at the shipped threshold. Values undefined for the corpus are null: recall for clean-only
/// corpora, the false-positive rate for violation-only ones, and the ranking and mix figures for either.
/// </summary>
/// <param name="RoutedShare9010">0.1 x recall + 0.9 x false-positive rate: the routed share of a 90 % clean / 10 % violation mix.</param>
/// <param name="PrecisionAt10Percent">Precision of what is routed when 10 % of the traffic is violations.</param>
public sealed record PrefilterSourceMetrics(
    string Source,
    string Split,
    int Examples,
    int Violations,
    double? RocAuc,
    double? PrAuc,
    double? Recall,
    double? FalsePositiveRate,
    double? RoutedShare9010,
    double? PrecisionAt10Percent);

/// <param name="RoutingFraction9010">Share of traffic routed to the LLM tier at the threshold for a 90 % clean / 10 % suspicious mix.</param>
public sealed record PrefilterSplitMetrics(int Examples, int Suspicious, double RocAuc, double PrAuc, double Precision, double Recall, double FalsePositiveRate, double RoutingFraction9010);

/// <summary>The CNN's architecture and training settings (also the trainer's own options).</summary>
public sealed record PrefilterHyperParameters
{
    public int EmbeddingDimension { get; init; } = 48;

    public IReadOnlyList<int> KernelWidths { get; init; } = [2, 3, 4, 5];

    public int FiltersPerWidth { get; init; } = 64;

    public int HiddenUnits { get; init; } = 64;

    /// <summary>Dropout on the pooled features during training (0 disables it).</summary>
    public double Dropout { get; init; } = 0.5;

    public int MaxLength { get; init; } = 64;

    /// <summary>Training words seen fewer times than this fall into the hashed buckets.</summary>
    public int MinWordCount { get; init; } = 2;

    public int HashBuckets { get; init; } = 2048;

    public double LearningRate { get; init; } = 0.001;

    public int BatchSize { get; init; } = 64;

    public int Epochs { get; init; } = 8;

    /// <summary>Epochs without a better validation ROC AUC before training stops (the best epoch's weights are kept).</summary>
    public int EarlyStoppingPatience { get; init; } = 2;

    /// <summary>Share of the loss given to a sentence-embedding teacher's soft targets (absent: trained on labels only).</summary>
    public double? DistillationWeight { get; init; }

    /// <summary>Temperature of the teacher's and the model's logits in the distillation term.</summary>
    public double? DistillationTemperature { get; init; }

    /// <summary>Training rows per corpus the teacher scored (a seeded subsample of larger corpora).</summary>
    public int? TeacherSamplePerCorpus { get; init; }
}
