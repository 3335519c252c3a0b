using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Moderation.Evaluation.Quality;

/// <summary>The quality report as console text, JSON, and one self-contained HTML page (inline SVG, no external assets).</summary>
public static class QualityReportRendering
{
    public static JsonSerializerOptions JsonOptions { get; } = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public static string ToJson(QualityReport report) => JsonSerializer.Serialize(report, JsonOptions);

    public static string ToText(QualityReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var s = new StringBuilder();
        var v = report.Volumes;
        s.AppendLine(Inv($"Quality report {report.From:yyyy-MM-dd HH:mm} .. {report.To:yyyy-MM-dd HH:mm} UTC"));
        s.AppendLine(Inv($"  screened {v.Screened}, routed {v.Routed} ({Pct(v.RoutedShare)}), in progress {v.InProgress}, LLM failed {v.LlmFailed}"));
        foreach (var (key, count) in v.Finished)
        {
            s.AppendLine(Inv($"    {key,-22} {count}"));
        }

        var c = report.Cost;
        s.AppendLine(Inv($"  LLM: {c.Classifications} classifications, {c.InputTokens}+{c.OutputTokens} tokens, ${c.TotalCostUsd:0.####}; per 1,000 messages ${Money(c.CostPer1000Messages)}, per 1,000 cases ${Money(c.CostPer1000Cases)}"));
        var r = report.Review;
        s.AppendLine(Inv($"  Review: requested {r.Requested}, decided {r.Decided}, timed out {r.TimedOut} ({Pct(r.TimeoutShare)}), pending {r.Pending}; wait {string.Join(", ", r.WaitSeconds.Select(w => Inv($"{w.Key} {Duration(w.Value)}")))}"));
        var l = report.Llm;
        s.AppendLine(Inv($"  LLM vs reviewer: {l.Compared} compared ({l.WithoutVerdict} without verdict), accuracy {Pct(l.Accuracy)}, violation/clean agreement {Pct(l.ViolationAgreement)}"));
        foreach (var a in l.PerCategory.Where(a => a.Support > 0 || a.Predicted > 0))
        {
            s.AppendLine(Inv($"    {a.Category,-26} support {a.Support,4}  predicted {a.Predicted,4}  precision {Pct(a.Precision),6}  recall {Pct(a.Recall),6}"));
        }

        var p = report.Prefilter;
        s.AppendLine(Inv($"  Pre-filter vs reviewer: {p.Reviewed} reviewed, {p.ConfirmedViolations} confirmed, {p.FalseAlarms} false alarms, precision {Pct(p.Precision)}"));
        foreach (var rule in p.Rules)
        {
            s.AppendLine(Inv($"    rule {rule.RuleId,-24} fired {rule.Fired,4}  blocked {rule.Blocked,4}  precision {Pct(rule.Precision)}"));
        }

        s.AppendLine(Inv($"  Disagreements: {report.Disagreements.Count}"));
        foreach (var d in report.Disagreements.Take(20))
        {
            s.AppendLine(Inv($"    {d.CaseId}: reviewer {d.ReviewerCategory}, LLM {d.LlmCategory ?? "-"}, tiers {string.Join("+", d.Tiers)}"));
        }

        if (report.Disagreements.Count > 20)
        {
            s.AppendLine(Inv($"    ... {report.Disagreements.Count - 20} more in the JSON and HTML report"));
        }

        return s.ToString();
    }

