using Moderation.Evaluation.Data;
using Moderation.Prefilter.Model;
using Moderation.Training;

namespace Moderation.Training.Tests;

/// <summary>
/// A small generated corpus: clean messages are built from everyday words; suspicious ones additionally contain an
/// insult or a spam phrase somewhere in the message, so only the words (not the length) tell the classes apart.
/// </summary>
internal static class SyntheticCorpus
{
    private static readonly string[] Everyday = ["hello", "thanks", "see", "you", "tomorrow", "the", "parcel", "arrived", "lunch", "meeting", "great", "photo", "weekend", "train", "late", "coffee", "dinner", "call", "later", "ok"];
    private static readonly string[] Insults = ["idiot", "moron", "loser", "trash"];
    private static readonly string[] SpamPhrases = ["win cash now", "free prize claim", "txt stop to 80082"];

    public static List<LabeledExample> Generate(int count, int seed)
    {
        var random = new Random(seed);
        var examples = new List<LabeledExample>(count);
        for (var i = 0; i < count; i++)
        {
            var words = Enumerable.Range(0, random.Next(3, 9)).Select(_ => Everyday[random.Next(Everyday.Length)]).ToList();
            var suspicious = i % 2 == 0;
            if (suspicious)
            {
                var marker = random.Next(2) == 0 ? Insults[random.Next(Insults.Length)] : SpamPhrases[random.Next(SpamPhrases.Length)];
                words.RemoveAt(words.Count - 1);
                words.Insert(random.Next(words.Count + 1), marker);
            }

            examples.Add(new LabeledExample(string.Join(' ', words), suspicious, "synthetic:" + i));
        }

        return examples;
    }

    public static (List<EncodedExample> Train, List<EncodedExample> Validation, PrefilterVocabulary Vocabulary) Encoded(PrefilterHyperParameters hp, int count, int seed)
    {
        var all = Generate(count, seed);
        var cut = count * 3 / 4;
        var vocabulary = VocabularyBuilder.Build(all.Take(cut).Select(e => e.Text), hp);
        return (PrefilterModelRelease.Encode(all.Take(cut), vocabulary, hp.MaxLength), PrefilterModelRelease.Encode(all.Skip(cut), vocabulary, hp.MaxLength), vocabulary);
    }
}
