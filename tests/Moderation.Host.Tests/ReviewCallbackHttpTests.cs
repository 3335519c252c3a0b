using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Moderation.Core.Cases;
using Moderation.Core.Delivery;
using Moderation.Core.Policy;
using Moderation.Core.Review;
using Moderation.Core.Workflow;
using Moderation.Hosting.Http.Authentication;

namespace Moderation.Host.Tests;

public class ReviewCallbackHttpTests
{
    private const string BlockBody = """{"reviewerId":"rev-1","action":"block","category":"off_platform_contact","notes":"phone number"}""";

    [Fact]
    public async Task A_valid_decision_with_an_api_key_is_accepted_with_202_and_raised_on_the_case()
    {
        using var factory = new HostFactory();
        AddCase(factory, "case-1", CaseStage.AwaitingReview);

        using var response = await PostAsync(factory, "case-1", BlockBody, key: HostFactory.ApiKey);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var (caseId, decision) = Assert.Single(factory.Cases.Raised);
        Assert.Equal("case-1", caseId);
        Assert.Equal(("rev-1", ReviewAction.Block, PolicyCategory.OffPlatformContact, "phone number"), (decision.ReviewerId, decision.Action, decision.Category, decision.Notes));
        Assert.Equal(HostFactory.Now, decision.DecidedAt);
    }

    [Fact]
    public async Task A_decision_signed_with_the_shared_secret_is_accepted()
    {
        using var factory = new HostFactory();
        AddCase(factory, "case-2", CaseStage.AwaitingReview);
        const string body = """{"action":"release"}""";

        using var response = await PostAsync(factory, "case-2", body, signFor: "case-2", reviewer: "rev-2");

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var decision = Assert.Single(factory.Cases.Raised).Decision;
        Assert.Equal((ReviewAction.Release, PolicyCategory.Clean, "rev-2"), (decision.Action, decision.Category, decision.ReviewerId));
        Assert.Equal(HostFactory.Now, decision.DecidedAt);
    }

    [Fact]
    public async Task A_signature_made_for_another_case_is_rejected_with_401()
    {
        using var factory = new HostFactory();
        AddCase(factory, "case-3", CaseStage.AwaitingReview);

        using var response = await PostAsync(factory, "case-3", BlockBody, signFor: "other-case");

        await AssertProblemAsync(response, HttpStatusCode.Unauthorized, "Signature does not match");
        Assert.Empty(factory.Cases.Raised);
    }

    [Fact]
    public async Task A_wrong_api_key_is_rejected_with_401_problem_details()
    {
        using var factory = new HostFactory();
        AddCase(factory, "case-4", CaseStage.AwaitingReview);

        using var response = await PostAsync(factory, "case-4", BlockBody, key: "not-the-key-0123456789abcdefghijklmnop");

        await AssertProblemAsync(response, HttpStatusCode.Unauthorized, "Invalid key");
        Assert.Empty(factory.Cases.Raised);
    }

    [Fact]
    public async Task A_request_without_credentials_is_rejected_with_401()
    {
        using var factory = new HostFactory();
        AddCase(factory, "case-5", CaseStage.AwaitingReview);

        using var response = await PostAsync(factory, "case-5", BlockBody);

        await AssertProblemAsync(response, HttpStatusCode.Unauthorized, "X-Moderation-Timestamp");
        Assert.Empty(factory.Cases.Raised);
    }

    [Theory]
    [InlineData("""{"reviewerId":"rev-1","action":"block","category":"clean"}""", "needs the violated category")]
    [InlineData("""{"reviewerId":"rev-1","action":"block","category":"rudeness"}""", "not part of the policy taxonomy")]
    [InlineData("""{"reviewerId":"rev-1","action":"maybe","category":"spam"}""", "action must be 'release' or 'block'")]
    [InlineData("""{"reviewerId":"rev-2","action":"release"}""", "does not match")]
    [InlineData("""{"reviewerId":"rev-1","action":"release","category":"spam"}""", "takes no violation category")]
    [InlineData("""{"reviewerId":"rev-1","action":"block"}""", "category is required when blocking")]
    [InlineData("not json", "not valid JSON")]
    [InlineData("", "A JSON body")]
    public async Task A_malformed_decision_is_rejected_with_400_listing_the_problems(string body, string expectedProblem)
    {
        using var factory = new HostFactory();
        AddCase(factory, "case-6", CaseStage.AwaitingReview);

        using var response = await PostAsync(factory, "case-6", body, key: HostFactory.ApiKey);

        var problem = await AssertProblemAsync(response, HttpStatusCode.BadRequest, null);
        var problems = problem.GetProperty("problems").EnumerateArray().Select(p => p.GetString()!).ToList();
        Assert.Contains(problems, p => p.Contains(expectedProblem, StringComparison.Ordinal));
        Assert.Empty(factory.Cases.Raised);
    }

    [Fact]
    public async Task A_decision_for_an_unknown_case_gets_404()
    {
        using var factory = new HostFactory();

        using var response = await PostAsync(factory, "no-such-case", BlockBody, key: HostFactory.ApiKey);

        await AssertProblemAsync(response, HttpStatusCode.NotFound, "no-such-case");
    }

