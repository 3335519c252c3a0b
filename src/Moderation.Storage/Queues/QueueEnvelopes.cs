using Moderation.Core.Delivery;
using Moderation.Core.Messages;
using Moderation.Core.Review;

namespace Moderation.Storage.Queues;

/// <summary>
/// A moderated message on <c>moderation-released</c> (deliver it to the recipient) or <c>moderation-blocked</c>
/// (tell the product it was blocked). <paramref name="DeliveryId"/> is the message id: at most one delivery exists per
/// message, so a consumer that sees the same id twice (possible only after a crash, see docs) drops the second.
/// </summary>
public sealed record DeliveryEnvelope(
    int SchemaVersion,
    string DeliveryId,
    ChatMessage Message,
    ModerationOutcome Outcome,
    DateTime EnqueuedAt);

/// <summary>Where and how a reviewer's tool sends the decision for a case.</summary>
/// <param name="Route">Relative route, <c>/api/reviews/{caseId}</c>.</param>
/// <param name="Url">Absolute URL when the public base address is configured.</param>
/// <param name="AuthHeaders">Header names the callback authenticates with (a key, or a signature with its timestamp).</param>
public sealed record ReviewCallbackRoute(string Method, string Route, Uri? Url, IReadOnlyList<string> AuthHeaders)
{
    /// <summary>The headers the HTTP layer reads (a key, or a signature with timestamp and nonce; the reviewer's id).</summary>
    public static IReadOnlyList<string> AuthHeaderNames { get; } =
        ["X-Moderation-Key", "X-Moderation-Signature", "X-Moderation-Timestamp", "X-Moderation-Nonce", "X-Moderation-Reviewer"];
}

/// <summary>A case waiting for a human on <c>moderation-review-requests</c>: everything the reviewer needs, and where to answer.</summary>
public sealed record ReviewRequestEnvelope(
    int SchemaVersion,
    string RequestId,
    ReviewRequest Request,
    ReviewCallbackRoute Callback,
    DateTime EnqueuedAt);

/// <summary>An inbound message that cannot be moderated, on <c>moderation-inbound-poison</c>, with why.</summary>
/// <param name="OriginalBody">The body exactly as received (after the queue's Base64), for inspection and re-submission.</param>
/// <param name="OriginalMessageId">The queue's id of the original message (not the chat message id, which may be unreadable).</param>
public sealed record PoisonEnvelope(
    int SchemaVersion,
    string SourceQueue,
    string Reason,
    long DequeueCount,
    DateTime PoisonedAt,
    string? OriginalMessageId,
    string OriginalBody);

/// <summary>
/// Stands in for an envelope too large for a queue message (64 KiB after Base64, so about 48 KiB of JSON): the
/// envelope is in the blob named by <see cref="ClaimCheck"/> (the claim-check pattern).
/// </summary>
/// <param name="Id">The envelope's delivery, request or queue message id, so a consumer can deduplicate without fetching.</param>
public sealed record ClaimCheckEnvelope(int SchemaVersion, string Id, ClaimCheck ClaimCheck);

public sealed record ClaimCheck(string Container, string Blob, long Bytes);
