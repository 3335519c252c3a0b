using System.Globalization;
using System.Text;
using Moderation.Core.Policy;
using Moderation.Evaluation.Data;
using Moderation.Llm.Configuration;
using Moderation.Llm.FineTuning;
using Moderation.Llm.Prompting;

namespace Moderation.Cli.Commands;

/// <summary>
/// Writes chat fine-tuning JSONL from labeled messages, with the classifier's own system prompt, user-turn encoding and
/// answer schema, so the deployment a team fine-tunes is asked at inference exactly what it was trained on.
/// </summary>
internal sealed class FineTuneExportCommand(TextWriter output, TextWriter errors) : ICliCommand
{
    private static readonly HashSet<string> Options = ["--file", "--out", "--text-column", "--label-column", "--format", "--data", "--split", "--config", "--prompt", "--confidence", "--limit"];
    private static readonly HashSet<string> Flags = ["--public"];

    public FineTuneExportCommand()
        : this(Console.Out, Console.Error)
    {
    }

    public string Name => "export-finetune";

    public string Summary => "Write chat fine-tuning JSONL from labeled messages, in the classifier's exact prompt format.";

    public string Usage => """
        usage: moderation export-finetune (--file <labeled file> [--text-column text] [--label-column category] [--format csv|tsv|jsonl]
                                           | --public [--data <dir>] [--split train|validation|test])
                                          --out train.jsonl [--prompt <template>] [--config settings.json] [--confidence 0.95] [--limit N]

          Each line is {"messages":[system, user, assistant]}: the system prompt rendered from the template
          (--prompt, else Moderation:Llm:PromptPath, else the shipped one), the message encoded as at inference, and the
          labeled category as the answer JSON. Labels must name a category (wire name, or ham/neither -> clean,
          offensive -> harassment, ...); rows with plain binary labels are skipped and counted.
        """;

    public async Task<int> RunAsync(IReadOnlyList<string> args, CancellationToken cancellationToken)
    {
        var parsed = LlmCommandArguments.Parse(args, Options, Flags, out var usageError);
        var limit = parsed?.PositiveInt("--limit", null);
        double confidence = FineTuneExport.DefaultTargetConfidence;
        var confidenceOk = parsed?.Value("--confidence") is not { } raw
            || (double.TryParse(raw, NumberStyles.Float, CultureInfo.InvariantCulture, out confidence) && confidence is >= 0 and <= 1);
        if (parsed is null || parsed.Has("--file") == parsed.Has("--public") || parsed.Value("--out") is not { Length: > 0 } outPath
            || (parsed.Has("--limit") && limit is null) || !confidenceOk)
        {
            await errors.WriteLineAsync(usageError ?? "Give exactly one of --file or --public, and --out; --confidence is between 0 and 1; --limit is a positive integer.");
            await errors.WriteLineAsync(Usage);
            return 2;
        }

        ModerationPrompt prompt;
        IReadOnlyList<LabeledExample> labeled;
        try
        {
            var promptPath = parsed.Value("--prompt")
                ?? LlmSettingsSources.BindOptions(LlmSettingsSources.Build(parsed.Value("--config"))).ResolvedPromptPath;
            prompt = ModerationPrompt.Load(promptPath);
            labeled = LoadExamples(parsed);
        }
        catch (Exception ex) when (ex is IOException or InvalidDataException or ArgumentException or InvalidOperationException or UnauthorizedAccessException)
        {
            await errors.WriteLineAsync("export-finetune: " + ex.Message);
            return ex is ArgumentException ? 2 : 1;
        }

        var examples = new List<FineTuneExample>();
        var skipped = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var example in labeled)
        {
            if (FineTuneExport.TryMapLabel(example.Category, out var category))
            {
                examples.Add(new FineTuneExample(example.Text, category));
            }
            else
            {
                var key = example.Category ?? (example.Suspicious ? "suspicious (no category)" : "clean (binary label)");
                skipped[key] = skipped.GetValueOrDefault(key) + 1;
            }
        }

        if (limit is { } n && examples.Count > n)
        {
            examples = examples.Take(n).ToList();
        }

        if (examples.Count == 0)
        {
            await errors.WriteLineAsync($"export-finetune: no row has a label that names a category (skipped: {Describe(skipped)}).");
            return 1;
        }

        int written;
        await using (var writer = new StreamWriter(outPath, append: false, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false)))
        {
            written = FineTuneExport.Write(writer, prompt, examples, confidence);
        }

        await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"Wrote {written} examples to {Path.GetFullPath(outPath)} (prompt {prompt.Version})."));
        await output.WriteLineAsync("  categories: " + string.Join(", ", examples.GroupBy(e => e.Category).OrderByDescending(g => g.Count()).Select(g => $"{g.Key.WireName()} {g.Count()}")));
        if (skipped.Count > 0)
        {
            await output.WriteLineAsync("  skipped (label names no category): " + Describe(skipped));
        }

        return 0;
    }

    private static string Describe(Dictionary<string, int> skipped) =>
        skipped.Count == 0 ? "none" : string.Join(", ", skipped.Select(kv => $"{kv.Key} {kv.Value}"));

    private static IReadOnlyList<LabeledExample> LoadExamples(LlmCommandArguments args)
    {
        if (args.Has("--public"))
        {
            var split = PublicCorpus.Load(PublicCorpus.ResolveDataDirectory(args.Value("--data")));
            var part = args.Value("--split") ?? "train";
            return Enum.TryParse<SplitPart>(part, ignoreCase: true, out var which)
                ? split[which]
                : throw new ArgumentException($"--split must be train, validation or test (was '{part}').");
        }

        return LabeledFileReader.Read(args.Value("--file")!, LlmLabeledFile.Options(args, defaultLabelColumn: "category") with { Labels = LabelMapping.Open });
    }
}
