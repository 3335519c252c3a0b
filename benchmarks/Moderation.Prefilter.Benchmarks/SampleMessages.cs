namespace Moderation.Prefilter.Benchmarks;

/// <summary>Built-in marketplace-style messages, used when the public data is not beside the repository.</summary>
internal static class SampleMessages
{
    public static IReadOnlyList<(string Text, bool Suspicious)> All { get; } =
    [
        ("Hi! Is the sofa still available? I could pick it up Saturday around 10.", false),
        ("Thanks, the plumber fixed it in 2 hours for $150.", false),
        ("Can you come on Monday at 5:30? The flat has 2 bedrooms.", false),
        ("Great job on the garden, we will book you again next month.", false),
        ("Running ten minutes late, traffic on the bridge.", false),
        ("Could you send a quote for painting three rooms?", false),
        ("The delivery arrived, everything looks fine.", false),
        ("Is parking available near the building?", false),
        ("I can do it cheaper if you pay me in cash, text me on 555 123 4567", true),
        ("Message me on WhatsApp so we skip the fees", true),
        ("You are a useless idiot and I will find where you live", true),
        ("CONGRATULATIONS! You won a prize, claim it at www.prize-claim.example.com", true),
        ("Send the deposit to my Venmo $JaneDoe99 and I'll confirm", true),
        ("Email me at jane (at) gmail (dot) com for the real price", true),
        ("Looking for a job? We pay $500 a day, contact us on telegram", true),
        ("five five five one two three four, call me after the job", true),
    ];
}
