using Moderation.Evaluation.Data;
using Moderation.Evaluation.Reports;

namespace Moderation.Evaluation.Tests.Reports;

public sealed class SourceTableTests
{
    private static LabeledExample Example(bool violation, string? category = null) => new("t", violation, "s", category ?? (violation ? "harassment" : "none"));

    // Four violations (three routed) and six clean (one routed); scores rank all violations above all clean but one.
    private static SourceEvaluation Mixed() => new(
        "mixed",
        false,
        false,
        [Example(true), Example(true), Example(true), Example(true, "threat"), Example(false), Example(false), Example(false), Example(false), Example(false), Example(false)],
        [new ScorerOutput("m", [0.9, 0.8, 0.7, 0.4, 0.75, 0.3, 0.2, 0.1, 0.05, 0.0], [true, true, true, false, true, false, false, false, false, false])]);

    [Fact]
    public void A_mixed_source_gets_rates_at_its_decisions_and_the_mix_figures_from_them()
    {
        var row = Assert.Single(SourceTable.Build([Mixed()]));

        Assert.Equal(("mixed", "m", 10, 4), (row.Source, row.Scorer, row.Count, row.Violations));
        Assert.Equal(0.75, row.Recall, 12);
        Assert.Equal(1.0 / 6.0, row.FalsePositiveRate, 12);
        // One clean message (0.75) scores above two violations: 2 of 24 pairs lost.
        Assert.Equal(22.0 / 24.0, row.RocAuc, 12);
        var routed = (0.1 * 0.75) + (0.9 / 6.0);
        Assert.Equal(routed, row.RoutedShareInMix, 12);
        Assert.Equal(0.1 * 0.75 / routed, row.PrecisionInMix, 12);
        Assert.False(row.PooledClean || row.PooledViolations);
    }

    [Fact]
    public void One_class_sources_borrow_the_missing_class_from_the_run_and_keep_their_own_rate()
    {
        var violationsOnly = new SourceEvaluation("toxic", false, true, [Example(true), Example(true)], [new ScorerOutput("m", [0.9, 0.1], [true, false])]);
        var cleanOnly = new SourceEvaluation("dialogue", true, false, [Example(false), Example(false), Example(false), Example(false)], [new ScorerOutput("m", [0.2, 0.1, 0.0, 0.95], [false, false, false, true])]);

        var rows = SourceTable.Build([violationsOnly, cleanOnly]).ToDictionary(r => r.Source);

        var toxic = rows["toxic"];
        Assert.True(toxic.PooledClean);
        Assert.Equal(0.5, toxic.Recall, 12);
        Assert.Equal(0.25, toxic.FalsePositiveRate, 12);
        // Against the dialogue's clean scores 0.2, 0.1, 0.0, 0.95: 0.9 wins three pairs, 0.1 wins one and ties one.
        Assert.Equal(4.5 / 8.0, toxic.RocAuc, 12);
        Assert.Equal((0.1 * 0.5) + (0.9 * 0.25), toxic.RoutedShareInMix, 12);

        var dialogue = rows["dialogue"];
        Assert.True(dialogue.PooledViolations);
        Assert.Equal(0.25, dialogue.FalsePositiveRate, 12);
        Assert.Equal(0.5, dialogue.Recall, 12);
        Assert.Equal(0, dialogue.Violations);

        var all = rows[SourceTable.AllSources];
        Assert.Equal(6, all.Count);
        Assert.False(all.PooledClean || all.PooledViolations);
    }

    [Fact]
    public void Without_a_clean_pool_a_violations_only_source_has_no_false_positive_rate()
    {
        var row = Assert.Single(SourceTable.Build([new SourceEvaluation("toxic", false, true, [Example(true), Example(true)], [new ScorerOutput("m", [0.9, 0.1], [true, false])])]));

        Assert.Equal(0.5, row.Recall, 12);
        Assert.True(double.IsNaN(row.FalsePositiveRate));
        Assert.True(double.IsNaN(row.RocAuc));
    }

