using Moderation.Hosting.Http;

namespace Moderation.Host;

/// <summary>The host's HTTP surface: the shared handlers of Moderation.Hosting on minimal API routes.</summary>
public static class ModerationEndpoints
{
    public static IEndpointRouteBuilder MapModerationEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapPost(ReviewCallbackEndpoint.Route, (string caseId, HttpRequest request, ModerationHttpHandlers handlers) => handlers.SubmitReviewDecisionAsync(request, caseId));
        app.MapGet(CaseQueryEndpoint.Route, (string caseId, HttpRequest request, ModerationHttpHandlers handlers) => handlers.GetCaseAsync(request, caseId));
        app.MapGet(ReviewQueueEndpoint.ListRoute, (HttpRequest request, ReviewConsoleHandlers handlers) => handlers.ListCasesAsync(request));
        app.MapGet(ReviewQueueEndpoint.StatusRoute, (HttpRequest request, ReviewConsoleHandlers handlers) => handlers.GetQueueStatusAsync(request));
        app.MapGet(ReviewConsoleAssets.PageRoute, (HttpResponse response) => ReviewConsoleHandlers.GetConsoleAsset(response, null));
        app.MapGet(ReviewConsoleAssets.AssetRoute, (string asset, HttpResponse response) => ReviewConsoleHandlers.GetConsoleAsset(response, asset));
        app.MapHealthChecks("/healthz");
        return app;
    }
}
