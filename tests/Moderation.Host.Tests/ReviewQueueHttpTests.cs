using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Moderation.Core.Classification;
using Moderation.Core.Delivery;
using Moderation.Core.Messages;
using Moderation.Core.Policy;
using Moderation.Core.Review;
using Moderation.Core.Screening;
using Moderation.Core.Workflow;
using Moderation.Hosting.Http.Authentication;

namespace Moderation.Host.Tests;

/// <summary>The queue API and the console page on the self-hosted host, over an in-memory review queue and a fixed clock.</summary>
public sealed class ReviewQueueHttpTests : IDisposable
{
    private readonly InMemoryReviewQueue queue = new();
    private readonly HostFactory factory = new();

    [Fact]
    public async Task Listing_the_queue_without_credentials_is_refused_with_401()
    {
        using var client = Create();

        using var response = await client.GetAsync(new Uri("/api/cases?stage=awaiting_review", UriKind.Relative));

        await ReviewCallbackHttpTests.AssertProblemAsync(response, HttpStatusCode.Unauthorized, "X-Moderation-Timestamp");
    }

    [Fact]
    public async Task Waiting_cases_are_listed_oldest_deadline_first_with_their_evidence_and_time_left()
    {
        var now = HostFactory.Now.UtcDateTime;
        await queue.AddWaitingAsync(Request("late", now.AddHours(2), PolicyCategory.Spam), CancellationToken.None);
        await queue.AddWaitingAsync(Request("soon", now.AddMinutes(10), PolicyCategory.Harassment), CancellationToken.None);
        using var client = Create();

        var page = await GetJsonAsync(client, "/api/cases?stage=awaiting_review");

        var items = page.GetProperty("items").EnumerateArray().ToList();
        Assert.Equal(["soon", "late"], items.Select(i => i.GetProperty("caseId").GetString()));
        Assert.Equal(600, items[0].GetProperty("timeLeftSeconds").GetDouble());
        Assert.Equal("harassment", items[0].GetProperty("category").GetString());
        var hit = items[0].GetProperty("prefilter").GetProperty("ruleHits")[0];
        Assert.Equal((5, 7), (hit.GetProperty("start").GetInt32(), hit.GetProperty("length").GetInt32()));
        Assert.Equal("Sounds like a threat to move the deal.", items[0].GetProperty("verdict").GetProperty("rationale").GetString());
        Assert.Equal("Call 555 1234567 tonight", items[0].GetProperty("message").GetProperty("text").GetString());
        Assert.False(page.TryGetProperty("continuationToken", out _));
    }

    [Fact]
    public async Task Finished_cases_filter_by_disposition_and_pages_carry_a_continuation_token()
    {
        var now = HostFactory.Now.UtcDateTime;
        foreach (var (id, disposition) in new[] { ("a", Disposition.Blocked), ("b", Disposition.Released), ("c", Disposition.Blocked) })
        {
            await queue.AddWaitingAsync(Request(id, now.AddHours(1), PolicyCategory.Spam), CancellationToken.None);
            await queue.FinishAsync(new ModerationOutcome(id, disposition, DecidedBy.Reviewer, disposition == Disposition.Blocked ? PolicyCategory.Spam : PolicyCategory.Clean, ["reviewer"], now), CancellationToken.None);
        }

        using var client = Create();
        var first = await GetJsonAsync(client, "/api/cases?stage=completed&disposition=blocked&pageSize=1");
        var token = first.GetProperty("continuationToken").GetString();
        var second = await GetJsonAsync(client, $"/api/cases?stage=completed&disposition=blocked&pageSize=1&continuationToken={token}");

        var ids = new[] { first, second }.SelectMany(p => p.GetProperty("items").EnumerateArray()).Select(i => i.GetProperty("caseId").GetString()).ToList();
        Assert.Equal(["a", "c"], ids.Order());
        Assert.False(second.TryGetProperty("continuationToken", out _));
    }

    [Theory]
    [InlineData("stage=finished", "stage must be")]
    [InlineData("disposition=blocked", "add stage=completed")]
    [InlineData("category=rudeness", "policy taxonomy")]
    [InlineData("pageSize=0", "pageSize")]
    public async Task A_malformed_query_is_a_400_that_says_what_is_wrong(string query, string problem)
    {
        using var client = Create();

        using var response = await SendAsync(client, "/api/cases?" + query);

        await ReviewCallbackHttpTests.AssertProblemAsync(response, HttpStatusCode.BadRequest, problem);
    }

