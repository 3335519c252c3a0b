using Microsoft.Extensions.Options;

namespace Moderation.Storage;

/// <summary>Queue names (conventions: the same names in both hosts).</summary>
public sealed class QueueNameOptions
{
    public string Inbound { get; set; } = "moderation-inbound";

    public string Released { get; set; } = "moderation-released";

    public string Blocked { get; set; } = "moderation-blocked";

    public string ReviewRequests { get; set; } = "moderation-review-requests";

    /// <summary>The Functions runtime's own naming for the inbound queue's poison queue: <c>&lt;queue&gt;-poison</c>.</summary>
    public string InboundPoison { get; set; } = "moderation-inbound-poison";

    public IEnumerable<string> All => [Inbound, Released, Blocked, ReviewRequests, InboundPoison];
}

/// <summary>Table names.</summary>
public sealed class TableNameOptions
{
    /// <summary>Per-case audit trail: PK case id, RK stage.</summary>
    public string Audit { get; set; } = "ModerationAudit";

    /// <summary>One row per delivered message: makes release/block idempotent.</summary>
    public string Deliveries { get; set; } = "ModerationDeliveries";

    /// <summary>One row per case sent to review: makes the review request idempotent.</summary>
    public string ReviewRequests { get; set; } = "ModerationReviewRequests";

    /// <summary>One row per case a reviewer decided: the first decision's atomic claim.</summary>
    public string ReviewDecisions { get; set; } = "ModerationReviewDecisions";

    /// <summary>One row per signed review-tool request: its nonce, until it expires.</summary>
    public string SignatureNonces { get; set; } = "ModerationSignatureNonces";

    /// <summary>One row per inbound message id: the hash of the content first seen under it.</summary>
    public string MessageContent { get; set; } = "ModerationMessageContent";

    /// <summary>The reviewers' queue index: waiting cases by deadline, finished cases by decision time.</summary>
    public string ReviewQueue { get; set; } = "ModerationReviewQueue";

    /// <summary>Recent messages per conversation: PK conversation id, RK newest first; bounded and purged after retention.</summary>
    public string Conversations { get; set; } = "ModerationConversations";

    /// <summary>Decided cases per sender: PK sender id, RK case id.</summary>
    public string SenderHistory { get; set; } = "ModerationSenderHistory";

    public IEnumerable<string> All => [Audit, Deliveries, ReviewRequests, ReviewDecisions, SignatureNonces, MessageContent, ReviewQueue, Conversations, SenderHistory];
}

/// <summary>What a release does after an attempt crashed between sending it and recording it as sent.</summary>
public enum ReleaseGuarantee
{
    /// <summary>
    /// Send it again once the ledger lease expires: never lost; the repeat carries the same delivery id, so consumers
    /// drop it (the default).
    /// </summary>
    AtLeastOnce,

    /// <summary>
    /// Never send it again: at most one release per message id, even across crashes; a crash after the reservation
    /// but before the send loses that release (logged as unconfirmed).
    /// </summary>
    AtMostOnce,
}

/// <summary>
/// Azure Storage settings, bound from <c>Moderation:Storage</c>. The account itself comes from the
/// <c>ModerationStorage</c> connection (see <see cref="StorageConnection"/>), not from here.
/// </summary>
public sealed class StorageOptions
{
    public const string SectionName = "Moderation:Storage";

    public QueueNameOptions Queues { get; set; } = new();

    public TableNameOptions Tables { get; set; } = new();

    /// <summary>Blob container for queue bodies too large for a queue message (claim check).</summary>
    public string PayloadContainer { get; set; } = "moderation-payloads";

    /// <summary>An inbound message received more often than this goes to the poison queue (Functions: <c>maxDequeueCount</c>).</summary>
    public int MaxDequeueCount { get; set; } = 5;

