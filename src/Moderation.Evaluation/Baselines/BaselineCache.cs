using System.Buffers.Binary;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Moderation.Evaluation.Data;

namespace Moderation.Evaluation.Baselines;

/// <summary>
/// Keeps trained baselines on disk under a hash of everything that determines them (the recipe and every training
/// text and label, in order), so an evaluation retrains only when its training data changed.
/// </summary>
public sealed class BaselineCache(string directory)
{
    /// <summary>Bump when <see cref="MlNetTextBaseline.Train"/> changes in a way the hash cannot see.</summary>
    public const int RecipeVersion = 1;

    public string Directory { get; } = Path.GetFullPath(directory);

    /// <summary>The cache key of a training set: hex SHA-256 of the recipe, then each example's label and text, length-prefixed.</summary>
    public static string Key(IReadOnlyList<LabeledExample> training, int seed = 1)
    {
        ArgumentNullException.ThrowIfNull(training);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        Append(hash, string.Create(CultureInfo.InvariantCulture, $"{MlNetTextBaseline.Name}|{MlNetTextBaseline.MaxNgrams}|{seed}|{RecipeVersion}"));
        foreach (var example in training)
        {
            Append(hash, example.Suspicious ? "1" : "0");
            Append(hash, example.Text ?? string.Empty);
        }

        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    /// <summary>The cached baseline for this training set, or a newly trained one that is then cached.</summary>
    /// <param name="cached">True when it came from the cache.</param>
    public MlNetTextBaseline TrainOrLoad(IReadOnlyList<LabeledExample> training, out bool cached, int seed = 1)
    {
        var path = Path.Combine(Directory, $"{MlNetTextBaseline.Name}-{Key(training, seed)[..32]}.zip");
        if (File.Exists(path))
        {
            try
            {
                var loaded = MlNetTextBaseline.Load(path, training.Count);
                cached = true;
                return loaded;
            }
            catch (Exception e) when (e is InvalidOperationException or InvalidDataException or FormatException or IOException)
            {
                // A damaged cache entry is retrained and overwritten, never trusted.
            }
        }

        var trained = MlNetTextBaseline.Train(training, seed);
        trained.Save(path);
        cached = false;
        return trained;
    }

    private static void Append(IncrementalHash hash, string value)
    {
        var bytes = Encoding.UTF8.GetBytes(value);
        Span<byte> length = stackalloc byte[4];
        BinaryPrimitives.WriteInt32LittleEndian(length, bytes.Length);
        hash.AppendData(length);
        hash.AppendData(bytes);
    }
}
