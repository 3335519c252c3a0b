using System.Globalization;

namespace Moderation.Evaluation.Reports;

/// <summary>Writes the per-source evaluation as Markdown tables, ready to paste into (or be) a model card section.</summary>
public static class MarkdownReport
{
    /// <param name="preamble">Lines printed above the tables (what was evaluated, the command that produced it).</param>
    public static void Write(
        TextWriter writer,
        IReadOnlyList<string> preamble,
        IReadOnlyList<SourceTableRow> sources,
        IReadOnlyList<string> scorers,
        IReadOnlyList<CategoryRecallRow> categories,
        IReadOnlyList<RuleHitRateRow> ruleHits)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(preamble);
        ArgumentNullException.ThrowIfNull(sources);
        ArgumentNullException.ThrowIfNull(scorers);
        ArgumentNullException.ThrowIfNull(categories);
        ArgumentNullException.ThrowIfNull(ruleHits);
        foreach (var line in preamble)
        {
            writer.WriteLine(line);
        }

        var prevalence = sources.Count == 0 ? 0.10 : sources[0].Prevalence;
        var mix = $"{(1 - prevalence) * 100:0}/{prevalence * 100:0}";
        writer.WriteLine();
        writer.WriteLine($"| source | scorer | messages | violations | ROC AUC | PR AUC | recall | FPR | routed at {mix} | precision at {prevalence * 100:0}% |");
        writer.WriteLine("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|");
        var anyPooled = false;
        foreach (var group in sources.GroupBy(r => r.Source))
        {
            foreach (var row in group)
            {
                var pooled = row.PooledClean || row.PooledViolations;
                anyPooled |= pooled;
                var mark = pooled ? " †" : string.Empty;
                writer.WriteLine(string.Create(
                    CultureInfo.InvariantCulture,
                    $"| {row.Source} | {row.Scorer} | {row.Count:N0} | {row.Violations:N0} | {F(row.RocAuc)}{mark} | {F(row.PrAuc)}{mark} | {F(row.Recall)}{(row.PooledViolations ? mark : string.Empty)} | {F(row.FalsePositiveRate)}{(row.PooledClean ? mark : string.Empty)} | {F(row.RoutedShareInMix)}{mark} | {F(row.PrecisionInMix)}{mark} |"));
            }
        }

        if (anyPooled)
        {
            writer.WriteLine();
            writer.WriteLine("† The source has one class only. Its missing class is taken from the run: the clean rows of the clean-only dialogue sources for a violations-only source, the violations of every source for a clean-only source. Its own rows define only its recall (violations-only) or its false-positive rate (clean-only).");
        }

        if (categories.Count > 0)
        {
            writer.WriteLine();
            writer.WriteLine("Recall per violation category (at the shipped threshold; \"+rules\" routes as the screening policy does):");
            writer.WriteLine();
            writer.WriteLine($"| source | category | violations | {string.Join(" | ", scorers)} |");
            writer.WriteLine($"|---|---|---:|{string.Concat(scorers.Select(_ => "---:|"))}");
            foreach (var row in categories)
            {
                writer.WriteLine(string.Create(
                    CultureInfo.InvariantCulture,
                    $"| {row.Source} | {row.Category} | {row.Violations:N0} | {string.Join(" | ", row.Recall.Select(F))} |"));
            }
        }

        if (ruleHits.Count > 0)
        {
            var columns = ruleHits.Select(r => r.Source).Distinct().ToList();
            writer.WriteLine();
            writer.WriteLine("Rule hit rate on clean messages (share of each source's clean messages the rule fired on):");
            writer.WriteLine();
            writer.WriteLine($"| rule | {string.Join(" | ", columns)} |");
            writer.WriteLine($"|---|{string.Concat(columns.Select(_ => "---:|"))}");
            writer.WriteLine(string.Create(
                CultureInfo.InvariantCulture,
                $"| (clean messages) | {string.Join(" | ", columns.Select(c => ruleHits.First(r => r.Source == c).CleanMessages.ToString("N0", CultureInfo.InvariantCulture)))} |"));
            foreach (var rule in ruleHits.GroupBy(r => r.RuleId))
            {
                var bySource = rule.ToDictionary(r => r.Source);
                writer.WriteLine($"| {rule.Key} | {string.Join(" | ", columns.Select(c => bySource.TryGetValue(c, out var r) ? Percent(r.Rate) : "n/a"))} |");
            }
        }
    }

    private static string F(double value) => double.IsNaN(value) ? "n/a" : value.ToString("0.000", CultureInfo.InvariantCulture);

    private static string Percent(double value) => double.IsNaN(value) ? "n/a" : (value * 100).ToString("0.00", CultureInfo.InvariantCulture) + "%";
}
