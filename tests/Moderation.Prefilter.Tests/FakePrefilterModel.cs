using Moderation.Prefilter.Model;

namespace Moderation.Prefilter.Tests;

/// <summary>Scores by a lookup (default 0.1) and records every call, so tests can check batching.</summary>
internal sealed class FakePrefilterModel(IReadOnlyDictionary<string, float>? scores = null) : IPrefilterModel
{
    private readonly List<int> batchSizes = [];

    public PrefilterModelManifest Manifest { get; } = new() { Name = "fake-cnn", Version = "3", Threshold = 0.42, MaxLength = 64 };

    public IReadOnlyList<int> BatchSizes
    {
        get
        {
            lock (batchSizes)
            {
                return [.. batchSizes];
            }
        }
    }

    public float[] Score(IReadOnlyList<string> texts)
    {
        lock (batchSizes)
        {
            batchSizes.Add(texts.Count);
        }

        return texts.Select(t => scores?.GetValueOrDefault(t, 0.1f) ?? 0.1f).ToArray();
    }
}
