using System.Globalization;
using Moderation.Core.Screening;

namespace Moderation.Core.Conversations;

/// <summary>A rule hit that only exists when a sender's messages are read together, and the earlier messages it needed.</summary>
public sealed record SplitHit(RuleHit Hit, IReadOnlyList<string> ContributingMessageIds);

/// <summary>
/// Finds contact details, payment handles and the like that a sender split over several messages: the rule screen
/// runs over the sender's recent messages joined in order with the current one, and only hits that span the current
/// message and at least one earlier message count. A hit entirely inside earlier messages never counts (context alone
/// never decides), and a hit entirely inside the current message is already the pre-filter's own.
/// </summary>
public static class SplitMessageHits
{
    /// <summary>What separates joined messages: a plain space reads like the gap between groups of a split number.</summary>
    public const string Separator = " ";

    /// <param name="earlier">The sender's earlier messages, oldest first.</param>
    public static IReadOnlyList<SplitHit> Find(ITextRuleScreen rules, IReadOnlyList<ConversationTurn> earlier, string currentText)
    {
        ArgumentNullException.ThrowIfNull(rules);
        ArgumentNullException.ThrowIfNull(earlier);
        if (earlier.Count == 0 || string.IsNullOrWhiteSpace(currentText))
        {
            return [];
        }

        var joined = new System.Text.StringBuilder();
        var starts = new int[earlier.Count];
        for (var i = 0; i < earlier.Count; i++)
        {
            starts[i] = joined.Length;
            joined.Append(earlier[i].Text).Append(Separator);
        }

        var currentStart = joined.Length;
        joined.Append(currentText);

        var found = new List<SplitHit>();
        foreach (var hit in rules.Screen(joined.ToString()))
        {
            if (hit.Start is not { } start || hit.Length is not { } length)
            {
                continue;
            }

            var end = start + length;
            if (start >= currentStart || end <= currentStart)
            {
                continue;
            }

            var contributing = new List<string>();
            for (var i = 0; i < earlier.Count; i++)
            {
                var segmentEnd = starts[i] + earlier[i].Text.Length;
                if (start < segmentEnd && end > starts[i])
                {
                    contributing.Add(earlier[i].MessageId);
                }
            }

            if (contributing.Count == 0)
            {
                // The span reaches back only over a separator: nothing earlier was needed.
                continue;
            }

            var description = string.Create(
                CultureInfo.InvariantCulture,
                $"{hit.Description} (split across {contributing.Count + 1} messages: {string.Join(", ", contributing)} and this one)");
            found.Add(new SplitHit(hit with { Description = description, Start = 0, Length = end - currentStart }, contributing));
        }

        return found;
    }
}
