using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;
using Moderation.Core.Review;
using Moderation.Functions.Durable;
using Moderation.Pipeline.Http;

namespace Moderation.Functions.Functions;

/// <summary>
/// The HTTP surface, identical to the self-hosted host's: the behaviour, statuses and problem details live in the
/// shared endpoints of Moderation.Pipeline. Routes get the Functions <c>api/</c> prefix.
/// </summary>
public sealed class ModerationHttpFunctions(ReviewCallbackEndpoint reviewCallback, CaseQueryEndpoint caseQuery)
{
    /// <summary>
    /// <c>POST /api/reviews/{caseId}</c>. Anonymous at the Functions level on purpose: the callback authenticates
    /// itself (API key or HMAC signature over the body, secrets from Key Vault), the same contract as the self-hosted host.
    /// </summary>
    [Function("SubmitReviewDecision")]
    public async Task<IActionResult> SubmitReviewDecisionAsync(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "reviews/{caseId}")] HttpRequest request,
        string caseId,
        [DurableClient] DurableTaskClient durableClient)
    {
        ArgumentNullException.ThrowIfNull(request);
        var body = await request.ReadBodyAsync(ReviewCallbackEndpoint.MaxBodyBytes + 1, request.HttpContext.RequestAborted);
        var reply = await reviewCallback.HandleAsync(caseId, body, request.ReadCredentials(), new DurableModerationCaseClient(durableClient), request.HttpContext.RequestAborted);
        return ToActionResult(reply);
    }

    /// <summary><c>GET /api/cases/{caseId}</c>, for reviewers' tools and operators: authenticated like the callback (key or HMAC over an empty body).</summary>
    [Function("GetModerationCase")]
    public async Task<IActionResult> GetModerationCaseAsync(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "cases/{caseId}")] HttpRequest request,
        string caseId,
        [DurableClient] DurableTaskClient durableClient)
    {
        ArgumentNullException.ThrowIfNull(request);
        var reply = await caseQuery.GetAsync(caseId, request.ReadCredentials(), new DurableModerationCaseClient(durableClient), request.HttpContext.RequestAborted);
        return ToActionResult(reply);
    }

    internal static IActionResult ToActionResult(HttpReply reply) =>
        reply.Body is null
            ? new StatusCodeResult(reply.StatusCode)
            : new ContentResult { StatusCode = reply.StatusCode, ContentType = reply.ContentType, Content = reply.BodyJson };
}
