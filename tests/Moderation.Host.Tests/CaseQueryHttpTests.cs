using System.Net;
using System.Text.Json;
using Moderation.Core.Audit;
using Moderation.Core.Delivery;
using Moderation.Core.Messages;
using Moderation.Core.Policy;
using Moderation.Core.Review;
using Moderation.Core.Workflow;
using Moderation.Hosting.Http.Authentication;

namespace Moderation.Host.Tests;

public class CaseQueryHttpTests
{
    [Fact]
    public async Task A_case_awaiting_review_shows_its_state_reason_deadline_and_audit_stages()
    {
        using var factory = new HostFactory();
        ReviewCallbackHttpTests.AddCase(factory, "case-1", CaseStage.AwaitingReview);
        var at = HostFactory.Now.UtcDateTime;
        await factory.Audit.RecordAsync(new AuditRecord("case-1", AuditStage.ReviewRequested, at, "LLM confidence 0.6 below 0.9"), CancellationToken.None);
        await factory.Audit.RecordAsync(new AuditRecord("case-1", AuditStage.Screened, at.AddSeconds(-2), "suspicious: rule contact.phone", Message: Message("case-1")), CancellationToken.None);
        using var client = factory.CreateClient();

        using var response = await GetCaseAsync(client, "case-1", HostFactory.ApiKey);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var view = document.RootElement;
        Assert.Equal("case-1", view.GetProperty("caseId").GetString());
        Assert.Equal("running", view.GetProperty("state").GetString());
        Assert.Equal("awaiting_review", view.GetProperty("stage").GetString());
        Assert.Equal("LLM confidence 0.6 below 0.9", view.GetProperty("reviewReason").GetString());
        Assert.True(view.TryGetProperty("reviewDeadline", out _));
        Assert.Equal(["screened", "review_requested"], view.GetProperty("audit").EnumerateArray().Select(a => a.GetProperty("stage").GetString()));
        // The case API is for operators: the message text stays in the audit table.
        Assert.DoesNotContain("07700", view.GetRawText(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_message_released_by_the_prefilter_is_shown_from_its_audit_trail()
    {
        using var factory = new HostFactory();
        var message = Message("msg-clean");
        var outcome = new ModerationOutcome("msg-clean", Disposition.Released, DecidedBy.Prefilter, PolicyCategory.Clean, ["model score 0.05 < threshold 0.5"], HostFactory.Now.UtcDateTime);
        await factory.Audit.RecordAsync(new AuditRecord("msg-clean", AuditStage.Screened, HostFactory.Now.UtcDateTime, "clean", Message: message), CancellationToken.None);
        await factory.Audit.RecordAsync(new AuditRecord("msg-clean", AuditStage.Delivered, HostFactory.Now.UtcDateTime, "Released by Prefilter", Outcome: outcome), CancellationToken.None);
        using var client = factory.CreateClient();

        using var response = await GetCaseAsync(client, "msg-clean", HostFactory.ApiKey);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var view = document.RootElement;
        Assert.False(view.TryGetProperty("state", out _));
        Assert.Equal("completed", view.GetProperty("stage").GetString());
        Assert.Equal("released", view.GetProperty("outcome").GetProperty("disposition").GetString());
        Assert.Equal("prefilter", view.GetProperty("outcome").GetProperty("decidedBy").GetString());
    }

    [Fact]
    public async Task An_unknown_case_gets_404_problem_details()
    {
        using var factory = new HostFactory();
        using var client = factory.CreateClient();

        using var response = await GetCaseAsync(client, "nobody", HostFactory.ApiKey);

        await ReviewCallbackHttpTests.AssertProblemAsync(response, HttpStatusCode.NotFound, "nobody");
    }

    [Theory]
    [InlineData(null)]
    [InlineData("wrong-key-0123456789abcdefghijklmnopqrstuv")]
    public async Task The_case_view_needs_the_same_credentials_as_the_review_callback(string? key)
    {
        using var factory = new HostFactory();
        ReviewCallbackHttpTests.AddCase(factory, "case-1", CaseStage.AwaitingReview);
        using var client = factory.CreateClient();

        using var response = await GetCaseAsync(client, "case-1", key);

        await ReviewCallbackHttpTests.AssertProblemAsync(response, HttpStatusCode.Unauthorized, null);
    }

    [Fact]
    public async Task The_case_view_accepts_an_hmac_signature_of_the_get_request()
    {
        using var factory = new HostFactory();
        ReviewCallbackHttpTests.AddCase(factory, "case-1", CaseStage.AwaitingReview);
        using var client = factory.CreateClient();
        using var request = ReviewCallbackHttpTests.SignedRequest(HttpMethod.Get, "/api/cases/case-1", null, null, "/api/cases/case-1", reviewer: null);

        using var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    private static ChatMessage Message(string id) =>
        new(id, "conv", "pro-1", ParticipantRole.Professional, "cust-1", ParticipantRole.Customer, "call me on 07700 900123", HostFactory.Now);

    private static async Task<HttpResponseMessage> GetCaseAsync(HttpClient client, string caseId, string? key)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/api/cases/{caseId}");
        if (key is not null)
        {
            request.Headers.Add(ReviewCallbackHeaders.Key, key);
        }

        return await client.SendAsync(request);
    }
}
