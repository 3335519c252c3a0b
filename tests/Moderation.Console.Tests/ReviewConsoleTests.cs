using Microsoft.Playwright;
using Moderation.Core.Delivery;
using Moderation.Host.Tests.EndToEnd;
using static Microsoft.Playwright.Assertions;

namespace Moderation.Console.Tests;

/// <summary>The review console in a real browser against the real self-hosted host: what reviewers rely on all day.</summary>
public sealed class ReviewConsoleTests(ConsoleHost console) : IClassFixture<ConsoleHost>
{
    // The fake chat model sends "hiring" to a reviewer (job_seeking); the phone number makes the pre-filter flag it.
    private const string NeedsReview = "Are you hiring? I can send my resume, reach me at 555 246 8101.";

    [ConsoleFact]
    public async Task The_queue_lists_waiting_cases_with_their_evidence_and_shows_depth_and_oldest_age()
    {
        var first = await console.SendForReviewAsync("console-list-a", NeedsReview);
        var second = await console.SendForReviewAsync("console-list-b", "I partner with a plumber, he is at 555 010 9911 if you want a second quote.");

        var page = await console.OpenConsoleAsync();

        await Expect(page.Locator($"#queue-list li[data-case-id='{first.MessageId}']")).ToHaveCountAsync(1);
        await Expect(page.Locator($"#queue-list li[data-case-id='{second.MessageId}']")).ToHaveCountAsync(1);
        await Expect(page.Locator("#depth")).Not.ToHaveTextAsync("–");
        Assert.True(int.Parse(await page.Locator("#depth").InnerTextAsync(), System.Globalization.CultureInfo.InvariantCulture) >= 2);
        await Expect(page.Locator("#oldest")).ToHaveTextAsync(new System.Text.RegularExpressions.Regex(@"\d+m \d\ds|\d+h"));

        await ConsoleHost.SelectByKeyboardAsync(page, first.MessageId);
        // The rule screen's spans (here the phone number) are highlighted inside the message; the verdict and countdown are shown.
        await Expect(page.Locator("#message-text mark", new() { HasText = "555" })).ToHaveCountAsync(1);
        await Expect(page.Locator("#message-text")).ToHaveTextAsync(NeedsReview);
        await Expect(page.Locator("#verdict")).ToContainTextAsync("job_seeking");
        await Expect(page.Locator("#countdown")).ToContainTextAsync("Timeout default in");
        await Expect(page.Locator("#audit li", new() { HasText = "llm_classified" })).ToHaveCountAsync(1);
        await Expect(page.Locator("#audit li", new() { HasText = "review_requested" })).ToHaveCountAsync(1);

        Directory.CreateDirectory(Path.Combine(TestEnvironment.RepositoryRoot, "docs", "images"));
        await page.ScreenshotAsync(new() { Path = Path.Combine(TestEnvironment.RepositoryRoot, "docs", "images", "review-console.png") });
        await page.Context.CloseAsync();
    }

    [ConsoleFact]
    public async Task A_block_decided_by_keyboard_leaves_the_queue_moves_to_the_next_case_and_is_delivered_blocked()
    {
        var message = await console.SendForReviewAsync("console-block", NeedsReview);
        var page = await console.OpenConsoleAsync("reviewer-block");
        await ConsoleHost.SelectByKeyboardAsync(page, message.MessageId);

        await page.Keyboard.PressAsync("b");
        await Expect(page.Locator("#decision-category")).ToBeFocusedAsync();
        await Expect(page.Locator("#decision-category")).ToHaveValueAsync("job_seeking");
        await page.Keyboard.PressAsync("Enter");

        await Expect(page.Locator($"#queue-list li[data-case-id='{message.MessageId}']")).ToHaveCountAsync(0);
        await Expect(page.Locator("#case-id")).Not.ToHaveTextAsync($"Case {message.MessageId}");
        await Eventually.HoldsAsync(async () => (await console.ListAsync("stage=completed&disposition=blocked")).Contains(message.MessageId), TimeSpan.FromSeconds(60), $"case {message.MessageId} never reached the blocked cases");
        Assert.DoesNotContain(message.MessageId, await console.ListAsync("stage=awaiting_review&pageSize=200"));
        var view = await console.Host.GetCaseAsync(message.MessageId);
        Assert.Equal("blocked", view!.Value.GetProperty("outcome").GetProperty("disposition").GetString());
        Assert.Equal("reviewer", view.Value.GetProperty("outcome").GetProperty("decidedBy").GetString());

        // The console's own blocked view lists it too.
        await page.Locator("#view").SelectOptionAsync("blocked");
        await Expect(page.Locator($"#queue-list li[data-case-id='{message.MessageId}']")).ToHaveCountAsync(1);
        await page.Context.CloseAsync();
    }

