using System.Globalization;
using Moderation.Evaluation.Data;
using Moderation.Prefilter.Model;
using Moderation.Training;

// Trains the default pre-filter CNN on the public data and writes models/prefilter (model.onnx, vocab.txt, manifest.json).
ReleaseSettings? options;
try
{
    options = ParseArguments(args);
}
catch (FormatException exception)
{
    Console.Error.WriteLine($"Invalid number: {exception.Message}");
    options = null;
}

if (options is null)
{
    Console.Error.WriteLine("""
        Usage: dotnet run --project tools/Moderation.Training -c Release -- [options]
          --data <dir>            public labeled data (default: ../shared/data beside the repository root)
          --out <dir>             output directory (default: models/prefilter in the repository)
          --seed <n>              random seed (default 17)
          --epochs <n>            maximum epochs (default 8; early stopping on validation ROC AUC)
          --max-clean-fpr <r>     threshold: most false positives on each clean dialogue corpus (default 0.015)
          --max-routed <f>        threshold: most routed share of a 90/10 mix on each mixed corpus (default 0.20)
          --target-recall <r>     recall each violation corpus should reach, reported (default 0.90)
          --gibberish <n>         generated short gibberish strings trained as clean (default 4000; 0 disables)
          --pretrained <p>        embedding start: minilm (default) or none
          --stormfront-share <s>  loss share of the Stormfront corpus (default 0.04)
          --cache <dir>           cache of MiniLM vectors (default artifacts/training-cache)
          --threads <n>           training threads (default: all cores)
          --version <v>           model version written to the manifest (default 2.0.0)
          --distil-weight <a>     share of the loss given to the MiniLM teacher's soft targets (default 0: labels only)
          --distil-temperature <t> temperature of the teacher and student logits in the distillation term (default 1)
          --teacher-sample <n>    training rows per corpus embedded for the teacher (default 3000)
          --teacher-only          embed, fit and measure the teacher on validation, then stop
          hyper-parameters (defaults in the manifest's hyperParameters): --embedding-dim, --filters, --hidden,
            --dropout, --learning-rate, --batch-size, --max-length, --min-word-count, --hash-buckets, --patience
        """);
    return 2;
}

try
{
    if (options.TeacherOnly)
    {
        PrefilterModelRelease.MeasureTeacher(options, Console.WriteLine);
        return 0;
    }

    PrefilterModelRelease.Run(options, Console.WriteLine);
    return 0;
}
catch (Exception exception) when (exception is IOException or InvalidDataException or UnauthorizedAccessException)
{
    Console.Error.WriteLine(exception.Message);
    return 1;
}

