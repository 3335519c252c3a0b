using System.Globalization;
using Moderation.Evaluation.Data;

namespace Moderation.Training;

/// <summary>A corpus of the catalog divided into its own train, validation and test parts.</summary>
public sealed record CorpusParts(string Name, IReadOnlyList<LabeledExample> Train, IReadOnlyList<LabeledExample> Validation, IReadOnlyList<LabeledExample> Test);

/// <summary>
/// The corpora the pre-filter CNN is trained and measured on: every corpus of <see cref="CorpusCatalog"/>, read at run
/// time from the data directory with its documented label mapping and its own grouped split.
/// </summary>
public static class TrainingCorpora
{
    public static IReadOnlyList<string> Names { get; } = [.. CorpusCatalog.All.Select(c => c.Name)];

    /// <summary>The corpora with only clean rows (task dialogue): the false-positive side of the targets.</summary>
    public static IReadOnlySet<string> CleanDialogue { get; } = new HashSet<string>(CorpusCatalog.All.Where(c => c.CleanOnly).Select(c => c.Name), StringComparer.Ordinal);

    public static CorpusParts Load(string dataDirectory, string name)
    {
        var definition = CorpusCatalog.Get(name);
        var split = definition.LoadSplit(dataDirectory);
        return new CorpusParts(definition.Name, split.Train, split.Validation, split.Test);
    }

    internal static string Describe(CorpusParts parts) => string.Create(
        CultureInfo.InvariantCulture,
        $"{parts.Name}: {parts.Train.Count} train ({parts.Train.Count(e => e.Suspicious)} violations), {parts.Validation.Count} validation, {parts.Test.Count} test");
}
