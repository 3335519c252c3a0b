using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Moderation.Core.Messages;
using Moderation.Host.Tests.EndToEnd;
using Moderation.Hosting.Http.Authentication;

namespace Moderation.Console.Tests;

/// <summary>A browser test: needs Azure Storage (Azurite) and the system's Chromium; skipped, with the reason, without either.</summary>
[AttributeUsage(AttributeTargets.Method)]
internal sealed class ConsoleFactAttribute : FactAttribute
{
    public ConsoleFactAttribute()
    {
        if (ConsoleHost.MissingPrerequisite() is { } missing)
        {
            Skip = missing;
        }
    }
}

/// <summary>
/// The real self-hosted host (the host tests' <see cref="PipelineHost"/>: Azurite, the shipped pre-filter, the fake chat
/// model) listening on Kestrel, and one headless Chromium, shared by the console tests of a class.
/// </summary>
public sealed class ConsoleHost : IAsyncLifetime
{
    public const string ChromiumPath = "/usr/bin/chromium";

    private FakeChatModel? llm;
    private IPlaywright? playwright;

    internal PipelineStorage Storage { get; private set; } = null!;

    internal PipelineHost Host { get; private set; } = null!;

    public IBrowser Browser { get; private set; } = null!;

    public Uri BaseAddress { get; private set; } = null!;

    public static string? MissingPrerequisite()
    {
        if (TestEnvironment.StorageConnectionString is null)
        {
            return $"Needs Azure Storage: set {TestEnvironment.StorageConnectionVariable} (scripts/test.sh starts Azurite and sets it).";
        }

        return File.Exists(ChromiumPath) ? null : $"Needs Chromium at {ChromiumPath} (scripts/chromium.sh installs it with apt).";
    }

    public async Task InitializeAsync()
    {
        if (MissingPrerequisite() is not null)
        {
            return;
        }

        llm = await FakeChatModel.StartAsync();
        Storage = new PipelineStorage();
        // A long review timeout: cases wait for the browser, never for the clock.
        Host = new PipelineHost(Storage, llm, TimeSpan.FromMinutes(30), new Dictionary<string, string>
        {
            ["Moderation:Storage:Tables:ReviewQueue"] = Storage.TaskHub + "ReviewQueue",
            ["Moderation:Storage:Tables:ReviewDecisions"] = Storage.TaskHub + "Decisions",
        });
        Host.UseKestrel(0);
        Host.StartServer();
        var address = Host.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        BaseAddress = new Uri(address.Replace("[::]", "127.0.0.1", StringComparison.Ordinal));
        playwright = await Playwright.CreateAsync();
        Browser = await playwright.Chromium.LaunchAsync(new() { ExecutablePath = ChromiumPath, Headless = true });
    }

    public async Task DisposeAsync()
    {
        if (Browser is not null)
        {
            await Browser.DisposeAsync();
        }

        playwright?.Dispose();
        if (Host is not null)
        {
            await Host.DisposeAsync();
        }

        if (llm is not null)
        {
            await llm.DisposeAsync();
        }
    }

    /// <summary>Puts a message on the inbound queue and waits until the pipeline has filed it in the review queue.</summary>
    internal async Task<ChatMessage> SendForReviewAsync(string label, string text)
    {
        var message = ChatTraffic.Message(ChatTraffic.NewId(label), text);
        await Storage.EnqueueAsync([message]);
        await Eventually.HoldsAsync(async () => (await ListAsync("stage=awaiting_review&pageSize=200")).Contains(message.MessageId), TimeSpan.FromSeconds(90), $"case {message.MessageId} never reached the review queue");
        return message;
    }

    /// <summary>The case ids of a queue listing (<c>GET /api/cases?...</c>), every page.</summary>
    internal async Task<IReadOnlyList<string>> ListAsync(string query)
    {
        using var client = new HttpClient { BaseAddress = BaseAddress };
        var ids = new List<string>();
        string? token = null;
        do
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, $"/api/cases?{query}{(token is null ? string.Empty : "&continuationToken=" + token)}");
            request.Headers.Add(ReviewCallbackHeaders.Key, PipelineHost.ApiKey);
            using var response = await client.SendAsync(request);
            response.EnsureSuccessStatusCode();
            var page = await response.Content.ReadFromJsonAsync<JsonElement>();
            ids.AddRange(page.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("caseId").GetString()!));
            token = page.TryGetProperty("continuationToken", out var next) && next.ValueKind == JsonValueKind.String ? next.GetString() : null;
        }
        while (token is not null);

        return ids;
    }

    /// <summary>A fresh browser tab (its own session storage) on the console, signed in with the review key.</summary>
    public async Task<IPage> OpenConsoleAsync(string reviewer = "reviewer-console")
    {
        var context = await Browser.NewContextAsync(new() { BaseURL = BaseAddress.ToString(), ViewportSize = new() { Width = 1400, Height = 900 } });
        var page = await context.NewPageAsync();
        await page.GotoAsync("/review");
        await page.Locator("#key").FillAsync(PipelineHost.ApiKey);
        await page.Locator("#reviewer").FillAsync(reviewer);
        await page.Locator("#sign-in-form button[type=submit]").ClickAsync();
        await Assertions.Expect(page.Locator("#console")).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("#sign-in")).ToBeHiddenAsync();
        return page;
    }

    /// <summary>Presses j (from the top) until the case view shows <paramref name="caseId"/>: keyboard only, as a reviewer would.</summary>
    public static async Task SelectByKeyboardAsync(IPage page, string caseId)
    {
        ArgumentNullException.ThrowIfNull(page);
        await Assertions.Expect(page.Locator($"#queue-list li[data-case-id='{caseId}']")).ToHaveCountAsync(1);
        for (var i = 0; i < 200; i++)
        {
            if (await page.Locator("#case-id").TextContentAsync() == $"Case {caseId}")
            {
                return;
            }

            await page.Keyboard.PressAsync("j");
        }

        Assert.Fail($"Case {caseId} could not be reached with j.");
    }
}
