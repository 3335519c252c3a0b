namespace Moderation.Training;

/// <summary>
/// The student's loss on a row with a teacher logit: (1 − weight) × BCE(label, σ(z)) + weight × T² × BCE(σ(t/T), σ(z/T)),
/// the usual knowledge-distillation mix (T² keeps the soft term's gradient on the scale of the hard term's). Rows
/// without a teacher logit keep the plain label loss.
/// </summary>
/// <param name="Weight">Share of the soft term, 0 to 1 (0 is training on labels only).</param>
/// <param name="Temperature">Softens both logits in the soft term; 1 uses the teacher's probabilities as they are.</param>
public sealed record DistillationLoss(double Weight, double Temperature)
{
    public static DistillationLoss None { get; } = new(0, 1);

    public bool Enabled => Weight > 0;

    public void Validate()
    {
        if (Weight is < 0 or > 1 || double.IsNaN(Weight))
        {
            throw new ArgumentOutOfRangeException(nameof(Weight), Weight, "The distillation weight must be between 0 and 1.");
        }

        if (!(Temperature > 0))
        {
            throw new ArgumentOutOfRangeException(nameof(Temperature), Temperature, "The distillation temperature must be positive.");
        }
    }

    /// <summary>The loss of one row; <paramref name="teacherLogit"/> NaN means the row has no soft target.</summary>
    public double Loss(float logit, bool suspicious, float teacherLogit)
    {
        var hard = CnnNetwork.BinaryCrossEntropy(logit, suspicious);
        if (!Enabled || float.IsNaN(teacherLogit))
        {
            return hard;
        }

        var t = Temperature;
        var z = logit / t;
        var target = SentenceTeacher.Sigmoid(teacherLogit / t);
        // BCE against a soft target p: max(z, 0) − p·z + log(1 + e^−|z|).
        var soft = Math.Max(z, 0) - (target * z) + Math.Log(1 + Math.Exp(-Math.Abs(z)));
        return ((1 - Weight) * hard) + (Weight * t * t * soft);
    }

    /// <summary>d(loss)/d(logit) of <see cref="Loss"/>.</summary>
    public float LogitGradient(float logit, bool suspicious, float teacherLogit)
    {
        var hard = CnnNetwork.LogitGradient(logit, suspicious);
        if (!Enabled || float.IsNaN(teacherLogit))
        {
            return hard;
        }

        var t = Temperature;
        var soft = SentenceTeacher.Sigmoid(logit / t) - SentenceTeacher.Sigmoid(teacherLogit / t);
        return (float)(((1 - Weight) * hard) + (Weight * t * soft));
    }
}
