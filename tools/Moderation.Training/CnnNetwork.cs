using System.Numerics.Tensors;

namespace Moderation.Training;

/// <summary>
/// Forward and backward passes of the CNN for one example, over a flat parameter array laid out by
/// <see cref="CnnArchitecture"/>. A sequence of L tokens is followed by zero rows; each kernel width has L windows,
/// one starting at each token (windows running past the end see zeros). This is exactly what the exported ONNX
/// graph computes with end padding and a token mask, so a message scores the same alone or in any padded batch.
/// </summary>
public sealed class CnnNetwork
{
    public CnnNetwork(CnnArchitecture architecture, int maxLength)
    {
        ArgumentNullException.ThrowIfNull(architecture);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxLength, 1);
        Architecture = architecture;
        MaxLength = maxLength;
    }

    public CnnArchitecture Architecture { get; }

    public int MaxLength { get; }

    /// <summary>Buffers for one pass; one per thread.</summary>
    public CnnWorkspace CreateWorkspace() => new(Architecture, MaxLength);

    /// <summary>The logit (pre-sigmoid) for <paramref name="ids"/>; activations stay in <paramref name="workspace"/> for <see cref="Backward"/>.</summary>
    /// <param name="dropoutKeep">Per pooled feature: 0 (dropped) or 1/(1-rate) (kept), or null at inference.</param>
    public float Forward(ReadOnlySpan<int> ids, float[] parameters, CnnWorkspace workspace, ReadOnlySpan<float> dropoutKeep = default)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        ArgumentNullException.ThrowIfNull(workspace);
        var a = Architecture;
        var d = a.EmbeddingDimension;
        var length = Math.Min(ids.Length, MaxLength);
        if (length == 0)
        {
            throw new ArgumentException("An example needs at least one token id.", nameof(ids));
        }

        workspace.Length = length;
        var x = workspace.Embedded;
        Array.Clear(x, 0, (length + a.MaxKernelWidth - 1) * d);
        for (var t = 0; t < length; t++)
        {
            var id = ids[t];
            if ((uint)id >= (uint)a.VocabularySize)
            {
                throw new ArgumentOutOfRangeException(nameof(ids), $"Token id {id} is outside the vocabulary of {a.VocabularySize}.");
            }

            parameters.AsSpan(a.EmbeddingOffset + (id * d), d).CopyTo(x.AsSpan(t * d, d));
        }

        var f = a.FiltersPerWidth;
        for (var k = 0; k < a.KernelWidths.Length; k++)
        {
            var span = a.KernelWidths[k] * d;
            var weights = parameters.AsSpan(a.ConvWeightOffsets[k], f * span);
            var biases = parameters.AsSpan(a.ConvBiasOffsets[k], f);
            var pooled = workspace.Pooled.AsSpan(k * f, f);
            var best = workspace.BestPosition.AsSpan(k * f, f);
            pooled.Fill(float.NegativeInfinity);
            for (var t = 0; t < length; t++)
            {
                var window = x.AsSpan(t * d, span);
                for (var j = 0; j < f; j++)
                {
                    var z = biases[j] + TensorPrimitives.Dot(weights.Slice(j * span, span), window);
                    if (z > pooled[j])
                    {
                        pooled[j] = z;
                        best[j] = t;
                    }
                }
            }

            // max_t relu(z_t) = relu(max_t z_t): pool first, then rectify.
            for (var j = 0; j < f; j++)
            {
                if (pooled[j] <= 0)
                {
                    pooled[j] = 0;
                    best[j] = -1;
                }
            }
        }

        var features = workspace.Features;
        if (dropoutKeep.IsEmpty)
        {
            workspace.Pooled.CopyTo(features, 0);
        }
        else
        {
            TensorPrimitives.Multiply(workspace.Pooled, dropoutKeep, features);
        }

        var hidden = workspace.Hidden;
        var p = a.PooledSize;
        for (var h = 0; h < a.HiddenUnits; h++)
        {
            var z = parameters[a.HiddenBiasOffset + h] + TensorPrimitives.Dot(parameters.AsSpan(a.HiddenWeightOffset + (h * p), p), features);
            hidden[h] = z > 0 ? z : 0;
        }

        return parameters[a.OutputBiasOffset] + TensorPrimitives.Dot(parameters.AsSpan(a.OutputWeightOffset, a.HiddenUnits), hidden);
    }

    /// <summary>Adds d(loss)/d(parameters) to <paramref name="gradient"/>, given d(loss)/d(logit) of the last <see cref="Forward"/>.</summary>
    public void Backward(ReadOnlySpan<int> ids, float[] parameters, CnnWorkspace workspace, float logitGradient, float[] gradient, ReadOnlySpan<float> dropoutKeep = default)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        ArgumentNullException.ThrowIfNull(workspace);
        ArgumentNullException.ThrowIfNull(gradient);
        var a = Architecture;
        var d = a.EmbeddingDimension;
        var p = a.PooledSize;
        var hidden = workspace.Hidden;

        gradient[a.OutputBiasOffset] += logitGradient;
        TensorPrimitives.MultiplyAdd(hidden, logitGradient, gradient.AsSpan(a.OutputWeightOffset, a.HiddenUnits), gradient.AsSpan(a.OutputWeightOffset, a.HiddenUnits));

        var featureGradient = workspace.FeatureGradient;
        Array.Clear(featureGradient);
        for (var h = 0; h < a.HiddenUnits; h++)
        {
            if (hidden[h] <= 0)
            {
                continue;
            }

            var g = logitGradient * parameters[a.OutputWeightOffset + h];
            gradient[a.HiddenBiasOffset + h] += g;
            var row = gradient.AsSpan(a.HiddenWeightOffset + (h * p), p);
            TensorPrimitives.MultiplyAdd(workspace.Features, g, row, row);
            TensorPrimitives.MultiplyAdd(parameters.AsSpan(a.HiddenWeightOffset + (h * p), p), g, featureGradient, featureGradient);
        }

        if (!dropoutKeep.IsEmpty)
        {
            TensorPrimitives.Multiply(featureGradient, dropoutKeep, featureGradient);
        }

        var length = workspace.Length;
        var x = workspace.Embedded;
        var dx = workspace.EmbeddedGradient;
        Array.Clear(dx, 0, (length + a.MaxKernelWidth - 1) * d);
        var f = a.FiltersPerWidth;
        for (var k = 0; k < a.KernelWidths.Length; k++)
        {
            var span = a.KernelWidths[k] * d;
            for (var j = 0; j < f; j++)
            {
                var t = workspace.BestPosition[(k * f) + j];
                var g = featureGradient[(k * f) + j];
                if (t < 0 || g == 0)
                {
                    continue;
                }

                gradient[a.ConvBiasOffsets[k] + j] += g;
                var weightGradient = gradient.AsSpan(a.ConvWeightOffsets[k] + (j * span), span);
                TensorPrimitives.MultiplyAdd(x.AsSpan(t * d, span), g, weightGradient, weightGradient);
                var windowGradient = dx.AsSpan(t * d, span);
                TensorPrimitives.MultiplyAdd(parameters.AsSpan(a.ConvWeightOffsets[k] + (j * span), span), g, windowGradient, windowGradient);
            }
        }

        for (var t = 0; t < length; t++)
        {
            var id = ids[t];
            if (id == 0)
            {
                continue; // padding keeps a zero embedding
            }

            var row = gradient.AsSpan(a.EmbeddingOffset + (id * d), d);
            TensorPrimitives.Add(row, dx.AsSpan(t * d, d), row);
        }
    }

    /// <summary>Probability of "suspicious" (no dropout).</summary>
    public float Predict(ReadOnlySpan<int> ids, float[] parameters, CnnWorkspace workspace) => Sigmoid(Forward(ids, parameters, workspace));

    public static float Sigmoid(float z) => z >= 0 ? 1f / (1f + MathF.Exp(-z)) : MathF.Exp(z) / (1f + MathF.Exp(z));

    /// <summary>Binary cross-entropy of sigmoid(logit) against the label, computed stably from the logit.</summary>
    public static double BinaryCrossEntropy(float logit, bool suspicious)
    {
        var z = (double)logit;
        return Math.Max(z, 0) - (suspicious ? z : 0) + Math.Log(1 + Math.Exp(-Math.Abs(z)));
    }

    /// <summary>d(BCE)/d(logit) = sigmoid(logit) - label.</summary>
    public static float LogitGradient(float logit, bool suspicious) => Sigmoid(logit) - (suspicious ? 1f : 0f);
}

/// <summary>Activations and scratch buffers of one forward/backward pass.</summary>
public sealed class CnnWorkspace
{
    internal CnnWorkspace(CnnArchitecture architecture, int maxLength)
    {
        var rows = maxLength + architecture.MaxKernelWidth - 1;
        Embedded = new float[rows * architecture.EmbeddingDimension];
        EmbeddedGradient = new float[rows * architecture.EmbeddingDimension];
        Pooled = new float[architecture.PooledSize];
        BestPosition = new int[architecture.PooledSize];
        Features = new float[architecture.PooledSize];
        FeatureGradient = new float[architecture.PooledSize];
        Hidden = new float[architecture.HiddenUnits];
    }

    internal int Length { get; set; }

    internal float[] Embedded { get; }

    internal float[] EmbeddedGradient { get; }

    /// <summary>Max-pooled, rectified convolution features (before dropout).</summary>
    public float[] Pooled { get; }

    /// <summary>Window start of each pooled feature, -1 when the feature is zero (no gradient).</summary>
    internal int[] BestPosition { get; }

    internal float[] Features { get; }

    internal float[] FeatureGradient { get; }

    internal float[] Hidden { get; }
}
