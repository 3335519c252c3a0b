using Moderation.Core.Classification;
using Moderation.Core.Messages;
using Moderation.Core.Policy;
using Moderation.Core.Review;
using Moderation.Core.Screening;
using Moderation.Core.Workflow;

namespace Moderation.Functions.Tests.Fakes;

/// <summary>Small, readable test data.</summary>
internal static class Samples
{
    public static readonly DateTime Start = new(2026, 3, 14, 9, 0, 0, DateTimeKind.Utc);

    public static ChatMessage Message(string id = "msg-001") =>
        new(id, "conv-42", "cust-7", ParticipantRole.Customer, "pro-9", ParticipantRole.Professional, "Can you text me at five five five, 123 4567 instead?", new DateTimeOffset(Start), "en-US");

    public static ModerationCase Case(string id = "msg-001")
    {
        var policy = ModerationPolicy.Default;
        var score = new PrefilterScore(0.8, 0.35, "prefilter-cnn@1.0.0", [new RuleHit("contact.phone", "Phone number", "five five five, 123 4567")]);
        return new ModerationCase(Message(id), score, policy.Screen(score), policy);
    }

    public static LlmClassification Classified(PolicyCategory category, double confidence) =>
        LlmClassification.Classified(new LlmVerdict(category, confidence, "One sentence.", ["evidence"], "gpt-4o-mini-ft-moderation", "prompt-3f2a9c", new TokenUsage(412, 38, 0.0001m)));

    public static ReviewDecision Release(string reviewer = "rev-1") =>
        new(reviewer, ReviewAction.Release, PolicyCategory.Clean, "Fine.", new DateTimeOffset(Start.AddMinutes(5)));

    public static ReviewDecision Block(string reviewer = "rev-1") =>
        new(reviewer, ReviewAction.Block, PolicyCategory.OffPlatformContact, "Sharing a phone number.", new DateTimeOffset(Start.AddMinutes(5)));
}
