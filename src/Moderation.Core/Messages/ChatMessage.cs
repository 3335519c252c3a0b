using System.Text.Json.Serialization;
using Moderation.Core.Serialization;

namespace Moderation.Core.Messages;

/// <summary>Who a participant is in the conversation; policies differ for customers and professionals.</summary>
[JsonConverter(typeof(WireEnumConverter<ParticipantRole>))]
public enum ParticipantRole
{
    Unknown = 0,
    Customer,
    Professional,
    Player,
    Staff,
}

/// <summary>A chat message between two users, as the product puts it on the inbound queue.</summary>
/// <param name="MessageId">Unique per message; it is also the moderation case id, so a duplicate queue message maps to the same case.</param>
public sealed record ChatMessage(
    string MessageId,
    string ConversationId,
    string SenderId,
    ParticipantRole SenderRole,
    string RecipientId,
    ParticipantRole RecipientRole,
    string Text,
    DateTimeOffset SentAt,
    string? Locale = null,
    IReadOnlyDictionary<string, string>? Metadata = null)
{
    /// <summary>Longest message id we accept; ids become storage keys and orchestration instance ids.</summary>
    public const int MaxIdLength = 200;

    /// <summary>Returns the reasons this message cannot be moderated, or an empty list if it is well formed.</summary>
    public IReadOnlyList<string> Validate()
    {
        var problems = new List<string>();
        CheckId(MessageId, nameof(MessageId), problems);
        CheckId(ConversationId, nameof(ConversationId), problems);
        CheckId(SenderId, nameof(SenderId), problems);
        CheckId(RecipientId, nameof(RecipientId), problems);
        if (Text is null)
        {
            problems.Add("Text is required (it may be empty, but not missing).");
        }

        if (SentAt == default)
        {
            problems.Add("SentAt is required.");
        }

        return problems;
    }

    private static void CheckId(string? value, string name, List<string> problems)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            problems.Add($"{name} is required.");
            return;
        }

        if (value.Length > MaxIdLength)
        {
            problems.Add($"{name} is longer than {MaxIdLength} characters.");
        }

        // Ids become table keys and orchestration instance ids, where these characters are not allowed.
        if (value.AsSpan().IndexOfAny("/\\#?") >= 0 || value.Any(char.IsControl))
        {
            problems.Add($"{name} contains a character that is not allowed ('/', '\\', '#', '?' or a control character).");
        }
    }
}
