using Microsoft.Extensions.Options;
using Moderation.Prefilter.Model;

namespace Moderation.Prefilter;

/// <summary>Settings of tier one, bound from <c>Moderation:Prefilter</c> and validated at start-up.</summary>
public sealed class PrefilterOptions
{
    public const string SectionName = "Moderation:Prefilter";

    public const int MaxBlocklistTermLength = 200;

    /// <summary>
    /// The folder holding manifest.json, the vocabulary and the .onnx file. Null: the model shipped with the app
    /// (models/prefilter under the application's base directory). A relative path is relative to that base directory.
    /// </summary>
    public string? ModelDirectory { get; set; }

    /// <summary>Words or phrases that always route a message to review (case-insensitive, whole words).</summary>
    public List<string> Blocklist { get; set; } = [];

    /// <summary>
    /// Domains whose links always route a message to review (each covers its subdomains), beside the messaging,
    /// payment and shortener hosts the rule screen knows. Other links count only with contact or promotion wording.
    /// </summary>
    public List<string> FlaggedLinkDomains { get; set; } = [];

    /// <summary>Most messages the model scores in one call; larger batches are split.</summary>
    public int MaxBatchSize { get; set; } = 256;

    /// <summary>ONNX Runtime threads per scoring call; 0 lets ONNX Runtime choose.</summary>
    public int ModelThreads { get; set; }

    /// <summary>The model directory as an absolute path.</summary>
    public string ResolveModelDirectory() =>
        string.IsNullOrWhiteSpace(ModelDirectory)
            ? OnnxPrefilterModel.DefaultDirectory
            : Path.GetFullPath(ModelDirectory, AppContext.BaseDirectory);
}

/// <summary>Fails start-up on settings that would otherwise fail at the first message.</summary>
/// <param name="requireModelDirectory">True when the shipped ONNX model is used, so its directory must hold a manifest.</param>
public sealed class PrefilterOptionsValidator(bool requireModelDirectory) : IValidateOptions<PrefilterOptions>
{
    public ValidateOptionsResult Validate(string? name, PrefilterOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        if (options.MaxBatchSize is < 1 or > 4096)
        {
            failures.Add($"{PrefilterOptions.SectionName}:{nameof(options.MaxBatchSize)} must be between 1 and 4096 (was {options.MaxBatchSize}).");
        }

        if (options.ModelThreads is < 0 or > 64)
        {
            failures.Add($"{PrefilterOptions.SectionName}:{nameof(options.ModelThreads)} must be between 0 and 64 (was {options.ModelThreads}).");
        }

        for (var i = 0; i < options.Blocklist.Count; i++)
        {
            var term = options.Blocklist[i];
            if (string.IsNullOrWhiteSpace(term) || term.Trim().Length > PrefilterOptions.MaxBlocklistTermLength)
            {
                failures.Add($"{PrefilterOptions.SectionName}:{nameof(options.Blocklist)}:{i} must be a non-empty term of at most {PrefilterOptions.MaxBlocklistTermLength} characters.");
            }
        }

        for (var i = 0; i < options.FlaggedLinkDomains.Count; i++)
        {
            var domain = options.FlaggedLinkDomains[i]?.Trim().TrimStart('.') ?? string.Empty;
            if (domain.Length is 0 or > 253 || !domain.Contains('.', StringComparison.Ordinal) || domain.Any(c => char.IsWhiteSpace(c) || c is '/' or ':' or '@'))
            {
                failures.Add($"{PrefilterOptions.SectionName}:{nameof(options.FlaggedLinkDomains)}:{i} must be a domain such as example.com (was '{options.FlaggedLinkDomains[i]}').");
            }
        }

        var directory = options.ResolveModelDirectory();
        if (requireModelDirectory && !File.Exists(Path.Combine(directory, PrefilterModelManifest.FileName)))
        {
            failures.Add($"{PrefilterOptions.SectionName}:{nameof(options.ModelDirectory)}: no {PrefilterModelManifest.FileName} in '{directory}'.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
