using Moderation.Core.Messages;

namespace Moderation.Testing;

/// <summary>Generated marketplace chat traffic for the end-to-end tests: mostly ordinary, some violations.</summary>
public static class ChatTraffic
{
    private static readonly string[] Ordinary =
    [
        "Hi, could you give me a quote for repainting a 12 by 14 bedroom?",
        "I can come by Tuesday between 9 and 11 to look at the water heater.",
        "Thanks, the estimate looks good. Do you need a deposit?",
        "The tiles arrived today, so we can start the backsplash on Monday.",
        "Is the price for the fence repair including the new posts?",
        "Running a few minutes late, I'll be there around 2:15.",
        "Could you send a couple of photos of the leak under the sink?",
        "We finished the drywall patch; the paint needs a day to dry.",
        "Do you also clean gutters or only windows?",
        "Great work on the deck, thank you so much!",
        "Please park in the driveway, the street is permit only.",
        "The dishwasher still leaks a little after the repair, can you check it?",
    ];

    /// <summary>Each carries a phone number or handle, so the rule screen flags it whatever the model scores.</summary>
    private static readonly string[] OffPlatform =
    [
        "Just text me at 555 123 4567 and we can skip the fees.",
        "Call me on 555-987-6543, it is easier than this app.",
        "Venmo me the deposit at @quickfix-dave and I'll start tomorrow.",
        "Send it to my whatsapp +1 555 222 3344 instead.",
    ];

    private static readonly string[] Violations =
    [
        "Verify your card at http://secure-pay-check.top/login or the booking is cancelled.",
        "You won a gift card! Claim it at http://free-gift.example/claim now.",
        "You useless idiot, you ruined my floor.",
        "Leave that review and you will regret it, I know where you live.",
        "CHEAP gutter cleaning $49!!! Call now, limited offer!!!",
    ];

    /// <summary>Flagged by the rule screen (a phone number), then a verdict the policy always hands to a reviewer.</summary>
    private static readonly string[] ForReview =
    [
        "Are you hiring? I can send my resume, reach me at 555 246 8101.",
        "I partner with other roofers, call 555 369 1212 to talk referral fees.",
    ];

    /// <summary>True for a message that shares a phone number or payment handle (and nothing the policy reviews).</summary>
    public static bool SharesContact(ChatMessage message) => OffPlatform.Contains(message?.Text);

    /// <summary>True for a message the policy hands to a reviewer (job seeking or partnership, flagged by a phone number).</summary>
    public static bool NeedsReview(ChatMessage message) => ForReview.Contains(message?.Text);

    /// <summary>A mix of <paramref name="count"/> messages with ids unique to this call.</summary>
    public static IReadOnlyList<ChatMessage> Mix(int count)
    {
        var prefix = Guid.NewGuid().ToString("N")[..8];
        var pools = new[] { Ordinary, Ordinary, Ordinary, OffPlatform, Violations, ForReview };
        return Enumerable.Range(0, count)
            .Select(i =>
            {
                var pool = pools[i % pools.Length];
                return Message($"{prefix}-{i:D3}", pool[i / pools.Length % pool.Length], i);
            })
            .ToList();
    }

    public static ChatMessage Message(string id, string text, int sequence = 0) =>
        new(
            id,
            $"conversation-{sequence % 7}",
            sequence % 2 == 0 ? $"customer-{sequence % 5}" : $"pro-{sequence % 3}",
            sequence % 2 == 0 ? ParticipantRole.Customer : ParticipantRole.Professional,
            sequence % 2 == 0 ? $"pro-{sequence % 3}" : $"customer-{sequence % 5}",
            sequence % 2 == 0 ? ParticipantRole.Professional : ParticipantRole.Customer,
            text,
            DateTimeOffset.UtcNow);

    /// <summary>A unique id for one test's message.</summary>
    public static string NewId(string label) => $"{label}-{Guid.NewGuid():N}"[..Math.Min(label.Length + 13, 60)];
}
