using Moderation.Core.Audit;
using Moderation.Core.Classification;
using Moderation.Core.Delivery;
using Moderation.Core.Messages;
using Moderation.Core.Policy;
using Moderation.Core.Review;
using Moderation.Core.Screening;

namespace Moderation.Evaluation.Tests.Quality;

/// <summary>A hand-written audit trail of seven messages with known numbers (see the expectations in the tests).</summary>
internal static class AuditTrailFixture
{
    public static readonly DateTime Day1 = new(2026, 3, 1, 9, 0, 0, DateTimeKind.Utc);
    public static readonly DateTime Day2 = new(2026, 3, 2, 9, 0, 0, DateTimeKind.Utc);

    /// <summary>
    /// Day 1: two clean messages; case "c-agree" (LLM and reviewer: off_platform_contact, reviewed in 10 min);
    /// case "c-llm-wrong" (LLM scam_phishing, reviewer harassment, 30 min); case "c-false-alarm" (LLM off_platform_contact,
    /// reviewer releases, 20 min). Day 2: case "c-timeout" (LLM failed, review timed out after 24 h) and case
    /// "c-llm-decided" (LLM blocks with confidence, no review). One more message on day 3, outside the period.
    /// </summary>
    public static IReadOnlyList<IReadOnlyList<AuditRecord>> Cases() =>
    [
        Clean("m-clean-1", Day1),
        Clean("m-clean-2", Day1.AddMinutes(1)),
        Reviewed("c-agree", Day1.AddMinutes(2), PolicyCategory.OffPlatformContact, ReviewAction.Block, PolicyCategory.OffPlatformContact, TimeSpan.FromMinutes(10), "contact.phone"),
        Reviewed("c-llm-wrong", Day1.AddMinutes(3), PolicyCategory.ScamPhishing, ReviewAction.Block, PolicyCategory.Harassment, TimeSpan.FromMinutes(30), "conduct.insult"),
        Reviewed("c-false-alarm", Day1.AddMinutes(4), PolicyCategory.OffPlatformContact, ReviewAction.Release, PolicyCategory.Clean, TimeSpan.FromMinutes(20), "contact.phone"),
        TimedOut("c-timeout", Day2),
        LlmDecided("c-llm-decided", Day2.AddMinutes(1)),
        Clean("m-later", Day2.AddDays(1)),
    ];

    public static ChatMessage Message(string id) => new(
        id, "conv-1", "pro-7", ParticipantRole.Professional, "cust-3", ParticipantRole.Customer, "message " + id, new DateTimeOffset(Day1), "en-GB", null);

    private static PrefilterScore Score(double score, params string[] rules) =>
        new(score, 0.5, "cnn-test@1", rules.Select(r => new RuleHit(r, r, "x")).ToList());

    private static LlmVerdict Verdict(PolicyCategory category, double confidence = 0.6) =>
        new(category, confidence, "why", [], "gpt-test", "prompt-1", new TokenUsage(100, 20, 0.001m));

    private static IReadOnlyList<AuditRecord> Clean(string id, DateTime at)
    {
        var message = Message(id);
        return
        [
            new AuditRecord(id, AuditStage.Screened, at, "clean", Message: message, Prefilter: Score(0.1), Screening: new ScreeningDecision(false, 0.5, ["below threshold"])),
            new AuditRecord(id, AuditStage.Delivered, at, "Released by Prefilter", Outcome: new ModerationOutcome(id, Disposition.Released, DecidedBy.Prefilter, PolicyCategory.Clean, [], at)),
        ];
    }

    private static IReadOnlyList<AuditRecord> Reviewed(string id, DateTime at, PolicyCategory llm, ReviewAction action, PolicyCategory reviewer, TimeSpan wait, string rule)
    {
        var message = Message(id);
        var decision = new ReviewDecision("rev-1", action, reviewer, null, new DateTimeOffset(at + wait));
        var disposition = action == ReviewAction.Block ? Disposition.Blocked : Disposition.Released;
        return
        [
            new AuditRecord(id, AuditStage.Screened, at, "suspicious", Message: message, Prefilter: Score(0.8, rule), Screening: new ScreeningDecision(true, 0.5, ["score"])),
            new AuditRecord(id, AuditStage.LlmClassified, at.AddSeconds(2), "verdict", Message: message, Verdict: Verdict(llm)),
            new AuditRecord(id, AuditStage.ReviewRequested, at.AddSeconds(3), "uncertain"),
            new AuditRecord(id, AuditStage.ReviewDecided, at + wait, "decided", ReviewDecision: decision, Elapsed: wait),
            new AuditRecord(id, AuditStage.Delivered, at + wait, "by reviewer", Outcome: new ModerationOutcome(id, disposition, DecidedBy.Reviewer, reviewer, [], at + wait)),
        ];
    }

    private static IReadOnlyList<AuditRecord> TimedOut(string id, DateTime at)
    {
        var message = Message(id);
        return
        [
            new AuditRecord(id, AuditStage.Screened, at, "suspicious", Message: message, Prefilter: Score(0.7), Screening: new ScreeningDecision(true, 0.5, ["score"])),
            new AuditRecord(id, AuditStage.LlmFailed, at.AddMinutes(1), "LLM unavailable", Message: message, Error: "429"),
            new AuditRecord(id, AuditStage.ReviewRequested, at.AddMinutes(1), "LLM failed"),
            new AuditRecord(id, AuditStage.ReviewTimedOut, at.AddHours(24), "default", Elapsed: TimeSpan.FromHours(24)),
            new AuditRecord(id, AuditStage.Delivered, at.AddHours(24), "Blocked by Timeout", Outcome: new ModerationOutcome(id, Disposition.Blocked, DecidedBy.Timeout, null, [], at.AddHours(24))),
        ];
    }

    private static IReadOnlyList<AuditRecord> LlmDecided(string id, DateTime at)
    {
        var message = Message(id);
        return
        [
            new AuditRecord(id, AuditStage.Screened, at, "suspicious", Message: message, Prefilter: Score(0.9, "contact.phone"), Screening: new ScreeningDecision(true, 0.5, ["score"])),
            new AuditRecord(id, AuditStage.LlmClassified, at.AddSeconds(2), "verdict", Message: message, Verdict: Verdict(PolicyCategory.OffPlatformContact, 0.97)),
            new AuditRecord(id, AuditStage.Delivered, at.AddSeconds(3), "Blocked by Llm", Outcome: new ModerationOutcome(id, Disposition.Blocked, DecidedBy.Llm, PolicyCategory.OffPlatformContact, [], at.AddSeconds(3))),
        ];
    }
}
