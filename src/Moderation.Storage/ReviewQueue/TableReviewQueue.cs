using System.Buffers.Text;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Azure;
using Azure.Data.Tables;
using Microsoft.Extensions.Options;
using Moderation.Core.Delivery;
using Moderation.Core.Policy;
using Moderation.Core.Review;
using Moderation.Core.Serialization;
using Moderation.Core.Workflow;

namespace Moderation.Storage.ReviewQueue;

/// <summary>
/// <see cref="IReviewQueue"/> on Azure Table storage (table <c>ModerationReviewQueue</c>). Every listing the API offers
/// is one partition whose row keys sort in the listing's order, so a page is a single range read however many cases
/// wait:
/// <list type="bullet">
/// <item>waiting cases: partition <c>awaiting_review~*~*</c> (and <c>~*~&lt;category&gt;</c>), row key the deadline's ticks then the case id: oldest deadline first;</item>
/// <item>finished cases: partitions <c>completed~&lt;disposition or *&gt;~&lt;category or *&gt;</c>, row key the inverted decision time: newest first;</item>
/// <item>partition <c>case</c>, row key the case id: where the case is filed, so delivery can move it without knowing its deadline.</item>
/// </list>
/// Writes are upserts and deletes of fixed keys, so retried activities converge on the same rows.
/// </summary>
public sealed class TableReviewQueue : IReviewQueue
{
    private const string LookupPartition = "case";
    private const string WaitingKeyProperty = "WaitingKey";
    private const string WaitingCategoryProperty = "WaitingCategory";
    private const string RequestedAtProperty = "RequestedAt";
    private const string DeadlineProperty = "Deadline";
    private const string EntryProperty = "Entry";
    private const string Any = "*";

    /// <summary>A string property holds at most 64 KiB (32K UTF-16 characters); a long message spreads over several.</summary>
    private const int ChunkChars = 30_000;

    /// <summary>Enough for any chat message while staying well under the 1 MiB entity limit.</summary>
    private const int MaxChunks = 12;

    private readonly TableClient table;

