using Azure;
using Azure.Data.Tables;
using Microsoft.Extensions.Options;

namespace Moderation.Storage.Review;

/// <summary>
/// The nonces of signed review-tool requests, one row each in <c>ModerationSignatureNonces</c> (PK the nonce), so a
/// captured request cannot be replayed on any instance. Recording is an insert: the service refuses a second insert
/// of the same key atomically. A row past its expiry no longer counts (its request's timestamp fails the skew check
/// anyway) and is removed by <see cref="PurgeExpiredAsync"/>.
/// </summary>
public sealed class TableSignatureNonces
{
    private const string RowKey = "nonce";
    private const string ExpiresAtProperty = "ExpiresAt";

    private readonly TableClient table;
    private readonly TimeProvider time;

    public TableSignatureNonces(StorageConnection connection, IOptions<StorageOptions> options, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(options);
        table = connection.CreateTableClient(options.Value.Tables.SignatureNonces);
        this.time = time;
    }

    /// <summary>True when this is the nonce's first use (or its earlier use expired); false for a replay.</summary>
    public async Task<bool> TryRecordAsync(string nonce, DateTimeOffset expiresAt, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(nonce);
        var row = new TableEntity(nonce, RowKey) { [ExpiresAtProperty] = expiresAt };
        try
        {
            await table.AddEntityAsync(row, cancellationToken);
            return true;
        }
        catch (RequestFailedException ex) when (ex.Status == 409)
        {
        }

        var existing = await table.GetEntityIfExistsAsync<TableEntity>(nonce, RowKey, cancellationToken: cancellationToken);
        if (existing.HasValue && existing.Value is { } entity && entity.GetDateTimeOffset(ExpiresAtProperty) is { } expiry && expiry <= time.GetUtcNow())
        {
            // An expired row: take it over, unless another caller does so first (the ETag decides).
            try
            {
                await table.UpdateEntityAsync(row, entity.ETag, TableUpdateMode.Replace, cancellationToken);
                return true;
            }
            catch (RequestFailedException ex) when (ex.Status is 412 or 404)
            {
                return false;
            }
        }

        return false;
    }

    /// <summary>Deletes expired rows; returns how many.</summary>
    public async Task<int> PurgeExpiredAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var purged = 0;
        await foreach (var row in table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"ExpiresAt lt {now}"), select: ["PartitionKey", "RowKey", ExpiresAtProperty], cancellationToken: cancellationToken))
        {
            try
            {
                await table.DeleteEntityAsync(row.PartitionKey, row.RowKey, row.ETag, cancellationToken);
                purged++;
            }
            catch (RequestFailedException ex) when (ex.Status is 404 or 412)
            {
                // Deleted or reused meanwhile.
            }
        }

        return purged;
    }
}
