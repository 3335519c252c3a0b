using System.Text.Json.Serialization;
using Moderation.Core.Classification;
using Moderation.Core.Conversations;
using Moderation.Core.Delivery;
using Moderation.Core.Messages;
using Moderation.Core.Policy;
using Moderation.Core.Screening;
using Moderation.Core.Serialization;

namespace Moderation.Core.Workflow;

/// <summary>
/// The input of a moderation case. The case id (and orchestration instance id) is the message id, so a duplicate
/// queue message can never start a second case. The policy is captured at start so replays are deterministic.
/// </summary>
public sealed record ModerationCase(ChatMessage Message, PrefilterScore Prefilter, ScreeningDecision Screening, ModerationPolicy Policy)
{
    /// <summary>The conversation around the message, captured at screening; null for cases started without it.</summary>
    public ConversationContext? Conversation { get; init; }

    public string CaseId => Message.MessageId;
}

/// <summary>Where a case is in the workflow.</summary>
[JsonConverter(typeof(WireEnumConverter<CaseStage>))]
public enum CaseStage
{
    Classifying,
    AwaitingReview,
    Delivering,
    Completed,
}

/// <summary>The workflow's custom status: what a client (the case API, the review callback) can see while it runs.</summary>
public sealed record CaseProgress(
    CaseStage Stage,
    LlmVerdict? Verdict = null,
    string? ReviewReason = null,
    DateTime? ReviewDeadline = null,
    ModerationOutcome? Outcome = null);
