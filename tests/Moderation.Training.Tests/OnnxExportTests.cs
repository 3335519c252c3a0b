using System.Globalization;
using System.Text;
using Moderation.Prefilter.Model;
using Moderation.Training;

namespace Moderation.Training.Tests;

/// <summary>The exported ONNX graph, run by the real ONNX Runtime, computes what the trainer computes.</summary>
public sealed class OnnxExportTests : IDisposable
{
    private static readonly PrefilterHyperParameters Small = new()
    {
        EmbeddingDimension = 8,
        KernelWidths = [2, 3, 5],
        FiltersPerWidth = 6,
        HiddenUnits = 7,
        MaxLength = 24,
        MinWordCount = 1,
        HashBuckets = 32,
        BatchSize = 16,
        Epochs = 3,
        EarlyStoppingPatience = 3,
        LearningRate = 0.01,
    };

    private static readonly string[] Probes =
    [
        "win cash now",
        "hello see you tomorrow at the train",
        "idiot",
        "",
        "   ",
        "call 08712345678 to claim your FREE prize!!! www.example.com",
        "@someone you are such a moron &amp; a loser",
        "😀😀😀",
        "Привет, как дела? 你好",
        "tr4sh talk fr33 pr1ze",
        "bad\uD800surrogate",
        string.Concat(Enumerable.Repeat("coffee idiot dinner ", 200)),
    ];

