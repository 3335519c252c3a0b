using Moderation.Core.Classification;
using Moderation.Core.Delivery;
using Moderation.Core.Messages;
using Moderation.Core.Policy;
using Moderation.Core.Review;
using Moderation.Core.Screening;
using Moderation.Core.Workflow;

namespace Moderation.Testing;

/// <summary>Small, readable test data: one suspicious message (a phone number) and what the tiers say about it.</summary>
public static class Samples
{
    public static readonly DateTime Start = new(2026, 3, 14, 9, 0, 0, DateTimeKind.Utc);

    public static readonly DateTimeOffset SentAt = new(Start);

    public static RuleHit PhoneHit { get; } = new("contact.phone", "Phone number", "five five five, 123 4567");

    public static ChatMessage Message(string text = "Can you text me at five five five, 123 4567 instead?", string id = "msg-001") =>
        new(id, "conv-42", "cust-7", ParticipantRole.Customer, "pro-9", ParticipantRole.Professional, text, SentAt, "en-US");

    public static PrefilterScore Score(double score = 0.8, params RuleHit[] hits) =>
        new(score, 0.35, "prefilter-cnn@1.0.0", hits);

    /// <summary>The default policy with a short review deadline and fast classification retries, for the real durable timers.</summary>
    public static ModerationPolicy Policy(TimeSpan? reviewTimeout = null, int classificationAttempts = 3) =>
        ModerationPolicy.Default with
        {
            ReviewTimeout = reviewTimeout ?? TimeSpan.FromSeconds(3),
            ClassificationRetry = new ActivityRetryPolicy(classificationAttempts, TimeSpan.FromMilliseconds(100)),
        };

    public static ModerationCase Case(ModerationPolicy? policy = null, PrefilterScore? score = null, ChatMessage? message = null)
    {
        policy ??= ModerationPolicy.Default;
        score ??= Score();
        return new ModerationCase(message ?? Message(), score, policy.Screen(score), policy);
    }

    /// <summary>A case with its own id, under <see cref="Policy"/> unless told otherwise.</summary>
    /// <param name="ruleHit">Whether the rule screen flagged the message too (a verdict that clears a rule hit goes to a human).</param>
    public static ModerationCase Case(string id, ModerationPolicy? policy = null, bool ruleHit = true)
    {
        policy ??= Policy();
        var score = ruleHit ? Score(0.8, PhoneHit) : Score(0.8);
        return new ModerationCase(Message(id: id), score, policy.Screen(score), policy);
    }

    public static LlmVerdict Verdict(PolicyCategory category = PolicyCategory.OffPlatformContact, double confidence = 0.6) =>
        new(category, confidence, "One sentence.", ["evidence"], "gpt-4o-mini-ft-moderation", "prompt-3f2a9c", new TokenUsage(412, 38, 0.0001m));

    public static LlmClassification Classified(PolicyCategory category, double confidence) => LlmClassification.Classified(Verdict(category, confidence));

    public static ReviewDecision Release(string reviewer = "rev-1") => new(reviewer, ReviewAction.Release, PolicyCategory.Clean, "Fine.", SentAt.AddMinutes(5));

    public static ReviewDecision Block(PolicyCategory category = PolicyCategory.OffPlatformContact, string reviewer = "rev-1") =>
        new(reviewer, ReviewAction.Block, category, "Sharing a phone number.", SentAt.AddMinutes(5));

    /// <summary>What the workflow decided for a message, a second after it was sent.</summary>
    public static ModerationOutcome Outcome(ChatMessage message, Disposition disposition, PolicyCategory? category = null, DecidedBy decidedBy = DecidedBy.Prefilter) => new(
        message.MessageId,
        disposition,
        decidedBy,
        category ?? (disposition == Disposition.Released ? PolicyCategory.Clean : PolicyCategory.OffPlatformContact),
        ["test"],
        Start.AddSeconds(1));

    /// <summary>A review request for a message flagged by the phone rule, due a day after it was sent.</summary>
    public static ReviewRequest ReviewRequest(ChatMessage message) =>
        new(message.MessageId, message, Score(0.8, PhoneHit), Verdict(), "LLM confidence 0.6 below 0.9", Start, Start.AddHours(24));

    /// <summary>Text that compresses poorly (so payload splitting is really exercised), the same for the same seed.</summary>
    public static string IncompressibleText(int length, int seed = 7)
    {
        var random = new Random(seed);
        const string alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 éßøПривет你好";
        return string.Create(length, random, (span, r) =>
        {
            for (var i = 0; i < span.Length; i++)
            {
                span[i] = alphabet[r.Next(alphabet.Length)];
            }
        });
    }

    /// <summary>An id unique to one test run (cases on a shared engine or storage never collide).</summary>
    public static string NewId(string label) => $"{label}-{Guid.NewGuid():N}"[..Math.Min(label.Length + 13, 60)];
}
