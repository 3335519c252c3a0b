using System.Globalization;

namespace Moderation.Storage;

/// <summary>
/// Spreads per-message rows over a fixed, small number of table partitions by a stable hash of the message id, so a
/// received batch's rows fall into a few partitions and each partition's rows go in one entity-group transaction
/// (up to 100 rows, one round trip), while a row is still found from its id alone (partition = bucket of the id,
/// row key = the id). The count is part of the table layout: changing it strands existing rows.
/// </summary>
public static class PartitionBucket
{
    /// <summary>
    /// The partition of <paramref name="key"/> among <paramref name="buckets"/>: <c>b00</c>, <c>b01</c>, ...
    /// FNV-1a over the UTF-16 code units: stable across processes and runtimes (unlike string.GetHashCode).
    /// </summary>
    public static string For(string key, int buckets)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentOutOfRangeException.ThrowIfLessThan(buckets, 1);
        var hash = 2166136261u;
        foreach (var c in key)
        {
            hash = (hash ^ c) * 16777619u;
        }

        return string.Create(CultureInfo.InvariantCulture, $"b{hash % (uint)buckets:D2}");
    }
}
