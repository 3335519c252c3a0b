using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Moderation.Host.Tests.EndToEnd;

/// <summary>
/// An OpenAI-compatible chat completions server on 127.0.0.1 (free port) whose verdict follows the message text, so
/// the host's real Azure.AI.OpenAI/OpenAI client, prompt and answer validation run end to end. The verdicts:
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
internal sealed class FakeChatModel : IAsyncDisposable
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

    private readonly WebApplication app;
    private readonly ConcurrentQueue<string> classified = new();

    private FakeChatModel(WebApplication app) => this.app = app;

    /// <summary>The API base to configure as <c>Moderation:Llm:Endpoint</c> (ends in <c>/v1</c>).</summary>
    public Uri Endpoint { get; private set; } = null!;

    /// <summary>The text of every message the host asked about, in arrival order.</summary>
    public IReadOnlyCollection<string> ClassifiedTexts => classified;

    public static async Task<FakeChatModel> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var model = new FakeChatModel(app);
        app.MapPost("/v1/chat/completions", model.CompleteAsync);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        model.Endpoint = new Uri(address + "/v1");
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

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
    }

    private async Task CompleteAsync(HttpContext context)
    {
        using var request = await JsonDocument.ParseAsync(context.Request.Body, cancellationToken: context.RequestAborted);
        // The user turn is the data envelope {"sender_role":..,"recipient_role":..,"message":..}.
        var user = request.RootElement.GetProperty("messages").EnumerateArray()
            .Last(m => m.GetProperty("role").GetString() == "user")
            .GetProperty("content");
        var envelope = user.ValueKind == JsonValueKind.String ? user.GetString()! : user[0].GetProperty("text").GetString()!;
        using var data = JsonDocument.Parse(envelope);
        var text = data.RootElement.GetProperty("message").GetString() ?? string.Empty;
        classified.Enqueue(text);

        var (category, confidence) = VerdictFor(text);
        var answer = JsonSerializer.Serialize(new
        {
            category,
            confidence,
            rationale = $"The message reads as {category}.",
            evidence = Array.Empty<string>(),
        });
        var completion = JsonSerializer.Serialize(new Dictionary<string, object?>
        {
            ["id"] = "chatcmpl-e2e",
            ["object"] = "chat.completion",
            ["created"] = 1_760_000_000,
            ["model"] = "fake-moderation-model",
            ["choices"] = new object[]
            {
                new Dictionary<string, object?>
                {
                    ["index"] = 0,
                    ["message"] = new Dictionary<string, object?> { ["role"] = "assistant", ["content"] = answer, ["refusal"] = null },
                    ["finish_reason"] = "stop",
                    ["logprobs"] = null,
                },
            },
            ["usage"] = new Dictionary<string, object?> { ["prompt_tokens"] = 1200, ["completion_tokens"] = 40, ["total_tokens"] = 1240 },
        });
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(completion, context.RequestAborted);
    }
}
