namespace Moderation.Prefilter.Model;

/// <summary>
/// A text classifier that scores messages for "suspicious" (the CNN exported to ONNX, or a team's own model).
/// Thread-safe; loaded once per process.
/// </summary>
public interface IPrefilterModel
{
    /// <summary>What the model is and how it was released (name, version, threshold, metrics).</summary>
    PrefilterModelManifest Manifest { get; }

    /// <summary>Probability of "suspicious" in [0, 1] for each text, in order. Never throws for odd text.</summary>
    float[] Score(IReadOnlyList<string> texts);
}