    public static string ToHtml(QualityReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var v = report.Volumes;
        var c = report.Cost;
        var r = report.Review;
        var l = report.Llm;
        var p = report.Prefilter;
        var s = new StringBuilder();
        s.Append("""
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8"><title>Moderation quality report</title>
            <style>
            body{font-family:system-ui,sans-serif;margin:2rem;color:#222;max-width:72rem}
            table{border-collapse:collapse;margin:.5rem 0 1.5rem}td,th{border:1px solid #ccc;padding:.25rem .5rem;text-align:right}
            th:first-child,td:first-child{text-align:left}.kpi{display:inline-block;margin:0 1.5rem 1rem 0}
            .kpi b{display:block;font-size:1.6rem}svg text{font-size:11px;fill:#333}
            </style></head><body>
            """);
        s.Append(Inv($"<h1>Moderation quality report</h1><p>{report.From:yyyy-MM-dd HH:mm} to {report.To:yyyy-MM-dd HH:mm} UTC (cases by screening time)</p>"));
        s.Append("<section>");
        Kpi(s, "messages screened", Inv($"{v.Screened}"));
        Kpi(s, "routed share", Pct(v.RoutedShare));
        Kpi(s, "LLM cost / 1,000 messages", "$" + Money(c.CostPer1000Messages));
        Kpi(s, "review p90 wait", r.WaitSeconds.TryGetValue("p90", out var p90) ? Duration(p90) : "-");
        Kpi(s, "review timeouts", Inv($"{r.TimedOut} ({Pct(r.TimeoutShare)})"));
        Kpi(s, "LLM accuracy vs reviewer", Pct(l.Accuracy));
        s.Append("</section>");

        s.Append("<h2>Volume per day</h2>");
        s.Append(DailyChart(report.Days));
        s.Append("<table><tr><th>outcome</th><th>messages</th></tr>");
        foreach (var (key, count) in v.Finished)
        {
            s.Append(Inv($"<tr><td>{Enc(key)}</td><td>{count}</td></tr>"));
        }

        s.Append(Inv($"<tr><td>in progress</td><td>{v.InProgress}</td></tr><tr><td>LLM failed after retries</td><td>{v.LlmFailed}</td></tr></table>"));

        s.Append("<h2>LLM cost</h2>");
        s.Append(Inv($"<p>{c.Classifications} classifications, {c.InputTokens} input and {c.OutputTokens} output tokens, ${c.TotalCostUsd:0.####} in total; ${Money(c.CostPer1000Messages)} per 1,000 messages, ${Money(c.CostPer1000Cases)} per 1,000 cases.</p>"));

        s.Append("<h2>Review SLA</h2>");
        s.Append(Inv($"<p>{r.Requested} requested, {r.Decided} decided, {r.TimedOut} timed out, {r.Pending} pending.</p>"));
        s.Append(Bars(r.WaitSeconds.Select(w => (w.Key, w.Value, Duration(w.Value))).ToList(), "#4a7"));

        s.Append("<h2>LLM verdict versus reviewer</h2>");
        s.Append(Inv($"<p>{l.Compared} reviewer-decided cases with a verdict ({l.WithoutVerdict} without one). Accuracy {Pct(l.Accuracy)}; violation/clean agreement {Pct(l.ViolationAgreement)}.</p>"));
        s.Append("<table><tr><th>category</th><th>support</th><th>predicted</th><th>agreed</th><th>precision</th><th>recall</th></tr>");
        foreach (var a in l.PerCategory)
        {
            s.Append(Inv($"<tr><td>{Enc(a.Category)}</td><td>{a.Support}</td><td>{a.Predicted}</td><td>{a.Agreed}</td><td>{Pct(a.Precision)}</td><td>{Pct(a.Recall)}</td></tr>"));
        }

        s.Append("</table>");
        s.Append(Bars(l.PerCategory.Where(a => a.Recall is not null).Select(a => (a.Category + " recall", a.Recall!.Value, Pct(a.Recall))).ToList(), "#47a"));
        s.Append("<h3>Confusion matrix (rows: reviewer, columns: LLM)</h3>");
        s.Append(ConfusionTable(l));

        s.Append("<h2>Pre-filter versus reviewer</h2>");
        s.Append(Inv($"<p>Every reviewed case was flagged by the pre-filter: {p.ConfirmedViolations} confirmed, {p.FalseAlarms} false alarms, precision {Pct(p.Precision)}. Recall cannot be measured here: released messages are never reviewed.</p>"));
        s.Append("<table><tr><th>rule</th><th>fired</th><th>blocked</th><th>precision</th></tr>");
        foreach (var rule in p.Rules)
        {
            s.Append(Inv($"<tr><td>{Enc(rule.RuleId)}</td><td>{rule.Fired}</td><td>{rule.Blocked}</td><td>{Pct(rule.Precision)}</td></tr>"));
        }

        s.Append("</table>");

        s.Append(Inv($"<h2>Disagreements ({report.Disagreements.Count})</h2>"));
        s.Append("<table><tr><th>case</th><th>reviewed</th><th>reviewer</th><th>LLM</th><th>confidence</th><th>pre-filter score</th><th>rules</th><th>tiers</th></tr>");
        foreach (var d in report.Disagreements)
        {
            s.Append(Inv($"<tr><td>{Enc(d.CaseId)}</td><td>{d.ReviewedAt:yyyy-MM-dd HH:mm}</td><td>{Enc(d.ReviewerCategory)}</td><td>{Enc(d.LlmCategory ?? "-")}</td><td>{d.LlmConfidence:0.###}</td><td>{d.PrefilterScore:0.###}</td><td>{Enc(string.Join(", ", d.RuleIds))}</td><td>{Enc(string.Join(", ", d.Tiers))}</td></tr>"));
        }

        s.Append("</table></body></html>\n");
        return s.ToString();
    }

