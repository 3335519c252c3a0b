using System.Globalization;
using Moderation.Core.Classification;
using Moderation.Core.Delivery;
using Moderation.Core.Messages;
using Moderation.Core.Policy;
using Moderation.Core.Review;
using Moderation.Core.Screening;
using Moderation.Core.Workflow;
using Moderation.Hosting.Http.Authentication;

namespace Moderation.Hosting.Http;

/// <summary>One case in a queue listing. <see cref="TimeLeftSeconds"/> is measured on the server's clock when the page was read.</summary>
public sealed record ReviewQueueItem(
    string CaseId,
    CaseStage Stage,
    PolicyCategory? Category,
    ChatMessage Message,
    PrefilterScore Prefilter,
    LlmVerdict? Verdict,
    string Reason,
    DateTime RequestedAt,
    DateTime Deadline,
    double TimeLeftSeconds,
    ModerationOutcome? Outcome);

/// <summary>What <c>GET /api/cases</c> returns: a page, and the token of the next one (null on the last page).</summary>
public sealed record ReviewQueueListing(IReadOnlyList<ReviewQueueItem> Items, string? ContinuationToken, DateTime AsOf);

/// <summary>What <c>GET /api/review-queue</c> returns: how many cases wait and how long the oldest has waited.</summary>
public sealed record ReviewQueueStatus(int Waiting, DateTime? OldestRequestedAt, double? OldestWaitingSeconds, DateTime AsOf);

/// <summary>
/// The reviewers' queue for both hosts, read from the <see cref="IReviewQueue"/> index the workflow maintains:
/// <c>GET /api/cases?stage=awaiting_review|completed&amp;category=&amp;disposition=&amp;pageSize=&amp;continuationToken=</c>
/// (waiting cases oldest deadline first, finished ones newest first) and <c>GET /api/review-queue</c> (depth and oldest
/// waiting age). Authenticated like the case API: a key, an HMAC signature of the GET (over the path, without the
/// query), or the App Service principal where trusted.
/// </summary>
public sealed class ReviewQueueEndpoint(IReviewQueue queue, ReviewCallbackAuthenticator authenticator, TimeProvider time)
{
    public const string ListRoute = "/api/cases";
    public const string StatusRoute = "/api/review-queue";

    /// <summary>
    /// Depth is counted over the whole waiting partition (about 2 s for 10,000 cases on Azurite); consoles poll it, so
    /// one count serves every console of this instance for this long.
    /// </summary>
    public static readonly TimeSpan StatusCacheDuration = TimeSpan.FromSeconds(10);

    private readonly SemaphoreSlim statusGate = new(1, 1);
    private (ReviewQueueDepth Depth, DateTimeOffset ReadAt)? lastStatus;

    public async Task<HttpReply> ListAsync(IReadOnlyDictionary<string, string?> query, ReviewCallbackCredentials credentials, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentNullException.ThrowIfNull(credentials);
        var authentication = await authenticator.AuthenticateAsync("GET", ListRoute, credentials, ReadOnlyMemory<byte>.Empty, cancellationToken);
        if (!authentication.Succeeded)
        {
            return HttpReply.Problem(401, "Unauthorized", authentication.Failure ?? "Not authenticated.", instance: ListRoute);
        }

        var parsed = ParseQuery(query, out var problems);
        if (parsed is null)
        {
            return HttpReply.Problem(400, "Invalid queue query", string.Join(" ", problems), problems, ListRoute);
        }

        ReviewQueuePage page;
        try
        {
            page = await queue.ListAsync(parsed, cancellationToken);
        }
        catch (ArgumentException ex)
        {
            return HttpReply.Problem(400, "Invalid queue query", ex.Message.Split(" (Parameter", 2)[0], instance: ListRoute);
        }

        var now = time.GetUtcNow().UtcDateTime;
        var items = page.Items.Select(e => new ReviewQueueItem(
            e.CaseId, e.Stage, e.Category, e.Message, e.Prefilter, e.Verdict, e.Reason, e.RequestedAt, e.Deadline,
            e.Outcome is null ? Math.Max(0, (e.Deadline - now).TotalSeconds) : 0, e.Outcome)).ToList();
        return HttpReply.Ok(new ReviewQueueListing(items, page.ContinuationToken, now));
    }

