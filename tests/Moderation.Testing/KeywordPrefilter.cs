using Moderation.Core.Messages;
using Moderation.Core.Screening;

namespace Moderation.Testing;

/// <summary>
/// Scores 0.95 when the text contains "suspicious", else 0.05; throws for "explode" (a pre-filter fault); for "stall"
/// waits for <see cref="Stall"/> without observing cancellation, as a native scorer mid-batch does.
/// </summary>
public sealed class KeywordPrefilter : IMessagePrefilter
{
    public int Calls { get; private set; }

    public TaskCompletionSource Stall { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public TaskCompletionSource Stalled { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public async ValueTask<IReadOnlyList<PrefilterScore>> ScoreAsync(IReadOnlyList<ChatMessage> messages, CancellationToken cancellationToken)
    {
        Calls++;
        if (messages.Any(m => m.Text.Contains("stall", StringComparison.Ordinal)))
        {
            Stalled.TrySetResult();
            await Stall.Task;
        }

        if (messages.Any(m => m.Text.Contains("explode", StringComparison.Ordinal)))
        {
            throw new InvalidOperationException("pre-filter fault on purpose");
        }

        return messages
            .Select(m => new PrefilterScore(m.Text.Contains("suspicious", StringComparison.Ordinal) ? 0.95 : 0.05, 0.5, "keyword-fake@1", []))
            .ToList();
    }
}