static ReleaseSettings? ParseArguments(string[] args)
{
    string? data = null, output = null, version = null, cache = null;
    int? seed = null, epochs = null, threads = null, gibberish = null;
    double? recall = null, maxCleanFpr = null, maxRouted = null, stormfront = null, distilWeight = null, distilTemperature = null;
    int? teacherSample = null;
    bool? pretrained = null;
    var teacherOnly = false;
    var hyperParameters = new PrefilterHyperParameters();
    for (var i = 0; i < args.Length; i++)
    {
        if (args[i] is "--help" or "-h")
        {
            return null;
        }

        if (args[i] == "--teacher-only")
        {
            teacherOnly = true;
            continue;
        }

        var value = i + 1 < args.Length ? args[i + 1] : null;
        if (value is null)
        {
            Console.Error.WriteLine($"{args[i]} needs a value.");
            return null;
        }

        switch (args[i])
        {
            case "--data": data = value; break;
            case "--out": output = value; break;
            case "--version": version = value; break;
            case "--seed": seed = int.Parse(value!, CultureInfo.InvariantCulture); break;
            case "--epochs": epochs = int.Parse(value!, CultureInfo.InvariantCulture); break;
            case "--threads": threads = int.Parse(value!, CultureInfo.InvariantCulture); break;
            case "--target-recall": recall = double.Parse(value!, CultureInfo.InvariantCulture); break;
            case "--max-clean-fpr": maxCleanFpr = double.Parse(value!, CultureInfo.InvariantCulture); break;
            case "--max-routed": maxRouted = double.Parse(value!, CultureInfo.InvariantCulture); break;
            case "--stormfront-share": stormfront = double.Parse(value!, CultureInfo.InvariantCulture); break;
            case "--gibberish": gibberish = int.Parse(value!, CultureInfo.InvariantCulture); break;
            case "--cache": cache = value; break;
            case "--distil-weight": distilWeight = double.Parse(value!, CultureInfo.InvariantCulture); break;
            case "--distil-temperature": distilTemperature = double.Parse(value!, CultureInfo.InvariantCulture); break;
            case "--teacher-sample": teacherSample = int.Parse(value!, CultureInfo.InvariantCulture); break;
            case "--pretrained" when value is "minilm" or "none": pretrained = value == "minilm"; break;
            case "--embedding-dim": hyperParameters = hyperParameters with { EmbeddingDimension = Int(value!) }; break;
            case "--filters": hyperParameters = hyperParameters with { FiltersPerWidth = Int(value!) }; break;
            case "--hidden": hyperParameters = hyperParameters with { HiddenUnits = Int(value!) }; break;
            case "--batch-size": hyperParameters = hyperParameters with { BatchSize = Int(value!) }; break;
            case "--max-length": hyperParameters = hyperParameters with { MaxLength = Int(value!) }; break;
            case "--min-word-count": hyperParameters = hyperParameters with { MinWordCount = Int(value!) }; break;
            case "--hash-buckets": hyperParameters = hyperParameters with { HashBuckets = Int(value!) }; break;
            case "--patience": hyperParameters = hyperParameters with { EarlyStoppingPatience = Int(value!) }; break;
            case "--dropout": hyperParameters = hyperParameters with { Dropout = double.Parse(value!, CultureInfo.InvariantCulture) }; break;
            case "--learning-rate": hyperParameters = hyperParameters with { LearningRate = double.Parse(value!, CultureInfo.InvariantCulture) }; break;
            default:
                Console.Error.WriteLine($"Unknown option '{args[i]}'.");
                return null;
        }

        i++;
    }

    var defaults = new ReleaseSettings { DataDirectory = string.Empty, OutputDirectory = string.Empty };
    return defaults with
    {
        DataDirectory = PublicCorpus.ResolveDataDirectory(data),
        OutputDirectory = output is not null ? Path.GetFullPath(output) : Path.Combine(RepositoryRoot() ?? Directory.GetCurrentDirectory(), "models", "prefilter"),
        Seed = seed ?? defaults.Seed,
        ModelVersion = version ?? defaults.ModelVersion,
        TargetRecall = recall ?? defaults.TargetRecall,
        MaxCleanFalsePositiveRate = maxCleanFpr ?? defaults.MaxCleanFalsePositiveRate,
        MaxRoutedShare = maxRouted ?? defaults.MaxRoutedShare,
        StormfrontShare = stormfront ?? defaults.StormfrontShare,
        GibberishCount = gibberish ?? defaults.GibberishCount,
        PretrainedEmbeddings = pretrained ?? defaults.PretrainedEmbeddings,
        CacheDirectory = Path.GetFullPath(cache ?? Path.Combine(RepositoryRoot() ?? Directory.GetCurrentDirectory(), "artifacts", "training-cache")),
        Threads = threads ?? 0,
        DistillationWeight = distilWeight ?? defaults.DistillationWeight,
        DistillationTemperature = distilTemperature ?? defaults.DistillationTemperature,
        TeacherSamplePerCorpus = teacherSample ?? defaults.TeacherSamplePerCorpus,
        TeacherOnly = teacherOnly,
        HyperParameters = hyperParameters with { Epochs = epochs ?? hyperParameters.Epochs },
    };
}

static int Int(string value) => int.Parse(value, CultureInfo.InvariantCulture);

static string? RepositoryRoot()
{
    foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
    {
        for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "ModerationFunctions.sln")))
            {
                return dir.FullName;
            }
        }
    }

    return null;
}
