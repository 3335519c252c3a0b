using System.Collections.Concurrent;
using System.Text.Json;

namespace Moderation.Testing;

/// <summary>
/// The shared <see cref="FakeChatEndpoint"/> (an OpenAI-compatible server on 127.0.0.1) answering with a verdict that
/// follows the message text, so the host's real Azure.AI.OpenAI/OpenAI client, prompt and answer validation run end
/// to end. The verdicts:
/// <list type="bullet">
/// <item>"resume" or "hiring": job_seeking 0.92 (the policy always sends it to a reviewer);</item>
/// <item>"partner": partnership_solicitation 0.90 (reviewer);</item>
/// <item>"somewhere else": off_platform_contact 0.55 (too unsure: reviewer);</item>
/// <item>"text me", "call me", "venmo", "whatsapp", "(at)": off_platform_contact 0.97 (blocked);</item>
/// <item>"verify", "http", "gift card": scam_phishing 0.96 (blocked);</item>
/// <item>"idiot", "useless": harassment 0.95; "regret": threat 0.93; "cheap" or "!!!": spam 0.95 (blocked);</item>
/// <item>anything else: clean 0.97.</item>
/// </list>
/// </summary>
public sealed class FakeChatModel : IAsyncDisposable
{
    private static readonly (string[] Keywords, string Category, double Confidence)[] Verdicts =
    [
        (["resume", "hiring"], "job_seeking", 0.92),
        (["partner"], "partnership_solicitation", 0.90),
        (["somewhere else"], "off_platform_contact", 0.55),
        (["text me", "call me", "venmo", "whatsapp", "(at)"], "off_platform_contact", 0.97),
        (["verify", "http", "gift card"], "scam_phishing", 0.96),
        (["idiot", "useless"], "harassment", 0.95),
        (["regret"], "threat", 0.93),
        (["cheap", "!!!"], "spam", 0.95),
    ];

    private readonly FakeChatEndpoint endpoint;
    private readonly ConcurrentQueue<string> classified = new();

    private FakeChatModel(FakeChatEndpoint endpoint) => this.endpoint = endpoint;

    /// <summary>The API base to configure as <c>Moderation:Llm:Endpoint</c> (ends in <c>/v1</c>).</summary>
    public Uri Endpoint => new(endpoint.BaseAddress, "v1");

    /// <summary>The text of every message the host asked about, in arrival order.</summary>
    public IReadOnlyCollection<string> ClassifiedTexts => classified;

    public static async Task<FakeChatModel> StartAsync()
    {
        var model = new FakeChatModel(await FakeChatEndpoint.StartAsync());
        model.endpoint.AnswerFor = model.Answer;
        return model;
    }

    /// <summary>The verdict this fake gives a message text: (category wire name, confidence).</summary>
    public static (string Category, double Confidence) VerdictFor(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        foreach (var (keywords, category, confidence) in Verdicts)
        {
            if (keywords.Any(k => text.Contains(k, StringComparison.OrdinalIgnoreCase)))
            {
                return (category, confidence);
            }
        }

        return ("clean", 0.97);
    }

    public ValueTask DisposeAsync() => endpoint.DisposeAsync();

    private string Answer(RecordedRequest request)
    {
        var text = FakeChatEndpoint.MessageText(request);
        classified.Enqueue(text);
        var (category, confidence) = VerdictFor(text);
        return JsonSerializer.Serialize(new
        {
            category,
            confidence,
            rationale = $"The message reads as {category}.",
            evidence = Array.Empty<string>(),
        });
    }
}
