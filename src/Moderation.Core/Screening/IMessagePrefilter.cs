using Moderation.Core.Messages;

namespace Moderation.Core.Screening;

/// <summary>
/// Port: scores messages cheaply (rule screen + model). Must be thread-safe and must never throw for odd text
/// (empty, huge, invalid surrogates, any script): such input gets a score and a note instead.
/// </summary>
public interface IMessagePrefilter
{
    /// <summary>Scores a batch; the result has one entry per message, in the same order.</summary>
    ValueTask<IReadOnlyList<PrefilterScore>> ScoreAsync(IReadOnlyList<ChatMessage> messages, CancellationToken cancellationToken);
}
