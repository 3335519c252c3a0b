using System.Net;
using System.Text.Json;
using Moderation.Core.Audit;
using Moderation.Core.Delivery;
using Moderation.Core.Messages;
using Moderation.Core.Policy;
using Moderation.Core.Workflow;

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

        using var response = await client.GetAsync("/api/cases/case-1");

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

        using var response = await client.GetAsync("/api/cases/msg-clean");

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

        using var response = await client.GetAsync("/api/cases/nobody");

        await ReviewCallbackHttpTests.AssertProblemAsync(response, HttpStatusCode.NotFound, "nobody");
    }

    [Fact]
    public async Task Health_endpoint_answers_healthy()
    {
        using var factory = new HostFactory();
        using var client = factory.CreateClient();

        using var response = await client.GetAsync("/healthz");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("Healthy", await response.Content.ReadAsStringAsync());
    }

    private static ChatMessage Message(string id) =>
        new(id, "conv", "pro-1", ParticipantRole.Professional, "cust-1", ParticipantRole.Customer, "call me on 07700 900123", HostFactory.Now);
}
