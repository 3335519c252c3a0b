using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Moderation.Hosting.Http;

namespace Moderation.Functions.Functions;

/// <summary>
/// The review console on the Functions app: the queue API and the page, the same handlers as the self-hosted host's
/// (<see cref="ReviewConsoleHandlers"/>). The queue is read from its table index, so no Durable client is bound. In
/// Azure, App Service authentication (Microsoft Entra ID) sits in front of all of them.
/// </summary>
public sealed class ReviewConsoleFunctions(ReviewConsoleHandlers handlers)
{
    /// <summary><c>GET /api/cases?stage=awaiting_review</c>: the review queue, oldest deadline first, paged.</summary>
    [Function("ListModerationCases")]
    public async Task<IActionResult> ListCasesAsync(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "cases")] HttpRequest request) =>
        new HttpResultAction(await handlers.ListCasesAsync(request));

    /// <summary><c>GET /api/review-queue</c>: queue depth and the oldest waiting case's age.</summary>
    [Function("GetReviewQueueStatus")]
    public async Task<IActionResult> GetQueueStatusAsync(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "review-queue")] HttpRequest request) =>
        new HttpResultAction(await handlers.GetQueueStatusAsync(request));

    /// <summary><c>GET /api/review</c>: the console page (it holds no data; its API calls authenticate).</summary>
    [Function("ReviewConsole")]
    public IActionResult GetConsole(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "review")] HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return new HttpResultAction(ReviewConsoleHandlers.GetConsoleAsset(request.HttpContext.Response, null));
    }

    /// <summary><c>GET /api/review/{asset}</c>: the console's script and stylesheet.</summary>
    [Function("ReviewConsoleAsset")]
    public IActionResult GetConsoleAsset(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "review/{asset}")] HttpRequest request,
        string asset)
    {
        ArgumentNullException.ThrowIfNull(request);
        return new HttpResultAction(ReviewConsoleHandlers.GetConsoleAsset(request.HttpContext.Response, asset));
    }
}