    private readonly string directory = Path.Combine(Path.GetTempPath(), "prefilter-onnx-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(directory))
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public void ONNX_Runtime_probabilities_equal_the_trainers_forward_pass_within_1e_5()
    {
        var (network, parameters, vocabulary) = TrainAndExport();
        using var model = OnnxPrefilterModel.Load(directory);
        var workspace = network.CreateWorkspace();
        var expected = Probes.Select(text => network.Predict(vocabulary.Encode(text, Small.MaxLength), parameters, workspace)).ToArray();

        var batched = model.Score(Probes);

        for (var i = 0; i < Probes.Length; i++)
        {
            Assert.True(Math.Abs(expected[i] - batched[i]) <= 1e-5, $"probe {i}: trainer {expected[i]:G9}, ONNX {batched[i]:G9}");
        }

        Assert.True(expected.Max() - expected.Min() > 0.1, "the probes should not all score the same");
    }

    [Fact]
    public void A_message_scores_the_same_alone_as_padded_in_a_batch_of_longer_messages()
    {
        TrainAndExport();
        using var model = OnnxPrefilterModel.Load(directory);

        var batched = model.Score(Probes);

        for (var i = 0; i < Probes.Length; i++)
        {
            Assert.Equal(model.Score([Probes[i]])[0], batched[i], 6);
        }
    }

    [Fact]
    public void Loading_reports_a_manifest_input_name_that_the_graph_does_not_have()
    {
        TrainAndExport();
        var manifestPath = Path.Combine(directory, PrefilterModelManifest.FileName);
        var manifest = PrefilterModelManifest.Load(manifestPath);
        (manifest with { Input = manifest.Input with { Name = "tokens" } }).Save(manifestPath);

        var error = Assert.Throws<InvalidDataException>(() => OnnxPrefilterModel.Load(directory));

        Assert.Contains("no input 'tokens'", error.Message, StringComparison.Ordinal);
        Assert.Contains(OnnxModelWriter.InputName, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Loading_reports_a_missing_model_file_and_a_vocabulary_that_does_not_match_the_manifest()
    {
        TrainAndExport();
        var manifestPath = Path.Combine(directory, PrefilterModelManifest.FileName);
        var manifest = PrefilterModelManifest.Load(manifestPath);

        (manifest with { VocabularySize = manifest.VocabularySize + 1 }).Save(manifestPath);
        Assert.Contains("does not match the manifest", Assert.Throws<InvalidDataException>(() => OnnxPrefilterModel.Load(directory)).Message, StringComparison.Ordinal);

        manifest.Save(manifestPath);
        File.Delete(Path.Combine(directory, manifest.ModelFile));
        Assert.Contains("model.onnx", Assert.Throws<FileNotFoundException>(() => OnnxPrefilterModel.Load(directory)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_release_trains_on_a_data_folder_and_writes_a_model_that_loads_with_a_validation_calibrated_threshold()
    {
        var data = Path.Combine(directory, "data");
        WriteFixtureData(data, SyntheticCorpus.Generate(600, seed: 21));
        var output = Path.Combine(directory, "model");
        var lines = new List<string>();

        var manifest = PrefilterModelRelease.Run(Fixture(data, output, seed: 5), lines.Add);

        using var model = OnnxPrefilterModel.Load(output);
        Assert.Equal(manifest.Threshold, model.Manifest.Threshold);
        Assert.InRange(model.Manifest.Threshold, 0, 1);
        Assert.NotNull(model.Manifest.Metrics);
        Assert.True(model.Manifest.Metrics.Validation.Recall >= 0.9, $"validation recall {model.Manifest.Metrics.Validation.Recall}");
        Assert.Equal(5, model.Manifest.Seed);
        Assert.Contains(lines, line => line.StartsWith("epoch 1:", StringComparison.Ordinal));
        Assert.True(model.Score(["free prize claim now"])[0] > model.Score(["see you at lunch"])[0]);
        var sources = model.Manifest.Metrics.Sources!;
        Assert.Contains(sources, s => s is { Source: "taskmaster-clean", Split: "test", Recall: null, FalsePositiveRate: not null });
        Assert.Contains(sources, s => s is { Source: "davidson-hate-offensive", Split: "validation", RocAuc: not null, RoutedShare9010: not null });
    }

    [Fact]
    public void The_same_seed_and_data_reproduce_the_released_model_file_byte_for_byte()
    {
        var data = Path.Combine(directory, "data");
        WriteFixtureData(data, SyntheticCorpus.Generate(400, seed: 22));

        PrefilterModelRelease.Run(Fixture(data, Path.Combine(directory, "a"), seed: 7) with { Threads = 2 }, _ => { });
        PrefilterModelRelease.Run(Fixture(data, Path.Combine(directory, "b"), seed: 7) with { Threads = 1 }, _ => { });
        PrefilterModelRelease.Run(Fixture(data, Path.Combine(directory, "c"), seed: 8), _ => { });

        var a = File.ReadAllBytes(Path.Combine(directory, "a", "model.onnx"));
        Assert.Equal(a, File.ReadAllBytes(Path.Combine(directory, "b", "model.onnx")));
        Assert.NotEqual(a, File.ReadAllBytes(Path.Combine(directory, "c", "model.onnx")));
        Assert.Equal(File.ReadAllText(Path.Combine(directory, "a", "vocab.txt")), File.ReadAllText(Path.Combine(directory, "b", "vocab.txt")));
    }

    // MiniLM stays off here: the fixture tests the release mechanics, not the pretrained start.
    private static ReleaseSettings Fixture(string data, string output, int seed) => new()
    {
        DataDirectory = data,
        OutputDirectory = output,
        HyperParameters = Small,
        Seed = seed,
        Corpora = ["davidson-hate-offensive", "sms-spam-collection", "taskmaster-clean"],
        GibberishCount = 50,
        PretrainedEmbeddings = false,
        MaxCleanFalsePositiveRate = 0.2,
        MaxRoutedShare = 0.5,
    };

    private (CnnNetwork Network, float[] Parameters, PrefilterVocabulary Vocabulary) TrainAndExport()
    {
        var (train, validation, vocabulary) = SyntheticCorpus.Encoded(Small, count: 200, seed: 4);
        var architecture = CnnArchitecture.From(Small, vocabulary.Size);
        var network = new CnnNetwork(architecture, Small.MaxLength);
        var parameters = new CnnTrainer(network, Small, seed: 8).Train(train, validation, PrefilterModelRelease.RocAuc).Parameters;
        Directory.CreateDirectory(directory);
        File.WriteAllBytes(Path.Combine(directory, "model.onnx"), OnnxModelWriter.Write(architecture, parameters, "parity", "0.1"));
        vocabulary.Save(Path.Combine(directory, "vocab.txt"));
        new PrefilterModelManifest { Name = "parity", Version = "0.1", Threshold = 0.5, MaxLength = Small.MaxLength, VocabularySize = vocabulary.Size }
            .Save(Path.Combine(directory, PrefilterModelManifest.FileName));
        return (network, parameters, vocabulary);
    }

    // Three of the shared-data file formats (Davidson CSV, SMS TSV, clean dialogue TSV), filled with generated messages.
    private static void WriteFixtureData(string data, List<Moderation.Evaluation.Data.LabeledExample> examples)
    {
        Directory.CreateDirectory(Path.Combine(data, "davidson-hate-offensive"));
        Directory.CreateDirectory(Path.Combine(data, "sms-spam-collection"));
        Directory.CreateDirectory(Path.Combine(data, "taskmaster-clean"));
        var csv = new StringBuilder(",count,hate_speech,offensive_language,neither,class,tweet\n");
        var tsv = new StringBuilder("Label\tSMS\n");
        var dialogue = new StringBuilder("text\tlabel\tcategory\tsource_id\tdomain\tspeaker\n");
        for (var i = 0; i < examples.Count; i++)
        {
            var e = examples[i];
            if (!e.Suspicious && i % 3 == 0)
            {
                dialogue.Append(CultureInfo.InvariantCulture, $"{e.Text}\tclean\tnone\tTM-4:{i}:0\tcoffee-ordering\tuser\n");
            }
            else if ((i / 2) % 2 == 0)
            {
                csv.Append(CultureInfo.InvariantCulture, $"{i},3,0,{(e.Suspicious ? 3 : 0)},{(e.Suspicious ? 0 : 3)},{(e.Suspicious ? 1 : 2)},\"{e.Text}\"\n");
            }
            else
            {
                tsv.Append(e.Suspicious ? "spam" : "ham").Append('\t').Append(e.Text).Append('\n');
            }
        }

        File.WriteAllText(Path.Combine(data, "davidson-hate-offensive", "labeled_data.csv"), csv.ToString());
        File.WriteAllText(Path.Combine(data, "sms-spam-collection", "SMSSpamCollection.tsv"), tsv.ToString());
        File.WriteAllText(Path.Combine(data, "taskmaster-clean", "taskmaster_utterances.tsv"), dialogue.ToString());
    }
}
