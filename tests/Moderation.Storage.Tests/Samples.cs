using Moderation.Core.Classification;
using Moderation.Core.Delivery;
using Moderation.Core.Messages;
using Moderation.Core.Policy;
using Moderation.Core.Review;
using Moderation.Core.Screening;

namespace Moderation.Storage.Tests;

/// <summary>Hand-made domain values for the storage tests.</summary>
internal static class Samples
{
    public static readonly DateTimeOffset SentAt = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);

    public static ChatMessage Message(string? id = null, string text = "Can you come on Tuesday at 9?") => new(
        id ?? "msg-" + Guid.NewGuid().ToString("N")[..12],
        "conv-1",
        "pro-7",
        ParticipantRole.Professional,
        "cust-3",
        ParticipantRole.Customer,
        text,
        SentAt,
        "en-GB",
        new Dictionary<string, string> { ["channel"] = "app" });

    public static ModerationOutcome Outcome(ChatMessage message, Disposition disposition, PolicyCategory? category = null, DecidedBy decidedBy = DecidedBy.Prefilter) => new(
        message.MessageId,
        disposition,
        decidedBy,
        category ?? (disposition == Disposition.Released ? PolicyCategory.Clean : PolicyCategory.OffPlatformContact),
        ["test"],
        SentAt.UtcDateTime.AddSeconds(1));

    public static PrefilterScore Score(double score = 0.8) =>
        new(score, 0.5, "cnn-test@1", [new RuleHit("contact.phone", "phone number", "07700 900123")]);

    public static LlmVerdict Verdict(PolicyCategory category = PolicyCategory.OffPlatformContact, double confidence = 0.6) =>
        new(category, confidence, "Shares a phone number.", ["07700 900123"], "gpt-test", "prompt-abc", new TokenUsage(120, 30, 0.0002m));

    public static ReviewRequest ReviewRequest(ChatMessage message) =>
        new(message.MessageId, message, Score(), Verdict(), "LLM confidence 0.6 below 0.9", SentAt.UtcDateTime, SentAt.UtcDateTime.AddHours(24));

    /// <summary>Text that compresses poorly, so payload splitting is really exercised.</summary>
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
}
