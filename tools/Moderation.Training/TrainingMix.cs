using System.Text;
using Moderation.Evaluation.Data;
using Moderation.Prefilter.Model;

namespace Moderation.Training;

/// <summary>One corpus's split part with its encoding and (after training) its scores.</summary>
public sealed class EvaluationSet(string name, IReadOnlyList<LabeledExample> examples, IReadOnlyList<EncodedExample> encoded)
{
    public string Name { get; } = name;

    public IReadOnlyList<LabeledExample> Examples { get; } = examples;

    public IReadOnlyList<EncodedExample> Encoded { get; } = encoded;

    public float[]? Scores { get; set; }

    public bool HasViolations => Examples.Any(e => e.Suspicious);

    public bool HasClean => Examples.Any(e => !e.Suspicious);
}

/// <summary>
/// How the corpora are mixed for training. Each corpus gets a fixed share of the loss (through example weights), so
/// no corpus dominates by its size; within a mixed corpus, violations get at least <see cref="MinimumViolationShare"/>
/// of its share, so rare toxic game chat or sexism is not drowned by the corpus's clean rows. HateCheck is a functional
/// test suite and is never trained on.
/// </summary>
public static class TrainingMix
{
    public const double MinimumViolationShare = 0.35;
    public const double GibberishShare = 0.04;

    private static readonly Dictionary<string, double> Shares = new(StringComparer.Ordinal)
    {
        ["davidson-hate-offensive"] = 0.14,
        ["toxic-spans-civil-comments"] = 0.10,
        ["edos-sexism"] = 0.12,
        ["l2dtnh-lol-chat"] = 0.12,
        ["sms-spam-collection"] = 0.06,
        ["youtube-spam-collection"] = 0.04,
        ["taskmaster-clean"] = 0.12,
        ["sgd-clean"] = 0.12,
        ["casino-negotiation"] = 0.10,
    };

    public static IReadOnlyList<string> Credits { get; } =
    [
        "davidson-hate-offensive: Davidson, Warmsley, Macy, Weber, Automated Hate Speech Detection and the Problem of Offensive Language, ICWSM 2017 (MIT): class 0 hate and 1 offensive = violation, 2 neither = clean",
        "sms-spam-collection: Almeida, Gomez Hidalgo, Yamakami, Contributions to the Study of SMS Spam Filtering, DocEng 2011, UCI SMS Spam Collection v.1 (CC BY 4.0): spam = violation",
        "l2dtnh-lol-chat: Ave, Pekaric, Frohner, Apruzzese, 'bot lane noob': Towards Practical Deployment of NLP-based Toxicity Detectors in Video Games, ESORICS 2026, dataset L2DTnH (MIT): label 1 = violation; split by chat log",
        "toxic-spans-civil-comments: Pavlopoulos et al., SemEval-2021 Task 5: Toxic Spans Detection (CC0 1.0): all violation",
        "edos-sexism: Kirk, Yin, Vidgen, Rottger, SemEval-2023 Task 10: Explainable Detection of Online Sexism (CC0 1.0): sexist = violation",
        "hatecheck: Rottger et al., HateCheck: Functional Tests for Hate Speech Detection Models, ACL 2021 (CC BY 4.0): evaluation only, never trained on",
        "stormfront-hate: de Gibert, Perez, Garcia-Pablos, Cuadros, Hate Speech Dataset from a White Supremacy Forum, ALW2 2018 (CC BY-SA 3.0 ES): hate = violation; minor loss share; read at training time, not redistributed",
        "youtube-spam-collection: Alberto, Lochter, Almeida, TubeSpam: Comment Spam Filtering on YouTube, ICMLA 2015, UCI YouTube Spam Collection (CC BY 4.0): spam = violation",
        "taskmaster-clean: Byrne et al., Taskmaster-1, EMNLP 2019; Taskmaster-3 and -4 (Google, CC BY 4.0): all clean",
        "sgd-clean: Rastogi et al., Towards Scalable Multi-domain Conversational Agents: The Schema-Guided Dialogue Dataset, AAAI 2020 (CC BY-SA 4.0): all clean; read at training time, not redistributed",
        "casino-negotiation: Chawla et al., CaSiNo: A Corpus of Campsite Negotiation Dialogues for Automatic Negotiation Systems, NAACL 2021 (CC BY 4.0): all clean",
    ];

    public static bool IsHeldOut(string corpus) => corpus == "hatecheck";

    /// <summary>The weighted training examples of every corpus plus the gibberish; weights average 1.</summary>
    public static List<EncodedExample> Weighted(IReadOnlyList<CorpusParts> corpora, IReadOnlyList<string> gibberish, PrefilterVocabulary vocabulary, int maxLength, double stormfrontShare)
    {
        ArgumentNullException.ThrowIfNull(vocabulary);
        var weights = ShareWeights(corpora, gibberish, stormfrontShare);
        var texts = corpora.SelectMany(c => c.Train.Select(e => (e.Text, e.Suspicious))).Concat(gibberish.Select(t => (Text: t, Suspicious: false)));
        return [.. texts.Select((e, i) => new EncodedExample(vocabulary.Encode(e.Text, maxLength), e.Suspicious, weights[i]))];
    }