    [Fact]
    public void Sources_with_different_scorers_are_refused()
    {
        var other = Mixed() with { Source = "other", Scorers = [new ScorerOutput("x", Mixed().Scorers[0].Ranking, Mixed().Scorers[0].Routed)] };
        Assert.Throws<ArgumentException>(() => SourceTable.Build([Mixed(), other]));
    }

    [Fact]
    public void Recall_is_broken_down_by_violation_category()
    {
        var rows = BreakdownTables.CategoryRecall([Mixed()]);

        Assert.Equal(
            [("harassment", 3, 1.0), ("threat", 1, 0.0)],
            rows.Select(r => (r.Category, r.Violations, r.Recall[0])));
    }

    [Fact]
    public void Rule_hit_rates_count_clean_messages_only_and_list_quiet_rules_too()
    {
        IReadOnlyList<string>[] fired = [["contact.url"], [], [], [], ["contact.url", "contact.phone"], [], [], [], [], []];

        var rows = BreakdownTables.RuleHitRates([Mixed()], [fired], ["conduct.threat"]);

        Assert.Equal(
            [("conduct.threat", 0, 6), ("contact.phone", 1, 6), ("contact.url", 1, 6)],
            rows.Select(r => (r.RuleId, r.Hits, r.CleanMessages)));
        Assert.Equal(1.0 / 6.0, rows[2].Rate, 12);
    }

    [Fact]
    public void The_markdown_report_has_a_row_per_source_and_scorer_and_marks_borrowed_figures()
    {
        var violationsOnly = new SourceEvaluation("toxic", false, true, [Example(true), Example(true)], [new ScorerOutput("m", [0.9, 0.1], [true, false])]);
        var cleanOnly = new SourceEvaluation("dialogue", true, false, [Example(false), Example(false)], [new ScorerOutput("m", [0.2, 0.1], [false, false])]);
        var sources = new[] { violationsOnly, cleanOnly };
        var writer = new StringWriter();

        MarkdownReport.Write(writer, ["# Report"], SourceTable.Build(sources), ["m"], BreakdownTables.CategoryRecall(sources), BreakdownTables.RuleHitRates(sources, [[[], []], [["contact.url"], []]]));

        var text = writer.ToString();
        Assert.StartsWith("# Report", text, StringComparison.Ordinal);
        Assert.Contains("| toxic | m | 2 | 2 | 0.625 † | 0.750 † | 0.500 | 0.000 † | 0.050 † | 1.000 † |", text, StringComparison.Ordinal);
        Assert.Contains("| dialogue | m | 2 | 0 |", text, StringComparison.Ordinal);
        Assert.Contains("| all sources | m | 4 | 2 |", text, StringComparison.Ordinal);
        Assert.Contains("| toxic | harassment | 2 | 0.500 |", text, StringComparison.Ordinal);
        Assert.Contains("| contact.url | 50.00% |", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Predictions_are_one_tab_separated_line_per_message_with_tabs_and_breaks_in_text_flattened()
    {
        var writer = new StringWriter();

        PredictionsFile.Write(writer, [
            new Prediction("sms", "sms:2", true, "spam", 0.91234567, ["contact.phone", "contact.url"], true, 0.5, "call\tme\r\nnow \"quick\""),
            new Prediction("sms", "sms:3", false, null, 0.1, [], false, null, "ok"),
        ]);

        Assert.Equal(
            "source\tid\tlabel\tcategory\tscore\trules\trouted\tbaseline_score\ttext\n"
            + "sms\tsms:2\tviolation\tspam\t0.912346\tcontact.phone,contact.url\ttrue\t0.5\tcall me now \"quick\"\n"
            + "sms\tsms:3\tclean\t\t0.1\t\tfalse\t\tok\n",
            writer.ToString());
    }
}
