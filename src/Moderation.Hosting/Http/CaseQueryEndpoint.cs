using Moderation.Core.Audit;
using Moderation.Core.Cases;
using Moderation.Core.Classification;
using Moderation.Core.Delivery;
using Moderation.Core.Review;
using Moderation.Core.Workflow;
using Moderation.Hosting.Http.Authentication;

namespace Moderation.Hosting.Http;

/// <summary>One stage of the audit trail as the case API shows it (summaries only, not the stage payloads).</summary>
public sealed record CaseAuditEntry(AuditStage Stage, DateTime RecordedAt, string Summary, string? Error, TimeSpan? Elapsed);

/// <summary>
/// What <c>GET /api/cases/{caseId}</c> returns. <see cref="State"/> is null for a message the pre-filter released
/// (it never became a workflow case; its audit trail still says what happened).
/// </summary>
public sealed record CaseView(
    string CaseId,
    CaseRuntimeState? State,
    CaseStage? Stage,
    LlmVerdict? Verdict,
    string? ReviewReason,
    DateTime? ReviewDeadline,
    ModerationOutcome? Outcome,
    DateTime? CreatedAt,
    DateTime? LastUpdatedAt,
    IReadOnlyList<CaseAuditEntry> Audit)
{
    /// <summary>The preceding messages, split-hit contributors and sender history the case was routed with (what the LLM and the review request saw).</summary>
    public Core.Conversations.ConversationContext? Conversation { get; init; }

    /// <summary>Builds the view from the runtime snapshot (null when no workflow exists) and the audit trail.</summary>
    public static CaseView? From(string caseId, CaseSnapshot? snapshot, IReadOnlyList<AuditRecord> audit)
    {
        ArgumentNullException.ThrowIfNull(audit);
        if (snapshot is null && audit.Count == 0)
        {
            return null;
        }

        var progress = snapshot?.Progress;
        var delivered = audit.FirstOrDefault(r => r.Stage == AuditStage.Delivered)?.Outcome;
        var outcome = snapshot?.Outcome ?? progress?.Outcome ?? delivered;
        var verdict = progress?.Verdict ?? audit.FirstOrDefault(r => r.Stage == AuditStage.LlmClassified)?.Verdict;
        var stage = progress?.Stage ?? (delivered is not null || snapshot?.State == CaseRuntimeState.Completed ? CaseStage.Completed : null);
        return new CaseView(
            caseId,
            snapshot?.State,
            stage,
            verdict,
            progress?.ReviewReason,
            progress?.ReviewDeadline,
            outcome,
            snapshot?.CreatedAt ?? audit.Min(r => (DateTime?)r.RecordedAt),
            snapshot?.LastUpdatedAt ?? audit.Max(r => (DateTime?)r.RecordedAt),
            audit.Select(r => new CaseAuditEntry(r.Stage, r.RecordedAt, r.Summary, r.Error, r.Elapsed)).ToList())
        {
            Conversation = audit.FirstOrDefault(r => r.Stage == AuditStage.Screened)?.Conversation,
        };
    }
}

/// <summary>
/// <c>GET /api/cases/{caseId}</c> for both hosts: 200 with a <see cref="CaseView"/>, 401 or 404 problem details. The view
/// carries verdict evidence (spans of the message), so callers authenticate as review callbacks do: a key, or an HMAC
/// signature of the GET with an empty body.
/// </summary>
public sealed class CaseQueryEndpoint(IModerationCaseClient cases, IAuditLog auditLog, ReviewCallbackAuthenticator authenticator)
{
    public const string Route = "/api/cases/{caseId}";

    public async Task<HttpReply> GetAsync(string caseId, ReviewCallbackCredentials credentials, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(credentials);
        var instance = Route.Replace("{caseId}", Uri.EscapeDataString(caseId ?? string.Empty), StringComparison.Ordinal);
        var authentication = await authenticator.AuthenticateAsync("GET", instance, credentials, ReadOnlyMemory<byte>.Empty, cancellationToken);
        if (!authentication.Succeeded)
        {
            return HttpReply.Problem(401, "Unauthorized", authentication.Failure ?? "Not authenticated.", instance: instance);
        }

        if (string.IsNullOrWhiteSpace(caseId))
        {
            return HttpReply.Problem(400, "Invalid case id", "caseId is required.", instance: instance);
        }

        var snapshot = await cases.GetCaseAsync(caseId, cancellationToken);
        var audit = await auditLog.ReadCaseAsync(caseId, cancellationToken);
        var view = CaseView.From(caseId, snapshot, audit);
        return view is null
            ? HttpReply.Problem(404, "Unknown case", $"No moderation case '{caseId}'.", instance: instance)
            : HttpReply.Ok(view);
    }
}
