using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Azure.Storage.Blobs;
using Azure.Storage.Queues;
using Microsoft.Extensions.Options;
using Moderation.Core.Serialization;

namespace Moderation.Storage.Queues;

/// <summary>
/// Writes outbound envelopes as JSON queue messages, moving any envelope too large for the queue into a blob and
/// enqueueing a <see cref="ClaimCheckEnvelope"/> instead (a chat message may be 100 KB; a queue message holds 48 KiB).
/// </summary>
public sealed class QueueBodyWriter
{
    /// <summary>Largest body sent inline: 64 KiB of Base64 carries 48 KiB.</summary>
    public const int MaxInlineBytes = 48 * 1024;

    /// <summary>
    /// Our options, but non-ASCII text stays as UTF-8 instead of \uXXXX escapes, which would inflate a message in most
    /// scripts six-fold. Safe here: consumers parse these bodies as JSON, never embed them in HTML.
    /// </summary>
    public static JsonSerializerOptions JsonOptions { get; } = new(ModerationJson.Options) { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private readonly BlobContainerClient payloads;

    public QueueBodyWriter(StorageConnection connection, IOptions<StorageOptions> options)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(options);
        payloads = connection.CreateBlobContainerClient(options.Value.PayloadContainer);
    }

    /// <summary>Sends <paramref name="envelope"/> to <paramref name="queue"/>; returns true when it went by claim check.</summary>
    /// <param name="id">The envelope's id; names the blob, so a retried send overwrites rather than duplicates it.</param>
    public async Task<bool> SendAsync<T>(QueueClient queue, string id, T envelope, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(queue);
        var body = JsonSerializer.SerializeToUtf8Bytes(envelope, JsonOptions);
        if (body.Length <= MaxInlineBytes)
        {
            await queue.SendMessageAsync(Encoding.UTF8.GetString(body), cancellationToken);
            return false;
        }

        // Blob first, then the pointer: a crash in between leaves an unreferenced blob, never a dangling pointer.
        var blobName = $"{queue.Name}/{id}.json";
        await payloads.GetBlobClient(blobName).UploadAsync(new BinaryData(body), overwrite: true, cancellationToken);
        var pointer = new ClaimCheckEnvelope(1, id, new ClaimCheck(payloads.Name, blobName, body.Length));
        await queue.SendMessageAsync(JsonSerializer.Serialize(pointer, JsonOptions), cancellationToken);
        return true;
    }

    /// <summary>Reads an outbound body, following a claim check to its blob (for consumers and tests).</summary>
    public async Task<string> ReadBodyAsync(string queueBody, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(queueBody);
        using var document = JsonDocument.Parse(queueBody);
        if (!document.RootElement.TryGetProperty("claimCheck", out var claim))
        {
            return queueBody;
        }

        var blob = claim.GetProperty("blob").GetString()!;
        var content = await payloads.GetBlobClient(blob).DownloadContentAsync(cancellationToken);
        return content.Value.Content.ToString();
    }
}
