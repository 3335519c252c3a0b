namespace Moderation.Evaluation.Reports;

/// <summary>Recall on the violations of one category of one source, per scorer (in the sources' scorer order).</summary>
public sealed record CategoryRecallRow(string Source, string Category, int Violations, IReadOnlyList<double> Recall);

/// <summary>How often one rule fired on the clean messages of one source.</summary>
public sealed record RuleHitRateRow(string Source, string RuleId, int Hits, int CleanMessages)
{
    public double Rate => CleanMessages == 0 ? double.NaN : (double)Hits / CleanMessages;
}

/// <summary>Breakdowns beside the per-source table: recall per violation category, rule hits on clean messages.</summary>
public static class BreakdownTables
{
    public static IReadOnlyList<CategoryRecallRow> CategoryRecall(IReadOnlyList<SourceEvaluation> sources)
    {
        ArgumentNullException.ThrowIfNull(sources);
        var rows = new List<CategoryRecallRow>();
        foreach (var source in sources)
        {
            var byCategory = Enumerable.Range(0, source.Examples.Count)
                .Where(i => source.Examples[i].Suspicious)
                .GroupBy(i => source.Examples[i].Category ?? "(none)", StringComparer.Ordinal)
                .OrderBy(g => g.Key, StringComparer.Ordinal);
            foreach (var group in byCategory)
            {
                var indices = group.ToList();
                rows.Add(new CategoryRecallRow(
                    source.Source,
                    group.Key,
                    indices.Count,
                    source.Scorers.Select(s => indices.Count(i => s.Routed[i]) / (double)indices.Count).ToArray()));
            }
        }

        return rows;
    }

    /// <summary>
    /// For every source with clean messages, how many of them each rule fired on; every rule seen anywhere gets a row
    /// for every such source (zero hits included), so a table shows where a rule is quiet too.
    /// </summary>
    /// <param name="rulesFired">Per source, per example (in example order), the distinct rule ids that fired.</param>
    public static IReadOnlyList<RuleHitRateRow> RuleHitRates(IReadOnlyList<SourceEvaluation> sources, IReadOnlyList<IReadOnlyList<IReadOnlyList<string>>> rulesFired, IEnumerable<string>? knownRules = null)
    {
        ArgumentNullException.ThrowIfNull(sources);
        ArgumentNullException.ThrowIfNull(rulesFired);
        if (rulesFired.Count != sources.Count)
        {
            throw new ArgumentException($"{rulesFired.Count} rule lists for {sources.Count} sources.", nameof(rulesFired));
        }

        var rules = new SortedSet<string>(knownRules ?? [], StringComparer.Ordinal);
        foreach (var perSource in rulesFired)
        {
            foreach (var fired in perSource)
            {
                rules.UnionWith(fired);
            }
        }

        var rows = new List<RuleHitRateRow>();
        for (var s = 0; s < sources.Count; s++)
        {
            var clean = Enumerable.Range(0, sources[s].Examples.Count).Where(i => !sources[s].Examples[i].Suspicious).ToList();
            if (clean.Count == 0)
            {
                continue;
            }

            foreach (var rule in rules)
            {
                rows.Add(new RuleHitRateRow(sources[s].Source, rule, clean.Count(i => rulesFired[s][i].Contains(rule, StringComparer.Ordinal)), clean.Count));
            }
        }

        return rows;
    }
}
