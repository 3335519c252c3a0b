using System.Text;
using Moderation.Core.Cases;
using Moderation.Core.Review;
using Moderation.Pipeline.Http;

namespace Moderation.Host;

/// <summary>The host's HTTP surface; the behaviour lives in the shared endpoints of Moderation.Pipeline.</summary>
public static class ModerationEndpoints
{
    public static IEndpointRouteBuilder MapModerationEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapPost(ReviewCallbackEndpoint.Route, async (string caseId, HttpRequest request, ReviewCallbackEndpoint endpoint, IModerationCaseClient cases, CancellationToken cancellationToken) =>
        {
            var body = await request.ReadBodyAsync(ReviewCallbackEndpoint.MaxBodyBytes + 1, cancellationToken);
            return ToResult(await endpoint.HandleAsync(caseId, body, request.ReadCredentials(), cases, cancellationToken));
        });

        app.MapGet(CaseQueryEndpoint.Route, async (string caseId, HttpRequest request, CaseQueryEndpoint endpoint, IModerationCaseClient cases, CancellationToken cancellationToken) =>
            ToResult(await endpoint.GetAsync(caseId, request.ReadCredentials(), cases, cancellationToken)));

        app.MapHealthChecks("/healthz");
        return app;
    }

    private static IResult ToResult(HttpReply reply) =>
        reply.Body is null ? Results.StatusCode(reply.StatusCode) : Results.Content(reply.BodyJson, reply.ContentType, Encoding.UTF8, reply.StatusCode);
}
