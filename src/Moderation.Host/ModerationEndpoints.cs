using Moderation.Hosting.Http;

namespace Moderation.Host;

/// <summary>The host's HTTP surface: the shared handlers of Moderation.Hosting on minimal API routes.</summary>
public static class ModerationEndpoints
{
    public static IEndpointRouteBuilder MapModerationEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapPost(ReviewCallbackEndpoint.Route, (string caseId, HttpRequest request, ModerationHttpHandlers handlers) => handlers.SubmitReviewDecisionAsync(request, caseId));
        app.MapGet(CaseQueryEndpoint.Route, (string caseId, HttpRequest request, ModerationHttpHandlers handlers) => handlers.GetCaseAsync(request, caseId));
        app.MapHealthChecks("/healthz");
        return app;
    }
}
