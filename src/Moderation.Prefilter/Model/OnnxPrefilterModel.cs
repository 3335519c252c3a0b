using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Moderation.Prefilter.Model;

/// <summary>
/// The pre-filter CNN scored with ONNX Runtime: manifest, vocabulary and .onnx model loaded from one directory and
/// checked against each other at load. One <see cref="InferenceSession"/> per instance (register it as a singleton);
/// <see cref="InferenceSession.Run(RunOptions, IReadOnlyCollection{string}, IReadOnlyCollection{OrtValue}, IReadOnlyCollection{string})"/>
/// is thread-safe, so concurrent callers share it.
/// </summary>
public sealed class OnnxPrefilterModel : IPrefilterModel, IDisposable
{
    /// <summary>Texts per ONNX Runtime call: small enough that length-sorted runs pad little, large enough to amortise the call.</summary>
    public const int MaxRunBatch = 64;

    private const int ParallelEncodingThreshold = 64;

    private readonly InferenceSession session;
    private readonly PrefilterVocabulary vocabulary;
    private readonly string[] inputNames;
    private readonly string[] outputNames;

    private OnnxPrefilterModel(PrefilterModelManifest manifest, PrefilterVocabulary vocabulary, InferenceSession session)
    {
        Manifest = manifest;
        this.vocabulary = vocabulary;
        this.session = session;
        inputNames = [manifest.Input.Name];
        outputNames = [manifest.Output.Name];
    }

    public PrefilterModelManifest Manifest { get; }

    /// <summary>The shipped model's directory: models/prefilter beside the application (copied there at build).</summary>
    public static string DefaultDirectory => Path.Combine(AppContext.BaseDirectory, "models", "prefilter");

    /// <summary>Loads and validates a model directory (manifest.json, its vocabulary and its .onnx file).</summary>
    /// <param name="intraOpThreads">ONNX Runtime threads per call; 0 lets ONNX Runtime choose (one per core).</param>
    public static OnnxPrefilterModel Load(string directory, int intraOpThreads = 0)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        if (!Directory.Exists(directory))
        {
            throw new DirectoryNotFoundException($"The pre-filter model directory '{Path.GetFullPath(directory)}' does not exist.");
        }

        var manifest = PrefilterModelManifest.Load(Path.Combine(directory, PrefilterModelManifest.FileName));
        if (manifest.NormalizationVersion != PrefilterTextNormalizer.Version)
        {
            throw new InvalidDataException(
                $"The model in '{directory}' was trained with text normalisation '{manifest.NormalizationVersion}', but this build implements '{PrefilterTextNormalizer.Version}'.");
        }

        var vocabularyPath = Path.Combine(directory, manifest.VocabularyFile);
        if (!File.Exists(vocabularyPath))
        {
            throw new FileNotFoundException($"The vocabulary file '{vocabularyPath}' named by the manifest does not exist.", vocabularyPath);
        }

        var vocabulary = PrefilterVocabulary.Load(vocabularyPath);
        if (vocabulary.Size != manifest.VocabularySize || vocabulary.NormalizationVersion != manifest.NormalizationVersion)
        {
            throw new InvalidDataException(
                $"The vocabulary '{vocabularyPath}' ({vocabulary.Size} ids, {vocabulary.NormalizationVersion}) does not match the manifest ({manifest.VocabularySize} ids, {manifest.NormalizationVersion}).");
        }

        var modelPath = Path.Combine(directory, manifest.ModelFile);
        if (!File.Exists(modelPath))
        {
            throw new FileNotFoundException($"The ONNX model '{modelPath}' named by the manifest does not exist.", modelPath);
        }

        using var options = new SessionOptions { GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL, IntraOpNumThreads = intraOpThreads };
        var session = new InferenceSession(modelPath, options);
        try
        {
            CheckContract(session, manifest, modelPath);
            return new OnnxPrefilterModel(manifest, vocabulary, session);
        }
        catch
        {
            session.Dispose();
            throw;
        }
    }

    public float[] Score(IReadOnlyList<string> texts)
    {
        ArgumentNullException.ThrowIfNull(texts);
        var encoded = new int[texts.Count][];
        if (encoded.Length >= ParallelEncodingThreshold)
        {
            // Tokenising costs about as much as the network itself: spread it over the cores for big batches.
            Parallel.For(0, encoded.Length, i => encoded[i] = vocabulary.Encode(texts[i], Manifest.MaxLength));
        }
        else
        {
            for (var i = 0; i < encoded.Length; i++)
            {
                encoded[i] = vocabulary.Encode(texts[i], Manifest.MaxLength);
            }
        }

        // Run messages of similar length together so that padding each run to its longest message wastes little;
        // the graph masks padding out, so a message's score does not depend on its neighbours.
        var order = Enumerable.Range(0, encoded.Length).ToArray();
        Array.Sort(order, (a, b) => encoded[a].Length != encoded[b].Length ? encoded[a].Length.CompareTo(encoded[b].Length) : a.CompareTo(b));
        var scores = new float[texts.Count];
        for (var start = 0; start < order.Length; start += MaxRunBatch)
        {
            var count = Math.Min(MaxRunBatch, order.Length - start);
            var longest = 1;
            for (var i = 0; i < count; i++)
            {
                longest = Math.Max(longest, encoded[order[start + i]].Length);
            }

            var ids = new long[count * longest];
            for (var i = 0; i < count; i++)
            {
                var row = encoded[order[start + i]];
                for (var t = 0; t < row.Length; t++)
                {
                    ids[(i * longest) + t] = row[t];
                }
            }

            using var input = OrtValue.CreateTensorValueFromMemory(ids, [count, longest]);
            using var runOptions = new RunOptions();
            using var outputs = session.Run(runOptions, inputNames, [input], outputNames);
            var probabilities = outputs[0].GetTensorDataAsSpan<float>();
            for (var i = 0; i < count; i++)
            {
                var p = probabilities[i];
                scores[order[start + i]] = float.IsNaN(p) ? 1f : Math.Clamp(p, 0f, 1f);
            }
        }

        return scores;
    }

    public void Dispose() => session.Dispose();

    private static void CheckContract(InferenceSession session, PrefilterModelManifest manifest, string modelPath)
    {
        if (!session.InputMetadata.TryGetValue(manifest.Input.Name, out var input))
        {
            throw new InvalidDataException(
                $"The ONNX model '{modelPath}' has no input '{manifest.Input.Name}' (the manifest's input); its inputs are: {string.Join(", ", session.InputMetadata.Keys)}.");
        }

        if (session.InputMetadata.Count != 1)
        {
            throw new InvalidDataException($"The ONNX model '{modelPath}' must have exactly one input ('{manifest.Input.Name}'); it has {session.InputMetadata.Count}.");
        }

        if (!input.IsTensor || input.ElementDataType != TensorElementType.Int64 || input.Dimensions.Length != 2)
        {
            throw new InvalidDataException(
                $"The ONNX model input '{manifest.Input.Name}' must be an int64 tensor [batch, sequence]; it is {input.ElementDataType} with {input.Dimensions.Length} dimensions.");
        }

        if (!session.OutputMetadata.TryGetValue(manifest.Output.Name, out var output))
        {
            throw new InvalidDataException(
                $"The ONNX model '{modelPath}' has no output '{manifest.Output.Name}' (the manifest's output); its outputs are: {string.Join(", ", session.OutputMetadata.Keys)}.");
        }

        if (!output.IsTensor || output.ElementDataType != TensorElementType.Float)
        {
            throw new InvalidDataException($"The ONNX model output '{manifest.Output.Name}' must be a float tensor; it is {output.ElementDataType}.");
        }
    }
}
