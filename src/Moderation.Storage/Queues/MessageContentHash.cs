using System.Security.Cryptography;
using System.Text;
using Moderation.Core.Messages;

namespace Moderation.Storage.Queues;

/// <summary>
/// The identity of a message's content: SHA-256 over who says what to whom, where (conversation, sender and role,
/// recipient and role, locale, text), each field length-prefixed so no two field lists share an encoding. Delivery
/// metadata (sent time, metadata bag) is left out: a product may re-send the same message with fresh metadata.
/// </summary>
public static class MessageContentHash
{
    public const string Prefix = "sha256:";

    public static string Compute(ChatMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        Span<byte> length = stackalloc byte[4];
        foreach (var field in new[]
                 {
                     message.ConversationId, message.SenderId, message.SenderRole.ToString(), message.RecipientId,
                     message.RecipientRole.ToString(), message.Locale ?? string.Empty, message.Text,
                 })
        {
            var bytes = Encoding.UTF8.GetBytes(field ?? string.Empty);
            System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(length, bytes.Length);
            hash.AppendData(length);
            hash.AppendData(bytes);
        }

        return Prefix + Convert.ToHexStringLower(hash.GetHashAndReset());
    }
}
