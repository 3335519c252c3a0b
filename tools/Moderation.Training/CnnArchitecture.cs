using Moderation.Prefilter.Model;

namespace Moderation.Training;

/// <summary>
/// The pre-filter CNN's shape and where each layer's weights sit in one flat parameter array:
/// embedding -> parallel 1-D convolutions (one per kernel width) -> ReLU -> max over time -> concat -> dense + ReLU
/// -> dense -> sigmoid. A convolution's filter is stored [filter][offset][embedding dim] so that the dot product with
/// a window of consecutive embedding rows is one contiguous span.
/// </summary>
public sealed class CnnArchitecture
{
    public CnnArchitecture(int vocabularySize, int embeddingDimension, IReadOnlyList<int> kernelWidths, int filtersPerWidth, int hiddenUnits)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(vocabularySize, 2);
        ArgumentOutOfRangeException.ThrowIfLessThan(embeddingDimension, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(filtersPerWidth, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(hiddenUnits, 1);
        ArgumentNullException.ThrowIfNull(kernelWidths);
        if (kernelWidths.Count == 0 || kernelWidths.Any(w => w < 1))
        {
            throw new ArgumentException("At least one kernel width, each at least 1, is required.", nameof(kernelWidths));
        }

        VocabularySize = vocabularySize;
        EmbeddingDimension = embeddingDimension;
        KernelWidths = [.. kernelWidths];
        FiltersPerWidth = filtersPerWidth;
        HiddenUnits = hiddenUnits;
        MaxKernelWidth = KernelWidths.Max();
        PooledSize = KernelWidths.Length * filtersPerWidth;

        var offset = vocabularySize * embeddingDimension;
        ConvWeightOffsets = new int[KernelWidths.Length];
        ConvBiasOffsets = new int[KernelWidths.Length];
        for (var i = 0; i < KernelWidths.Length; i++)
        {
            ConvWeightOffsets[i] = offset;
            offset += filtersPerWidth * KernelWidths[i] * embeddingDimension;
            ConvBiasOffsets[i] = offset;
            offset += filtersPerWidth;
        }

        HiddenWeightOffset = offset;
        offset += hiddenUnits * PooledSize;
        HiddenBiasOffset = offset;
        offset += hiddenUnits;
        OutputWeightOffset = offset;
        offset += hiddenUnits;
        OutputBiasOffset = offset;
        ParameterCount = offset + 1;
    }

    public static CnnArchitecture From(PrefilterHyperParameters hyperParameters, int vocabularySize)
    {
        ArgumentNullException.ThrowIfNull(hyperParameters);
        return new(vocabularySize, hyperParameters.EmbeddingDimension, hyperParameters.KernelWidths, hyperParameters.FiltersPerWidth, hyperParameters.HiddenUnits);
    }

    public int VocabularySize { get; }

    public int EmbeddingDimension { get; }

    public int[] KernelWidths { get; }

    public int FiltersPerWidth { get; }

    public int HiddenUnits { get; }

    public int MaxKernelWidth { get; }

    /// <summary>Width of the concatenated max-pooled features.</summary>
    public int PooledSize { get; }

    /// <summary>Embedding table [vocabulary][dimension] starts at 0; row 0 (padding) stays zero.</summary>
    public int EmbeddingOffset => 0;

    /// <summary>Per kernel width: weights [filter][offset][dimension].</summary>
    public int[] ConvWeightOffsets { get; }

    /// <summary>Per kernel width: biases [filter].</summary>
    public int[] ConvBiasOffsets { get; }

    /// <summary>Hidden dense layer weights [hidden][pooled].</summary>
    public int HiddenWeightOffset { get; }

    public int HiddenBiasOffset { get; }

    /// <summary>Output dense layer weights [hidden] (one output unit).</summary>
    public int OutputWeightOffset { get; }

    public int OutputBiasOffset { get; }

    public int ParameterCount { get; }

    /// <summary>Seeded initial weights: small uniform embeddings (padding row zero), Glorot-uniform layers, zero biases.</summary>
    public float[] InitialParameters(int seed)
    {
        var random = new Random(seed);
        var p = new float[ParameterCount];
        var d = EmbeddingDimension;
        for (var i = d; i < VocabularySize * d; i++)
        {
            p[i] = Uniform(random, 0.1f);
        }

        for (var i = 0; i < KernelWidths.Length; i++)
        {
            var fanIn = KernelWidths[i] * d;
            var limit = MathF.Sqrt(6f / (fanIn + FiltersPerWidth));
            for (var j = 0; j < FiltersPerWidth * fanIn; j++)
            {
                p[ConvWeightOffsets[i] + j] = Uniform(random, limit);
            }
        }

        var hiddenLimit = MathF.Sqrt(6f / (PooledSize + HiddenUnits));
        for (var j = 0; j < HiddenUnits * PooledSize; j++)
        {
            p[HiddenWeightOffset + j] = Uniform(random, hiddenLimit);
        }

        var outputLimit = MathF.Sqrt(6f / (HiddenUnits + 1));
        for (var j = 0; j < HiddenUnits; j++)
        {
            p[OutputWeightOffset + j] = Uniform(random, outputLimit);
        }

        return p;
    }

    private static float Uniform(Random random, float limit) => (float)((random.NextDouble() * 2) - 1) * limit;
}