    [ConsoleFact]
    public async Task A_case_another_reviewer_decided_meanwhile_shows_the_conflict_and_keeps_the_first_decision()
    {
        var message = await console.SendForReviewAsync("console-conflict", NeedsReview);
        var page = await console.OpenConsoleAsync("reviewer-late");
        await ConsoleHost.SelectByKeyboardAsync(page, message.MessageId);

        using (var first = await console.Host.ReviewWithKeyAsync(message.MessageId, """{"reviewerId":"reviewer-first","action":"block","category":"job_seeking"}"""))
        {
            Assert.Equal(System.Net.HttpStatusCode.Accepted, first.StatusCode);
        }

        await page.Keyboard.PressAsync("r");
        await Expect(page.Locator("#confirm")).ToBeFocusedAsync();
        await page.Keyboard.PressAsync("Enter");

        await Expect(page.Locator("#conflict")).ToBeVisibleAsync();
        await Expect(page.Locator("#conflict")).ToContainTextAsync("already decided");
        await Eventually.HoldsAsync(async () => (await console.ListAsync("stage=completed&disposition=blocked")).Contains(message.MessageId), TimeSpan.FromSeconds(60), $"case {message.MessageId} was not delivered as the first reviewer decided");
        Assert.DoesNotContain(message.MessageId, await console.ListAsync("stage=completed&disposition=released"));
        await page.Context.CloseAsync();
    }

    [ConsoleFact]
    public async Task Hostile_message_text_renders_as_inert_text()
    {
        var hostile = "Are you hiring? <img src=x onerror=\"window.__pwned=1\"> <script>window.__pwned=2</script> reach me at 555 246 8101.";
        var message = await console.SendForReviewAsync("console-hostile", hostile);
        var page = await console.OpenConsoleAsync();
        await ConsoleHost.SelectByKeyboardAsync(page, message.MessageId);

        await Expect(page.Locator("#message-text")).ToHaveTextAsync(hostile);
        Assert.Equal(0, await page.Locator("#message-text img, #message-text script, #queue-list img, #queue-list script").CountAsync());
        Assert.Equal(0, await page.Locator("img").CountAsync());
        Assert.Null(await page.EvaluateAsync<int?>("() => window.__pwned ?? null"));
        await page.Context.CloseAsync();
    }

    [ConsoleFact]
    public async Task Keyboard_only_a_reviewer_signs_in_moves_through_the_queue_with_visible_focus_and_releases_a_case()
    {
        var first = await console.SendForReviewAsync("console-keys-a", NeedsReview);
        var second = await console.SendForReviewAsync("console-keys-b", NeedsReview);
        var context = await console.Browser.NewContextAsync(new() { BaseURL = console.BaseAddress.ToString() });
        var page = await context.NewPageAsync();
        await page.GotoAsync("/review");

        // Sign in without a pointer: the key field has focus, Tab moves on, Enter submits.
        await Expect(page.Locator("#key")).ToBeFocusedAsync();
        await page.Keyboard.TypeAsync(PipelineHost.ApiKey);
        await page.Keyboard.PressAsync("Tab");
        await page.Keyboard.TypeAsync("reviewer-keys");
        await page.Keyboard.PressAsync("Enter");
        await Expect(page.Locator("#console")).ToBeVisibleAsync();
        await Expect(page.Locator("#sign-in")).ToBeHiddenAsync();

        await ConsoleHost.SelectByKeyboardAsync(page, second.MessageId);
        await page.Keyboard.PressAsync("k");
        await Expect(page.Locator("#case-id")).Not.ToHaveTextAsync($"Case {second.MessageId}");
        await page.Keyboard.PressAsync("ArrowDown");
        await Expect(page.Locator("#case-id")).ToHaveTextAsync($"Case {second.MessageId}");
        var selected = page.Locator($"#queue-list li[data-case-id='{second.MessageId}']");
        await Expect(selected).ToBeFocusedAsync();
        await Expect(selected).ToHaveAttributeAsync("aria-selected", "true");
        Assert.NotEqual("none", await selected.EvaluateAsync<string>("e => getComputedStyle(e).outlineStyle"));

        await page.Keyboard.PressAsync("r");
        await page.Keyboard.PressAsync("Enter");

        await Expect(selected).ToHaveCountAsync(0);
        await Eventually.HoldsAsync(async () => (await console.ListAsync("stage=completed&disposition=released")).Contains(second.MessageId), TimeSpan.FromSeconds(60), $"case {second.MessageId} never reached the released cases");
        var deliveries = await console.Storage.DrainDeliveriesAsync();
        Assert.Contains(deliveries, d => d.MessageId == second.MessageId && d.Disposition == Disposition.Released);
        Assert.Contains(first.MessageId, await console.ListAsync("stage=awaiting_review&pageSize=200"));
        await context.CloseAsync();
    }
}
