using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Moderation.Prefilter.Rules;
using Xunit.Abstractions;

namespace Moderation.Prefilter.Tests.Rules;

/// <summary>
/// The rule screen on real public text: it must stay quiet on clean dialogue (every hit routes a message to the LLM
/// tier, so a noisy rule costs money and reviewer time), and it must find the contact details and payment requests
/// that spam really contains. Prints per-rule rates so a rule change shows its cost and benefit.
/// </summary>
public sealed partial class SharedDataRuleRateTests(ITestOutputHelper output)
{
    /// <summary>At most this share of a clean dialogue corpus may hit any rule.</summary>
    private const double MaxCleanHitRate = 0.01;

    /// <summary>At most this share of a clean dialogue corpus may hit one rule.</summary>
    private const double MaxCleanHitRatePerRule = 0.005;

    private static readonly RuleScreen Screen = new();

    private static string Data => TestEnvironment.SharedDataDirectory!;

    [SharedDataFact]
    public void Clean_dialogue_corpora_rarely_hit_any_rule()
    {
        var corpora = new (string Name, string Path)[]
        {
            ("taskmaster-clean", "taskmaster-clean/taskmaster_utterances.tsv"),
            ("sgd-clean", "sgd-clean/sgd_utterances.tsv"),
            ("casino-negotiation", "casino-negotiation/casino_utterances.tsv"),
        };

        var failures = new List<string>();
        foreach (var (name, path) in corpora)
        {
            var texts = ReadDerivedTsv(Path.Combine(Data, path)).Select(r => r.Text).ToList();
            Assert.True(texts.Count > 1_000, $"{name}: only {texts.Count} rows read.");
            var rates = Measure(name, texts);
            if (rates.AnyHitRate > MaxCleanHitRate)
            {
                failures.Add(F($"{name}: {rates.AnyHitRate:P2} of clean rows hit a rule (limit {MaxCleanHitRate:P1})"));
            }

            failures.AddRange(rates.PerRule
                .Where(r => r.Value / (double)texts.Count > MaxCleanHitRatePerRule)
                .Select(r => F($"{name}: rule {r.Key} hit {r.Value / (double)texts.Count:P2} of clean rows (limit {MaxCleanHitRatePerRule:P1})")));
        }

        Assert.True(failures.Count == 0, string.Join(Environment.NewLine, failures));
    }

    [SharedDataFact]
    public void Clean_rows_of_mixed_corpora_are_measured()
    {
        // Not asserted: these clean rows are tweets, SMS and comments, where links and numbers are ordinary; the rates
        // are printed so a rule change that floods them is visible.
        Measure("sms ham", ReadSms().Where(r => !r.Spam).Select(r => r.Text).ToList());
        Measure("youtube ham", ReadYouTube().Where(r => !r.Spam).Select(r => r.Text).ToList());
        Measure("stormfront clean", ReadDerivedTsv(Path.Combine(Data, "stormfront-hate", "stormfront_sentences.tsv")).Where(r => r.Label == "clean").Select(r => r.Text).ToList());
        Measure("davidson neither", ReadCsvColumn(Path.Combine(Data, "davidson-hate-offensive", "labeled_data.csv"), "tweet", "class", "2"));
        Measure("edos not sexist", ReadCsvColumn(Path.Combine(Data, "edos-sexism", "edos_labelled_aggregated.csv"), "text", "label_sexist", "not sexist"));
        Measure("l2dtnh clean", File.ReadLines(Path.Combine(Data, "l2dtnh-lol-chat", "l2dtnh_english_dev.csv"), Encoding.UTF8)
            .Skip(1)
            .Select(line => line.Split(';'))
            .Where(f => f.Length >= 3 && f[^1].Trim() == "0")
            .Select(f => f[1])
            .ToList());
    }

    [SharedDataFact]
    public void Contact_details_in_real_spam_are_found()
    {
        var sms = ReadSms().Where(r => r.Spam).Select(r => r.Text).ToList();
        var youtube = ReadYouTube().Where(r => r.Spam).Select(r => r.Text).ToList();
        Measure("sms spam", sms);
        Measure("youtube spam", youtube);

        // The reference for "holds a contact detail" is deliberately cruder than the rules: a run of seven or more
        // digits, or an obvious address or link, in the raw text.
        var smsWithNumber = sms.Where(t => RawPhone().IsMatch(t)).ToList();
        var phoneRecall = Recall(smsWithNumber, RuleIds.Phone);
        var withLink = sms.Concat(youtube).Where(t => RawLink().IsMatch(t)).ToList();
        var linkRecall = Recall(withLink, RuleIds.Url);
        var anyRecall = Recall(withLink, null);
        foreach (var missed in withLink.Where(t => Screen.Screen(t).Count == 0).Take(15))
        {
            output.WriteLine("    no rule: " + missed);
        }

        output.WriteLine(F($"SMS spam with a 7+ digit run: {smsWithNumber.Count}, found by {RuleIds.Phone}: {phoneRecall:P1}"));
        output.WriteLine(F($"Spam with a link (SMS + YouTube): {withLink.Count}, {RuleIds.Url}: {linkRecall:P1}, any rule: {anyRecall:P1}"));

        Assert.True(phoneRecall >= 0.97, F($"Only {phoneRecall:P1} of SMS spam phone numbers were found."));
    }

