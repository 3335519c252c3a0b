using Moderation.Core.Conversations;
using Moderation.Prefilter.Rules;

namespace Moderation.Prefilter.Tests.Rules;

/// <summary>
/// The real rule screen over a sender's messages joined in order: contact details and payment handles split over two
/// to four messages are caught on the message that completes them, and nothing is reported for context alone.
/// Numbers, names and providers are generated, so no rule is tuned to one example.
/// </summary>
public sealed class SplitMessageRuleTests
{
    private static readonly RuleScreen Rules = new();
    private static readonly string[] Providers = ["gmail", "outlook", "yahoo", "proton", "icloud"];
    private static readonly string[] Names = ["dana", "marco", "li", "sofia", "tomasz", "amara", "jo"];

    public static TheoryData<int, int> Seeds()
    {
        var data = new TheoryData<int, int>();
        for (var seed = 1; seed <= 8; seed++)
        {
            foreach (var parts in new[] { 2, 3, 4 })
            {
                data.Add(seed, parts);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Seeds))]
    public void Phone_digits_split_into_groups_one_per_message_are_caught(int seed, int parts)
    {
        var random = new Random(seed * 31 + parts);
        var digits = string.Concat(Enumerable.Range(0, 10).Select(i => (char)('0' + (i == 0 ? random.Next(2, 10) : random.Next(10)))));
        var groups = Split(digits, parts, random);

        AssertCaughtOnLastMessage(groups, RuleIds.Phone);
    }

    [Theory]
    [MemberData(nameof(Seeds))]
    public void An_email_address_split_into_parts_is_caught(int seed, int parts)
    {
        var random = new Random(seed * 17 + parts);
        var local = Names[random.Next(Names.Length)] + random.Next(10, 99);
        var provider = Providers[random.Next(Providers.Length)];
        string[] pieces = parts switch
        {
            2 => [local + "@", provider + ".com"],
            3 => [local, "@" + provider, ".com"],
            _ => [local, "@", provider, ".com"],
        };

        AssertCaughtOnLastMessage(pieces, RuleIds.Email);
    }

    public static TheoryData<string, string> HandleInvitations() => new()
    {
        { "my insta is", "@" },
        { "my snap is", "" },
        { "my telegram is", "@" },
        { "ig:", "" },
    };

    [Theory]
    [MemberData(nameof(HandleInvitations))]
    public void A_handle_sent_after_the_app_that_it_belongs_to_is_caught(string invitation, string prefix)
    {
        foreach (var seed in Enumerable.Range(1, 4))
        {
            var random = new Random(seed);
            var handle = prefix + Names[random.Next(Names.Length)] + "_" + random.Next(100, 999);
            var earlier = Turns([invitation]);

            // The message being judged is harmless on its own; only read after the invitation does it say where to go.
            Assert.Empty(Rules.Screen(handle));
            var split = SplitMessageHits.Find(Rules, earlier, handle);
            Assert.Contains(split, s => s.Hit.RuleId == RuleIds.Handle);
            Assert.All(split, s => Assert.Equal(["m0"], s.ContributingMessageIds));
        }
    }

    [Theory]
    [MemberData(nameof(Seeds))]
    public void A_complete_number_in_an_earlier_message_is_not_reported_on_a_clean_reply(int seed, int parts)
    {
        var random = new Random(seed + parts);
        var number = $"{random.Next(200, 999)} {random.Next(200, 999)} {random.Next(1000, 9999)}";
        var earlier = Turns([$"call me on {number}", .. Enumerable.Repeat("ok", parts - 2)]);

        Assert.NotEmpty(Rules.Screen(number));
        Assert.Empty(SplitMessageHits.Find(Rules, earlier, "thanks, see you on site"));
    }

    [Theory]
    [InlineData("see you at 9", "the job is 2 hours")]
    [InlineData("I paid 120", "and 45 for parts")]
    [InlineData("flat 12", "floor 3", "door code is at reception")]
    public void Ordinary_numbers_in_consecutive_messages_do_not_add_up_to_a_phone_number(params string[] messages)
    {
        var earlier = Turns(messages[..^1]);

        Assert.Empty(SplitMessageHits.Find(Rules, earlier, messages[^1]));
    }

    private static void AssertCaughtOnLastMessage(IReadOnlyList<string> pieces, string ruleId)
    {
        var earlier = Turns(pieces.Take(pieces.Count - 1).ToList());

        // No single piece gives it away.
        Assert.All(pieces, p => Assert.DoesNotContain(Rules.Screen(p), h => h.RuleId == ruleId));

        var split = Assert.Single(SplitMessageHits.Find(Rules, earlier, pieces[^1]), s => s.Hit.RuleId == ruleId);
        Assert.Equal(earlier.Where(t => t.Text.Trim().Length > 0).Select(t => t.MessageId), split.ContributingMessageIds);
        Assert.Equal(0, split.Hit.Start);
        Assert.InRange(split.Hit.Length!.Value, 1, pieces[^1].Length);
    }

    private static List<ConversationTurn> Turns(IReadOnlyList<string> texts) =>
        texts.Select((t, i) => new ConversationTurn($"m{i}", "sender", Core.Messages.ParticipantRole.Customer, t, DateTimeOffset.UnixEpoch.AddMinutes(i))).ToList();

    /// <summary>Cuts the digits into groups of 2 to 6, so no single group reads as a (short) phone number.</summary>
    private static string[] Split(string digits, int parts, Random random)
    {
        while (true)
        {
            var cuts = new SortedSet<int>();
            while (cuts.Count < parts - 1)
            {
                cuts.Add(random.Next(2, digits.Length - 1));
            }

            var bounds = new[] { 0 }.Concat(cuts).Concat([digits.Length]).ToArray();
            var groups = Enumerable.Range(0, parts).Select(i => digits[bounds[i]..bounds[i + 1]]).ToArray();
            if (groups.All(g => g.Length is >= 2 and <= 6))
            {
                return groups;
            }
        }
    }
}
