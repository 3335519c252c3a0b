using Moderation.Evaluation.Data;
using Moderation.Evaluation.Metrics;

namespace Moderation.Evaluation.Reports;

/// <summary>One scorer's view of a source: a ranking score per message and whether the scorer routes it.</summary>
/// <param name="Ranking">Higher is more suspicious; used for ROC AUC and PR AUC.</param>
/// <param name="Routed">The scorer's decision at its operating threshold (for "+rules": the screening policy's decision).</param>
public sealed record ScorerOutput(string Scorer, IReadOnlyList<double> Ranking, IReadOnlyList<bool> Routed);

/// <summary>The evaluated part of one source with every scorer's output, in example order.</summary>
public sealed record SourceEvaluation(string Source, bool CleanOnly, bool ViolationsOnly, IReadOnlyList<LabeledExample> Examples, IReadOnlyList<ScorerOutput> Scorers);

/// <summary>
/// One row of the per-source table. Rates at the operating threshold; the mix figures assume traffic with
/// <see cref="Prevalence"/> violations: routed share = p x recall + (1 - p) x FPR, precision = p x recall / routed share.
/// </summary>
/// <param name="PooledClean">The source has no clean rows: ROC/PR AUC and the mix figures use the clean rows of the clean-only sources of the run.</param>
/// <param name="PooledViolations">The source has no violations: ROC/PR AUC and the mix figures use the violations of every source of the run.</param>
public sealed record SourceTableRow(
    string Source,
    string Scorer,
    int Count,
    int Violations,
    double RocAuc,
    double PrAuc,
    double Recall,
    double FalsePositiveRate,
    double Prevalence,
    double RoutedShareInMix,
    double PrecisionInMix,
    bool PooledClean,
    bool PooledViolations);

/// <summary>Builds the per-source metric table (one row per source and scorer, plus all sources pooled).</summary>
public static class SourceTable
{
    public const string AllSources = "all sources";

    public static IReadOnlyList<SourceTableRow> Build(IReadOnlyList<SourceEvaluation> sources, double prevalence = 0.10)
    {
        ArgumentNullException.ThrowIfNull(sources);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(prevalence);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(prevalence, 1.0);
        if (sources.Count == 0)
        {
            return [];
        }

        var scorers = sources[0].Scorers.Select(s => s.Scorer).ToList();
        foreach (var source in sources)
        {
            if (!source.Scorers.Select(s => s.Scorer).SequenceEqual(scorers))
            {
                throw new ArgumentException($"Source '{source.Source}' has scorers {string.Join(", ", source.Scorers.Select(s => s.Scorer))}; expected {string.Join(", ", scorers)}.", nameof(sources));
            }

            if (source.Scorers.Any(s => s.Ranking.Count != source.Examples.Count || s.Routed.Count != source.Examples.Count))
            {
                throw new ArgumentException($"Source '{source.Source}': every scorer needs one score and one decision per example.", nameof(sources));
            }
        }

        var rows = new List<SourceTableRow>();
        for (var k = 0; k < scorers.Count; k++)
        {
            var cleanPool = Collect(sources.Where(s => s.CleanOnly), k, suspicious: false);
            var violationPool = Collect(sources, k, suspicious: true);
            foreach (var source in sources)
            {
                rows.Add(Row(source.Source, scorers[k], Collect([source], k, null), cleanPool, violationPool, prevalence));
            }

            if (sources.Count > 1)
            {
                rows.Add(Row(AllSources, scorers[k], Collect(sources, k, null), cleanPool, violationPool, prevalence));
            }
        }

        return rows;
    }

    private static SourceTableRow Row(string source, string scorer, Scored own, Scored cleanPool, Scored violationPool, double prevalence)
    {
        var violations = own.Labels.Count(l => l);
        var pooledClean = violations == own.Labels.Count && cleanPool.Labels.Count > 0;
        var pooledViolations = violations == 0 && violationPool.Labels.Count > 0;
        var ranked = pooledClean ? own.Concat(cleanPool) : pooledViolations ? own.Concat(violationPool) : own;

        var metrics = new BinaryClassificationMetrics(ranked.Ranking, ranked.Labels);
        var recall = Rate(ranked.Routed, ranked.Labels, positives: true);
        var falsePositiveRate = Rate(ranked.Routed, ranked.Labels, positives: false);
        var routed = (prevalence * recall) + ((1 - prevalence) * falsePositiveRate);
        return new SourceTableRow(
            source,
            scorer,
            own.Labels.Count,
            violations,
            metrics.RocAuc,
            metrics.AveragePrecision,
            // Own rows only where they define the rate; the pool only fills the missing class.
            pooledViolations ? recall : Rate(own.Routed, own.Labels, positives: true),
            pooledClean ? falsePositiveRate : Rate(own.Routed, own.Labels, positives: false),
            prevalence,
            routed,
            routed == 0 || double.IsNaN(routed) ? double.NaN : prevalence * recall / routed,
            pooledClean,
            pooledViolations);
    }

    private static double Rate(IReadOnlyList<bool> routed, IReadOnlyList<bool> labels, bool positives)
    {
        int total = 0, hit = 0;
        for (var i = 0; i < labels.Count; i++)
        {
            if (labels[i] == positives)
            {
                total++;
                hit += routed[i] ? 1 : 0;
            }
        }

        return total == 0 ? double.NaN : (double)hit / total;
    }

    private static Scored Collect(IEnumerable<SourceEvaluation> sources, int scorer, bool? suspicious)
    {
        var result = new Scored([], [], []);
        foreach (var source in sources)
        {
            var output = source.Scorers[scorer];
            for (var i = 0; i < source.Examples.Count; i++)
            {
                if (suspicious is null || source.Examples[i].Suspicious == suspicious)
                {
                    result.Ranking.Add(output.Ranking[i]);
                    result.Routed.Add(output.Routed[i]);
                    result.Labels.Add(source.Examples[i].Suspicious);
                }
            }
        }

        return result;
    }

    private sealed record Scored(List<double> Ranking, List<bool> Routed, List<bool> Labels)
    {
        public Scored Concat(Scored other) => new([.. Ranking, .. other.Ranking], [.. Routed, .. other.Routed], [.. Labels, .. other.Labels]);
    }
}
