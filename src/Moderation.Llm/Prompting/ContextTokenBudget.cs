using Microsoft.ML.Tokenizers;
using Moderation.Core.Conversations;

namespace Moderation.Llm.Prompting;

/// <summary>
/// Keeps the conversation context within a token budget before the call: the newest preceding messages are kept,
/// the oldest left out first. Tokens are counted with the o200k encoding of current OpenAI models, per message text
/// plus the envelope each message is wrapped in.
/// </summary>
public sealed class ContextTokenBudget
{
    /// <summary>Tokens of the JSON around each context message (keys, role, quotes, separators), a little over the real count.</summary>
    public const int EnvelopeTokensPerMessage = 16;

    private static readonly Lazy<Tokenizer> O200k = new(() => TiktokenTokenizer.CreateForEncoding("o200k_base"));

    public ContextTokenBudget(int maxTokens, Tokenizer? tokenizer = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxTokens);
        MaxTokens = maxTokens;
        Tokenizer = tokenizer ?? (maxTokens == 0 ? null : O200k.Value);
    }

    public static ContextTokenBudget None { get; } = new(0);

    public int MaxTokens { get; }

    private Tokenizer? Tokenizer { get; }

    /// <summary>Tokens one context message costs.</summary>
    public int Count(ConversationTurn turn)
    {
        ArgumentNullException.ThrowIfNull(turn);
        return Tokenizer is null ? 0 : Tokenizer.CountTokens(turn.Text) + EnvelopeTokensPerMessage;
    }

    /// <summary>The newest messages (oldest first, as given) that fit the budget together.</summary>
    public IReadOnlyList<ConversationTurn> Trim(IReadOnlyList<ConversationTurn> context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (MaxTokens == 0 || context.Count == 0)
        {
            return [];
        }

        var used = 0;
        var first = context.Count;
        for (var i = context.Count - 1; i >= 0; i--)
        {
            var cost = Count(context[i]);
            if (used + cost > MaxTokens)
            {
                break;
            }

            used += cost;
            first = i;
        }

        return context.Skip(first).ToList();
    }
}
