using System.Text.Json;
using Moderation.Cli.Commands;
using Moderation.Prefilter.Model;

namespace Moderation.Evaluation.Tests.Cli;

public sealed class EvaluateCommandTests : IDisposable
{
    private readonly string directory = Directory.CreateTempSubdirectory("evaluate-command-").FullName;
    private readonly StringWriter output = new();
    private readonly StringWriter error = new();

    public void Dispose()
    {
        output.Dispose();
        error.Dispose();
        Directory.Delete(directory, recursive: true);
    }

    private string Write(string name, string content)
    {
        var path = Path.Combine(directory, name);
        File.WriteAllText(path, content);
        return path;
    }

    private EvaluateCommand Command(IPrefilterModel? model = null) => new(_ => model ?? new KeywordModel(), output, error, Path.Combine(directory, "cache"));

    private Task<int> Run(EvaluateCommand command, params string[] args) => command.RunAsync(args, CancellationToken.None);

    // Six suspicious and six clean messages; the keyword model scores "idiot"/"prize" texts 0.9, the rest 0.1.
    private string EvaluationFile() => Write("eval.csv", """
        text,label
        you idiot,harassment
        "what an idiot, honestly",1
        idiot move,1
        claim your prize now,spam
        prize waiting,spam
        "win a prize, call 555 123 4567",spam
        see you at 5:30,clean
        the sofa is still available,0
        thanks for the quick fix,0
        can you come on monday,ham
        the price is $150 for 3 hours,0
        you won the prize at the fair,0
        """);

    private string TrainingFile() => Write("train.tsv", "text\tlabel\n" + string.Join('\n', Enumerable.Range(0, 30).Select(i => i % 2 == 0
        ? $"you are an idiot number {i}\t1\nclaim the prize {i} now\tspam"
        : $"see you at the shop {i}\t0\nthe job took {i} hours\tham")) + "\n");