    private static string DailyChart(IReadOnlyList<DailyVolume> days)
    {
        if (days.Count == 0)
        {
            return "<p>No messages in the period.</p>";
        }

        const int height = 160, barWidth = 18, gap = 10, left = 40;
        var max = Math.Max(1, days.Max(d => d.Screened));
        var width = left + (days.Count * ((2 * barWidth) + gap)) + 10;
        var s = new StringBuilder();
        s.Append(Inv($"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height + 40}\" role=\"img\" aria-label=\"screened and routed messages per day\">"));
        s.Append(Inv($"<text x=\"0\" y=\"12\">{max}</text><line x1=\"{left - 4}\" y1=\"{height}\" x2=\"{width}\" y2=\"{height}\" stroke=\"#999\"/>"));
        for (var i = 0; i < days.Count; i++)
        {
            var d = days[i];
            var x = left + (i * ((2 * barWidth) + gap));
            var hs = (double)d.Screened / max * (height - 10);
            var hr = (double)d.Routed / max * (height - 10);
            s.Append(Inv($"<rect x=\"{x}\" y=\"{height - hs:0.#}\" width=\"{barWidth}\" height=\"{hs:0.#}\" fill=\"#8ab\"><title>{d.Day:yyyy-MM-dd}: {d.Screened} screened</title></rect>"));
            s.Append(Inv($"<rect x=\"{x + barWidth}\" y=\"{height - hr:0.#}\" width=\"{barWidth}\" height=\"{hr:0.#}\" fill=\"#d84\"><title>{d.Day:yyyy-MM-dd}: {d.Routed} routed, {d.Blocked} blocked</title></rect>"));
            s.Append(Inv($"<text x=\"{x}\" y=\"{height + 14}\">{d.Day:MM-dd}</text>"));
            s.Append(Inv($"<text x=\"{x}\" y=\"{height + 28}\">{Pct(d.Screened == 0 ? null : (double)d.Routed / d.Screened)}</text>"));
        }

        s.Append(Inv($"<text x=\"{left}\" y=\"{height + 40}\">blue: screened, orange: routed to a case; below: routed share</text></svg>"));
        return s.ToString();
    }

    /// <summary>Horizontal bars scaled to the largest value.</summary>
    private static string Bars(IReadOnlyList<(string Label, double Value, string Shown)> bars, string color)
    {
        if (bars.Count == 0)
        {
            return "<p>No data.</p>";
        }

        const int row = 20, label = 200, span = 360;
        var max = bars.Max(b => b.Value);
        var s = new StringBuilder();
        s.Append(Inv($"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{label + span + 90}\" height=\"{(bars.Count * row) + 4}\" role=\"img\">"));
        for (var i = 0; i < bars.Count; i++)
        {
            var (name, value, shown) = bars[i];
            var w = max <= 0 ? 0 : value / max * span;
            var y = i * row;
            s.Append(Inv($"<text x=\"0\" y=\"{y + 14}\">{Enc(name)}</text><rect x=\"{label}\" y=\"{y + 3}\" width=\"{w:0.#}\" height=\"{row - 6}\" fill=\"{color}\"/><text x=\"{label + w + 4:0.#}\" y=\"{y + 14}\">{Enc(shown)}</text>"));
        }

        s.Append("</svg>");
        return s.ToString();
    }

    private static string ConfusionTable(LlmAgreement llm)
    {
        var max = Math.Max(1, llm.Confusion.SelectMany(r => r).DefaultIfEmpty(0).Max());
        var s = new StringBuilder("<table><tr><th>reviewer \\ LLM</th>");
        foreach (var category in llm.Categories)
        {
            s.Append(Inv($"<th>{Enc(category)}</th>"));
        }

        s.Append("</tr>");
        for (var r = 0; r < llm.Categories.Count; r++)
        {
            s.Append(Inv($"<tr><td>{Enc(llm.Categories[r])}</td>"));
            for (var p = 0; p < llm.Categories.Count; p++)
            {
                var n = llm.Confusion[r][p];
                var alpha = n == 0 ? 0 : 0.15 + (0.75 * n / max);
                var hue = r == p ? "40,140,80" : "200,60,40";
                s.Append(Inv($"<td style=\"background:rgba({hue},{alpha:0.##})\">{n}</td>"));
            }

            s.Append("</tr>");
        }

        s.Append("</table>");
        return s.ToString();
    }

    private static void Kpi(StringBuilder s, string name, string value) =>
        s.Append(Inv($"<div class=\"kpi\"><b>{Enc(value)}</b>{Enc(name)}</div>"));

    private static string Enc(string value) => WebUtility.HtmlEncode(value);

    private static string Pct(double? value) => value is { } v ? (v * 100).ToString("0.0", CultureInfo.InvariantCulture) + "%" : "-";

    private static string Money(decimal? value) => value is { } v ? v.ToString("0.####", CultureInfo.InvariantCulture) : "-";

    private static string Duration(double seconds) =>
        seconds < 120 ? Inv($"{seconds:0} s") : seconds < 7200 ? Inv($"{seconds / 60:0.#} min") : Inv($"{seconds / 3600:0.#} h");

    private static string Inv(FormattableString value) => value.ToString(CultureInfo.InvariantCulture);
}
