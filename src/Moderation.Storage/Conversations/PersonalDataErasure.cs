using System.Text.Json;
using System.Text.Json.Nodes;
using Azure.Storage.Blobs;
using Microsoft.Extensions.Options;
using Moderation.Core.Audit;
using Moderation.Core.Conversations;
using Moderation.Core.Review;
using Moderation.Storage.Audit;

namespace Moderation.Storage.Conversations;

/// <summary>What an erasure removed.</summary>
/// <param name="ConversationMessages">Stored conversation messages deleted.</param>
/// <param name="SenderHistoryCases">Sender history rows deleted.</param>
/// <param name="AuditCases">Cases whose audit rows were rewritten without text.</param>
/// <param name="AuditRows">Audit rows rewritten.</param>
/// <param name="PayloadBlobsDeleted">Claim-check blobs holding the party's own messages, deleted.</param>
/// <param name="PayloadBlobsRewritten">Claim-check blobs of other cases whose context quoted the party, rewritten without it.</param>
/// <param name="ReviewQueueCases">Cases in the reviewers' queue whose entries were rewritten without text.</param>
public sealed record ErasureReport(int ConversationMessages, int SenderHistoryCases, int AuditCases, int AuditRows, int PayloadBlobsDeleted, int PayloadBlobsRewritten, int ReviewQueueCases);

/// <summary>
/// Erases a sender's (or a whole conversation's) texts from storage: the conversation store, the sender history, the
/// audit trail (rows rewritten through <see cref="AuditRedaction"/>, so stages, scores and outcomes stay countable),
/// the reviewers' queue index (entries rewritten the same way, the cases still listed) and the payload blobs of large
/// queue bodies. Idempotent: running it again finds nothing more to remove.
/// Messages still waiting in the outbound queues belong to their consumers and are not touched.
/// </summary>
public sealed class PersonalDataErasure(
    IConversationStore conversations,
    ISenderHistoryStore senderHistory,
    TableAuditLog audit,
    IReviewQueue reviewQueue,
    StorageConnection connection,
    IOptions<StorageOptions> options)
{
    private readonly BlobContainerClient payloads = connection.CreateBlobContainerClient(options.Value.PayloadContainer);

    public async Task<ErasureReport> EraseSenderAsync(string senderId, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(senderId);
        var messages = await conversations.EraseSenderAsync(senderId, cancellationToken);
        var history = await senderHistory.EraseSenderAsync(senderId, cancellationToken);
        var (cases, rows) = await RedactAuditAsync(senderId, null, cancellationToken);
        var (deleted, rewritten) = await ScrubPayloadsAsync("senderId", senderId, cancellationToken);
        var queued = await reviewQueue.RedactAsync(senderId, null, cancellationToken);
        return new ErasureReport(messages, history, cases, rows, deleted, rewritten, queued);
    }

    public async Task<ErasureReport> EraseConversationAsync(string conversationId, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(conversationId);
        var messages = await conversations.EraseConversationAsync(conversationId, cancellationToken);
        var (cases, rows) = await RedactAuditAsync(null, conversationId, cancellationToken);
        var (deleted, rewritten) = await ScrubPayloadsAsync("conversationId", conversationId, cancellationToken);
        var queued = await reviewQueue.RedactAsync(null, conversationId, cancellationToken);
        return new ErasureReport(messages, 0, cases, rows, deleted, rewritten, queued);
    }

    private async Task<(int Cases, int Rows)> RedactAuditAsync(string? senderId, string? conversationId, CancellationToken cancellationToken)
    {
        // Matching cases are collected first, so rows are not rewritten under the scan that finds them.
        var own = new List<IReadOnlyList<AuditRecord>>();
        var quoting = new List<IReadOnlyList<AuditRecord>>();
        await foreach (var records in audit.ReadAllCasesAsync(cancellationToken))
        {
            if (records.Any(r => AuditRedaction.Concerns(r, senderId, conversationId)))
            {
                own.Add(records);
            }
            else if (records.Any(r => AuditRedaction.QuotesContext(r, senderId)))
            {
                quoting.Add(records);
            }
        }

        var rows = 0;
        foreach (var record in own.SelectMany(r => r))
        {
            await audit.RecordAsync(AuditRedaction.Redact(record, senderId), cancellationToken);
            rows++;
        }

        // Other people's cases keep their own text; only the erased sender's messages leave their context.
        foreach (var record in quoting.SelectMany(r => r).Where(r => AuditRedaction.QuotesContext(r, senderId)))
        {
            await audit.RecordAsync(AuditRedaction.WithoutContextOf(record, senderId!), cancellationToken);
            rows++;
        }

        return (own.Count + quoting.Count, rows);
    }

    private async Task<(int Deleted, int Rewritten)> ScrubPayloadsAsync(string property, string value, CancellationToken cancellationToken)
    {
        var (deleted, rewritten) = (0, 0);
        if (!await payloads.ExistsAsync(cancellationToken))
        {
            return (0, 0);
        }

        await foreach (var item in payloads.GetBlobsAsync(cancellationToken: cancellationToken))
        {
            var blob = payloads.GetBlobClient(item.Name);
            var content = (await blob.DownloadContentAsync(cancellationToken)).Value.Content;
            JsonNode? root;
            try
            {
                root = JsonNode.Parse(content.ToMemory().Span);
            }
            catch (JsonException)
            {
                continue;
            }

            // The envelope's own message (a delivery, or the message of a review request) is the party's: delete it.
            var own = root?["message"] ?? root?["request"]?["message"];
            if (Matches(own, property, value))
            {
                await blob.DeleteIfExistsAsync(cancellationToken: cancellationToken);
                deleted++;
                continue;
            }

            // Otherwise the party may appear as context of someone else's case: drop those turns, keep the rest.
            if (root is not null && RemoveMatching(root, property, value))
            {
                await blob.UploadAsync(BinaryData.FromString(root.ToJsonString()), overwrite: true, cancellationToken);
                rewritten++;
            }
        }

        return (deleted, rewritten);
    }

    private static bool Matches(JsonNode? node, string property, string value) =>
        node is JsonObject obj && obj[property] is JsonValue v && v.TryGetValue<string>(out var s) && s == value;

    private static bool RemoveMatching(JsonNode node, string property, string value)
    {
        var removed = false;
        switch (node)
        {
            case JsonArray array:
                for (var i = array.Count - 1; i >= 0; i--)
                {
                    if (Matches(array[i], property, value))
                    {
                        array.RemoveAt(i);
                        removed = true;
                    }
                    else if (array[i] is { } child)
                    {
                        removed |= RemoveMatching(child, property, value);
                    }
                }

                break;
            case JsonObject obj:
                foreach (var (_, child) in obj.ToList())
                {
                    if (child is not null)
                    {
                        removed |= RemoveMatching(child, property, value);
                    }
                }

                break;
        }

        return removed;
    }
}
