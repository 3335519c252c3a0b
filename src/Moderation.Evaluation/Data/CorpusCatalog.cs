namespace Moderation.Evaluation.Data;

/// <summary>
/// The eleven public corpora of ../shared/data (see its README), each with its documented label mapping. Categories use
/// the derived files' vocabulary: harassment, hate, threat, profanity, toxic, plus spam; clean rows have "none".
/// </summary>
public static class CorpusCatalog
{
    public const string Davidson = "davidson-hate-offensive";
    public const string Sms = "sms-spam-collection";
    public const string LeagueChat = "l2dtnh-lol-chat";
    public const string ToxicSpans = "toxic-spans-civil-comments";
    public const string Edos = "edos-sexism";
    public const string HateCheck = "hatecheck";
    public const string Stormfront = "stormfront-hate";
    public const string YouTubeSpam = "youtube-spam-collection";
    public const string Taskmaster = "taskmaster-clean";
    public const string SchemaGuidedDialogue = "sgd-clean";
    public const string Casino = "casino-negotiation";

    private static readonly string[] YouTubeFiles =
    [
        "Youtube01-Psy.csv",
        "Youtube02-KatyPerry.csv",
        "Youtube03-LMFAO.csv",
        "Youtube04-Eminem.csv",
        "Youtube05-Shakira.csv",
    ];

