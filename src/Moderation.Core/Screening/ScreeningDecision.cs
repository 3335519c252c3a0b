using System.Diagnostics.CodeAnalysis;
using System.Text.Json.Serialization;
using Moderation.Core.Messages;
using Moderation.Core.Serialization;

namespace Moderation.Core.Screening;

/// <summary>The routing decision for one message after the pre-filter.</summary>
/// <param name="IsSuspicious">True: open a moderation case. False: release at once.</param>
/// <param name="Threshold">The threshold that was applied.</param>
/// <param name="Reasons">Why (rule ids, score vs threshold), for the audit trail.</param>
public sealed record ScreeningDecision(bool IsSuspicious, double Threshold, IReadOnlyList<string> Reasons);

/// <summary>What happened to one inbound message at the screening step.</summary>
[JsonConverter(typeof(WireEnumConverter<ScreeningRoute>))]
public enum ScreeningRoute
{
    /// <summary>Clean: released to the recipient at once.</summary>
    Released,

    /// <summary>Suspicious: a moderation case was started.</summary>
    CaseStarted,

    /// <summary>Suspicious, and a case for this message id already existed (a duplicate queue message).</summary>
    CaseAlreadyExists,

    /// <summary>Clean, and this message id was already delivered (a duplicate queue message): nothing was sent.</summary>
    AlreadyReleased,
}

/// <summary>The result of screening one message.</summary>
public sealed record ScreeningResult(ChatMessage Message, PrefilterScore Score, ScreeningDecision Decision, ScreeningRoute Route);

/// <summary>One message of a screened batch: its result, or the error that stopped it (the queue retries that message).</summary>
public sealed record ScreeningAttempt(ChatMessage Message, ScreeningResult? Result, Exception? Error)
{
    [MemberNotNullWhen(false, nameof(Result))]
    [MemberNotNullWhen(true, nameof(Error))]
    public bool Failed => Error is not null;
}
