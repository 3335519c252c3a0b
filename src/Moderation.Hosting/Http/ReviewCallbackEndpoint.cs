using System.Text.Json;
using Moderation.Core.Policy;
using Moderation.Core.Review;
using Moderation.Core.Serialization;
using Moderation.Hosting.Http.Authentication;

namespace Moderation.Hosting.Http;

/// <summary>The reply body of an accepted review decision.</summary>
public sealed record ReviewAcceptedBody(string CaseId, string Status, ReviewDecision Decision);

/// <summary>
/// <c>POST /api/reviews/{caseId}</c> for both hosts: authenticate (<see cref="ReviewCallbackAuthenticator"/>: key or
/// HMAC signature over method, path, time, nonce, reviewer and body), parse the <see cref="ReviewDecision"/> (the
/// reviewer is the authenticated <see cref="ReviewCallbackHeaders.Reviewer"/> and the time the server's clock, never
/// the body's), submit it through <see cref="ReviewIntake"/> (the first decision per case wins atomically), and map the
/// result: 202 accepted, 400 invalid, 401 unauthenticated, 404 unknown case, 409 already decided, 413 body too large;
/// every error as problem details.
/// </summary>
public sealed class ReviewCallbackEndpoint(ReviewCallbackAuthenticator authenticator, ReviewIntake intake, TimeProvider time)
{
    /// <summary>The route template (both hosts; Functions adds its <c>api/</c> prefix itself).</summary>
    public const string Route = "/api/reviews/{caseId}";

    /// <summary>A decision is a few hundred bytes; notes are capped at 2 000 characters.</summary>
    public const int MaxBodyBytes = 16 * 1024;

    /// <param name="caseId">The route's case id.</param>
    /// <param name="body">The raw request body (the signature covers these exact bytes).</param>
    /// <param name="credentials">The request's <c>X-Moderation-Key</c>, or <c>X-Moderation-Signature</c> and <c>X-Moderation-Timestamp</c>.</param>
    public async Task<HttpReply> HandleAsync(string caseId, ReadOnlyMemory<byte> body, ReviewCallbackCredentials credentials, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(credentials);
        var instance = Route.Replace("{caseId}", Uri.EscapeDataString(caseId ?? string.Empty), StringComparison.Ordinal);
        if (body.Length > MaxBodyBytes)
        {
            return HttpReply.Problem(413, "Request body too large", $"A review decision is at most {MaxBodyBytes} bytes.", instance: instance);
        }

        var authentication = await authenticator.AuthenticateAsync("POST", instance, credentials, body, cancellationToken);
        if (!authentication.Succeeded)
        {
            return HttpReply.Problem(401, "Unauthorized", authentication.Failure ?? "Not authenticated.", instance: instance);
        }

        var decision = ReviewDecisionBody.Parse(body.Span, authentication.ReviewerId, time.GetUtcNow(), out var parseProblems);
        if (decision is null)
        {
            return HttpReply.Problem(400, "Invalid review decision", "The body is not a valid review decision.", parseProblems, instance);
        }

        var result = await intake.SubmitAsync(caseId ?? string.Empty, decision, cancellationToken);
        return ToReply(result, caseId ?? string.Empty, decision, instance);
    }

    /// <summary>Maps a submission result to its reply (for hosts that call <see cref="ReviewIntake"/> themselves).</summary>
    public static HttpReply ToReply(ReviewSubmissionResult result, string caseId, ReviewDecision decision, string? instance = null)
    {
        ArgumentNullException.ThrowIfNull(result);
        var detail = result.Problems.Count > 0 ? string.Join(" ", result.Problems) : string.Empty;
        return result.Status switch
        {
            ReviewSubmissionStatus.Accepted => HttpReply.Accepted(new ReviewAcceptedBody(caseId, "accepted", decision)),
            ReviewSubmissionStatus.Invalid => HttpReply.Problem(400, "Invalid review decision", detail, result.Problems, instance),
            ReviewSubmissionStatus.UnknownCase => HttpReply.Problem(404, "Unknown case", detail, instance: instance),
            ReviewSubmissionStatus.AlreadyDecided => HttpReply.Problem(409, "Case already decided", detail, instance: instance),
            _ => throw new ArgumentOutOfRangeException(nameof(result), result.Status, "Unknown review submission status."),
        };
    }
}

