using System.Text;
using Microsoft.AspNetCore.Http;

namespace Moderation.Hosting.Http;

/// <summary>
/// The HTTP surface of both hosts on ASP.NET Core types: the self-hosted host maps these as minimal API routes, the
/// Functions app calls them from its HTTP triggers (ASP.NET Core integration). Statuses, bodies and problem details
/// are therefore the same on both.
/// </summary>
public sealed class ModerationHttpHandlers(ReviewCallbackEndpoint reviewCallback, CaseQueryEndpoint caseQuery)
{
    /// <summary><c>POST /api/reviews/{caseId}</c>: a reviewer's decision (see <see cref="ReviewCallbackEndpoint"/>).</summary>
    public async Task<IResult> SubmitReviewDecisionAsync(HttpRequest request, string caseId)
    {
        ArgumentNullException.ThrowIfNull(request);
        var cancellationToken = request.HttpContext.RequestAborted;
        var body = await request.ReadBodyAsync(ReviewCallbackEndpoint.MaxBodyBytes + 1, cancellationToken);
        return ToResult(await reviewCallback.HandleAsync(caseId, body, request.ReadCredentials(), cancellationToken));
    }

    /// <summary><c>GET /api/cases/{caseId}</c>: a case's state and audit trail (see <see cref="CaseQueryEndpoint"/>).</summary>
    public async Task<IResult> GetCaseAsync(HttpRequest request, string caseId)
    {
        ArgumentNullException.ThrowIfNull(request);
        return ToResult(await caseQuery.GetAsync(caseId, request.ReadCredentials(), request.HttpContext.RequestAborted));
    }

    internal static IResult ToResult(HttpReply reply) =>
        reply.Body is null ? Results.StatusCode(reply.StatusCode) : Results.Content(reply.BodyJson, reply.ContentType, Encoding.UTF8, reply.StatusCode);
}
