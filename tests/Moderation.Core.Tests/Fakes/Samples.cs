using Moderation.Core.Classification;
using Moderation.Core.Messages;
using Moderation.Core.Policy;
using Moderation.Core.Review;
using Moderation.Core.Screening;
using Moderation.Core.Workflow;

namespace Moderation.Core.Tests.Fakes;

/// <summary>Small, readable test data.</summary>
internal static class Samples
{
    public static readonly DateTime Start = new(2026, 3, 14, 9, 0, 0, DateTimeKind.Utc);

    public static ChatMessage Message(string text = "Can you text me at five five five, 123 4567 instead?", string id = "msg-001") =>
        new(id, "conv-42", "cust-7", ParticipantRole.Customer, "pro-9", ParticipantRole.Professional, text, new DateTimeOffset(Start), "en-US");

    public static PrefilterScore Score(double score = 0.8, params RuleHit[] hits) =>
        new(score, 0.35, "prefilter-cnn@1.0.0", hits);

    public static RuleHit PhoneHit { get; } = new("contact.phone", "Phone number", "five five five, 123 4567");

    public static ModerationCase Case(ModerationPolicy? policy = null, PrefilterScore? score = null, ChatMessage? message = null)
    {
        policy ??= ModerationPolicy.Default;
        score ??= Score();
        return new ModerationCase(message ?? Message(), score, policy.Screen(score), policy);
    }

    public static LlmVerdict Verdict(PolicyCategory category, double confidence) =>
        new(category, confidence, "One sentence.", ["evidence"], "gpt-4o-mini-ft-moderation", "prompt-3f2a9c", new TokenUsage(412, 38, 0.0001m));

    public static LlmClassification Classified(PolicyCategory category, double confidence) => LlmClassification.Classified(Verdict(category, confidence));

    public static ReviewDecision Release(string reviewer = "rev-1") => new(reviewer, ReviewAction.Release, PolicyCategory.Clean, "Fine.", new DateTimeOffset(Start.AddMinutes(5)));

    public static ReviewDecision Block(PolicyCategory category = PolicyCategory.OffPlatformContact, string reviewer = "rev-1") =>
        new(reviewer, ReviewAction.Block, category, "Sharing a phone number.", new DateTimeOffset(Start.AddMinutes(5)));
}
