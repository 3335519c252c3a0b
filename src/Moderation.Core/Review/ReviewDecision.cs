using System.Text.Json.Serialization;
using Moderation.Core.Policy;
using Moderation.Core.Serialization;

namespace Moderation.Core.Review;

/// <summary>What a human reviewer decided.</summary>
[JsonConverter(typeof(WireEnumConverter<ReviewAction>))]
public enum ReviewAction
{
    Release,
    Block,
}

/// <summary>A reviewer's decision on a case. It is also the label for evaluation and fine-tuning.</summary>
/// <param name="Category">The reviewer's category: required when blocking, <see cref="PolicyCategory.Clean"/> when releasing.</param>
public sealed record ReviewDecision(
    string ReviewerId,
    ReviewAction Action,
    PolicyCategory Category,
    string? Notes,
    DateTimeOffset DecidedAt)
{
    public const int MaxNotesLength = 2000;

    /// <summary>Returns the problems with this decision, or an empty list if it is acceptable.</summary>
    public IReadOnlyList<string> Validate()
    {
        var problems = new List<string>();
        if (string.IsNullOrWhiteSpace(ReviewerId))
        {
            problems.Add("reviewerId is required.");
        }
        else if (ReviewerId.Length > 200)
        {
            problems.Add("reviewerId is longer than 200 characters.");
        }

        if (!Enum.IsDefined(Action))
        {
            problems.Add("action must be 'release' or 'block'.");
        }

        if (!Enum.IsDefined(Category))
        {
            problems.Add("category is not part of the policy taxonomy.");
        }
        else if (Action == ReviewAction.Block && Category == PolicyCategory.Clean)
        {
            problems.Add("a block decision needs the violated category (not 'clean').");
        }
        else if (Action == ReviewAction.Release && Category != PolicyCategory.Clean)
        {
            // A release labelled with a violation is a contradictory label for evaluation and fine-tuning.
            problems.Add("a release decision takes no violation category (omit it or send 'clean').");
        }

        if (Notes is { Length: > MaxNotesLength })
        {
            problems.Add($"notes is longer than {MaxNotesLength} characters.");
        }

        return problems;
    }
}
