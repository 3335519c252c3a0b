using Moderation.Evaluation.Data;

namespace Moderation.Evaluation.Tests.Data;

public sealed class CorpusCatalogTests : IDisposable
{
    private readonly string data = Directory.CreateTempSubdirectory("corpus-catalog-").FullName;

    public void Dispose() => Directory.Delete(data, recursive: true);

    [Fact]
    public void The_catalog_names_the_eleven_shared_corpora_by_folder()
    {
        Assert.Equal(
            [
                "davidson-hate-offensive", "sms-spam-collection", "l2dtnh-lol-chat", "toxic-spans-civil-comments", "edos-sexism",
                "hatecheck", "stormfront-hate", "youtube-spam-collection", "taskmaster-clean", "sgd-clean", "casino-negotiation",
            ],
            CorpusCatalog.All.Select(c => c.Name));
        Assert.Equal(["taskmaster-clean", "sgd-clean", "casino-negotiation"], CorpusCatalog.All.Where(c => c.CleanOnly).Select(c => c.Name));
        Assert.Equal(["toxic-spans-civil-comments"], CorpusCatalog.All.Where(c => c.ViolationsOnly).Select(c => c.Name));
        Assert.Equal(["stormfront-hate", "sgd-clean"], CorpusCatalog.All.Where(c => c.ShareAlike).Select(c => c.Name));
        Assert.All(CorpusCatalog.All, c => Assert.False(string.IsNullOrWhiteSpace(c.Licence) || string.IsNullOrWhiteSpace(c.Citation)));
    }

    [Fact]
    public void An_unknown_corpus_name_is_an_error_listing_the_known_names()
    {
        var error = Assert.Throws<ArgumentException>(() => CorpusCatalog.Get("lol-chat"));
        Assert.Contains("'lol-chat'", error.Message, StringComparison.Ordinal);
        Assert.Contains("l2dtnh-lol-chat", error.Message, StringComparison.Ordinal);
        Assert.Contains("casino-negotiation", error.Message, StringComparison.Ordinal);
        Assert.Same(CorpusCatalog.All[1], CorpusCatalog.Get("SMS-Spam-Collection"));
    }

    [Fact]
    public void A_missing_corpus_file_is_an_error_naming_the_file()
    {
        var error = Assert.Throws<FileNotFoundException>(() => CorpusCatalog.Get("sgd-clean").Load(data));
        Assert.Contains("sgd_utterances.tsv", error.Message, StringComparison.Ordinal);
        Assert.Throws<DirectoryNotFoundException>(() => CorpusCatalog.Get("sgd-clean").Load(Path.Combine(data, "absent")));
    }

    [Fact]
    public void Derived_tsv_rows_keep_quotes_as_text_and_take_label_and_category_from_the_file()
    {
        Write(
            "stormfront-hate/stormfront_sentences.tsv",
            "text\tlabel\tcategory\tsource_id\tuser_id\tsubforum_id\tnum_contexts\n"
            + "He said \"go home\tclean\tnone\tstormfront:1_1\t5\t6\t0\n"
            + "and \"stay there.\tviolation\thate\tstormfront:1_2\t5\t6\t1\n"
            + "third line\tclean\tnone\tstormfront:1_3\t5\t6\t0\n");

        var rows = CorpusCatalog.Get("stormfront-hate").Load(data);

        Assert.Equal(
            [
                new LabeledExample("He said \"go home", false, "stormfront:1_1", "none"),
                new LabeledExample("and \"stay there.", true, "stormfront:1_2", "hate"),
                new LabeledExample("third line", false, "stormfront:1_3", "none"),
            ],
            rows);
    }

