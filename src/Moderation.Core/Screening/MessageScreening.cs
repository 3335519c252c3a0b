using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Moderation.Core.Audit;
using Moderation.Core.Cases;
using Moderation.Core.Conversations;
using Moderation.Core.Delivery;
using Moderation.Core.Messages;
using Moderation.Core.Policy;
using Moderation.Core.Workflow;

namespace Moderation.Core.Screening;

/// <summary>
/// Tier one, the step behind the inbound queue trigger: score a batch, release clean messages at once, start a case
/// for each suspicious one. Any exception propagates so the queue redelivers the message; every step is idempotent
/// per message id, so a redelivery never releases twice or opens a second case.
/// </summary>
/// <param name="cases">Where suspicious messages become cases: the host's Durable Task client.</param>
/// <param name="conversations">Adds split-message rule hits, context and sender history; null: each message is judged alone.</param>
public sealed class MessageScreening(
    IMessagePrefilter prefilter,
    IModerationCaseClient cases,
    IDeliveryGateway delivery,
    IAuditLog audit,
    IOptionsMonitor<ModerationPolicyOptions> policyOptions,
    TimeProvider time,
    ILogger<MessageScreening> logger,
    ConversationScreening? conversations = null)
{
    public async Task<IReadOnlyList<ScreeningResult>> ScreenAsync(IReadOnlyList<ChatMessage> messages, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(messages);
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

        var elapsedPerMessage = time.GetElapsedTime(started) / messages.Count;
        var views = conversations is null
            ? scores.Select(s => new ConversationView(s, null)).ToList()
            : await conversations.ScreenAsync(messages, scores, cancellationToken);

        // Messages are independent and routing is I/O (audit, delivery, case start), so a batch is routed concurrently.
        return await Task.WhenAll(messages.Select((message, i) => RouteAsync(message, views[i].Score, views[i].Context, policy, elapsedPerMessage, cancellationToken)));
    }

    private async Task<ScreeningResult> RouteAsync(ChatMessage message, PrefilterScore score, ConversationContext? conversation, ModerationPolicy policy, TimeSpan elapsed, CancellationToken cancellationToken)
    {
        var decision = policy.Screen(score, conversation?.SenderHistory);
        var now = time.GetUtcNow().UtcDateTime;
        var summary = decision.IsSuspicious ? "suspicious: " : "clean: ";
        var screened = new AuditRecord(message.MessageId, AuditStage.Screened, now, summary + string.Join("; ", decision.Reasons), Message: message, Prefilter: score, Screening: decision, Elapsed: elapsed);

        if (!decision.IsSuspicious)
        {
            // Release first, then both audit stages in one write: if the audit fails, the queue redelivers the message,
            // the release is idempotent, and the audit is written on that attempt.
            var outcome = new ModerationOutcome(message.MessageId, Disposition.Released, DecidedBy.Prefilter, PolicyCategory.Clean, decision.Reasons, now);
            var sent = await delivery.TryReleaseAsync(new DeliveryOrder(message, outcome), cancellationToken);
            await audit.RecordAllAsync([screened, new AuditRecord(message.MessageId, AuditStage.Delivered, now, "Released by Prefilter", Outcome: outcome)], cancellationToken);
            return new ScreeningResult(message, score, decision, sent ? ScreeningRoute.Released : ScreeningRoute.AlreadyReleased);
        }

        await audit.RecordAsync(screened with { Conversation = conversation }, cancellationToken);

        var started = await cases.StartCaseAsync(new ModerationCase(message, score, decision, policy) { Conversation = conversation }, cancellationToken);
        if (!started)
        {
            logger.LogInformation("Case {CaseId} already exists; duplicate inbound message ignored.", message.MessageId);
        }

        return new ScreeningResult(message, score, decision, started ? ScreeningRoute.CaseStarted : ScreeningRoute.CaseAlreadyExists);
    }
}
