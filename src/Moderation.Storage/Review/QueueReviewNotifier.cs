using Azure.Storage.Queues;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Moderation.Core.Review;
using Moderation.Storage.Queues;

namespace Moderation.Storage.Review;

/// <summary>
/// Puts a <see cref="ReviewRequestEnvelope"/> on <c>moderation-review-requests</c> for the reviewers' tool, once per
/// case (a <see cref="SendOnceLedger"/> row in <c>ModerationReviewRequests</c>).
/// </summary>
public sealed class QueueReviewNotifier : IReviewNotifier
{
    /// <summary>The review callback route, shared by both hosts.</summary>
    public const string CallbackRouteTemplate = "/api/reviews/{caseId}";

    private readonly QueueClient queue;
    private readonly SendOnceLedger ledger;
    private readonly QueueBodyWriter writer;
    private readonly Uri? callbackBase;
    private readonly TimeProvider time;
    private readonly ILogger<QueueReviewNotifier> logger;

    public QueueReviewNotifier(StorageConnection connection, QueueBodyWriter writer, IOptions<StorageOptions> options, TimeProvider time, ILogger<QueueReviewNotifier> logger)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(options);
        queue = connection.CreateQueueClient(options.Value.Queues.ReviewRequests);
        ledger = new SendOnceLedger(connection.CreateTableClient(options.Value.Tables.ReviewRequests), time);
        callbackBase = options.Value.ReviewCallbackBaseUrl;
        this.writer = writer;
        this.time = time;
        this.logger = logger;
    }

    public async Task RequestReviewAsync(ReviewRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var route = CallbackRoute(request.CaseId);
        var callback = new ReviewCallbackRoute(
            "POST",
            route,
            callbackBase is null ? null : new Uri(callbackBase, route),
            ReviewCallbackRoute.AuthHeaderNames);
        var envelope = new ReviewRequestEnvelope(1, request.CaseId, request, callback, time.GetUtcNow().UtcDateTime);
        var result = await ledger.SendOnceAsync(request.CaseId, "review", ct => writer.SendAsync(queue, request.CaseId, envelope, ct), cancellationToken);
        if (result != SendOnceResult.Sent)
        {
            logger.LogInformation("Review for case {CaseId} was already requested; duplicate request skipped.", request.CaseId);
        }
    }

    /// <summary>The callback route for a case.</summary>
    public static string CallbackRoute(string caseId) => CallbackRouteTemplate.Replace("{caseId}", Uri.EscapeDataString(caseId), StringComparison.Ordinal);
}