    [Fact]
    public async Task The_queue_status_gives_depth_and_the_oldest_waiting_age()
    {
        var now = HostFactory.Now.UtcDateTime;
        await queue.AddWaitingAsync(Request("old", now.AddHours(1), PolicyCategory.Spam, requestedAt: now.AddMinutes(-90)), CancellationToken.None);
        await queue.AddWaitingAsync(Request("new", now.AddHours(2), PolicyCategory.Spam, requestedAt: now.AddMinutes(-5)), CancellationToken.None);
        using var client = Create();

        var status = await GetJsonAsync(client, "/api/review-queue");

        Assert.Equal(2, status.GetProperty("waiting").GetInt32());
        Assert.Equal(5400, status.GetProperty("oldestWaitingSeconds").GetDouble());
    }

    [Fact]
    public async Task Behind_app_service_authentication_the_signed_in_principal_is_the_reviewer_whatever_the_browser_names()
    {
        ReviewCallbackHttpTests.AddCase(factory, "case-p", CaseStage.AwaitingReview);
        using var client = Create(trustPrincipal: true);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/reviews/case-p") { Content = new StringContent("""{"action":"release"}""", Encoding.UTF8, "application/json") };
        request.Headers.Add(ReviewCallbackHeaders.AppServicePrincipalName, "alice@contoso.example");
        request.Headers.Add(ReviewCallbackHeaders.Reviewer, "mallory");

        using var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Equal("alice@contoso.example", Assert.Single(factory.Cases.Raised).Decision.ReviewerId);
    }

    [Fact]
    public async Task Principal_headers_are_ignored_where_the_host_is_not_behind_app_service_authentication()
    {
        using var client = Create();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/cases");
        request.Headers.Add(ReviewCallbackHeaders.AppServicePrincipalName, "alice@contoso.example");

        using var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task The_console_page_and_its_assets_are_served_with_a_strict_content_security_policy()
    {
        using var client = Create();

        using var page = await client.GetAsync(new Uri("/review", UriKind.Relative));
        using var script = await client.GetAsync(new Uri("/review/console.js", UriKind.Relative));
        using var missing = await client.GetAsync(new Uri("/review/appsettings.json", UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
        Assert.Contains("script-src 'self'", string.Join(";", page.Headers.GetValues("Content-Security-Policy")), StringComparison.Ordinal);
        Assert.Equal("text/javascript", script.Content.Headers.ContentType?.MediaType);
        Assert.DoesNotContain("innerHTML", await script.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
    }

    public void Dispose() => factory.Dispose();

    private HttpClient Create(bool trustPrincipal = false) =>
        factory.WithWebHostBuilder(builder =>
        {
            builder.UseSetting("Moderation:Review:TrustAppServicePrincipal", trustPrincipal ? "true" : "false");
            builder.ConfigureTestServices(services =>
            {
                services.RemoveAll<IReviewQueue>();
                services.AddSingleton<IReviewQueue>(queue);
            });
        }).CreateClient();

    private static async Task<HttpResponseMessage> SendAsync(HttpClient client, string path)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Add(ReviewCallbackHeaders.Key, HostFactory.ApiKey);
        return await client.SendAsync(request);
    }

    private static async Task<JsonElement> GetJsonAsync(HttpClient client, string path)
    {
        using var response = await SendAsync(client, path);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return document.RootElement.Clone();
    }

    private static ReviewRequest Request(string caseId, DateTime deadline, PolicyCategory category, DateTime? requestedAt = null)
    {
        var message = new ChatMessage(caseId, "conv-1", "sender-1", ParticipantRole.Customer, "recipient-1", ParticipantRole.Professional, "Call 555 1234567 tonight", HostFactory.Now);
        var score = new PrefilterScore(0.7, 0.5, "test-model", [new RuleHit("contact.phone", "Phone number", "555 123", 5, 7)]);
        var verdict = new LlmVerdict(category, 0.55, "Sounds like a threat to move the deal.", ["555 1234567"], "test-llm", "prompt-1", TokenUsage.None);
        return new ReviewRequest(caseId, message, score, verdict, "LLM not confident", requestedAt ?? HostFactory.Now.UtcDateTime, deadline);
    }
}
