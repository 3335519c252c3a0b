namespace Moderation.Training;

/// <summary>Adam (Kingma and Ba, 2015) over a flat parameter array, with bias-corrected moment estimates.</summary>
public sealed class AdamOptimizer(int parameterCount, double learningRate, double beta1 = 0.9, double beta2 = 0.999, double epsilon = 1e-8)
{
    private readonly float[] firstMoment = new float[parameterCount];
    private readonly float[] secondMoment = new float[parameterCount];
    private int step;

    public void Step(float[] parameters, float[] gradient)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        ArgumentNullException.ThrowIfNull(gradient);
        step++;
        var b1 = (float)beta1;
        var b2 = (float)beta2;
        var correctedRate = (float)(learningRate * Math.Sqrt(1 - Math.Pow(beta2, step)) / (1 - Math.Pow(beta1, step)));
        var eps = (float)epsilon;
        for (var i = 0; i < parameters.Length; i++)
        {
            var g = gradient[i];
            var m = firstMoment[i] = (b1 * firstMoment[i]) + ((1 - b1) * g);
            var v = secondMoment[i] = (b2 * secondMoment[i]) + ((1 - b2) * g * g);
            parameters[i] -= correctedRate * m / (MathF.Sqrt(v) + eps);
        }
    }
}
