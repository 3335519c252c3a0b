using System.Globalization;
using Microsoft.Extensions.Options;
using Moderation.Core.Messages;
using Moderation.Core.Screening;
using Moderation.Prefilter.Model;
using Moderation.Prefilter.Rules;

namespace Moderation.Prefilter;

/// <summary>
/// Tier one behind <see cref="IMessagePrefilter"/>: the rule screen on every message and the model on batches of at
/// most <see cref="PrefilterOptions.MaxBatchSize"/>. The score is the model's; rule hits travel beside it, and the
/// routing policy decides what they mean. Odd input (empty, oversized, broken UTF-16) is scored and noted, never
/// rejected.
/// </summary>
public sealed class RuleAndModelPrefilter(IPrefilterModel model, RuleScreen rules, IOptions<PrefilterOptions> options) : IMessagePrefilter
{
    private readonly int maxBatchSize = Math.Max(1, options.Value.MaxBatchSize);

    public ValueTask<IReadOnlyList<PrefilterScore>> ScoreAsync(IReadOnlyList<ChatMessage> messages, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var manifest = model.Manifest;
        var results = new PrefilterScore[messages.Count];
        for (var start = 0; start < messages.Count; start += maxBatchSize)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var count = Math.Min(maxBatchSize, messages.Count - start);
            var texts = new string[count];
            for (var i = 0; i < count; i++)
            {
                texts[i] = messages[start + i]?.Text ?? string.Empty;
            }

            var scores = model.Score(texts);
            if (scores.Length != count)
            {
                throw new InvalidOperationException($"The model {manifest.ModelVersion} returned {scores.Length} scores for {count} texts.");
            }

            for (var i = 0; i < count; i++)
            {
                var notes = new List<string>();
                NoteOddInput(texts[i], notes);
                var hits = rules.Screen(texts[i], notes);
                results[start + i] = new PrefilterScore(scores[i], manifest.Threshold, manifest.ModelVersion, hits, notes.Count == 0 ? null : notes);
            }
        }

        return ValueTask.FromResult<IReadOnlyList<PrefilterScore>>(results);
    }

    /// <summary>Remarks for the audit trail on input the model may score poorly.</summary>
    internal static void NoteOddInput(string text, ICollection<string> notes)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            notes.Add("Empty message.");
            return;
        }

        if (text.Length > PrefilterTextNormalizer.MaxInputChars)
        {
            notes.Add(string.Create(
                CultureInfo.InvariantCulture,
                $"Long message ({text.Length} characters): the model scored the first {PrefilterTextNormalizer.MaxInputChars}; the rules scanned all of it."));
        }

        var letterOrDigit = false;
        var brokenSurrogates = false;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                letterOrDigit |= char.IsLetterOrDigit(text, i);
                i++;
            }
            else if (char.IsSurrogate(c))
            {
                brokenSurrogates = true;
            }
            else
            {
                letterOrDigit |= char.IsLetterOrDigit(c);
            }
        }

        if (brokenSurrogates)
        {
            notes.Add("Invalid UTF-16 (unpaired surrogate) in the message; the model saw it replaced by U+FFFD.");
        }

        if (!letterOrDigit)
        {
            notes.Add("No letters or digits in the message (symbols or emoji only).");
        }
    }
}