    public static IReadOnlyList<CorpusDefinition> All { get; } =
    [
        new(
            Davidson,
            [PublicCorpus.DavidsonFile],
            "class 0 -> violation/hate, 1 (offensive language) -> violation/profanity, 2 -> clean; tweets HTML-decoded",
            "MIT",
            "Davidson, Warmsley, Macy, Weber, \"Automated Hate Speech Detection and the Problem of Offensive Language\", ICWSM 2017",
            d => CorpusReaders.Davidson(Path.Combine(d, PublicCorpus.DavidsonFile))),
        new(
            Sms,
            [PublicCorpus.SmsFile],
            "spam -> violation/spam, ham -> clean; read without quote handling",
            "CC BY 4.0",
            "Almeida, Gómez Hidalgo, Yamakami, \"Contributions to the Study of SMS Spam Filtering\", DocEng 2011 (UCI SMS Spam Collection v.1)",
            d => CorpusReaders.Sms(Path.Combine(d, PublicCorpus.SmsFile))),
        new(
            LeagueChat,
            [LeagueChat + "/l2dtnh_english_dev.csv"],
            "label 1 (toxic) -> violation/harassment, 0 -> clean; grouped by chatlog_id (rows without one join the chat log of the row before); HTML-decoded",
            "MIT",
            "Ave, Pekaric, Frohner, Apruzzese, \"'bot lane noob': Towards Practical Deployment of NLP-based Toxicity Detectors in Video Games\", ESORICS 2026 (L2DTnH)",
            d => CorpusReaders.LeagueChat(Path.Combine(d, LeagueChat, "l2dtnh_english_dev.csv"), LeagueChat)),
        new(
            ToxicSpans,
            [ToxicSpans + "/toxic_spans.tsv"],
            "every row violation, category from the file (harassment, hate, threat, profanity, toxic)",
            "CC0 1.0",
            "Pavlopoulos et al., \"SemEval-2021 Task 5: Toxic Spans Detection\", SemEval 2021, and \"From the Detection of Toxic Spans in Online Discussions to the Analysis of Toxic-to-Civil Transfer\", ACL 2022",
            d => CorpusReaders.DerivedTsv(Path.Combine(d, ToxicSpans, "toxic_spans.tsv")),
            violationsOnly: true),
        new(
            Edos,
            [Edos + "/edos_labelled_aggregated.csv"],
            "sexist -> violation (threat for '1. threats, plans to harm and incitement', hate for the other categories), not sexist -> clean",
            "CC0 1.0",
            "Kirk, Yin, Vidgen, Röttger, \"SemEval-2023 Task 10: Explainable Detection of Online Sexism\", SemEval 2023 (EDOS)",
            d => CorpusReaders.Edos(Path.Combine(d, Edos, "edos_labelled_aggregated.csv"))),
        new(
            HateCheck,
            [HateCheck + "/test_suite_cases.csv"],
            "hateful -> violation/hate (threat_dir_h, threat_norm_h -> threat); non-hateful -> clean except target_indiv_nh -> violation/harassment; target_group_nh, profanity_nh, slur_reclaimed_nh left out (policy-dependent)",
            "CC BY 4.0",
            "Röttger, Vidgen, Nguyen, Waseem, Margetts, Pierrehumbert, \"HateCheck: Functional Tests for Hate Speech Detection Models\", ACL 2021",
            d => CorpusReaders.HateCheck(Path.Combine(d, HateCheck, "test_suite_cases.csv"))),
        new(
            Stormfront,
            [Stormfront + "/stormfront_sentences.tsv"],
            "hate -> violation/hate, noHate -> clean (as in the file)",
            "CC BY-SA 3.0 ES",
            "de Gibert, Perez, García-Pablos, Cuadros, \"Hate Speech Dataset from a White Supremacy Forum\", ALW2 2018",
            d => CorpusReaders.DerivedTsv(Path.Combine(d, Stormfront, "stormfront_sentences.tsv")),
            shareAlike: true),
        new(
            YouTubeSpam,
            YouTubeFiles.Select(f => YouTubeSpam + "/" + f).ToArray(),
            "CLASS 1 -> violation/spam, 0 -> clean; five files in name order; HTML-decoded",
            "CC BY 4.0",
            "Alberto, Lochter, Almeida, \"TubeSpam: Comment Spam Filtering on YouTube\", ICMLA 2015 (UCI YouTube Spam Collection, DOI 10.24432/C58885)",
            d => YouTubeFiles.SelectMany(f => CorpusReaders.YouTube(Path.Combine(d, YouTubeSpam, f)))),
        new(
            Taskmaster,
            [Taskmaster + "/taskmaster_utterances.tsv"],
            "every row clean (coffee ordering and movie ticketing dialogue)",
            "CC BY 4.0",
            "Byrne et al., \"Taskmaster-1: Toward a Realistic and Diverse Dialog Dataset\", EMNLP 2019; Taskmaster-3 and -4 (Google Research)",
            d => CorpusReaders.DerivedTsv(Path.Combine(d, Taskmaster, "taskmaster_utterances.tsv")),
            cleanOnly: true),
        new(
            SchemaGuidedDialogue,
            [SchemaGuidedDialogue + "/sgd_utterances.tsv"],
            "every row clean (service bookings and other task dialogue)",
            "CC BY-SA 4.0",
            "Rastogi, Zang, Sunkara, Gupta, Khaitan, \"Towards Scalable Multi-domain Conversational Agents: The Schema-Guided Dialogue Dataset\", AAAI 2020",
            d => CorpusReaders.DerivedTsv(Path.Combine(d, SchemaGuidedDialogue, "sgd_utterances.tsv")),
            cleanOnly: true,
            shareAlike: true),
        new(
            Casino,
            [Casino + "/casino_utterances.tsv"],
            "every row clean (campsite negotiation chat)",
            "CC BY 4.0",
            "Chawla et al., \"CaSiNo: A Corpus of Campsite Negotiation Dialogues for Automatic Negotiation Systems\", NAACL 2021",
            d => CorpusReaders.DerivedTsv(Path.Combine(d, Casino, "casino_utterances.tsv")),
            cleanOnly: true),
    ];

    /// <summary>The corpus with this folder name (case-insensitive).</summary>
    /// <exception cref="ArgumentException">No corpus has that name; the message lists the known names.</exception>
    public static CorpusDefinition Get(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return All.FirstOrDefault(c => string.Equals(c.Name, name.Trim(), StringComparison.OrdinalIgnoreCase))
            ?? throw new ArgumentException($"Unknown corpus '{name}'. Known corpora: {string.Join(", ", All.Select(c => c.Name))}.", nameof(name));
    }
}
