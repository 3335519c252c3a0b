using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Options;
using Moderation.Core.Messages;
using Moderation.Evaluation.Baselines;
using Moderation.Evaluation.Data;
using Moderation.Prefilter.Benchmarks;
using Moderation.Prefilter.Model;
using Moderation.Prefilter.Rules;

// Throughput (messages/second at batch sizes 1, 32, 256) and single-message latency (p50/p99) of the rule screen,
// the CNN (tier one's model), the whole pre-filter as the hosts run it (rules + CNN behind IMessagePrefilter) and
// the ML.NET baseline. Plain Stopwatch loops: each measurement warms up, then runs for a fixed time.
// Usage: dotnet run -c Release --project benchmarks/Moderation.Prefilter.Benchmarks [-- --seconds 2 --data DIR --model DIR --model-threads N]
var seconds = 2.0;
string? dataDirectory = null;
string? modelDirectory = null;
var modelThreads = 0;
for (var i = 0; i + 1 < args.Length; i += 2)
{
    switch (args[i])
    {
        case "--seconds":
            seconds = double.Parse(args[i + 1], CultureInfo.InvariantCulture);
            break;
        case "--data":
            dataDirectory = args[i + 1];
            break;
        case "--model":
            modelDirectory = args[i + 1];
            break;
        case "--model-threads":
            modelThreads = int.Parse(args[i + 1], CultureInfo.InvariantCulture);
            break;
        default:
            Console.Error.WriteLine($"Unknown argument '{args[i]}'. Options: --seconds S, --data DIR, --model DIR, --model-threads N (0: ONNX Runtime chooses).");
            return 2;
    }
}

var measurement = TimeSpan.FromSeconds(seconds);
var resolvedData = PublicCorpus.ResolveDataDirectory(dataDirectory, Directory.GetCurrentDirectory());
string[] texts;
IReadOnlyList<LabeledExample> training;
string textSource;
if (Directory.Exists(resolvedData))
{
    // The messages: every corpus's test part (tweets, SMS, game chat, comments, forum posts, task dialogue).
    texts = [.. CorpusCatalog.All.SelectMany(c => c.LoadSplit(resolvedData).Test).Select(e => e.Text)];
    training = PublicCorpus.Load(resolvedData).Train;
    textSource = $"test texts of all {CorpusCatalog.All.Count} corpora ({texts.Length}) from {resolvedData}; baseline trained on the Davidson and SMS train parts";
}
else
{
    texts = [.. SampleMessages.All.Select(m => m.Text)];
    training = [.. Enumerable.Range(0, 20).SelectMany(i => SampleMessages.All.Select(m => new LabeledExample($"{m.Text} {i}", m.Suspicious, "sample")))];
    textSource = $"built-in sample messages ({texts.Length}); public data not found at {resolvedData}";
}

Console.WriteLine($"Texts: {textSource}");
Console.WriteLine($"Machine: {Environment.ProcessorCount} logical cores, .NET {Environment.Version}, {(Debugger.IsAttached ? "debugger attached" : "no debugger")}");
#if DEBUG
Console.WriteLine("WARNING: Debug build; run with -c Release for meaningful numbers.");
#endif

var rules = new RuleScreen();
using var cnn = OnnxPrefilterModel.Load(modelDirectory ?? OnnxPrefilterModel.DefaultDirectory, modelThreads);
Console.WriteLine($"CNN: {cnn.Manifest.ModelVersion}, ONNX Runtime threads per call: {(modelThreads == 0 ? "ONNX Runtime's choice" : modelThreads)}");
var trainClock = Stopwatch.StartNew();
var baseline = MlNetTextBaseline.Train(training);
Console.WriteLine($"Baseline: {MlNetTextBaseline.Name} trained on {training.Count} examples in {trainClock.Elapsed.TotalSeconds:0.0} s");
Console.WriteLine($"Each cell: {measurement.TotalSeconds:0.#} s after warm-up.");
Console.WriteLine();

var prefilter = new Moderation.Prefilter.RuleAndModelPrefilter(cnn, rules, Options.Create(new Moderation.Prefilter.PrefilterOptions()));
var sent = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
var scorers = new (string Name, Action<string[]> Score)[]
{
    ("rules", batch =>
    {
        foreach (var text in batch)
        {
            rules.Screen(text);
        }
    }),
    (cnn.Manifest.ModelVersion, batch => cnn.Score(batch)),
    ("whole pre-filter", batch =>
    {
        var messages = new ChatMessage[batch.Length];
        for (var i = 0; i < batch.Length; i++)
        {
            messages[i] = new ChatMessage($"m{i}", "c", "s", ParticipantRole.Customer, "r", ParticipantRole.Professional, batch[i], sent);
        }

        prefilter.ScoreAsync(messages, CancellationToken.None).AsTask().GetAwaiter().GetResult();
    }),
    (MlNetTextBaseline.Name, batch => baseline.Score(batch)),
};

int[] batchSizes = [1, 32, 256];
Console.WriteLine($"{"scorer",-24} {"msg/s @1",12} {"msg/s @32",12} {"msg/s @256",12} {"p50 ms",9} {"p99 ms",9}");
foreach (var (name, score) in scorers)
{
    var throughput = batchSizes.Select(size => Throughput(score, texts, size, measurement)).ToArray();
    var (p50, p99) = Latency(score, texts, measurement);
    Console.WriteLine(string.Create(
        CultureInfo.InvariantCulture,
        $"{name,-24} {throughput[0],12:N0} {throughput[1],12:N0} {throughput[2],12:N0} {p50,9:0.000} {p99,9:0.000}"));
}

return 0;

// Messages per second scoring consecutive batches of the given size, cycling through the texts.
static double Throughput(Action<string[]> score, string[] texts, int batchSize, TimeSpan duration)
{
    var batches = Enumerable.Range(0, Math.Max(1, texts.Length / batchSize))
        .Select(b => Enumerable.Range(0, batchSize).Select(i => texts[((b * batchSize) + i) % texts.Length]).ToArray())
        .ToArray();
    Run(score, batches, TimeSpan.FromTicks(duration.Ticks / 4));
    var (messages, elapsed) = Run(score, batches, duration);
    return messages / elapsed.TotalSeconds;
}

static (long Messages, TimeSpan Elapsed) Run(Action<string[]> score, string[][] batches, TimeSpan duration)
{
    long messages = 0;
    var clock = Stopwatch.StartNew();
    for (var k = 0; clock.Elapsed < duration; k++)
    {
        var batch = batches[k % batches.Length];
        score(batch);
        messages += batch.Length;
    }

    return (messages, clock.Elapsed);
}

// Milliseconds per single-message call: the 50th and 99th percentile over the measurement time.
static (double P50, double P99) Latency(Action<string[]> score, string[] texts, TimeSpan duration)
{
    var singles = texts.Select(t => new[] { t }).ToArray();
    Run(score, singles, TimeSpan.FromTicks(duration.Ticks / 4));
    var samples = new List<double>();
    var total = Stopwatch.StartNew();
    for (var k = 0; total.Elapsed < duration; k++)
    {
        var start = Stopwatch.GetTimestamp();
        score(singles[k % singles.Length]);
        samples.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
    }

    samples.Sort();
    return (Percentile(samples, 0.50), Percentile(samples, 0.99));
}

static double Percentile(List<double> sorted, double p) => sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(p * sorted.Count) - 1)];
