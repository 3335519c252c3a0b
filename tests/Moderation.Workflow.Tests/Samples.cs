using Moderation.Core.Classification;
using Moderation.Core.Messages;
using Moderation.Core.Policy;
using Moderation.Core.Review;
using Moderation.Core.Screening;
using Moderation.Core.Workflow;

namespace Moderation.Workflow.Tests;

/// <summary>Small, readable test data; review deadlines of seconds so the real timers fire within a test.</summary>
internal static class Samples
{
    public static readonly DateTimeOffset SentAt = new(2026, 3, 14, 9, 0, 0, TimeSpan.Zero);

    /// <summary>The default policy with a short review deadline and fast classification retries.</summary>
    public static ModerationPolicy Policy(TimeSpan? reviewTimeout = null, int classificationAttempts = 3) =>
        ModerationPolicy.Default with
        {
            ReviewTimeout = reviewTimeout ?? TimeSpan.FromSeconds(3),
            ClassificationRetry = new ActivityRetryPolicy(classificationAttempts, TimeSpan.FromMilliseconds(100)),
        };

    public static ChatMessage Message(string id) =>
        new(id, "conv-42", "cust-7", ParticipantRole.Customer, "pro-9", ParticipantRole.Professional, "Can you text me at five five five, 123 4567 instead?", SentAt, "en-US");

    /// <param name="ruleHit">Whether the rule screen flagged the message too (a verdict that clears a rule hit goes to a human).</param>
    public static ModerationCase Case(string id, ModerationPolicy? policy = null, bool ruleHit = true)
    {
        policy ??= Policy();
        RuleHit[] hits = ruleHit ? [new RuleHit("contact.phone", "Phone number", "five five five, 123 4567")] : [];
        var score = new PrefilterScore(0.8, 0.35, "prefilter-cnn@1.0.0", hits);
        return new ModerationCase(Message(id), score, policy.Screen(score), policy);
    }

    public static LlmClassification Classified(PolicyCategory category, double confidence) =>
        LlmClassification.Classified(new LlmVerdict(category, confidence, "One sentence.", ["evidence"], "gpt-4o-mini-ft-moderation", "prompt-3f2a9c", new TokenUsage(412, 38, 0.0001m)));

    public static ReviewDecision Release(string reviewer = "rev-1") => new(reviewer, ReviewAction.Release, PolicyCategory.Clean, "Fine.", SentAt.AddMinutes(5));

    public static ReviewDecision Block(PolicyCategory category, string reviewer = "rev-1") => new(reviewer, ReviewAction.Block, category, "Not allowed here.", SentAt.AddMinutes(5));

    public static string NewId(string label) => $"{label}-{Guid.NewGuid():N}"[..Math.Min(label.Length + 13, 60)];
}
