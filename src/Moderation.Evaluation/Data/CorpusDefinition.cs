namespace Moderation.Evaluation.Data;

/// <summary>
/// One public corpus of ../shared/data: where its files are, how its labels map to clean / violation, its licence and
/// how to cite it. Rows are read at run time from the data directory, never copied into the repository.
/// </summary>
public sealed class CorpusDefinition
{
    private readonly Func<string, IEnumerable<LabeledExample>> read;

    internal CorpusDefinition(
        string name,
        IReadOnlyList<string> files,
        string mapping,
        string licence,
        string citation,
        Func<string, IEnumerable<LabeledExample>> read,
        bool cleanOnly = false,
        bool violationsOnly = false,
        bool shareAlike = false)
    {
        Name = name;
        Files = files;
        Mapping = mapping;
        Licence = licence;
        Citation = citation;
        CleanOnly = cleanOnly;
        ViolationsOnly = violationsOnly;
        ShareAlike = shareAlike;
        this.read = read;
    }

    /// <summary>The folder name under the data directory, e.g. "l2dtnh-lol-chat".</summary>
    public string Name { get; }

    /// <summary>The data files, relative to the data directory, in the order they are read.</summary>
    public IReadOnlyList<string> Files { get; }

    /// <summary>How the source's labels become clean / violation and a category, in one sentence.</summary>
    public string Mapping { get; }

    /// <summary>Every row is clean: only a false-positive rate is defined on it alone.</summary>
    public bool CleanOnly { get; }

    /// <summary>Every row is a violation: only recall is defined on it alone.</summary>
    public bool ViolationsOnly { get; }

    public string Licence { get; }

    public string Citation { get; }

    /// <summary>The licence requires adaptations of the data to carry the same licence.</summary>
    public bool ShareAlike { get; }

    /// <summary>Every mapped row, in file order (files in <see cref="Files"/> order).</summary>
    /// <exception cref="DirectoryNotFoundException">The data directory does not exist.</exception>
    /// <exception cref="FileNotFoundException">One of the corpus files is missing.</exception>
    /// <exception cref="InvalidDataException">A row does not fit the documented layout or has an unknown label; the message names file and line.</exception>
    public IReadOnlyList<LabeledExample> Load(string dataDirectory)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(dataDirectory);
        if (!Directory.Exists(dataDirectory))
        {
            throw new DirectoryNotFoundException(
                $"The public labeled data directory '{Path.GetFullPath(dataDirectory)}' does not exist; it should hold the folder '{Name}'. Pass its path explicitly or place it at {PublicCorpus.DefaultRelativeDirectory} relative to the repository root.");
        }

        foreach (var file in Files)
        {
            var path = Path.Combine(dataDirectory, file);
            if (!File.Exists(path))
            {
                throw new FileNotFoundException($"The '{Name}' corpus file '{Path.GetFullPath(path)}' is missing.", path);
            }
        }

        return read(dataDirectory).ToList();
    }

    /// <summary>
    /// This source's own 80/10/10 split by <see cref="SplitAssignment"/> of each row's group key, or of its text when it has
    /// none: a chat log, or all copies of a duplicated text, never cross parts. File order is kept within each part.
    /// </summary>
    public CorpusSplit LoadSplit(string dataDirectory) => CorpusSplitter.Split(Load(dataDirectory));

    public override string ToString() => Name;
}

/// <summary>Divides examples into the fixed split parts by group key (or text).</summary>
public static class CorpusSplitter
{
    public static SplitPart PartOf(LabeledExample example)
    {
        ArgumentNullException.ThrowIfNull(example);
        return SplitAssignment.Of(example.GroupKey ?? example.Text);
    }

    public static CorpusSplit Split(IEnumerable<LabeledExample> examples)
    {
        ArgumentNullException.ThrowIfNull(examples);
        var train = new List<LabeledExample>();
        var validation = new List<LabeledExample>();
        var test = new List<LabeledExample>();
        foreach (var example in examples)
        {
            (PartOf(example) switch
            {
                SplitPart.Train => train,
                SplitPart.Validation => validation,
                _ => test,
            }).Add(example);
        }

        return new CorpusSplit(train, validation, test);
    }
}
