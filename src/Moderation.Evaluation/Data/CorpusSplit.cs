namespace Moderation.Evaluation.Data;

/// <summary>Which part of the fixed public-data split an example belongs to.</summary>
public enum SplitPart
{
    Train,
    Validation,
    Test,
}

/// <summary>The public data divided into the fixed train / validation / test parts.</summary>
public sealed record CorpusSplit(IReadOnlyList<LabeledExample> Train, IReadOnlyList<LabeledExample> Validation, IReadOnlyList<LabeledExample> Test)
{
    public IReadOnlyList<LabeledExample> this[SplitPart part] => part switch
    {
        SplitPart.Train => Train,
        SplitPart.Validation => Validation,
        SplitPart.Test => Test,
        _ => throw new ArgumentOutOfRangeException(nameof(part), part, null),
    };
}
