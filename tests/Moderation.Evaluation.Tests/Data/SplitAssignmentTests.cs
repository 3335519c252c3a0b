using Moderation.Evaluation.Data;

namespace Moderation.Evaluation.Tests.Data;

public sealed class SplitAssignmentTests
{
    [Fact]
    public void Texts_differing_only_in_case_and_spacing_land_in_the_same_part()
    {
        for (var i = 0; i < 200; i++)
        {
            var text = $"Message number {i} with some words";
            Assert.Equal(SplitAssignment.Of(text), SplitAssignment.Of("  " + text.ToUpperInvariant().Replace(" ", "\t ", StringComparison.Ordinal) + "\n"));
        }
    }

    [Fact]
    public void The_hash_is_fixed_across_processes_and_machines()
    {
        // FNV-1a 64 of the salted, normalised text; a change here silently reshuffles every published metric.
        Assert.Equal(SplitAssignment.Hash("hello world"), SplitAssignment.Hash("Hello   World"));
        Assert.Equal(Fnv1a64("moderation-split-v1\nhello world"), SplitAssignment.Hash("hello world"));
    }

    [Fact]
    public void Parts_have_roughly_eighty_ten_ten_shares()
    {
        var counts = Enumerable.Range(0, 20_000).Select(i => SplitAssignment.Of($"text {i}")).GroupBy(p => p).ToDictionary(g => g.Key, g => g.Count());
        Assert.InRange(counts[SplitPart.Train], 15_600, 16_400);
        Assert.InRange(counts[SplitPart.Validation], 1_800, 2_200);
        Assert.InRange(counts[SplitPart.Test], 1_800, 2_200);
    }

    private static ulong Fnv1a64(string text)
    {
        var hash = 14695981039346656037UL;
        foreach (var b in System.Text.Encoding.UTF8.GetBytes(text))
        {
            hash = (hash ^ b) * 1099511628211UL;
        }

        return hash;
    }
}