    [Fact]
    public async Task A_decision_for_a_decided_case_gets_409_and_is_not_raised()
    {
        using var factory = new HostFactory();
        AddCase(factory, "case-7", CaseStage.Completed, CaseRuntimeState.Completed);

        using var response = await PostAsync(factory, "case-7", BlockBody, key: HostFactory.ApiKey);

        await AssertProblemAsync(response, HttpStatusCode.Conflict, "already decided");
        Assert.Empty(factory.Cases.Raised);
    }

    [Fact]
    public async Task An_oversized_body_is_rejected_with_413_before_anything_else()
    {
        using var factory = new HostFactory();
        AddCase(factory, "case-8", CaseStage.AwaitingReview);
        var body = $$"""{"reviewerId":"rev","action":"release","notes":"{{new string('x', 20_000)}}"}""";

        using var response = await PostAsync(factory, "case-8", body, key: HostFactory.ApiKey);

        await AssertProblemAsync(response, HttpStatusCode.RequestEntityTooLarge, "at most");
        Assert.Empty(factory.Cases.Raised);
    }

    [Fact]
    public async Task A_client_sent_decidedAt_is_refused_because_the_decision_time_is_the_servers()
    {
        using var factory = new HostFactory();
        AddCase(factory, "case-9", CaseStage.AwaitingReview);
        const string body = """{"reviewerId":"rev-1","action":"release","decidedAt":"9999-12-31T23:59:59Z"}""";

        using var response = await PostAsync(factory, "case-9", body, key: HostFactory.ApiKey);

        var problem = await AssertProblemAsync(response, HttpStatusCode.BadRequest, null);
        Assert.Contains(problem.GetProperty("problems").EnumerateArray(), p => p.GetString()!.Contains("decidedAt", StringComparison.Ordinal));
        Assert.Empty(factory.Cases.Raised);
    }

    [Fact]
    public async Task A_body_with_a_duplicated_property_is_refused_rather_than_the_last_copy_winning()
    {
        using var factory = new HostFactory();
        AddCase(factory, "case-10", CaseStage.AwaitingReview);
        const string body = """{"reviewerId":"rev-1","action":"release","action":"block","category":"spam"}""";

        using var response = await PostAsync(factory, "case-10", body, key: HostFactory.ApiKey);

        await AssertProblemAsync(response, HttpStatusCode.BadRequest, null);
        Assert.Empty(factory.Cases.Raised);
    }

    internal static void AddCase(HostFactory factory, string caseId, CaseStage stage, CaseRuntimeState state = CaseRuntimeState.Running, ModerationOutcome? outcome = null)
    {
        var at = HostFactory.Now.UtcDateTime.AddMinutes(-5);
        var progress = new CaseProgress(stage, ReviewReason: stage == CaseStage.AwaitingReview ? "LLM confidence 0.6 below 0.9" : null, ReviewDeadline: stage == CaseStage.AwaitingReview ? at.AddHours(24) : null, Outcome: outcome);
        factory.Cases.Cases[caseId] = new CaseSnapshot(caseId, state, progress, outcome, at, at);
    }

    internal static async Task<JsonElement> AssertProblemAsync(HttpResponseMessage response, HttpStatusCode status, string? detailContains)
    {
        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var root = document.RootElement.Clone();
        Assert.Equal((int)status, root.GetProperty("status").GetInt32());
        Assert.False(string.IsNullOrEmpty(root.GetProperty("title").GetString()));
        if (detailContains is not null)
        {
            Assert.Contains(detailContains, root.GetProperty("detail").GetString(), StringComparison.Ordinal);
        }

        return root;
    }

    internal static async Task<HttpResponseMessage> PostAsync(HostFactory factory, string caseId, string body, string? key = null, string? signFor = null, string? reviewer = "rev-1", string? nonce = null, HttpClient? client = null)
    {
        using var ownClient = client is null ? factory.CreateClient() : null;
        using var request = SignedRequest(HttpMethod.Post, $"/api/reviews/{caseId}", body, key, signFor is null ? null : $"/api/reviews/{signFor}", reviewer, nonce);
        return await (client ?? ownClient!).SendAsync(request);
    }

    /// <summary>A request as a review tool builds it: a key, or a version-2 signature over method, path, time, nonce, reviewer and body.</summary>
    internal static HttpRequestMessage SignedRequest(HttpMethod method, string path, string? body, string? key, string? signedPath, string? reviewer, string? nonce = null)
    {
        var bytes = Encoding.UTF8.GetBytes(body ?? string.Empty);
        var request = new HttpRequestMessage(method, path);
        if (body is not null)
        {
            request.Content = new ByteArrayContent(bytes);
            request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        }

        if (reviewer is not null)
        {
            request.Headers.Add(ReviewCallbackHeaders.Reviewer, reviewer);
        }

        if (key is not null)
        {
            request.Headers.Add(ReviewCallbackHeaders.Key, key);
        }

        if (signedPath is not null)
        {
            var timestamp = HostFactory.Now.ToUnixTimeSeconds();
            nonce ??= Guid.NewGuid().ToString("N");
            request.Headers.Add(ReviewCallbackHeaders.Timestamp, timestamp.ToString(System.Globalization.CultureInfo.InvariantCulture));
            request.Headers.Add(ReviewCallbackHeaders.Nonce, nonce);
            request.Headers.Add(ReviewCallbackHeaders.Signature, new ReviewCallbackSignature(HostFactory.SigningSecret).Sign(method.Method, signedPath, timestamp, nonce, reviewer, bytes));
        }

        return request;
    }
}
