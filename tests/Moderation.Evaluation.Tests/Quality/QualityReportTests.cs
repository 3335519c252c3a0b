using System.Text.Json;
using Moderation.Cli.Commands;
using Moderation.Evaluation.Data;
using Moderation.Evaluation.Quality;

namespace Moderation.Evaluation.Tests.Quality;

public class QualityReportTests
{
    private static readonly DateTimeOffset From = new(2026, 3, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset To = new(2026, 3, 3, 0, 0, 0, TimeSpan.Zero);

    private static QualityReport Build()
    {
        var builder = new QualityReportBuilder(From, To);
        foreach (var records in AuditTrailFixture.Cases())
        {
            builder.Add(records);
        }

        return builder.Build();
    }

    [Fact]
    public void Volumes_and_routed_share_count_the_messages_screened_in_the_period_only()
    {
        var report = Build();

        Assert.Equal(7, report.Volumes.Screened);
        Assert.Equal(5, report.Volumes.Routed);
        Assert.Equal(5.0 / 7, report.Volumes.RoutedShare!.Value, 6);
        Assert.Equal(2, report.Volumes.Finished["released by prefilter"]);
        Assert.Equal(2, report.Volumes.Finished["blocked by reviewer"]);
        Assert.Equal(1, report.Volumes.Finished["released by reviewer"]);
        Assert.Equal(1, report.Volumes.Finished["blocked by timeout"]);
        Assert.Equal(1, report.Volumes.Finished["blocked by llm"]);
        Assert.Equal(1, report.Volumes.LlmFailed);
        Assert.Equal([new DailyVolume(new DateOnly(2026, 3, 1), 5, 3, 2), new DailyVolume(new DateOnly(2026, 3, 2), 2, 2, 2)], report.Days);
    }

    [Fact]
    public void Cost_per_1000_messages_spreads_the_llm_cost_over_all_screened_messages()
    {
        var report = Build();

        // Four verdicts at $0.001 each over seven messages.
        Assert.Equal(4, report.Cost.Classifications);
        Assert.Equal(0.004m, report.Cost.TotalCostUsd);
        Assert.Equal(0.004m / 7 * 1000m, report.Cost.CostPer1000Messages);
        Assert.Equal(1m, report.Cost.CostPer1000Cases);
        Assert.Equal(400, report.Cost.InputTokens);
    }

    [Fact]
    public void Review_sla_reports_wait_percentiles_of_decided_reviews_and_the_timeouts()
    {
        var report = Build();

        Assert.Equal(4, report.Review.Requested);
        Assert.Equal(3, report.Review.Decided);
        Assert.Equal(1, report.Review.TimedOut);
        Assert.Equal(0, report.Review.Pending);
        Assert.Equal(0.25, report.Review.TimeoutShare);
        Assert.Equal(20 * 60, report.Review.WaitSeconds["p50"]);
        Assert.Equal(30 * 60, report.Review.WaitSeconds["max"]);
    }

    [Fact]
    public void Llm_agreement_is_a_confusion_matrix_of_reviewer_against_verdict_with_per_category_precision_and_recall()
    {
        var llm = Build().Llm;

        Assert.Equal(3, llm.Compared);
        Assert.Equal(1.0 / 3, llm.Accuracy!.Value, 6);

        // Violation/clean: the two blocks were called violations, the release was called a violation too.
        Assert.Equal(2.0 / 3, llm.ViolationAgreement!.Value, 6);
        var contact = llm.PerCategory.Single(c => c.Category == "off_platform_contact");
        Assert.Equal((1, 2, 1), (contact.Support, contact.Predicted, contact.Agreed));
        Assert.Equal(0.5, contact.Precision);
        Assert.Equal(1.0, contact.Recall);
        var harassment = llm.PerCategory.Single(c => c.Category == "harassment");
        Assert.Equal(0.0, harassment.Recall);
        Assert.Null(harassment.Precision);
        var row = llm.Categories.ToList().IndexOf("harassment");
        var column = llm.Categories.ToList().IndexOf("scam_phishing");
        Assert.Equal(1, llm.Confusion[row][column]);
    }

    [Fact]
    public void Prefilter_precision_and_rule_precision_come_from_what_reviewers_released()
    {
        var prefilter = Build().Prefilter;

        Assert.Equal(3, prefilter.Reviewed);
        Assert.Equal(1, prefilter.FalseAlarms);
        Assert.Equal(2.0 / 3, prefilter.Precision!.Value, 6);
        var phone = prefilter.Rules.Single(r => r.RuleId == "contact.phone");
        Assert.Equal((2, 1, 0.5), (phone.Fired, phone.Blocked, phone.Precision!.Value));
    }

    [Fact]
    public void Disagreements_list_each_case_a_tier_got_wrong_with_the_tiers()
    {
        var report = Build();

        // Ordered by review time: the false alarm was reviewed at 09:24, the miscategorised case at 09:33.
        Assert.Equal(["c-false-alarm", "c-llm-wrong"], report.Disagreements.Select(d => d.CaseId));
        Assert.Equal(["llm", "prefilter"], report.Disagreements[0].Tiers);
        Assert.Equal(["llm"], report.Disagreements[1].Tiers);
        Assert.Equal(("harassment", "scam_phishing"), (report.Disagreements[1].ReviewerCategory, report.Disagreements[1].LlmCategory));
        Assert.Equal(2, report.DisagreementCases.Count);
    }

    [Fact]
    public void An_empty_period_reports_zeros_and_no_ratios()
    {
        var report = new QualityReportBuilder(From, To).Build();

        Assert.Equal(0, report.Volumes.Screened);
        Assert.Null(report.Volumes.RoutedShare);
        Assert.Null(report.Cost.CostPer1000Messages);
        Assert.Empty(report.Review.WaitSeconds);
        Assert.Contains("No messages in the period", QualityReportRendering.ToHtml(report), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Written_report_is_json_and_self_contained_html_and_the_disagreements_read_as_an_evaluation_set()
    {
        var report = Build();
        var dir = Path.Combine(Path.GetTempPath(), "quality-" + Guid.NewGuid().ToString("N"));
        try
        {
            var written = await QualityReportCommand.WriteAsync(report, dir, CancellationToken.None);

            using var json = JsonDocument.Parse(await File.ReadAllTextAsync(written[0]));
            Assert.Equal(7, json.RootElement.GetProperty("volumes").GetProperty("screened").GetInt32());
            var html = await File.ReadAllTextAsync(written[1]);
            Assert.Contains("<svg", html, StringComparison.Ordinal);
            Assert.DoesNotContain("http://", html.Replace("http://www.w3.org/2000/svg", string.Empty, StringComparison.Ordinal), StringComparison.Ordinal);
            Assert.DoesNotContain("https://", html, StringComparison.Ordinal);
            Assert.DoesNotContain("message c-llm-wrong", html, StringComparison.Ordinal);

            // What evaluate --file and export-finetune --file --label-column category read.
            var binary = LabeledFileReader.Read(written[2]);
            Assert.Equal([false, true], binary.Select(e => e.Suspicious));
            var categories = LabeledFileReader.Read(written[2], new LabeledFileOptions { LabelColumn = "category", Labels = LabelMapping.Open });
            Assert.Equal(["clean", "harassment"], categories.Select(e => e.Category));
            Assert.Equal("message c-llm-wrong", binary[1].Text);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Theory]
    [InlineData("2026-03-01", false, "2026-03-01T00:00:00+00:00")]
    [InlineData("2026-03-01", true, "2026-03-02T00:00:00+00:00")]
    [InlineData("2026-03-01T08:30:00+02:00", true, "2026-03-01T06:30:00+00:00")]
    public void Report_bounds_are_utc_and_a_date_alone_as_the_end_includes_that_day(string text, bool endOfDay, string expected)
    {
        Assert.True(QualityReportCommand.TryParseBound(text, endOfDay, out var value));
        Assert.Equal(DateTimeOffset.Parse(expected, System.Globalization.CultureInfo.InvariantCulture), value);
    }

    [Fact]
    public async Task Report_command_refuses_a_period_that_ends_before_it_starts()
    {
        var exit = await new QualityReportCommand().RunAsync(["--from", "2026-03-02", "--to", "2026-03-01"], CancellationToken.None);
        Assert.Equal(2, exit);
    }
}