    [Fact]
    public void An_unknown_label_in_a_derived_tsv_is_an_error_naming_the_value_file_and_line()
    {
        Write("casino-negotiation/casino_utterances.tsv", "text\tlabel\tcategory\tsource_id\tdomain\tspeaker\nhi\tclean\tnone\tc:1\td\ts\nbye\tspam\tnone\tc:2\td\ts\n");

        var error = Assert.Throws<InvalidDataException>(() => CorpusCatalog.Get("casino-negotiation").Load(data));

        Assert.Contains("line 3", error.Message, StringComparison.Ordinal);
        Assert.Contains("'spam'", error.Message, StringComparison.Ordinal);
        Assert.Contains("casino_utterances.tsv", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_derived_tsv_row_with_a_missing_field_is_an_error_not_a_shifted_row()
    {
        Write("taskmaster-clean/taskmaster_utterances.tsv", "text\tlabel\tcategory\tsource_id\tdomain\tspeaker\nhi\tclean\tnone\tt:1\td\n");

        var error = Assert.Throws<InvalidDataException>(() => CorpusCatalog.Get("taskmaster-clean").Load(data));

        Assert.Contains("line 2", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Sms_is_read_without_quote_handling_so_a_stray_quote_does_not_swallow_rows()
    {
        Write("sms-spam-collection/SMSSpamCollection.tsv", "Label\tSMS\nham\t\"Pete can you ring me\nspam\tWIN a prize now\nham\tok\"\n");

        var rows = CorpusCatalog.Get("sms-spam-collection").Load(data);

        Assert.Equal(
            [
                new LabeledExample("\"Pete can you ring me", false, "sms:2", "none"),
                new LabeledExample("WIN a prize now", true, "sms:3", "spam"),
                new LabeledExample("ok\"", false, "sms:4", "none"),
            ],
            rows);
    }

    [Fact]
    public void Davidson_maps_hate_and_offensive_to_violations_and_neither_to_clean()
    {
        Write(
            "davidson-hate-offensive/labeled_data.csv",
            ",count,hate_speech,offensive_language,neither,class,tweet\n1,3,0,0,3,2,\"fish &amp; chips, \"\"yum\"\"\"\n2,3,3,0,0,0,hateful\n3,3,0,3,0,1,rude\n");

        var rows = CorpusCatalog.Get("davidson-hate-offensive").Load(data);

        Assert.Equal(
            [
                new LabeledExample("fish & chips, \"yum\"", false, "davidson:1", "none"),
                new LabeledExample("hateful", true, "davidson:2", "hate"),
                new LabeledExample("rude", true, "davidson:3", "profanity"),
            ],
            rows);
    }

    [Fact]
    public void Davidson_with_an_unknown_class_is_an_error_naming_the_value_and_line()
    {
        Write("davidson-hate-offensive/labeled_data.csv", ",count,hate_speech,offensive_language,neither,class,tweet\n1,3,0,0,3,3,hi\n");

        var error = Assert.Throws<InvalidDataException>(() => CorpusCatalog.Get("davidson-hate-offensive").Load(data));

        Assert.Contains("line 2", error.Message, StringComparison.Ordinal);
        Assert.Contains("'3'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void League_chat_rows_without_a_chat_log_join_the_chat_log_around_them()
    {
        // The upstream artefact: only id, message and label filled, sitting between rows of one chat log.
        Write(
            "l2dtnh-lol-chat/l2dtnh_english_dev.csv",
            "id;message;association_to_offender;time;case_total_reports;allied_report_count;enemy_report_count;most_common_report_reason;chatlog_id;champion_name;label\n"
            + "0;gold 2 zed;enemy;00:00:21;8.0;0.0;2.0;Negative Attitude;1.0;Udyr;0\n"
            + "596;RIVEN! &gt;;;;;;;;;0\n"
            + "597;\"u said \"\"noob\"\"\";ally;00:01:18;2.0;1.0;0.0;Offensive Language;1.0;Leona;1\n"
            + "10-8;warded there;enemy;00:08:12;8.0;0.0;2.0;Negative Attitude;7.0;Udyr;0\n"
            + "gp ;gp ;;;;;;;;;0\n");

        var rows = CorpusCatalog.Get("l2dtnh-lol-chat").Load(data);

        Assert.Equal(
            [
                new LabeledExample("gold 2 zed", false, "l2dtnh:2", "none", "l2dtnh-lol-chat:chatlog:1.0"),
                new LabeledExample("RIVEN! >", false, "l2dtnh:3", "none", "l2dtnh-lol-chat:chatlog:1.0"),
                new LabeledExample("u said \"noob\"", true, "l2dtnh:4", "harassment", "l2dtnh-lol-chat:chatlog:1.0"),
                new LabeledExample("warded there", false, "l2dtnh:5", "none", "l2dtnh-lol-chat:chatlog:7.0"),
                new LabeledExample("gp ", false, "l2dtnh:6", "none", "l2dtnh-lol-chat:chatlog:7.0"),
            ],
            rows);
        var split = CorpusCatalog.Get("l2dtnh-lol-chat").LoadSplit(data);
        Assert.Single(PartsHolding(split, "l2dtnh-lol-chat:chatlog:1.0"));
    }

    [Fact]
    public void Edos_maps_sexist_posts_to_hate_or_threat_and_the_rest_to_clean()
    {
        Write(
            "edos-sexism/edos_labelled_aggregated.csv",
            "rewire_id,text,label_sexist,label_category,label_vector,split\n"
            + "e-1,\"Then, she's a keeper.\",not sexist,none,none,train\n"
            + "e-2,women are trash,sexist,2. derogation,2.1 descriptive attacks,test\n"
            + "e-3,I will hurt her,sexist,\"1. threats, plans to harm and incitement\",1.1 threats of harm,dev\n");

        var rows = CorpusCatalog.Get("edos-sexism").Load(data);

        Assert.Equal(
            [
                new LabeledExample("Then, she's a keeper.", false, "e-1", "none"),
                new LabeledExample("women are trash", true, "e-2", "hate"),
                new LabeledExample("I will hurt her", true, "e-3", "threat"),
            ],
            rows);
    }

    [Fact]
    public void HateCheck_maps_functionalities_and_leaves_out_the_policy_dependent_ones()
    {
        Write(
            "hatecheck/test_suite_cases.csv",
            ",functionality,case_id,test_case,label_gold,target_ident,direction\n"
            + "0,derog_neg_emote_h,1,I hate women. ,hateful,women,general\n"
            + "1,threat_dir_h,2,I will kill them.,hateful,women,general\n"
            + "2,target_indiv_nh,3,I hate you.,non-hateful,,\n"
            + "3,profanity_nh,4,\"Fucking hell, what a day.\",non-hateful,,\n"
            + "4,ident_pos_nh,5,I love women.,non-hateful,women,general\n");

        var rows = CorpusCatalog.Get("hatecheck").Load(data);

        Assert.Equal(
            [
                new LabeledExample("I hate women. ", true, "hatecheck:derog_neg_emote_h:1", "hate"),
                new LabeledExample("I will kill them.", true, "hatecheck:threat_dir_h:2", "threat"),
                new LabeledExample("I hate you.", true, "hatecheck:target_indiv_nh:3", "harassment"),
                new LabeledExample("I love women.", false, "hatecheck:ident_pos_nh:5", "none"),
            ],
            rows);
    }

    [Fact]
    public void YouTube_reads_the_five_files_in_order_as_spam_or_clean()
    {
        string[] files = ["Youtube01-Psy.csv", "Youtube02-KatyPerry.csv", "Youtube03-LMFAO.csv", "Youtube04-Eminem.csv", "Youtube05-Shakira.csv"];
        for (var i = 0; i < files.Length; i++)
        {
            Write("youtube-spam-collection/" + files[i], $"COMMENT_ID,AUTHOR,DATE,CONTENT,CLASS\nid{i},a,2014,\"check out my channel, &amp; subscribe\ufeff\",1\nid{i}b,b,2014,nice song {i},0\n");
        }

        var rows = CorpusCatalog.Get("youtube-spam-collection").Load(data);

        Assert.Equal(10, rows.Count);
        Assert.Equal(new LabeledExample("check out my channel, & subscribe", true, "youtube:Youtube01-Psy:2", "spam"), rows[0]);
        Assert.Equal(new LabeledExample("nice song 4", false, "youtube:Youtube05-Shakira:3", "none"), rows[^1]);
    }

    [Fact]
    public void Duplicate_texts_share_a_split_part_and_each_part_keeps_file_order()
    {
        var rows = Enumerable.Range(0, 400).Select(i => $"utterance number {i % 150}\tclean\tnone\tt:{i}\td\ts").ToList();
        Write("taskmaster-clean/taskmaster_utterances.tsv", "text\tlabel\tcategory\tsource_id\tdomain\tspeaker\n" + string.Join('\n', rows) + "\n");

        var split = CorpusCatalog.Get("taskmaster-clean").LoadSplit(data);

        Assert.Equal(400, split.Train.Count + split.Validation.Count + split.Test.Count);
        Assert.NotEmpty(split.Test);
        var trainTexts = split.Train.Select(e => e.Text).ToHashSet(StringComparer.Ordinal);
        Assert.DoesNotContain(split.Test, e => trainTexts.Contains(e.Text));
        Assert.DoesNotContain(split.Validation, e => trainTexts.Contains(e.Text));
        Assert.Equal(split.Test.OrderBy(e => int.Parse(e.Source[2..], System.Globalization.CultureInfo.InvariantCulture)), split.Test);
    }

    /// <summary>Row counts from ../shared/data/README.md (HateCheck without its 243 policy-dependent cases).</summary>
    public static TheoryData<string, int, int> ReadmeCounts => new()
    {
        { "davidson-hate-offensive", 19_827, -1 },
        { "sms-spam-collection", 4_460, -1 },
        { "l2dtnh-lol-chat", 12_101, 1_076 },
        { "toxic-spans-civil-comments", 10_621, 10_621 },
        { "edos-sexism", 20_000, 4_854 },
        { "hatecheck", 3_728 - 62 - 100 - 81, 2_563 + 65 },
        { "stormfront-hate", 10_703, 1_196 },
        { "youtube-spam-collection", 1_956, 1_005 },
        { "taskmaster-clean", 20_000, 0 },
        { "sgd-clean", 20_100, 0 },
        { "casino-negotiation", 11_531, 0 },
    };

    [SharedDataTheory]
    [MemberData(nameof(ReadmeCounts))]
    public void Every_shared_corpus_loads_every_row_and_splits_without_groups_or_duplicates_crossing_parts(string name, int rows, int violations)
    {
        var corpus = CorpusCatalog.Get(name);
        var all = corpus.Load(TestEnvironment.SharedDataDirectory!);
        var split = corpus.LoadSplit(TestEnvironment.SharedDataDirectory!);

        Assert.Equal(rows, all.Count);
        if (violations >= 0)
        {
            Assert.Equal(violations, all.Count(e => e.Suspicious));
        }

        Assert.Equal(all.Count, all.Select(e => e.Source).Distinct(StringComparer.Ordinal).Count());
        Assert.All(all, e => Assert.False(string.IsNullOrEmpty(e.Category)));
        Assert.Equal(rows, split.Train.Count + split.Validation.Count + split.Test.Count);
        // Grouped corpora (81 chat logs) split less evenly than row-wise ones.
        Assert.InRange(split.Test.Count / (double)rows, 0.04, 0.16);
        Assert.NotEmpty(split.Validation);

        var keyParts = new Dictionary<string, HashSet<SplitPart>>(StringComparer.Ordinal);
        foreach (var part in new[] { SplitPart.Train, SplitPart.Validation, SplitPart.Test })
        {
            foreach (var example in split[part])
            {
                var key = example.GroupKey ?? SplitAssignment.Normalize(example.Text);
                if (!keyParts.TryGetValue(key, out var parts))
                {
                    keyParts[key] = parts = [];
                }

                parts.Add(part);
            }
        }

        Assert.DoesNotContain(keyParts, kv => kv.Value.Count > 1);
    }

    [SharedDataFact]
    public void League_chat_has_eighty_one_chat_logs_each_wholly_in_one_part()
    {
        var split = CorpusCatalog.Get("l2dtnh-lol-chat").LoadSplit(TestEnvironment.SharedDataDirectory!);
        var logs = new[] { split.Train, split.Validation, split.Test }.SelectMany(p => p).Select(e => e.GroupKey!).Distinct().ToList();

        Assert.Equal(81, logs.Count);
        Assert.All(logs, log => Assert.Single(PartsHolding(split, log)));
        Assert.NotEmpty(split.Test);
    }

    [SharedDataFact]
    public void Davidson_and_sms_fall_in_the_same_parts_as_the_shipped_models_training_split()
    {
        var shipped = PublicCorpus.Load(TestEnvironment.SharedDataDirectory!);
        var shippedTrain = shipped.Train.Select(e => SplitAssignment.Normalize(e.Text)).ToHashSet(StringComparer.Ordinal);
        foreach (var name in new[] { "davidson-hate-offensive", "sms-spam-collection" })
        {
            var test = CorpusCatalog.Get(name).LoadSplit(TestEnvironment.SharedDataDirectory!).Test;
            Assert.DoesNotContain(test, e => shippedTrain.Contains(SplitAssignment.Normalize(e.Text)));
        }
    }

    private static IEnumerable<SplitPart> PartsHolding(CorpusSplit split, string group) =>
        new[] { SplitPart.Train, SplitPart.Validation, SplitPart.Test }.Where(p => split[p].Any(e => e.GroupKey == group));

    private void Write(string relative, string content)
    {
        var path = Path.Combine(data, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, content);
    }
}
