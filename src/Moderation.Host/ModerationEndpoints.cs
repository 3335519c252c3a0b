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
            var body = await ReadBodyAsync(request, ReviewCallbackEndpoint.MaxBodyBytes + 1, cancellationToken);
            return ToResult(await endpoint.HandleAsync(caseId, body, Credentials(request), cases, cancellationToken));
        });

        app.MapGet(CaseQueryEndpoint.Route, async (string caseId, HttpRequest request, CaseQueryEndpoint endpoint, IModerationCaseClient cases, CancellationToken cancellationToken) =>
            ToResult(await endpoint.GetAsync(caseId, Credentials(request), cases, cancellationToken)));

        app.MapHealthChecks("/healthz");
        return app;
    }

    /// <summary>Reads at most <paramref name="limit"/> bytes: enough to tell an oversized body without buffering it all.</summary>
    private static async Task<ReadOnlyMemory<byte>> ReadBodyAsync(HttpRequest request, int limit, CancellationToken cancellationToken)
    {
        var buffer = new byte[limit];
        var read = 0;
        int n;
        while (read < limit && (n = await request.Body.ReadAsync(buffer.AsMemory(read, limit - read), cancellationToken)) > 0)
        {
            read += n;
        }

        return buffer.AsMemory(0, read);
    }

    private static ReviewCallbackCredentials Credentials(HttpRequest request) => new(
        Header(request, ReviewCallbackSignature.SignatureHeader),
        Header(request, ReviewCallbackSignature.TimestampHeader),
        Header(request, ReviewCallbackAuthenticator.KeyHeader));

    private static string? Header(HttpRequest request, string name) =>
        request.Headers.TryGetValue(name, out var values) && values.Count > 0 ? values[0] : null;

    private static IResult ToResult(HttpReply reply) =>
        reply.Body is null ? Results.StatusCode(reply.StatusCode) : Results.Content(reply.BodyJson, reply.ContentType, Encoding.UTF8, reply.StatusCode);
}
