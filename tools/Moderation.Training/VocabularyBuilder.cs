using Moderation.Prefilter.Model;

namespace Moderation.Training;

/// <summary>Builds the vocabulary from the training split only: words seen at least the minimum count, most frequent first.</summary>
public static class VocabularyBuilder
{
    public static PrefilterVocabulary Build(IEnumerable<string> trainingTexts, PrefilterHyperParameters hyperParameters, int maxWords = 30_000)
    {
        ArgumentNullException.ThrowIfNull(trainingTexts);
        ArgumentNullException.ThrowIfNull(hyperParameters);
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var text in trainingTexts)
        {
            foreach (var token in PrefilterTokenizer.Tokenize(PrefilterTextNormalizer.Normalize(text), hyperParameters.MaxLength))
            {
                counts[token] = counts.GetValueOrDefault(token) + 1;
            }
        }

        var words = counts
            .Where(pair => pair.Value >= hyperParameters.MinWordCount && !pair.Key.StartsWith('<'))
            .OrderByDescending(pair => pair.Value)
            .ThenBy(pair => pair.Key, StringComparer.Ordinal)
            .Take(maxWords)
            .Select(pair => pair.Key)
            .ToList();
        return new PrefilterVocabulary(words, hyperParameters.HashBuckets, PrefilterTextNormalizer.Version);
    }
}
