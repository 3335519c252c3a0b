using Moderation.Core.Messages;

namespace Moderation.Llm.Tests.Fakes;

internal static class Messages
{
    public static ChatMessage From(string text, string id = "msg-1") =>
        new(id, "conv-1", "sender-1", ParticipantRole.Professional, "recipient-1", ParticipantRole.Customer, text, new DateTimeOffset(2026, 11, 24, 10, 0, 0, TimeSpan.Zero));
}