    public async Task<HttpReply> StatusAsync(ReviewCallbackCredentials credentials, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(credentials);
        var authentication = await authenticator.AuthenticateAsync("GET", StatusRoute, credentials, ReadOnlyMemory<byte>.Empty, cancellationToken);
        if (!authentication.Succeeded)
        {
            return HttpReply.Problem(401, "Unauthorized", authentication.Failure ?? "Not authenticated.", instance: StatusRoute);
        }

        var depth = await ReadDepthAsync(cancellationToken);
        var now = time.GetUtcNow().UtcDateTime;
        var age = depth.OldestRequestedAt is { } oldest ? Math.Max(0, (now - oldest).TotalSeconds) : (double?)null;
        return HttpReply.Ok(new ReviewQueueStatus(depth.Waiting, depth.OldestRequestedAt, age, now));
    }

    /// <summary>Parses the query string; null with every problem when it is invalid.</summary>
    public static ReviewQueueQuery? ParseQuery(IReadOnlyDictionary<string, string?> query, out IReadOnlyList<string> problems)
    {
        ArgumentNullException.ThrowIfNull(query);
        var list = new List<string>();
        problems = list;
        var stage = CaseStage.AwaitingReview;
        if (Value(query, "stage") is { } stageText)
        {
            if (string.Equals(stageText, "awaiting_review", StringComparison.OrdinalIgnoreCase))
            {
                stage = CaseStage.AwaitingReview;
            }
            else if (string.Equals(stageText, "completed", StringComparison.OrdinalIgnoreCase))
            {
                stage = CaseStage.Completed;
            }
            else
            {
                list.Add("stage must be 'awaiting_review' or 'completed'.");
            }
        }

        PolicyCategory? category = null;
        if (Value(query, "category") is { } categoryText)
        {
            if (PolicyCategories.TryParseWireName(categoryText, out var parsedCategory))
            {
                category = parsedCategory;
            }
            else
            {
                list.Add($"category is not part of the policy taxonomy ({string.Join(", ", PolicyCategories.All.Select(c => c.WireName()))}).");
            }
        }

        Disposition? disposition = null;
        if (Value(query, "disposition") is { } dispositionText)
        {
            if (string.Equals(dispositionText, "released", StringComparison.OrdinalIgnoreCase))
            {
                disposition = Disposition.Released;
            }
            else if (string.Equals(dispositionText, "blocked", StringComparison.OrdinalIgnoreCase))
            {
                disposition = Disposition.Blocked;
            }
            else
            {
                list.Add("disposition must be 'released' or 'blocked'.");
            }

            if (stage != CaseStage.Completed)
            {
                list.Add("disposition filters finished cases only: add stage=completed.");
            }
        }

        var pageSize = ReviewQueueQuery.DefaultPageSize;
        if (Value(query, "pageSize") is { } sizeText
            && (!int.TryParse(sizeText, NumberStyles.None, CultureInfo.InvariantCulture, out pageSize) || pageSize is < 1 or > ReviewQueueQuery.MaxPageSize))
        {
            list.Add($"pageSize must be a whole number from 1 to {ReviewQueueQuery.MaxPageSize}.");
        }

        return list.Count > 0 ? null : new ReviewQueueQuery(stage, category, disposition, pageSize, Value(query, "continuationToken"));
    }

    private async Task<ReviewQueueDepth> ReadDepthAsync(CancellationToken cancellationToken)
    {
        await statusGate.WaitAsync(cancellationToken);
        try
        {
            if (lastStatus is { } cached && time.GetUtcNow() - cached.ReadAt < StatusCacheDuration)
            {
                return cached.Depth;
            }

            var depth = await queue.GetDepthAsync(cancellationToken);
            lastStatus = (depth, time.GetUtcNow());
            return depth;
        }
        finally
        {
            statusGate.Release();
        }
    }

    private static string? Value(IReadOnlyDictionary<string, string?> query, string name) =>
        query.TryGetValue(name, out var value) && !string.IsNullOrWhiteSpace(value) ? value.Trim() : null;
}