    /// <summary>
    /// The loss weight of every training row of every corpus, in order, then of every gibberish string: each corpus
    /// gets its fixed share, violations at least <see cref="MinimumViolationShare"/> of it; weights average 1.
    /// </summary>
    public static List<float> ShareWeights(IReadOnlyList<CorpusParts> corpora, IReadOnlyList<string> gibberish, double stormfrontShare = 0.04)
    {
        ArgumentNullException.ThrowIfNull(corpora);
        ArgumentNullException.ThrowIfNull(gibberish);
        var shares = corpora.ToDictionary(c => c.Name, c => c.Name == "stormfront-hate" ? stormfrontShare : Shares.GetValueOrDefault(c.Name, 0.05), StringComparer.Ordinal);
        var total = shares.Values.Sum() + (gibberish.Count > 0 ? GibberishShare : 0);
        var count = corpora.Sum(c => c.Train.Count) + gibberish.Count;
        var result = new List<float>(count);
        foreach (var corpus in corpora)
        {
            var share = shares[corpus.Name] / total;
            var violations = corpus.Train.Count(e => e.Suspicious);
            var clean = corpus.Train.Count - violations;
            var violationShare = violations == 0 ? 0 : clean == 0 ? 1 : Math.Max((double)violations / corpus.Train.Count, MinimumViolationShare);
            var violationWeight = violations == 0 ? 0 : (float)(count * share * violationShare / violations);
            var cleanWeight = clean == 0 ? 0 : (float)(count * share * (1 - violationShare) / clean);
            result.AddRange(corpus.Train.Select(e => e.Suspicious ? violationWeight : cleanWeight));
        }

        if (gibberish.Count > 0)
        {
            var weight = (float)(count * GibberishShare / total / gibberish.Count);
            result.AddRange(Enumerable.Repeat(weight, gibberish.Count));
        }

        return result;
    }

    /// <summary>
    /// Short random letter strings ("spu", "who ia alan" style: one to three made-up words). Trained as clean so that
    /// a message made only of unknown words does not inherit the violation bias of the rare words in the hashed buckets.
    /// </summary>
    public static List<string> Gibberish(int count, int seed)
    {
        const string consonants = "bcdfghjklmnpqrstvwxyz";
        const string vowels = "aeiou";
        var random = new Random(seed ^ 0x61BB);
        var result = new List<string>(count);
        var text = new StringBuilder();
        for (var i = 0; i < count; i++)
        {
            text.Clear();
            var words = 1 + random.Next(3);
            for (var w = 0; w < words; w++)
            {
                if (w > 0)
                {
                    text.Append(' ');
                }

                var length = 1 + random.Next(7);
                for (var c = 0; c < length; c++)
                {
                    var pool = random.Next(5) < 2 ? vowels : consonants;
                    var letter = pool[random.Next(pool.Length)];
                    text.Append(w == 0 && c == 0 && random.Next(3) == 0 ? char.ToUpperInvariant(letter) : letter);
                }
            }

            if (random.Next(6) == 0)
            {
                text.Append(random.Next(2) == 0 ? "?" : ".");
            }

            result.Add(text.ToString());
        }

        return result;
    }
}

/// <summary>Chooses the shipped threshold on the validation parts of every trained corpus.</summary>
public static class RoutingBudget
{
    /// <summary>
    /// The lowest threshold (most recall) at which every clean-only corpus stays within <paramref name="maxCleanFalsePositiveRate"/>
    /// and every corpus with both classes routes at most <paramref name="maxRoutedShare"/> of a 90/10 clean/violation mix.
    /// </summary>
    public static double Choose(IReadOnlyList<EvaluationSet> validation, double maxCleanFalsePositiveRate, double maxRoutedShare, double targetRecall)
    {
        ArgumentNullException.ThrowIfNull(validation);
        var sorted = validation.Select(v => (
            Set: v,
            Violations: v.Scores!.Where((_, i) => v.Examples[i].Suspicious).Order().ToArray(),
            Clean: v.Scores!.Where((_, i) => !v.Examples[i].Suspicious).Order().ToArray())).ToList();
        var candidates = validation.SelectMany(v => v.Scores!).Distinct().Order().ToArray();
        foreach (var threshold in candidates)
        {
            var feasible = true;
            foreach (var (set, violations, clean) in sorted)
            {
                var fpr = clean.Length == 0 ? 0 : AtOrAbove(clean, threshold) / (double)clean.Length;
                var recall = violations.Length == 0 ? 0 : AtOrAbove(violations, threshold) / (double)violations.Length;
                if (violations.Length == 0 ? fpr > maxCleanFalsePositiveRate : clean.Length > 0 && (0.1 * recall) + (0.9 * fpr) > maxRoutedShare)
                {
                    feasible = false;
                    break;
                }
            }

            if (feasible)
            {
                return threshold;
            }
        }

        return candidates.Length > 0 ? candidates[^1] : 0.5;
    }

    private static int AtOrAbove(float[] ascending, float threshold)
    {
        var index = Array.BinarySearch(ascending, threshold);
        if (index < 0)
        {
            index = ~index;
        }
        else
        {
            while (index > 0 && ascending[index - 1] == threshold)
            {
                index--;
            }
        }

        return ascending.Length - index;
    }
}