    /// <summary>How long a received inbound message stays invisible; a failed message reappears after it.</summary>
    public TimeSpan VisibilityTimeout { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>
    /// Inbound messages received (and pre-filtered) together; 1 to 32 (the queue service's limit). The clean path's
    /// table writes are one transaction per partition per batch, so larger batches mean fewer storage calls per message.
    /// </summary>
    public int BatchSize { get; set; } = 32;

    /// <summary>
    /// Batches the self-hosted listener handles at once, 1 to 32; each message costs several sequential storage
    /// calls, so overlapping batches is what raises throughput (Functions' equivalent: <c>newBatchThreshold</c>).
    /// </summary>
    public int MaxConcurrentBatches { get; set; } = 4;

    /// <summary>
    /// The released queue's guarantee for the one case the delivery ledger cannot decide: an attempt that stopped
    /// between the send and the ledger's "sent" mark (a crash, or a stall longer than the ledger lease). Blocks are
    /// always at least once.
    /// </summary>
    public ReleaseGuarantee ReleaseGuarantee { get; set; } = ReleaseGuarantee.AtLeastOnce;

    /// <summary>
    /// Wait of a receive loop after its poll finds the inbound queue empty while messages are flowing. The loops share
    /// one schedule: idle loops poll one after another, <see cref="MaxConcurrentBatches"/> polls per wait between
    /// them, so a message arriving at a quiet moment waits about this / <see cref="MaxConcurrentBatches"/> to be
    /// received (shorter: lower latency, more empty receives). The wait grows with the time the queue has been quiet,
    /// up to <see cref="MaxPollInterval"/>.
    /// </summary>
    public TimeSpan MinPollInterval { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>Longest wait of a receive loop between polls of a queue that has been empty that long (the listener backs off up to this).</summary>
    public TimeSpan MaxPollInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Create the queues, tables and container at start-up when missing (needs the rights to; off where infrastructure creates them).</summary>
    public bool CreateIfMissing { get; set; } = true;

    /// <summary>Public base address of the review callback (e.g. <c>https://moderation.example.com</c>), put in review requests; optional.</summary>
    public Uri? ReviewCallbackBaseUrl { get; set; }
}

public sealed class StorageOptionsValidator : IValidateOptions<StorageOptions>
{
    public ValidateOptionsResult Validate(string? name, StorageOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        const string section = StorageOptions.SectionName;
        foreach (var queue in options.Queues.All)
        {
            if (!IsQueueOrContainerName(queue))
            {
                failures.Add($"{section}:Queues: '{queue}' is not a valid queue name (3-63 lowercase letters, digits and single hyphens).");
            }
        }

        if (options.Queues.All.Distinct(StringComparer.Ordinal).Count() != options.Queues.All.Count())
        {
            failures.Add($"{section}:Queues: every queue needs its own name.");
        }

        foreach (var table in options.Tables.All)
        {
            if (!IsTableName(table))
            {
                failures.Add($"{section}:Tables: '{table}' is not a valid table name (3-63 letters and digits, starting with a letter).");
            }
        }

        if (!IsQueueOrContainerName(options.PayloadContainer))
        {
            failures.Add($"{section}:PayloadContainer '{options.PayloadContainer}' is not a valid container name.");
        }

        if (options.MaxDequeueCount is < 1 or > 100)
        {
            failures.Add($"{section}:MaxDequeueCount must be between 1 and 100.");
        }

        if (options.VisibilityTimeout < TimeSpan.FromSeconds(1) || options.VisibilityTimeout > TimeSpan.FromDays(7))
        {
            failures.Add($"{section}:VisibilityTimeout must be between 1 second and 7 days.");
        }

        if (!Enum.IsDefined(options.ReleaseGuarantee))
        {
            failures.Add($"{section}:ReleaseGuarantee must be AtLeastOnce or AtMostOnce.");
        }

        if (options.BatchSize is < 1 or > 32)
        {
            failures.Add($"{section}:BatchSize must be between 1 and 32.");
        }

        if (options.MaxConcurrentBatches is < 1 or > 32)
        {
            failures.Add($"{section}:MaxConcurrentBatches must be between 1 and 32.");
        }

        if (options.MinPollInterval <= TimeSpan.Zero || options.MinPollInterval > options.MaxPollInterval)
        {
            failures.Add($"{section}:MinPollInterval must be positive and at most MaxPollInterval.");
        }

        if (options.MaxPollInterval <= TimeSpan.Zero || options.MaxPollInterval > TimeSpan.FromMinutes(1))
        {
            failures.Add($"{section}:MaxPollInterval must be positive and at most one minute.");
        }

        if (options.ReviewCallbackBaseUrl is { } url && (!url.IsAbsoluteUri || url.Scheme is not ("https" or "http")))
        {
            failures.Add($"{section}:ReviewCallbackBaseUrl must be an absolute http(s) URL.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static bool IsQueueOrContainerName(string? name) =>
        name is { Length: >= 3 and <= 63 }
        && name.All(c => c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '-')
        && char.IsAsciiLetterOrDigit(name[0]) && char.IsAsciiLetterOrDigit(name[^1])
        && !name.Contains("--", StringComparison.Ordinal);

    private static bool IsTableName(string? name) =>
        name is { Length: >= 3 and <= 63 } && char.IsAsciiLetter(name[0]) && name.All(char.IsAsciiLetterOrDigit);
}