    private double Recall(List<string> texts, string? ruleId) =>
        texts.Count == 0 ? 0 : texts.Count(t => Screen.Screen(t).Any(h => ruleId is null || h.RuleId == ruleId)) / (double)texts.Count;

    private (double AnyHitRate, Dictionary<string, int> PerRule) Measure(string name, IReadOnlyList<string> texts)
    {
        var perRule = new Dictionary<string, int>(StringComparer.Ordinal);
        var examples = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        var any = 0;
        foreach (var text in texts)
        {
            var hits = Screen.Screen(text);
            if (hits.Count > 0)
            {
                any++;
            }

            foreach (var hit in hits.DistinctBy(h => h.RuleId))
            {
                perRule[hit.RuleId] = perRule.GetValueOrDefault(hit.RuleId) + 1;
                var list = examples.TryGetValue(hit.RuleId, out var l) ? l : examples[hit.RuleId] = [];
                if (list.Count < 3)
                {
                    list.Add(hit.Evidence);
                }
            }
        }

        var rate = texts.Count == 0 ? 0 : any / (double)texts.Count;
        output.WriteLine(F($"{name}: {texts.Count} rows, any rule {any} ({rate:P2})"));
        foreach (var (rule, count) in perRule.OrderByDescending(p => p.Value))
        {
            output.WriteLine(F($"    {rule,-28} {count,6} ({count / (double)texts.Count:P2})  e.g. {string.Join(" | ", examples[rule])}"));
        }

        return (rate, perRule);
    }

    private static string F(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    /// <summary>The shared layout of the derived corpora: tab-separated, header, no quoting, text first.</summary>
    private static IEnumerable<(string Text, string Label)> ReadDerivedTsv(string path) =>
        File.ReadLines(path, Encoding.UTF8).Skip(1).Select(line => line.Split('\t')).Where(f => f.Length >= 2).Select(f => (f[0], f[1]));

    private static IEnumerable<(string Text, bool Spam)> ReadSms() =>
        File.ReadLines(Path.Combine(Data, "sms-spam-collection", "SMSSpamCollection.tsv"), Encoding.UTF8)
            .Skip(1)
            .Select(line => line.Split('\t', 2))
            .Where(f => f.Length == 2)
            .Select(f => (f[1], f[0] == "spam"));

    private static List<string> ReadCsvColumn(string path, string textColumn, string labelColumn, string label)
    {
        var rows = ReadQuotedCsv(File.ReadAllText(path, Encoding.UTF8));
        var text = Array.IndexOf(rows[0], textColumn);
        var labels = Array.IndexOf(rows[0], labelColumn);
        return rows.Skip(1).Where(r => r.Length == rows[0].Length && r[labels] == label).Select(r => r[text]).ToList();
    }

    private static IEnumerable<(string Text, bool Spam)> ReadYouTube()
    {
        foreach (var file in Directory.GetFiles(Path.Combine(Data, "youtube-spam-collection"), "Youtube*.csv").Order(StringComparer.Ordinal))
        {
            var rows = ReadQuotedCsv(File.ReadAllText(file, Encoding.UTF8));
            var header = rows[0];
            var content = Array.IndexOf(header, "CONTENT");
            var label = Array.IndexOf(header, "CLASS");
            foreach (var row in rows.Skip(1).Where(r => r.Length == header.Length))
            {
                yield return (row[content], row[label] == "1");
            }
        }
    }

    /// <summary>RFC 4180: quoted fields may hold commas, doubled quotes and line breaks.</summary>
    private static List<string[]> ReadQuotedCsv(string text)
    {
        var rows = new List<string[]>();
        var fields = new List<string>();
        var field = new StringBuilder();
        var quoted = false;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < text.Length && text[i + 1] == '"')
                {
                    field.Append('"');
                    i++;
                }
                else if (c == '"')
                {
                    quoted = false;
                }
                else
                {
                    field.Append(c);
                }
            }
            else if (c == '"')
            {
                quoted = true;
            }
            else if (c == ',')
            {
                fields.Add(field.ToString());
                field.Clear();
            }
            else if (c is '\n' or '\r')
            {
                if (c == '\r' && i + 1 < text.Length && text[i + 1] == '\n')
                {
                    i++;
                }

                fields.Add(field.ToString());
                field.Clear();
                rows.Add([.. fields]);
                fields.Clear();
            }
            else
            {
                field.Append(c);
            }
        }

        if (field.Length > 0 || fields.Count > 0)
        {
            fields.Add(field.ToString());
            rows.Add([.. fields]);
        }

        return rows;
    }

    [GeneratedRegex(@"\d{7,}|\d{3,5}[ \-]\d{3,4}[ \-]?\d{3,4}", RegexOptions.CultureInvariant)]
    private static partial Regex RawPhone();

    [GeneratedRegex(@"https?://|www\.|\.(?:com|net|org|co\.uk|ly)\b", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex RawLink();
}
