namespace Moderation.Evaluation.Data;

/// <summary>One labeled message for training or evaluation.</summary>
/// <param name="Suspicious">The binary label: true when the message should be routed to the LLM tier.</param>
/// <param name="Source">Where it came from (data set and row), for error analysis.</param>
/// <param name="Category">A finer label when the source has one (e.g. "hate", "offensive", "spam").</param>
/// <param name="GroupKey">
/// Rows that share a key (e.g. the messages of one game chat log) are correlated and always land in the same split part;
/// null: the row is its own group and is split by its normalised text.
/// </param>
public sealed record LabeledExample(string Text, bool Suspicious, string Source, string? Category = null, string? GroupKey = null);
