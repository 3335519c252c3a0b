using System.Text.RegularExpressions;
using Moderation.Core.Conversations;
using Moderation.Core.Screening;

namespace Moderation.Testing;

/// <summary>A stand-in rule screen: any run of at least ten digits (spaces allowed between groups) is a phone number.</summary>
public sealed partial class DigitRunScreen : ITextRuleScreen
{
    public IReadOnlyList<RuleHit> Screen(string text) =>
        DigitRun().Matches(text)
            .Where(m => m.Value.Count(char.IsAsciiDigit) >= 10)
            .Select(m => new RuleHit("contact.phone", "Phone number", m.Value, m.Index, m.Length))
            .ToList();

    [GeneratedRegex(@"\d(?:[ ]?\d)+")]
    private static partial Regex DigitRun();
}