    [Fact]
    public async Task Evaluate_on_a_labeled_file_reports_rules_model_and_baseline_side_by_side_with_the_same_numbers_in_json()
    {
        var json = Path.Combine(directory, "out.json");
        var code = await Run(Command(), "--file", EvaluationFile(), "--baseline-train", TrainingFile(), "--json", json);

        Assert.True(code == 0, error.ToString());
        using var report = JsonDocument.Parse(File.ReadAllText(json));
        var root = report.RootElement;
        Assert.Equal(12, root.GetProperty("count").GetInt32());
        Assert.Equal(6, root.GetProperty("suspicious").GetInt32());
        var scorers = root.GetProperty("scorers").EnumerateArray().ToDictionary(s => s.GetProperty("scorer").GetString()!);
        Assert.Equal(["rules", "keyword@1", "keyword@1 +rules", "mlnet-ngram-sdca", "mlnet-ngram-sdca +rules"], scorers.Keys);

        // Keyword model: all six suspicious at 0.9, one clean ("won the prize") tied with them: 3 of 36 pairs lost.
        var model = scorers["keyword@1"];
        Assert.Equal(33.0 / 36.0, model.GetProperty("rocAuc").GetDouble(), 1e-9);
        Assert.Equal(6.0 / 7.0, model.GetProperty("precision").GetDouble(), 1e-9);
        Assert.Equal(1.0, model.GetProperty("recall").GetDouble(), 1e-9);
        Assert.Equal(7.0 / 12.0, model.GetProperty("routingFraction").GetDouble(), 1e-9);
        Assert.Equal(0.1 + (0.9 / 6.0), model.GetProperty("routingFractionInMix").GetDouble(), 1e-9);
        Assert.Equal("manifest", model.GetProperty("thresholdSource").GetString());
        Assert.Equal([0.1, 0.2, 0.3], model.GetProperty("recallAtRouting").EnumerateArray().Select(r => r.GetProperty("routingFraction").GetDouble()));

        // The only rule hit is the phone number in a suspicious message.
        var rules = scorers["rules"];
        Assert.Equal(1.0, rules.GetProperty("precision").GetDouble());
        Assert.Equal(1.0 / 6.0, rules.GetProperty("recall").GetDouble(), 1e-9);
        var phone = Assert.Single(root.GetProperty("ruleHits").EnumerateArray());
        Assert.Equal("contact.phone", phone.GetProperty("ruleId").GetString());

        // The baseline learned the keywords from its training file.
        Assert.True(scorers["mlnet-ngram-sdca"].GetProperty("rocAuc").GetDouble() > 0.8);

        var printed = output.ToString();
        Assert.Contains("ROC AUC", printed, StringComparison.Ordinal);
        Assert.Contains("keyword@1 +rules", printed, StringComparison.Ordinal);
        Assert.Contains("0.917", printed, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_the_baseline_only_rules_and_model_are_reported_and_the_skip_is_said()
    {
        var code = await Run(Command(), "--file", EvaluationFile(), "--no-baseline");
        Assert.True(code == 0, error.ToString());
        Assert.Contains("Baseline skipped", output.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("mlnet", output.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Blocklist_terms_from_the_command_line_become_rule_hits()
    {
        var code = await Run(Command(), "--file", EvaluationFile(), "--no-baseline", "--blocklist", "sofa, fair");
        Assert.Equal(0, code);
        Assert.Contains("blocklist 2 (0.000)", output.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData]
    [InlineData("--public", "--file", "x.csv")]
    [InlineData("--public", "--split", "train")]
    [InlineData("--public", "--mix", "1.5")]
    [InlineData("--file", "x.csv", "--format", "xml")]
    [InlineData("--file", "x.csv", "--unknown")]
    [InlineData("--file")]
    [InlineData("--corpus", "sgd-clean", "--public")]
    [InlineData("--corpus", "sgd-clean", "--file", "x.csv")]
    [InlineData("--corpus")]
    [InlineData("--corpus", "sgd-clean", "--baseline-train", "x.csv")]
    [InlineData("--public", "--report", "x.md")]
    public async Task Bad_arguments_are_a_usage_error(params string[] args)
    {
        Assert.Equal(2, await Run(Command(), args));
        Assert.Contains("usage: moderation evaluate", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_missing_file_fails_with_its_path()
    {
        var missing = Path.Combine(directory, "missing.csv");
        Assert.Equal(1, await Run(Command(), "--file", missing, "--no-baseline"));
        Assert.Contains(missing, error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_file_with_one_class_fails_because_ranking_needs_both()
    {
        var path = Write("one.csv", "text,label\na,1\nb,spam\n");
        Assert.Equal(1, await Run(Command(), "--file", path, "--no-baseline"));
        Assert.Contains("only suspicious", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_malformed_row_fails_with_its_line_number()
    {
        var path = Write("bad.csv", "text,label\nfine,0\nbad,\n");
        Assert.Equal(1, await Run(Command(), "--file", path, "--no-baseline"));
        Assert.Contains("line 3", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Rule_hits_rank_above_every_model_score_and_keep_their_model_order()
    {
        var combined = EvaluateCommand.WithRules([0.2, 0.9, 0.1, 0.5], [true, false, true, false]);
        Assert.Equal([1.2, 0.9, 1.1, 0.5], combined);
    }

    // Long: the shipped ONNX model and an ML.NET baseline over the whole public data; it skips where the data is absent.
    [Trait(TestTiming.Trait, TestTiming.Long)]
    [SharedDataFact]
    public async Task The_shipped_model_on_the_public_validation_split_beats_the_baseline_calibrated_to_its_recall()
    {
        var json = Path.Combine(directory, "public.json");

        var code = await Run(new EvaluateCommand(_ => OnnxPrefilterModel.Load(OnnxPrefilterModel.DefaultDirectory), output, error, Path.Combine(directory, "cache")), "--public", "--split", "validation", "--data", TestEnvironment.SharedDataDirectory!, "--json", json);

        Assert.True(code == 0, error.ToString());
        using var report = JsonDocument.Parse(File.ReadAllText(json));
        var model = report.RootElement.GetProperty("scorers")[1];
        var baseline = report.RootElement.GetProperty("scorers")[3];
        Assert.Equal("mlnet-ngram-sdca", baseline.GetProperty("scorer").GetString());
        Assert.True(model.GetProperty("rocAuc").GetDouble() > 0.95);
        Assert.True(baseline.GetProperty("rocAuc").GetDouble() > 0.9);

        // Calibrated on this very split to the CNN's recall, the baseline matches it there, within one tie group.
        Assert.Equal(model.GetProperty("recall").GetDouble(), baseline.GetProperty("recall").GetDouble(), 0.01);
    }

    // Long: the shipped ONNX model and an ML.NET baseline over the whole public data; it skips where the data is absent.
    [Trait(TestTiming.Trait, TestTiming.Long)]
    [SharedDataFact]
    public async Task The_per_source_evaluation_reproduces_the_metrics_the_shipped_model_was_released_with()
    {
        var manifestPath = Path.Combine(OnnxPrefilterModel.DefaultDirectory, PrefilterModelManifest.FileName);
        var released = PrefilterModelManifest.Load(manifestPath).Metrics?.Sources?.Where(s => s.Split == "validation").ToList();
        Assert.True(released is { Count: > 0 }, "The shipped manifest records no per-source validation metrics.");
        var json = Path.Combine(directory, "sources.json");

        var code = await Run(new EvaluateCommand(_ => OnnxPrefilterModel.Load(OnnxPrefilterModel.DefaultDirectory), output, error, Path.Combine(directory, "cache")), "--corpus", "all", "--split", "validation", "--no-baseline", "--data", TestEnvironment.SharedDataDirectory!, "--json", json);

        Assert.True(code == 0, error.ToString());
        using var report = JsonDocument.Parse(File.ReadAllText(json));
        var cnnRows = report.RootElement.GetProperty("sources").EnumerateArray()
            .Where(r => r.GetProperty("scorer").GetString() == "CNN")
            .ToDictionary(r => r.GetProperty("source").GetString()!, r => r.Clone(), StringComparer.Ordinal);

        // The trainer measured each source's validation part with its own code; the evaluation command must agree.
        foreach (var source in released)
        {
            Assert.True(cnnRows.TryGetValue(source.Source, out var row), $"no CNN row for {source.Source}");
            Assert.Equal(source.Examples, row.GetProperty("count").GetInt32());
            if (source.Recall is { } recall)
            {
                Assert.Equal(recall, row.GetProperty("recall").GetDouble(), 0.002);
            }

            if (source.FalsePositiveRate is { } falsePositiveRate)
            {
                Assert.Equal(falsePositiveRate, row.GetProperty("falsePositiveRate").GetDouble(), 0.002);
            }

            if (source.RocAuc is { } rocAuc)
            {
                Assert.Equal(rocAuc, row.GetProperty("rocAuc").GetDouble(), 0.002);
            }
        }
    }

    private sealed class KeywordModel : IPrefilterModel
    {
        public PrefilterModelManifest Manifest { get; } = new() { Name = "keyword", Version = "1", Threshold = 0.42, MaxLength = 64 };

        public float[] Score(IReadOnlyList<string> texts) =>
            texts.Select(t => t.Contains("idiot", StringComparison.OrdinalIgnoreCase) || t.Contains("prize", StringComparison.OrdinalIgnoreCase) ? 0.9f : 0.1f).ToArray();
    }

    [Fact]
    public async Task The_llm_tier_is_evaluated_through_the_same_command_and_says_when_no_llm_is_configured()
    {
        var code = await Run(Command(), "--tier", "llm", "--file", EvaluationFile(), "--config", Write("empty.json", "{}"));

        Assert.Equal(1, code);
        Assert.Contains("llm-evaluate:", error.ToString(), StringComparison.Ordinal);
        Assert.Contains("Moderation:Llm:Provider", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unknown_tier_is_a_usage_error()
    {
        Assert.Equal(2, await Run(Command(), "--tier", "cnn", "--file", EvaluationFile()));
    }

    [Fact]
    public async Task The_second_run_loads_the_baseline_from_the_cache_instead_of_retraining()
    {
        var evaluation = EvaluationFile();
        var training = TrainingFile();
        Assert.Equal(0, await Run(Command(), "--file", evaluation, "--baseline-train", training));
        Assert.Contains("Baseline trained.", error.ToString(), StringComparison.Ordinal);

        Assert.Equal(0, await Run(Command(), "--file", evaluation, "--baseline-train", training));
        Assert.Contains("Baseline loaded from the cache", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unknown_label_in_a_file_fails_naming_the_value_and_line()
    {
        var path = Write("classes.csv", "text,label\nyou idiot,0\nhello,2\n");

        Assert.Equal(1, await Run(Command(), "--file", path, "--no-baseline"));

        Assert.Contains("line 3", error.ToString(), StringComparison.Ordinal);
        Assert.Contains("label '2'", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_label_map_reads_class_numbers_as_documented_and_a_predictions_file_has_a_line_per_message()
    {
        var path = Write("classes.csv", "class,tweet\n0,you idiot\n1,what an idiot\n2,see you at five\n2,thanks for the sofa\n");
        var predictions = Path.Combine(directory, "predictions.tsv");

        var code = await Run(Command(), "--file", path, "--text-column", "tweet", "--label-column", "class", "--label-map", "0=violation:hate,1=violation:harassment,2=clean", "--no-baseline", "--predictions", predictions);

        Assert.True(code == 0, error.ToString());
        Assert.Contains("Evaluating 4 messages (2 suspicious)", output.ToString(), StringComparison.Ordinal);
        Assert.Contains("Recall per category", output.ToString(), StringComparison.Ordinal);
        var lines = File.ReadAllLines(predictions);
        Assert.Equal(5, lines.Length);
        Assert.Equal("classes.csv\tclasses.csv:2\tviolation\thate\t0.9\t\ttrue\t\tyou idiot", lines[1]);
        Assert.StartsWith("classes.csv\tclasses.csv:4\tclean\tnone\t0.1\t", lines[3], StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_malformed_label_map_fails_with_the_offending_part()
    {
        Assert.Equal(1, await Run(Command(), "--file", EvaluationFile(), "--label-map", "0=hate", "--no-baseline"));
        Assert.Contains("'0=hate'", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unknown_corpus_fails_listing_the_known_ones()
    {
        Assert.Equal(1, await Run(Command(), "--corpus", "lol", "--no-baseline", "--data", directory));
        Assert.Contains("Unknown corpus 'lol'", error.ToString(), StringComparison.Ordinal);
        Assert.Contains("l2dtnh-lol-chat", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Catalog_corpora_are_evaluated_on_their_test_split_into_a_per_source_report_and_predictions()
    {
        var data = Path.Combine(directory, "data");
        Directory.CreateDirectory(Path.Combine(data, "sgd-clean"));
        Directory.CreateDirectory(Path.Combine(data, "stormfront-hate"));
        File.WriteAllText(
            Path.Combine(data, "sgd-clean", "sgd_utterances.tsv"),
            "text\tlabel\tcategory\tsource_id\tdomain\tspeaker\n"
            + string.Concat(Enumerable.Range(0, 120).Select(i => $"book the \"dentist\" for {i} pm\tclean\tnone\tSGD:{i}\tServices_2\tuser\n")));
        File.WriteAllText(
            Path.Combine(data, "stormfront-hate", "stormfront_sentences.tsv"),
            "text\tlabel\tcategory\tsource_id\tuser_id\tsubforum_id\tnum_contexts\n"
            + string.Concat(Enumerable.Range(0, 120).Select(i => i % 3 == 0
                ? $"they are idiots number {i}\tviolation\thate\tstormfront:{i}\t1\t1\t0\n"
                : $"the weather in town {i}\tclean\tnone\tstormfront:{i}\t1\t1\t0\n")));
        var report = Path.Combine(directory, "out", "report.md");
        var predictions = Path.Combine(directory, "out", "predictions.tsv");

        var code = await Run(Command(), "--corpus", "sgd-clean", "--corpus", "stormfront-hate", "--data", data, "--no-baseline", "--report", report, "--predictions", predictions);

        Assert.True(code == 0, error.ToString());
        var sgdTest = Moderation.Evaluation.Data.CorpusCatalog.Get("sgd-clean").LoadSplit(data).Test;
        var stormTest = Moderation.Evaluation.Data.CorpusCatalog.Get("stormfront-hate").LoadSplit(data).Test;
        Assert.NotEmpty(sgdTest);
        Assert.Contains(stormTest, e => e.Suspicious);
        var markdown = File.ReadAllText(report);
        Assert.Contains($"| sgd-clean | CNN | {sgdTest.Count} | 0 |", markdown, StringComparison.Ordinal);
        Assert.Contains($"| stormfront-hate | CNN + rules | {stormTest.Count} | {stormTest.Count(e => e.Suspicious)} | 1.000 | 1.000 | 1.000 | 0.000 |", markdown, StringComparison.Ordinal);
        Assert.Contains("| all sources | CNN |", markdown, StringComparison.Ordinal);
        Assert.Contains("| stormfront-hate | hate |", markdown, StringComparison.Ordinal);
        Assert.Contains("Rule hit rate on clean messages", markdown, StringComparison.Ordinal);
        Assert.Contains("--corpus sgd-clean --corpus stormfront-hate", markdown, StringComparison.Ordinal);
        Assert.Equal(markdown, output.ToString()[..markdown.Length]);
        Assert.Equal(1 + sgdTest.Count + stormTest.Count, File.ReadAllLines(predictions).Length);
        Assert.Contains("Scoring sgd-clean (test)", error.ToString(), StringComparison.Ordinal);
    }

    // Long: the shipped ONNX model and an ML.NET baseline over the whole public data; it skips where the data is absent.
    [Trait(TestTiming.Trait, TestTiming.Long)]
    [SharedDataFact]
    public async Task Every_public_corpus_is_reported_with_the_shipped_model_and_the_cached_baseline()
    {
        var json = Path.Combine(directory, "corpora.json");
        var report = Path.Combine(directory, "corpora.md");

        var code = await Run(new EvaluateCommand(_ => OnnxPrefilterModel.Load(OnnxPrefilterModel.DefaultDirectory), output, error, Path.Combine(directory, "cache")), "--corpus", "all", "--data", TestEnvironment.SharedDataDirectory!, "--json", json, "--report", report);

        Assert.True(code == 0, error.ToString());
        using var document = JsonDocument.Parse(File.ReadAllText(json));
        var rows = document.RootElement.GetProperty("sources").EnumerateArray().ToList();
        Assert.Equal(3 * 12, rows.Count);
        var markdown = File.ReadAllText(report);
        foreach (var corpus in Moderation.Evaluation.Data.CorpusCatalog.All)
        {
            Assert.Contains($"| {corpus.Name} | baseline |", markdown, StringComparison.Ordinal);
        }

        // The shipped model was trained on Davidson + SMS: on their test parts it must still rank well.
        var davidson = rows.Single(r => r.GetProperty("source").GetString() == "davidson-hate-offensive" && r.GetProperty("scorer").GetString() == "CNN");
        Assert.True(davidson.GetProperty("rocAuc").GetDouble() > 0.95);
    }
}
