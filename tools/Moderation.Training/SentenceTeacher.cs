using Moderation.Evaluation.Data;

namespace Moderation.Training;

/// <summary>
/// The distillation teacher: logistic regression on all-MiniLM-L6-v2 sentence vectors. MiniLM judges a message by its
/// meaning rather than its words, which the word-window CNN cannot do on its own; the teacher's probabilities become
/// soft targets for the CNN. Trained by full-batch Adam in double precision on one thread, so it is deterministic.
/// </summary>
public sealed class SentenceTeacher
{
    private readonly double[] weights;
    private readonly double bias;

    private SentenceTeacher(double[] weights, double bias)
    {
        this.weights = weights;
        this.bias = bias;
    }

    /// <summary>
    /// A seeded, deterministic subsample of at most <paramref name="perSource"/> rows of one corpus part, in the part's
    /// own order (so that MiniLM, at about a hundred texts a second, embeds every corpus in bounded time).
    /// </summary>
    public static IReadOnlyList<int> Sample(int count, int perSource, int seed, string corpus)
    {
        ArgumentNullException.ThrowIfNull(corpus);
        if (count <= perSource)
        {
            return [.. Enumerable.Range(0, count)];
        }

        var order = Enumerable.Range(0, count).ToArray();
        new Random(seed ^ StableHash(corpus)).Shuffle(order);
        return [.. order.Take(perSource).Order()];
    }

    /// <summary>Fits the regression to weighted labelled vectors (L2 penalty <paramref name="l2"/> on the weights).</summary>
    public static SentenceTeacher Train(IReadOnlyList<float[]> vectors, IReadOnlyList<bool> labels, IReadOnlyList<float> exampleWeights, int iterations = 400, double learningRate = 0.05, double l2 = 1e-4)
    {
        ArgumentNullException.ThrowIfNull(vectors);
        ArgumentNullException.ThrowIfNull(labels);
        ArgumentNullException.ThrowIfNull(exampleWeights);
        if (vectors.Count == 0 || vectors.Count != labels.Count || vectors.Count != exampleWeights.Count)
        {
            throw new ArgumentException("Vectors, labels and weights must be non-empty and of the same length.", nameof(vectors));
        }

        var d = vectors[0].Length;
        var w = new double[d + 1];
        var m = new double[d + 1];
        var v = new double[d + 1];
        var gradient = new double[d + 1];
        var totalWeight = exampleWeights.Sum(x => (double)x);
        for (var t = 1; t <= iterations; t++)
        {
            Array.Clear(gradient);
            for (var i = 0; i < vectors.Count; i++)
            {
                var x = vectors[i];
                var z = w[d];
                for (var j = 0; j < d; j++)
                {
                    z += w[j] * x[j];
                }

                var g = exampleWeights[i] * (Sigmoid(z) - (labels[i] ? 1 : 0)) / totalWeight;
                for (var j = 0; j < d; j++)
                {
                    gradient[j] += g * x[j];
                }

                gradient[d] += g;
            }

            for (var j = 0; j <= d; j++)
            {
                var gj = gradient[j] + (j < d ? l2 * w[j] : 0);
                m[j] = (0.9 * m[j]) + (0.1 * gj);
                v[j] = (0.999 * v[j]) + (0.001 * gj * gj);
                var mHat = m[j] / (1 - Math.Pow(0.9, t));
                var vHat = v[j] / (1 - Math.Pow(0.999, t));
                w[j] -= learningRate * mHat / (Math.Sqrt(vHat) + 1e-8);
            }
        }

        return new SentenceTeacher(w[..d], w[d]);
    }

    /// <summary>The teacher's logit for one sentence vector.</summary>
    public float Logit(float[] vector)
    {
        ArgumentNullException.ThrowIfNull(vector);
        var z = bias;
        for (var j = 0; j < weights.Length; j++)
        {
            z += weights[j] * vector[j];
        }

        return (float)z;
    }

    public static double Sigmoid(double z) => 1 / (1 + Math.Exp(-z));