/// <summary>
/// Reads a review decision body leniently enough to report every problem at once: <c>action</c>
/// (<c>release</c>|<c>block</c>), <c>category</c> (a wire name; required when blocking, absent or <c>clean</c> when
/// releasing) and <c>notes</c>. The reviewer comes from the authenticated request; a <c>reviewerId</c> in the body is
/// accepted only when it matches it. The time is the server's: a <c>decidedAt</c> is refused. A property that appears
/// twice is refused (parsers disagree on which copy wins).
/// </summary>
public static class ReviewDecisionBody
{
    private static readonly JsonSerializerOptions StrictOptions = new(ModerationJson.Options) { AllowDuplicateProperties = false };

    /// <param name="reviewerId">The authenticated reviewer (<see cref="ReviewCallbackHeaders.Reviewer"/>); null when the request named none.</param>
    /// <param name="now">The server's clock: the decision's time.</param>
    /// <returns>The decision, or null with the problems.</returns>
    public static ReviewDecision? Parse(ReadOnlySpan<byte> body, string? reviewerId, DateTimeOffset now, out IReadOnlyList<string> problems)
    {
        var list = new List<string>();
        problems = list;
        if (string.IsNullOrWhiteSpace(reviewerId))
        {
            list.Add($"The {ReviewCallbackHeaders.Reviewer} header is required: it names the reviewer who decides.");
        }

        if (body.IsEmpty)
        {
            list.Add("A JSON body with action and category is required.");
            return null;
        }

        Wire? wire;
        try
        {
            wire = JsonSerializer.Deserialize<Wire>(body, StrictOptions);
        }
        catch (JsonException ex)
        {
            // Position only: the serializer's message can quote property names the caller chose.
            list.Add($"The body is not valid JSON for a review decision, or repeats a property (line {ex.LineNumber + 1}, byte {ex.BytePositionInLine + 1}).");
            return null;
        }

        if (wire is null)
        {
            list.Add("The body is JSON null.");
            return null;
        }

        if (wire.DecidedAt is not null)
        {
            list.Add("decidedAt is set by the server when it accepts the decision; do not send it.");
        }

        if (wire.ReviewerId is not null && reviewerId is not null && !string.Equals(wire.ReviewerId, reviewerId, StringComparison.Ordinal))
        {
            list.Add($"reviewerId in the body does not match the {ReviewCallbackHeaders.Reviewer} header.");
        }

        ReviewAction action = default;
        if (string.Equals(wire.Action, "release", StringComparison.OrdinalIgnoreCase))
        {
            action = ReviewAction.Release;
        }
        else if (string.Equals(wire.Action, "block", StringComparison.OrdinalIgnoreCase))
        {
            action = ReviewAction.Block;
        }
        else
        {
            list.Add("action must be 'release' or 'block'.");
        }

        var category = PolicyCategory.Clean;
        if (wire.Category is not null && !PolicyCategories.TryParseWireName(wire.Category, out category))
        {
            list.Add($"category is not part of the policy taxonomy ({string.Join(", ", PolicyCategories.All.Select(c => c.WireName()))}).");
        }
        else if (wire.Category is null && action == ReviewAction.Block)
        {
            list.Add("category is required when blocking.");
        }

        if (list.Count > 0)
        {
            return null;
        }

        var decision = new ReviewDecision(reviewerId!, action, category, wire.Notes, now);
        var invalid = decision.Validate();
        if (invalid.Count > 0)
        {
            list.AddRange(invalid);
            return null;
        }

        return decision;
    }

    // DecidedAt is read as raw JSON so any value, well-formed or not, is reported as refused rather than as a format error.
    private sealed record Wire(string? ReviewerId, string? Action, string? Category, string? Notes, JsonElement? DecidedAt);
}