    public TableReviewQueue(StorageConnection connection, IOptions<StorageOptions> options)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(options);
        table = connection.CreateTableClient(options.Value.Tables.ReviewQueue);
    }

    public async Task AddWaitingAsync(ReviewRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var entry = ReviewQueueEntry.From(request);
        var key = CaseKey(entry.CaseId);
        var waitingKey = $"{entry.Deadline.ToUniversalTime().Ticks.ToString("D19", CultureInfo.InvariantCulture)}~{key}";
        var category = CategoryKey(entry.Category);

        // The lookup first: a case indexed as waiting can always be found and moved by delivery.
        var lookup = Entity(LookupPartition, key, entry);
        lookup[WaitingKeyProperty] = waitingKey;
        lookup[WaitingCategoryProperty] = category;
        await table.UpsertEntityAsync(lookup, TableUpdateMode.Replace, cancellationToken);
        await Task.WhenAll(
            table.UpsertEntityAsync(Entity(Partition(CaseStage.AwaitingReview, Any, Any), waitingKey, entry), TableUpdateMode.Replace, cancellationToken),
            table.UpsertEntityAsync(Entity(Partition(CaseStage.AwaitingReview, Any, category), waitingKey, entry), TableUpdateMode.Replace, cancellationToken));
    }

    public async Task FinishAsync(ModerationOutcome outcome, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(outcome);
        var key = CaseKey(outcome.CaseId);
        var lookup = await table.GetEntityIfExistsAsync<TableEntity>(LookupPartition, key, cancellationToken: cancellationToken);
        if (!lookup.HasValue || lookup.Value is null)
        {
            // Decided without a reviewer ever being asked: never in the review queue.
            return;
        }

        var entry = Decode(lookup.Value) with { Outcome = outcome };
        var finishedKey = $"{(DateTime.MaxValue.Ticks - outcome.DecidedAt.ToUniversalTime().Ticks).ToString("D19", CultureInfo.InvariantCulture)}~{key}";
        var disposition = outcome.Disposition == Disposition.Released ? "released" : "blocked";
        var category = CategoryKey(entry.Category);
        var writes = new[] { (Any, Any), (disposition, Any), (Any, category), (disposition, category) }
            .Select(p => table.UpsertEntityAsync(Entity(Partition(CaseStage.Completed, p.Item1, p.Item2), finishedKey, entry), TableUpdateMode.Replace, cancellationToken));
        await Task.WhenAll(writes);

        // Filed as finished before it leaves the waiting partitions, so a failure in between shows it twice, never nowhere.
        if (lookup.Value.GetString(WaitingKeyProperty) is { } waitingKey)
        {
            var waitingCategory = lookup.Value.GetString(WaitingCategoryProperty) ?? Any;
            await Task.WhenAll(
                DeleteIfExistsAsync(Partition(CaseStage.AwaitingReview, Any, Any), waitingKey, cancellationToken),
                DeleteIfExistsAsync(Partition(CaseStage.AwaitingReview, Any, waitingCategory), waitingKey, cancellationToken));
        }
    }

    public async Task<ReviewQueuePage> ListAsync(ReviewQueueQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        if (query.Stage is not (CaseStage.AwaitingReview or CaseStage.Completed))
        {
            throw new ArgumentException("Only waiting (awaiting_review) and finished (completed) cases are listed.", nameof(query));
        }

        var disposition = query.Stage == CaseStage.Completed && query.Disposition is { } d ? (d == Disposition.Released ? "released" : "blocked") : Any;
        var partition = Partition(query.Stage, disposition, query.Category is { } c ? CategoryKey(c) : Any);
        var pageSize = Math.Clamp(query.PageSize, 1, ReviewQueueQuery.MaxPageSize);
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {partition}");
        var pages = table.QueryAsync<TableEntity>(filter, pageSize, cancellationToken: cancellationToken).AsPages(DecodeToken(query.ContinuationToken), pageSize);
        await foreach (var page in pages)
        {
            // The service may answer a page with no rows but a continuation (a query that hit a time or partition
            // boundary): that is not the end of the list, so read on.
            if (page.Values.Count > 0 || page.ContinuationToken is null)
            {
                return new ReviewQueuePage(page.Values.Select(Decode).ToList(), EncodeToken(page.ContinuationToken));
            }
        }

        return new ReviewQueuePage([], null);
    }

    public async Task<ReviewQueueDepth> GetDepthAsync(CancellationToken cancellationToken)
    {
        // Only the one column: a page of 1000 keys is small, so counting 10,000 waiting cases is ten light reads.
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {Partition(CaseStage.AwaitingReview, Any, Any)}");
        var waiting = 0;
        DateTime? oldest = null;
        await foreach (var row in table.QueryAsync<TableEntity>(filter, 1000, [RequestedAtProperty], cancellationToken))
        {
            waiting++;
            if (row.GetDateTimeOffset(RequestedAtProperty) is { } requestedAt && (oldest is null || requestedAt.UtcDateTime < oldest))
            {
                oldest = requestedAt.UtcDateTime;
            }
        }

        return new ReviewQueueDepth(waiting, oldest);
    }

    public async Task<int> PurgeFinishedBeforeAsync(DateTime decidedBefore, CancellationToken cancellationToken)
    {
        // Finished rows sort newest first (inverted decision ticks), so everything decided before the cutoff is one key
        // range at the end of each finished partition; the lookup rows of those cases go with them.
        var from = (DateTime.MaxValue.Ticks - decidedBefore.ToUniversalTime().Ticks + 1).ToString("D19", CultureInfo.InvariantCulture);
        var categories = Enum.GetValues<PolicyCategory>().Select(c => CategoryKey(c)).Append(CategoryKey(null)).Append(Any).ToList();
        var partitions = new[] { Any, "released", "blocked" }.SelectMany(d => categories.Select(c => Partition(CaseStage.Completed, d, c)));
        var cases = new HashSet<string>(StringComparer.Ordinal);
        foreach (var partition in partitions)
        {
            var filter = TableClient.CreateQueryFilter($"PartitionKey eq {partition} and RowKey ge {from}");
            var rows = new List<string>();
            await foreach (var row in table.QueryAsync<TableEntity>(filter, 1000, ["RowKey"], cancellationToken))
            {
                rows.Add(row.RowKey);
            }

            foreach (var chunk in rows.Chunk(100))
            {
                try
                {
                    await table.SubmitTransactionAsync(chunk.Select(r => new TableTransactionAction(TableTransactionActionType.Delete, new TableEntity(partition, r), ETag.All)), cancellationToken);
                }
                catch (RequestFailedException ex) when (ex.Status == 404)
                {
                    // Another instance's purge removed some of them meanwhile: the rest one by one.
                    await Task.WhenAll(chunk.Select(r => DeleteIfExistsAsync(partition, r, cancellationToken)));
                }
            }

            if (partition == Partition(CaseStage.Completed, Any, Any))
            {
                cases.UnionWith(rows.Select(r => r[(r.IndexOf('~', StringComparison.Ordinal) + 1)..]));
            }
        }

        foreach (var chunk in cases.Chunk(100))
        {
            await Task.WhenAll(chunk.Select(key => DeleteIfExistsAsync(LookupPartition, key, cancellationToken)));
        }

        return cases.Count;
    }

    public async Task<int> RedactAsync(string? senderId, string? conversationId, CancellationToken cancellationToken)
    {
        // Every row holds the whole entry (lookup, waiting and finished partitions alike), so the scan rewrites each
        // row of a concerned case; rows already without text are left, which makes a second run a no-op.
        var rewrites = new List<TableEntity>();
        var cases = new HashSet<string>(StringComparer.Ordinal);
        await foreach (var row in table.QueryAsync<TableEntity>(cancellationToken: cancellationToken))
        {
            var entry = Decode(row);
            if (entry.Message.Text.Length == 0 || !Core.Audit.AuditRedaction.Concerns(entry.Message, senderId, conversationId))
            {
                continue;
            }

            var redacted = Entity(row.PartitionKey, row.RowKey, entry.Redacted(senderId));
            foreach (var key in new[] { WaitingKeyProperty, WaitingCategoryProperty }.Where(row.ContainsKey))
            {
                redacted[key] = row[key];
            }

            rewrites.Add(redacted);
            cases.Add(entry.CaseId);
        }

        foreach (var row in rewrites)
        {
            // Replace, not merge: the shorter entry must not keep the old text's trailing chunks.
            await table.UpsertEntityAsync(row, TableUpdateMode.Replace, cancellationToken);
        }

        return cases.Count;
    }

    /// <summary>Case ids are free text; percent-encoding keeps every character table keys forbid ('/', '\', '#', '?') out.</summary>
    internal static string CaseKey(string caseId) => Uri.EscapeDataString(caseId);

    internal static string Partition(CaseStage stage, string disposition, string category) =>
        $"{(stage == CaseStage.AwaitingReview ? "awaiting_review" : "completed")}~{disposition}~{category}";

    private static string CategoryKey(PolicyCategory? category) => category is { } c ? c.WireName() : "unclassified";

    private async Task DeleteIfExistsAsync(string partition, string row, CancellationToken cancellationToken)
    {
        try
        {
            await table.DeleteEntityAsync(partition, row, ETag.All, cancellationToken);
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
        }
    }

    private static TableEntity Entity(string partition, string row, ReviewQueueEntry entry)
    {
        var entity = new TableEntity(partition, row)
        {
            [RequestedAtProperty] = DateTime.SpecifyKind(entry.RequestedAt, DateTimeKind.Utc),
            [DeadlineProperty] = DateTime.SpecifyKind(entry.Deadline, DateTimeKind.Utc),
        };
        var json = JsonSerializer.Serialize(Fit(entry), ModerationJson.Options);
        for (var i = 0; i * ChunkChars < json.Length; i++)
        {
            entity[EntryProperty + i.ToString(CultureInfo.InvariantCulture)] = json.Substring(i * ChunkChars, Math.Min(ChunkChars, json.Length - (i * ChunkChars)));
        }

        return entity;
    }

    /// <summary>A message too long for one row keeps its beginning; the case API still has the whole case.</summary>
    private static ReviewQueueEntry Fit(ReviewQueueEntry entry)
    {
        var room = (ChunkChars * MaxChunks) - 20_000;
        return entry.Message.Text.Length <= room ? entry : entry with { Message = entry.Message with { Text = entry.Message.Text[..room] } };
    }

    private static ReviewQueueEntry Decode(TableEntity entity)
    {
        var json = new StringBuilder();
        for (var i = 0; entity.GetString(EntryProperty + i.ToString(CultureInfo.InvariantCulture)) is { } chunk; i++)
        {
            json.Append(chunk);
        }

        return JsonSerializer.Deserialize<ReviewQueueEntry>(json.ToString(), ModerationJson.Options)
            ?? throw new InvalidOperationException($"Review queue row {entity.PartitionKey}/{entity.RowKey} has no entry.");
    }

    private static string? EncodeToken(string? token) =>
        token is null ? null : Base64Url.EncodeToString(Encoding.UTF8.GetBytes(token));

    private static string? DecodeToken(string? token)
    {
        if (string.IsNullOrEmpty(token))
        {
            return null;
        }

        try
        {
            return Encoding.UTF8.GetString(Base64Url.DecodeFromChars(token));
        }
        catch (FormatException)
        {
            throw new ArgumentException("The continuation token is malformed; pass back the one a previous page returned.", nameof(token));
        }
    }
}
