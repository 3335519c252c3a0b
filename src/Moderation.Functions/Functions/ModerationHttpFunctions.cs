using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;
using Moderation.Hosting.Http;

namespace Moderation.Functions.Functions;

/// <summary>
/// The HTTP surface, the same handlers as the self-hosted host's (<see cref="ModerationHttpHandlers"/>). Routes get
/// the Functions <c>api/</c> prefix. The <c>[DurableClient]</c> parameters declare the binding the injected case
/// client uses (see <see cref="Durable.DurableClientAccessor"/>).
/// </summary>
public sealed class ModerationHttpFunctions(ModerationHttpHandlers handlers)
{
    /// <summary>
    /// <c>POST /api/reviews/{caseId}</c>. Anonymous at the Functions level on purpose: the callback authenticates
    /// itself (API key or HMAC signature over the body, secrets from Key Vault), the same contract as the self-hosted host.
    /// </summary>
    [Function("SubmitReviewDecision")]
    public async Task<IActionResult> SubmitReviewDecisionAsync(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "reviews/{caseId}")] HttpRequest request,
        string caseId,
        [DurableClient] DurableTaskClient durableClient) =>
        new HttpResultAction(await handlers.SubmitReviewDecisionAsync(request, caseId));

    /// <summary><c>GET /api/cases/{caseId}</c>, for reviewers' tools and operators: authenticated like the callback (key or HMAC over an empty body).</summary>
    [Function("GetModerationCase")]
    public async Task<IActionResult> GetModerationCaseAsync(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "cases/{caseId}")] HttpRequest request,
        string caseId,
        [DurableClient] DurableTaskClient durableClient) =>
        new HttpResultAction(await handlers.GetCaseAsync(request, caseId));
}

/// <summary>Runs an ASP.NET Core <see cref="IResult"/> as the <see cref="IActionResult"/> Functions' HTTP integration returns.</summary>
internal sealed class HttpResultAction(IResult result) : IActionResult
{
    public Task ExecuteResultAsync(ActionContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return result.ExecuteAsync(context.HttpContext);
    }
}
