using Moderation.Training;

namespace Moderation.Training.Tests;

/// <summary>Analytic gradients of every layer against central finite differences on a tiny random network.</summary>
public sealed class GradientCheckTests
{
    private static readonly int[] Ids = [3, 1, 4, 1, 5, 6];

    private readonly CnnArchitecture architecture = new(vocabularySize: 8, embeddingDimension: 4, kernelWidths: [1, 2, 3], filtersPerWidth: 3, hiddenUnits: 5);

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Sigmoid_and_cross_entropy_gradient_with_respect_to_the_logit_matches_finite_differences(bool suspicious)
    {
        foreach (var logit in new[] { -3f, -0.5f, 0f, 0.7f, 4f })
        {
            const double h = 1.0 / 1024; // exact in float, so the probes are exactly logit +- h
            var numeric = (CnnNetwork.BinaryCrossEntropy((float)(logit + h), suspicious) - CnnNetwork.BinaryCrossEntropy((float)(logit - h), suspicious)) / (2 * h);
            Assert.Equal(numeric, CnnNetwork.LogitGradient(logit, suspicious), 3);
        }
    }

    [Fact]
    public void Embedding_gradient_matches_finite_differences_for_used_rows_and_is_zero_for_unused_and_padding_rows()
    {
        var (parameters, analytic) = Analytic(suspicious: true);
        var d = architecture.EmbeddingDimension;
        foreach (var row in new[] { 1, 3, 4, 5, 6 })
        {
            AssertMatches(parameters, analytic, Enumerable.Range(row * d, d), true);
        }

        Assert.All(Enumerable.Range(0, d).Concat(Enumerable.Range(7 * d, d)), i => Assert.Equal(0f, analytic[i]));
    }

    [Fact]
    public void Convolution_and_max_pooling_gradients_match_finite_differences_for_every_kernel_width()
    {
        var (parameters, analytic) = Analytic(suspicious: false);
        for (var k = 0; k < architecture.KernelWidths.Length; k++)
        {
            var weights = architecture.FiltersPerWidth * architecture.KernelWidths[k] * architecture.EmbeddingDimension;
            AssertMatches(parameters, analytic, Enumerable.Range(architecture.ConvWeightOffsets[k], weights), false);
            AssertMatches(parameters, analytic, Enumerable.Range(architecture.ConvBiasOffsets[k], architecture.FiltersPerWidth), false);
        }
    }

    [Fact]
    public void Dense_layer_gradients_match_finite_differences()
    {
        var (parameters, analytic) = Analytic(suspicious: true);
        AssertMatches(parameters, analytic, Enumerable.Range(architecture.HiddenWeightOffset, architecture.HiddenUnits * architecture.PooledSize), true);
        AssertMatches(parameters, analytic, Enumerable.Range(architecture.HiddenBiasOffset, architecture.HiddenUnits), true);
        AssertMatches(parameters, analytic, Enumerable.Range(architecture.OutputWeightOffset, architecture.HiddenUnits + 1), true);
    }

    [Fact]
    public void Gradients_with_a_dropout_mask_match_finite_differences_of_the_masked_network()
    {
        var keep = Enumerable.Range(0, architecture.PooledSize).Select(i => i % 3 == 0 ? 0f : 1.5f).ToArray();
        var (parameters, analytic) = Analytic(suspicious: true, keep);
        AssertMatches(parameters, analytic, Enumerable.Range(0, architecture.ParameterCount), true, keep);
    }

    private (float[] Parameters, float[] Gradient) Analytic(bool suspicious, float[]? keep = null)
    {
        var network = new CnnNetwork(architecture, maxLength: 16);
        var parameters = architecture.InitialParameters(seed: 11);
        var random = new Random(5);
        for (var i = architecture.EmbeddingDimension; i < parameters.Length; i++)
        {
            // Larger embeddings and non-zero biases so that every ReLU and max is clearly on one side of its kink.
            parameters[i] += (float)(random.NextDouble() - 0.5);
        }

        var workspace = network.CreateWorkspace();
        var logit = network.Forward(Ids, parameters, workspace, keep);
        var gradient = new float[parameters.Length];
        network.Backward(Ids, parameters, workspace, CnnNetwork.LogitGradient(logit, suspicious), gradient, keep);
        return (parameters, gradient);
    }

    private void AssertMatches(float[] parameters, float[] analytic, IEnumerable<int> indices, bool suspicious, float[]? keep = null)
    {
        var network = new CnnNetwork(architecture, maxLength: 16);
        var workspace = network.CreateWorkspace();
        double Loss(float[] p) => CnnNetwork.BinaryCrossEntropy(network.Forward(Ids, p, workspace, keep), suspicious);

        double Numeric(float[] probe, int i, float h)
        {
            probe[i] = parameters[i] + h;
            var plus = Loss(probe);
            probe[i] = parameters[i] - h;
            var minus = Loss(probe);
            probe[i] = parameters[i];
            return (plus - minus) / (2 * h);
        }

        // A max-over-time or ReLU switching inside the probe interval makes the finite difference meaningless; such
        // a kink shows as a disagreement between two step sizes, and only those (few) parameters are skipped.
        var checkedCount = 0;
        var kinks = 0;
        var copy = (float[])parameters.Clone();
        foreach (var i in indices)
        {
            var coarse = Numeric(copy, i, 4e-3f);
            var fine = Numeric(copy, i, 1e-3f);
            if (Math.Abs(coarse - fine) > 3e-4 + (0.02 * Math.Abs(fine)))
            {
                kinks++;
                continue;
            }

            Assert.True(
                Math.Abs(fine - analytic[i]) <= 1e-3 + (0.02 * Math.Abs(fine)),
                $"Parameter {i}: analytic {analytic[i]:G6}, numeric {fine:G6}.");
            checkedCount++;
        }

        Assert.True(kinks <= checkedCount / 10, $"{kinks} of {checkedCount + kinks} parameters sit at a kink.");
        Assert.True(checkedCount > 0);
    }
}
