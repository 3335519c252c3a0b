using System.Text.Json;
using Azure;
using Azure.Data.Tables;
using Microsoft.Extensions.Options;
using Moderation.Core.Review;
using Moderation.Core.Serialization;

namespace Moderation.Storage.Review;

/// <summary>
/// <see cref="IReviewDecisionClaims"/> on Azure Table storage: one row per case in <c>ModerationReviewDecisions</c>
/// (PK the case id). A claim is an insert, which the table service makes atomic: of any number of concurrent callers
/// on any number of instances exactly one insert succeeds, and that is the decision. Take-over and release are
/// conditional on the row's ETag.
/// </summary>
public sealed class TableReviewDecisionClaims : IReviewDecisionClaims
{
    private const string RowKey = "decision";
    private const string DecisionProperty = "Decision";
    private const string ClaimedAtProperty = "ClaimedAt";
    private const string RaisedProperty = "Raised";

    private readonly TableClient table;

    public TableReviewDecisionClaims(StorageConnection connection, IOptions<StorageOptions> options)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(options);
        table = connection.CreateTableClient(options.Value.Tables.ReviewDecisions);
    }

    public async Task<(bool Won, ReviewDecisionClaim Claim)> TryClaimAsync(string caseId, ReviewDecision decision, DateTimeOffset claimedAt, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(decision);
        var row = new TableEntity(caseId, RowKey)
        {
            [DecisionProperty] = JsonSerializer.Serialize(decision, ModerationJson.Options),
            [ClaimedAtProperty] = claimedAt,
            [RaisedProperty] = false,
        };
        try
        {
            var response = await table.AddEntityAsync(row, cancellationToken);
            return (true, new ReviewDecisionClaim(caseId, decision, claimedAt, false, response.Headers.ETag?.ToString() ?? string.Empty));
        }
        catch (RequestFailedException ex) when (ex.Status == 409)
        {
        }

        // Lost the insert: read the winner. A winner that released its claim in between leaves no row; claim again.
        var existing = await table.GetEntityIfExistsAsync<TableEntity>(caseId, RowKey, cancellationToken: cancellationToken);
        if (!existing.HasValue || existing.Value is null)
        {
            return await TryClaimAsync(caseId, decision, claimedAt, cancellationToken);
        }

        return (false, ToClaim(existing.Value));
    }

    public async Task MarkRaisedAsync(ReviewDecisionClaim claim, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(claim);
        var row = new TableEntity(claim.CaseId, RowKey) { [RaisedProperty] = true };
        await table.UpdateEntityAsync(row, ETag.All, TableUpdateMode.Merge, cancellationToken);
    }

    public async Task<bool> ReleaseAsync(ReviewDecisionClaim claim, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(claim);
        try
        {
            await table.DeleteEntityAsync(claim.CaseId, RowKey, new ETag(claim.Version), cancellationToken);
            return true;
        }
        catch (RequestFailedException ex) when (ex.Status is 404 or 412)
        {
            return false;
        }
    }

    public async Task<ReviewDecisionClaim?> TryTakeOverAsync(ReviewDecisionClaim claim, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(claim);
        var row = new TableEntity(claim.CaseId, RowKey) { [ClaimedAtProperty] = now };
        try
        {
            var response = await table.UpdateEntityAsync(row, new ETag(claim.Version), TableUpdateMode.Merge, cancellationToken);
            return claim with { ClaimedAt = now, Version = response.Headers.ETag?.ToString() ?? string.Empty };
        }
        catch (RequestFailedException ex) when (ex.Status is 404 or 412)
        {
            return null;
        }
    }

    private static ReviewDecisionClaim ToClaim(TableEntity row)
    {
        var decision = JsonSerializer.Deserialize<ReviewDecision>(row.GetString(DecisionProperty) ?? "null", ModerationJson.Options)
            ?? throw new InvalidOperationException($"The decision claim of case '{row.PartitionKey}' has no decision.");
        return new ReviewDecisionClaim(
            row.PartitionKey,
            decision,
            row.GetDateTimeOffset(ClaimedAtProperty) ?? DateTimeOffset.MinValue,
            row.GetBoolean(RaisedProperty) ?? false,
            row.ETag.ToString());
    }
}
