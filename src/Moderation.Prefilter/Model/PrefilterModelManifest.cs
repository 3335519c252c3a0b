namespace Moderation.Prefilter.Model;

/// <summary>
/// The model manifest shipped next to the .onnx file (manifest.json): what the model is, its input contract, and the
/// threshold and metrics it was released with.
/// </summary>
public sealed record PrefilterModelManifest
{
    public required string Name { get; init; }

    public required string Version { get; init; }

    /// <summary>Decision threshold on the model's probability, chosen on the validation split.</summary>
    public required double Threshold { get; init; }

    /// <summary>Tokens per input after padding/truncation.</summary>
    public required int MaxLength { get; init; }

    /// <summary>"name@version", as recorded in every pre-filter score.</summary>
    public string ModelVersion => $"{Name}@{Version}";
}
