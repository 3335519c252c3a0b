using Microsoft.AspNetCore.Http;

namespace Moderation.Hosting.Http;

/// <summary>
/// The review console's HTTP surface on ASP.NET Core types, for both hosts (like <see cref="ModerationHttpHandlers"/>):
/// the queue listing and status (<see cref="ReviewQueueEndpoint"/>) and the console page and its assets
/// (<see cref="ReviewConsoleAssets"/>). Decisions go through the existing review callback.
/// </summary>
public sealed class ReviewConsoleHandlers(ReviewQueueEndpoint queue)
{
    /// <summary><c>GET /api/cases?stage=&amp;category=&amp;disposition=&amp;pageSize=&amp;continuationToken=</c>.</summary>
    public async Task<IResult> ListCasesAsync(HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var query = request.Query.ToDictionary(q => q.Key, q => (string?)q.Value.ToString(), StringComparer.OrdinalIgnoreCase);
        return ModerationHttpHandlers.ToResult(await queue.ListAsync(query, request.ReadCredentials(), request.HttpContext.RequestAborted));
    }

    /// <summary><c>GET /api/review-queue</c>: queue depth and the oldest waiting case's age.</summary>
    public async Task<IResult> GetQueueStatusAsync(HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return ModerationHttpHandlers.ToResult(await queue.StatusAsync(request.ReadCredentials(), request.HttpContext.RequestAborted));
    }

    /// <summary><c>GET /review</c> (empty <paramref name="asset"/>) and <c>GET /review/{asset}</c>. Public: the page holds no data; its API calls authenticate.</summary>
    public static IResult GetConsoleAsset(HttpResponse response, string? asset)
    {
        ArgumentNullException.ThrowIfNull(response);
        if (!ReviewConsoleAssets.TryGet(asset, out var content, out var contentType))
        {
            return Results.NotFound();
        }

        response.Headers.ContentSecurityPolicy = ReviewConsoleAssets.ContentSecurityPolicy;
        response.Headers.XContentTypeOptions = "nosniff";
        response.Headers["Referrer-Policy"] = "no-referrer";
        response.Headers.CacheControl = "no-cache";
        return Results.Bytes(content, contentType);
    }
}
