using System.Diagnostics;
using System.Runtime.ExceptionServices;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Moderation.Core.Audit;
using Moderation.Core.Cases;
using Moderation.Core.Conversations;
using Moderation.Core.Delivery;
using Moderation.Core.Messages;
using Moderation.Core.Policy;
using Moderation.Core.Telemetry;
using Moderation.Core.Workflow;

namespace Moderation.Core.Screening;

/// <summary>
/// Tier one, the step behind the inbound queue trigger: score a batch, release clean messages at once, start a case
/// for each suspicious one. Clean messages of a batch are released and audited together
/// (<see cref="ReleaseCleanAsync"/>), so adapters can share storage round trips across them; suspicious ones are
/// routed one by one. Every step is idempotent per message id, so a redelivery never releases twice or opens a second
/// case.
/// </summary>
/// <param name="cases">Where suspicious messages become cases: the host's Durable Task client.</param>
/// <param name="conversations">Adds split-message rule hits, context and sender history; null: each message is judged alone.</param>
public sealed partial class MessageScreening(
    IMessagePrefilter prefilter,
    IModerationCaseClient cases,
    IDeliveryGateway delivery,
    IAuditLog audit,
    IOptionsMonitor<ModerationPolicyOptions> policyOptions,
    TimeProvider time,
    ILogger<MessageScreening> logger,
    ConversationScreening? conversations = null)
{
    /// <summary>Screens a batch; any message's failure propagates (the queue redelivers; handled messages are skipped then).</summary>
    public async Task<IReadOnlyList<ScreeningResult>> ScreenAsync(IReadOnlyList<ChatMessage> messages, CancellationToken cancellationToken)
    {
        var attempts = await ScreenEachAsync(messages, cancellationToken);
        if (attempts.FirstOrDefault(a => a.Failed) is { Error: { } error })
        {
            ExceptionDispatchInfo.Throw(error);
        }

        return attempts.Select(a => a.Result!).ToList();
    }

    /// <summary>
    /// Screens a batch and settles each message on its own: a message that fails (its release, audit or case start)
    /// comes back with its error while the others complete. A fault of the whole batch (the pre-filter) throws.
    /// </summary>
    public Task<IReadOnlyList<ScreeningAttempt>> ScreenEachAsync(IReadOnlyList<ChatMessage> messages, CancellationToken cancellationToken) =>
        ScreenEachAsync(messages, null, cancellationToken);

    /// <summary>
    /// <see cref="ScreenEachAsync(IReadOnlyList{ChatMessage}, CancellationToken)"/> with what the host knows of each
    /// copy: a copy whose id was admitted before reuses the decision an earlier copy acted on, when conversation-aware
    /// screening would otherwise judge it against a conversation that has moved on (<see cref="ConversationScreening"/>).
    /// </summary>
    /// <param name="admissions">
    /// Per message, how its copy was admitted (a first copy's release then needs no reservation of its own); null
    /// when unknown, per message or as a whole.
    /// </param>
    public async Task<IReadOnlyList<ScreeningAttempt>> ScreenEachAsync(IReadOnlyList<ChatMessage> messages, IReadOnlyList<Admission?>? admissions, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(messages);
        if (admissions is not null && admissions.Count != messages.Count)
        {
            throw new ArgumentException($"{admissions.Count} admissions for {messages.Count} messages.", nameof(admissions));
        }

        var redeliveries = admissions?.Select(a => a?.Redelivery).ToList();
        if (messages.Count == 0)
        {
            return [];
        }

        var policy = ModerationPolicy.From(policyOptions.CurrentValue);
        var started = time.GetTimestamp();
        var scores = await prefilter.ScoreAsync(messages, cancellationToken);
        if (scores.Count != messages.Count)
        {
            throw new InvalidOperationException($"The pre-filter returned {scores.Count} scores for {messages.Count} messages.");
        }

        ModerationTelemetry.RecordPrefilter(scores, time.GetElapsedTime(started));
        var elapsedPerMessage = time.GetElapsedTime(started) / messages.Count;
        var views = conversations is null
            ? scores.Select(s => new ConversationView(s, null)).ToList()
            : await conversations.ScreenAsync(messages, scores, redeliveries, cancellationToken);
        var screened = messages.Select((message, i) => views[i] switch
        {
            { Earlier: ActedDecision.Released } => Reused(message, views[i].Score, policy, elapsedPerMessage),
            _ => Screen(message, views[i].Score, views[i].Context, policy, elapsedPerMessage),
        }).ToList();

        // Settled without acting: a copy that must wait (or whose look-up failed), and one whose case already exists.
        var attempts = new ScreeningAttempt[messages.Count];
        var settled = new bool[messages.Count];
        for (var i = 0; i < messages.Count; i++)
        {
            if (views[i].Error is { } error)
            {
                (attempts[i], settled[i]) = (new ScreeningAttempt(messages[i], null, error), true);
            }
            else if (views[i].Earlier == ActedDecision.Routed)
            {
                var decision = new ScreeningDecision(true, policy.Screen(views[i].Score).Threshold, [RoutedEarlierReason]);
                (attempts[i], settled[i]) = (new ScreeningAttempt(messages[i], new ScreeningResult(messages[i], views[i].Score, decision, ScreeningRoute.CaseAlreadyExists), null), true);
            }
        }

        // Messages are independent and routing is I/O, so the clean batch and the suspicious messages proceed at once.
        var cleanIndexes = Enumerable.Range(0, screened.Count).Where(i => !settled[i] && !screened[i].Decision.IsSuspicious).ToList();
        var suspiciousIndexes = Enumerable.Range(0, screened.Count).Where(i => !settled[i] && screened[i].Decision.IsSuspicious).ToList();
        var clean = ReleaseCleanAsync(cleanIndexes.Select(i => screened[i] with { Admission = admissions?[i] }).ToList(), cancellationToken);
        var suspicious = Task.WhenAll(suspiciousIndexes.Select(i => CaptureAsync(messages[i], () => StartCaseAsync(screened[i], policy, cancellationToken), cancellationToken)));
        foreach (var (index, attempt) in cleanIndexes.Zip(await clean).Concat(suspiciousIndexes.Zip(await suspicious)))
        {
            attempts[index] = attempt;
        }

        ModerationTelemetry.RecordScreened(attempts.Where(a => a.Result is not null).Select(a => a.Result!).ToList());
        return attempts;
    }

    /// <summary>A message after the pre-filter: its decision and the <see cref="AuditStage.Screened"/> record.</summary>
    private sealed record Screened(ChatMessage Message, PrefilterScore Score, ScreeningDecision Decision, AuditRecord Record, DateTime At, ConversationContext? Conversation)
    {
        public Admission? Admission { get; init; }
    }

    private Screened Screen(ChatMessage message, PrefilterScore score, ConversationContext? conversation, ModerationPolicy policy, TimeSpan elapsed)
    {
        var decision = policy.Screen(score, conversation?.SenderHistory);
        var now = time.GetUtcNow().UtcDateTime;
        var summary = decision.IsSuspicious ? "suspicious: " : "clean: ";
        var record = new AuditRecord(message.MessageId, AuditStage.Screened, now, summary + string.Join("; ", decision.Reasons), Message: message, Prefilter: score, Screening: decision, Elapsed: elapsed);
        return new Screened(message, score, decision, record, now, conversation);
    }

    private const string RoutedEarlierReason = "routed to a case on an earlier delivery of this message id; not screened again";

    /// <summary>
    /// A copy of a message an earlier copy released: released again (the delivery ledger makes that a no-op, or
    /// finishes a release the earlier copy left unconfirmed), with the pre-filter's own reasons for the audit trail.
    /// </summary>
    private Screened Reused(ChatMessage message, PrefilterScore score, ModerationPolicy policy, TimeSpan elapsed)
    {
        var alone = policy.Screen(score);
        var decision = new ScreeningDecision(false, alone.Threshold, ["released on an earlier delivery of this message id; not screened again", .. alone.Reasons]);
        var now = time.GetUtcNow().UtcDateTime;
        var record = new AuditRecord(message.MessageId, AuditStage.Screened, now, "clean: " + string.Join("; ", decision.Reasons), Message: message, Prefilter: score, Screening: decision, Elapsed: elapsed);
        return new Screened(message, score, decision, record, now, null);
    }

    /// <summary>
    /// The clean path of a batch: release all, then write both audit stages of every released message together. Release
    /// comes first: if the audit fails, the queue redelivers the message, the release is idempotent, and the audit is
    /// written on that attempt. A failed batch audit is retried one message at a time, so one bad record fails only its
    /// own message.
    /// </summary>
    private async Task<IReadOnlyList<ScreeningAttempt>> ReleaseCleanAsync(IReadOnlyList<Screened> batch, CancellationToken cancellationToken)
    {
        if (batch.Count == 0)
        {
            return [];
        }

        var spans = ModerationTelemetry.StartScreenings(batch.Select(s => (s.Message.MessageId, s.Decision)).ToList());
        IReadOnlyList<ScreeningAttempt> attempts = [];
        try
        {
            attempts = await ReleaseCleanBatchAsync(batch, cancellationToken);
            return attempts;
        }
        finally
        {
            ModerationTelemetry.EndScreenings(spans, attempts);
        }
    }

    private async Task<IReadOnlyList<ScreeningAttempt>> ReleaseCleanBatchAsync(IReadOnlyList<Screened> batch, CancellationToken cancellationToken)
    {
        var outcomes = batch.Select(s => new ModerationOutcome(s.Message.MessageId, Disposition.Released, DecidedBy.Prefilter, PolicyCategory.Clean, s.Decision.Reasons, s.At)).ToList();
        var releases = await delivery.TryReleaseAllAsync(batch.Select((s, i) => new DeliveryOrder(s.Message, outcomes[i]) { Admission = s.Admission }).ToList(), cancellationToken);
        if (releases.Count != batch.Count)
        {
            throw new InvalidOperationException($"The delivery gateway settled {releases.Count} releases for {batch.Count} orders.");
        }

        var attempts = new ScreeningAttempt[batch.Count];
        var released = new List<int>(batch.Count);
        for (var i = 0; i < batch.Count; i++)
        {
            if (releases[i].Error is { } error)
            {
                attempts[i] = new ScreeningAttempt(batch[i].Message, null, error);
            }
            else
            {
                released.Add(i);
            }
        }

        IReadOnlyList<AuditRecord> Records(int i) => [batch[i].Record, new AuditRecord(batch[i].Message.MessageId, AuditStage.Delivered, batch[i].At, "Released by Prefilter", Outcome: outcomes[i])];
        ScreeningAttempt Done(int i) =>
            new(batch[i].Message, new ScreeningResult(batch[i].Message, batch[i].Score, batch[i].Decision, releases[i].Sent ? ScreeningRoute.Released : ScreeningRoute.AlreadyReleased), null);

        try
        {
            await audit.RecordAllAsync(released.SelectMany(Records).ToList(), cancellationToken);
            foreach (var i in released)
            {
                attempts[i] = Done(i);
            }
        }
        catch (Exception ex) when (released.Count > 1 && !cancellationToken.IsCancellationRequested)
        {
            LogBatchAuditFailed(released.Count, ex.Message);
            await Task.WhenAll(released.Select(async i =>
                attempts[i] = await CaptureAsync(batch[i].Message, async () =>
                {
                    await audit.RecordAllAsync(Records(i), cancellationToken);
                    return Done(i).Result!;
                }, cancellationToken)));
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            attempts[released[0]] = new ScreeningAttempt(batch[released[0]].Message, null, ex);
        }

        return attempts;
    }

    private async Task<ScreeningResult> StartCaseAsync(Screened screened, ModerationPolicy policy, CancellationToken cancellationToken)
    {
        var message = screened.Message;

        // Current while the case starts, so Durable Task carries this trace into the case.
        using var span = ModerationTelemetry.StartScreening(message.MessageId, screened.Decision);
        await audit.RecordAsync(screened.Record with { Conversation = screened.Conversation }, cancellationToken);

        var started = await cases.StartCaseAsync(new ModerationCase(message, screened.Score, screened.Decision, policy) { Conversation = screened.Conversation }, cancellationToken);
        if (!started)
        {
            logger.LogInformation("Case {CaseId} already exists; duplicate inbound message ignored.", message.MessageId);
        }

        return new ScreeningResult(message, screened.Score, screened.Decision, started ? ScreeningRoute.CaseStarted : ScreeningRoute.CaseAlreadyExists);
    }

    private static async Task<ScreeningAttempt> CaptureAsync(ChatMessage message, Func<Task<ScreeningResult>> route, CancellationToken cancellationToken)
    {
        try
        {
            return new ScreeningAttempt(message, await route(), null);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            return new ScreeningAttempt(message, null, ex);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Auditing {Count} released messages together failed ({Error}); auditing them one at a time.")]
    private partial void LogBatchAuditFailed(int count, string error);
}