    private static int StableHash(string text)
    {
        var hash = 2166136261u;
        foreach (var c in text)
        {
            hash = (hash ^ c) * 16777619u;
        }

        return (int)hash;
    }
}

/// <summary>The teacher's soft targets for the sampled training rows and its validation ranking per corpus.</summary>
public sealed record TeacherTargets(IReadOnlyDictionary<string, float?[]> TrainLogits, IReadOnlyList<(string Corpus, int Examples, int Violations, double? RocAuc)> Validation);

/// <summary>Builds the distillation teacher from the corpora: sample, embed (cached), fit, score.</summary>
public static class DistillationTeacher
{
    public static TeacherTargets Build(IReadOnlyList<CorpusParts> trainingCorpora, IReadOnlyList<CorpusParts> allCorpora, int perSource, int seed, double stormfrontShare, string cacheDirectory, Action<string> log, bool measureOnValidation = true)
    {
        ArgumentNullException.ThrowIfNull(trainingCorpora);
        ArgumentNullException.ThrowIfNull(allCorpora);
        ArgumentNullException.ThrowIfNull(log);
        var samples = trainingCorpora.ToDictionary(c => c.Name, c => SentenceTeacher.Sample(c.Train.Count, perSource, seed, c.Name), StringComparer.Ordinal);
        var sampledParts = trainingCorpora.Select(c => c with { Train = [.. samples[c.Name].Select(i => c.Train[i])] }).ToList();

        // The teacher sees the same per-corpus loss shares as the student.
        var weights = TrainingMix.ShareWeights(sampledParts, [], stormfrontShare);
        var vectors = new List<float[]>();
        var labels = new List<bool>();
        var byCorpus = new Dictionary<string, float[][]>(StringComparer.Ordinal);
        foreach (var part in sampledParts)
        {
            var embedded = PretrainedWordVectors.EmbedSentences([.. part.Train.Select(e => e.Text)], part.Name + " train sample", cacheDirectory, log);
            byCorpus[part.Name] = embedded;
            vectors.AddRange(embedded);
            labels.AddRange(part.Train.Select(e => e.Suspicious));
        }

        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        var teacher = SentenceTeacher.Train(vectors, labels, weights);
        log($"Teacher (logistic regression on MiniLM sentence vectors): fitted on {vectors.Count} sampled training rows in {System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalSeconds:F0} s");

        var trainLogits = new Dictionary<string, float?[]>(StringComparer.Ordinal);
        foreach (var corpus in trainingCorpora)
        {
            var logits = new float?[corpus.Train.Count];
            var indices = samples[corpus.Name];
            for (var k = 0; k < indices.Count; k++)
            {
                logits[indices[k]] = teacher.Logit(byCorpus[corpus.Name][k]);
            }

            trainLogits[corpus.Name] = logits;
        }

        var validation = new List<(string, int, int, double?)>();
        foreach (var corpus in allCorpora.Where(_ => measureOnValidation))
        {
            var embedded = PretrainedWordVectors.EmbedSentences([.. corpus.Validation.Select(e => e.Text)], corpus.Name + " validation", cacheDirectory, log);
            var scores = embedded.Select(x => (float)SentenceTeacher.Sigmoid(teacher.Logit(x))).ToArray();
            var positives = corpus.Validation.Count(e => e.Suspicious);
            double? auc = positives > 0 && positives < corpus.Validation.Count ? PrefilterModelRelease.RocAuc(scores, [.. corpus.Validation.Select(e => e.Suspicious)]) : null;
            validation.Add((corpus.Name, corpus.Validation.Count, positives, auc));
            log(auc is { } a
                ? $"Teacher validation {corpus.Name}: ROC AUC {a:F4} ({corpus.Validation.Count} examples, {positives} violations)"
                : $"Teacher validation {corpus.Name}: share scored >= 0.5: {scores.Count(s => s >= 0.5) / (double)Math.Max(1, scores.Length):F4} ({corpus.Validation.Count} examples, {positives} violations)");
        }

        return new TeacherTargets(trainLogits, validation);
    }
}
