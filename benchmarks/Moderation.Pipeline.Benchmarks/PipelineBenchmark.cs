using System.Diagnostics;
using System.Globalization;

namespace Moderation.Pipeline.Benchmarks;

/// <summary>
/// One run against the storage in MODERATION_STORAGE_CONNECTION (scripts/bench-pipeline.sh starts Azurite):
/// (a) raw queue receive+delete throughput, (a') a raw forwarder (receive, send on, delete: the least a clean path
/// must do), (b) the self-hosted pipeline's throughput for clean messages (queue listener + pre-filter + release
/// delivery + audit, in-process) with its storage calls and CPU time per message, (c) its share of (a') and (a),
/// (d) enqueue-to-release latency at a steady rate below capacity. Prints one table.
/// </summary>
internal static class PipelineBenchmark
{
    public static async Task<int> Main(string[] args)
    {
        if (args is ["review-queue", ..] && Environment.GetEnvironmentVariable("MODERATION_STORAGE_CONNECTION") is { Length: > 0 } queueConnection)
        {
            return await ReviewQueueLatency.RunAsync(queueConnection, args[1..]);
        }

        var settings = BenchmarkSettings.Parse(args);
        if (settings is null)
        {
            Console.Error.WriteLine(BenchmarkSettings.Usage);
            return 2;
        }

        if (Environment.GetEnvironmentVariable("MODERATION_STORAGE_CONNECTION") is not { Length: > 0 } connection)
        {
            Console.Error.WriteLine("MODERATION_STORAGE_CONNECTION is not set; run scripts/bench-pipeline.sh (it starts Azurite).");
            return 2;
        }

        Console.WriteLine($"Pipeline benchmark: N={settings.Messages} clean messages per round, {settings.Rounds} rounds, latency sample {settings.LatencyMessages} at {settings.LatencyLoad:P0} of the measured throughput; {Environment.ProcessorCount} cores.");
        Throughput raw;
        await using (var storage = await PhaseStorage.StartAsync(connection, settings.EmulatorInMemory))
        {
            raw = await RawQueueThroughput.MeasureAsync(storage.Connection, settings);
        }

        Console.WriteLine($"(a) raw queue receive+delete: {raw.MessagesPerSecond:0} msg/s");

        // Each round runs forwarder and pipeline on one fresh storage (see PhaseStorage): one emulator process's cost
        // per request differs from the next one's (by as much as half over this benchmark's runs), which would
        // otherwise land on the ratio. The order alternates, so whatever the first phase leaves behind falls on both
        // sides; the ratio is taken per round and its median reported.
        var rounds = new List<(Throughput Forwarder, PhaseCost ForwarderCost, Throughput Pipeline, PhaseCost PipelineCost)>();
        var sample = InProcessPipeline.SampleBody();
        for (var round = 1; round <= settings.Rounds; round++)
        {
            await using var storage = await PhaseStorage.StartAsync(connection, settings.EmulatorInMemory);
            var forwarderFirst = round % 2 == 1;
            Func<Task<(Throughput, PhaseCost)>> forward = () => RawForwarder.MeasureAsync(storage.Connection, settings, sample);
            Func<Task<(Throughput, PhaseCost)>> pipe = async () =>
            {
                await using var pipeline = await InProcessPipeline.StartAsync(storage.Connection, settings);
                return await pipeline.MeasureThroughputAsync(settings.Messages, settings.Settle);
            };
            var first = await (forwarderFirst ? forward : pipe)();
            var second = await (forwarderFirst ? pipe : forward)();
            var ((forwarder, forwarderCost), (throughput, cost)) = forwarderFirst ? (first, second) : (second, first);
            Console.WriteLine($"round {round} ({(forwarderFirst ? "forwarder" : "pipeline")} first): (a') raw forwarder {forwarder.MessagesPerSecond:0} msg/s (emulator CPU/msg {forwarderCost.StorageCpuPerMessage.Trim()}), (b) pipeline clean path {throughput.MessagesPerSecond:0} msg/s (emulator CPU/msg {cost.StorageCpuPerMessage.Trim()}; engine start-up before it: {cost.StartUpStorageCpu}), (c) {throughput.MessagesPerSecond / forwarder.MessagesPerSecond:P1}");
            rounds.Add((forwarder, forwarderCost, throughput, cost));
        }

        var rate = Math.Max(1, Median(rounds.Select(r => r.Pipeline.MessagesPerSecond)) * settings.LatencyLoad);
        LatencySample latency;
        await using (var storage = await PhaseStorage.StartAsync(connection, settings.EmulatorInMemory))
        {
            await using var pipeline = await InProcessPipeline.StartAsync(storage.Connection, settings);
            await pipeline.StartHostAsync(settings.Settle);
            latency = await pipeline.MeasureLatencyAsync(settings.LatencyMessages, rate);
        }

        var rows = new List<(string Measure, string Value)>
        {
            ($"(a) Azurite queue receive+delete, batches of 32, {settings.ConcurrentBatches} loops, deletes one by one", $"{raw.MessagesPerSecond,8:0} msg/s  ({raw.Messages} in {raw.Elapsed.TotalSeconds:0.0} s)"),
            ($"(a') raw forwarder: receive 32, send each to a queue, delete each (overlapped), {settings.ConcurrentBatches} loops, median of rounds", $"{Median(rounds.Select(r => r.Forwarder.MessagesPerSecond)),8:0} msg/s  (rounds: {string.Join(", ", rounds.Select(r => r.Forwarder.MessagesPerSecond.ToString("0", CultureInfo.InvariantCulture)))})"),
            ("(a') forwarder storage calls / message", $"{Median(rounds.Select(r => r.ForwarderCost.CallsPerMessage)),8:0.00}"),
            ("(a') forwarder CPU / message (this process)", $"{Median(rounds.Select(r => r.ForwarderCost.CpuMillisecondsPerMessage)),8:0.00} ms"),
            ("(a') forwarder storage emulator CPU / message, median of rounds", StorageCpu(rounds.Select(r => r.ForwarderCost))),
            ($"(b) pipeline, clean messages (listener + pre-filter + release), batch {settings.BatchSize} x {settings.ConcurrentBatches}, median of rounds", $"{Median(rounds.Select(r => r.Pipeline.MessagesPerSecond)),8:0} msg/s  (rounds: {string.Join(", ", rounds.Select(r => r.Pipeline.MessagesPerSecond.ToString("0", CultureInfo.InvariantCulture)))})"),
            ("(b) pipeline storage calls / clean message", $"{Median(rounds.Select(r => r.PipelineCost.CallsPerMessage)),8:0.00}"),
            ("(b) pipeline CPU / clean message (this process, incl. pre-filter and host)", $"{Median(rounds.Select(r => r.PipelineCost.CpuMillisecondsPerMessage)),8:0.00} ms"),
            ("(b) pipeline storage emulator CPU / clean message, median of rounds", StorageCpu(rounds.Select(r => r.PipelineCost))),
            ("(c) pipeline / raw forwarder, median of the rounds' ratios", $"{Median(rounds.Select(r => r.Pipeline.MessagesPerSecond / r.Forwarder.MessagesPerSecond)),8:P1}  (rounds: {string.Join(", ", rounds.Select(r => (r.Pipeline.MessagesPerSecond / r.Forwarder.MessagesPerSecond).ToString("P0", CultureInfo.InvariantCulture)))})"),
            ("(c) pipeline / raw receive+delete (same run)", $"{Median(rounds.Select(r => r.Pipeline.MessagesPerSecond)) / raw.MessagesPerSecond,8:P1}"),
            ($"(d) enqueue -> release p50, {latency.Count} msgs at {rate:0} msg/s", $"{latency.Percentile(0.50),8:0} ms"),
            ($"(d) enqueue -> release p99", $"{latency.Percentile(0.99),8:0} ms"),
            ($"(d) enqueue -> release max", $"{latency.Percentile(1.0),8:0} ms"),
        };
        if (settings.Cases > 0)
        {
            await using var storage = await PhaseStorage.StartAsync(connection, settings.EmulatorInMemory);
            connection = storage.Connection;
            var confident = await DurableCaseThroughput.MeasureAsync(connection, settings.Cases, reviewPath: false);
            Console.WriteLine($"(e) durable cases, confident path: {confident.MessagesPerSecond:0.0} cases/s");
            var reviewed = await DurableCaseThroughput.MeasureAsync(connection, settings.Cases, reviewPath: true);
            Console.WriteLine($"(f) durable cases, review path: {reviewed.MessagesPerSecond:0.0} cases/s");
            rows.Add(("(e) durable cases, confident path (classify, audit, deliver)", $"{confident.MessagesPerSecond,8:0.0} cases/s  ({confident.Messages} in {confident.Elapsed.TotalSeconds:0.0} s)"));
            rows.Add(("(f) durable cases, review path (+ review request and decision)", $"{reviewed.MessagesPerSecond,8:0.0} cases/s  ({reviewed.Messages} in {reviewed.Elapsed.TotalSeconds:0.0} s)"));
        }

        var width = rows.Max(r => r.Measure.Length);
        Console.WriteLine();
        Console.WriteLine($"| {"Measure".PadRight(width)} | Value");
        Console.WriteLine($"|{new string('-', width + 2)}|{new string('-', 40)}");
        foreach (var (measure, value) in rows)
        {
            Console.WriteLine($"| {measure.PadRight(width)} | {value}");
        }

        Console.WriteLine();
        Console.WriteLine("(e), (f): Durable Task on Azure Storage as the self-hosted host runs it (4 partitions, one worker), an instant in-process LLM; timed from the first start to the last delivery (--cases 0 skips them).");
        Console.WriteLine($"Listener: batch {settings.BatchSize} x {settings.ConcurrentBatches} concurrent batches. Per received batch: one content-binding, one ledger record (first copies send under the hold their binding took: no reservation) and one audit transaction per table partition touched; per message: the released-queue send and the inbound delete (overlapped).");
        Console.WriteLine(PhaseStorage.StartsOwnEmulators
            ? $"Pipeline phases start the listener {settings.Settle:0.#} s after the host (--settle), so the Durable Task engine's start-up does not run inside the timed window; the round lines print the emulator CPU it took.\n" + $"Storage: each round on a fresh Azurite (same version and settings, {(settings.EmulatorInMemory ? "in memory" : "on disk")}), forwarder and pipeline on the same one, in alternating order: Azurite slows as it stores and serves more, and one Azurite process's cost per request differs from another's."
            : $"Pipeline phases start the listener {settings.Settle:0.#} s after the host (--settle).\n" + "Storage: one account for every phase (set MODERATION_BENCH_AZURITE to the Azurite executable for a fresh one per round).");
        Console.WriteLine("Storage calls: HTTP requests (retries included) of the clients the pipeline or forwarder creates; CPU: this process's processor time over the phase (the Durable Task engine's polling and the benchmark's own polling included), divided by messages.");
        return 0;
    }

    private static string StorageCpu(IEnumerable<PhaseCost> costs) =>
        costs.Select(c => c.StorageCpuMillisecondsPerMessage).ToList() is var perRound && perRound.All(ms => ms is not null)
            ? $"{Median(perRound.Select(ms => ms!.Value)),8:0.00} ms  (rounds: {string.Join(", ", perRound.Select(ms => ms!.Value.ToString("0.0", CultureInfo.InvariantCulture)))})"
            : "     n/a (storage process unknown)";

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[(sorted.Count / 2) - 1] + sorted[sorted.Count / 2]) / 2;
    }
}

/// <param name="Settle">Seconds between the host's start and the listener's: the Durable Task engine's start-up (lease
/// acquisition, queue and table creation) is not the clean path, and on a single-threaded emulator it would run inside
/// the timed phase.</param>
/// <param name="EmulatorInMemory">Fresh Azurites keep their data in memory: on disk they save their whole metadata
/// database every 5 s while it changes, a cost that grows with the rows written and that the storage service has no
/// counterpart of.</param>
internal sealed record BenchmarkSettings(int Messages, int LatencyMessages, double LatencyLoad, int BatchSize, int ConcurrentBatches, int Cases = 200, int Rounds = 5, double Settle = 10, bool EmulatorInMemory = true)
{
    public const string Usage = "usage: Moderation.Pipeline.Benchmarks [--messages N (2000)] [--latency-messages N (400)] [--latency-load 0.5] [--batch-size 32] [--concurrent-batches 4] [--cases N (200; 0 skips)] [--rounds N (5)] [--settle seconds (10)] [--emulator-persistence memory|disk (memory)]";

    public static BenchmarkSettings? Parse(string[] args)
    {
        var settings = new BenchmarkSettings(2000, 400, 0.5, 32, 4);
        for (var i = 0; i < args.Length; i++)
        {
            if (i + 1 >= args.Length)
            {
                return null;
            }

            var value = args[++i];
            settings = args[i - 1] switch
            {
                "--messages" => settings with { Messages = int.Parse(value, CultureInfo.InvariantCulture) },
                "--rounds" => settings with { Rounds = int.Parse(value, CultureInfo.InvariantCulture) },
                "--settle" => settings with { Settle = double.Parse(value, CultureInfo.InvariantCulture) },
                "--cases" => settings with { Cases = int.Parse(value, CultureInfo.InvariantCulture) },
                "--latency-messages" => settings with { LatencyMessages = int.Parse(value, CultureInfo.InvariantCulture) },
                "--latency-load" => settings with { LatencyLoad = double.Parse(value, CultureInfo.InvariantCulture) },
                "--batch-size" => settings with { BatchSize = int.Parse(value, CultureInfo.InvariantCulture) },
                "--concurrent-batches" => settings with { ConcurrentBatches = int.Parse(value, CultureInfo.InvariantCulture) },
                "--emulator-persistence" when value is "disk" or "memory" => settings with { EmulatorInMemory = value == "memory" },
                _ => null,
            };
            if (settings is null)
            {
                return null;
            }
        }

        return settings.Messages > 0 && settings.LatencyMessages > 0 && settings.LatencyLoad is > 0 and <= 1 && settings.Rounds > 0 && settings.Settle >= 0 ? settings : null;
    }
}

internal sealed record Throughput(int Messages, TimeSpan Elapsed)
{
    public double MessagesPerSecond => Messages / Elapsed.TotalSeconds;

    public static async Task<Throughput> TimeAsync(int messages, Func<Task> work)
    {
        var clock = Stopwatch.StartNew();
        await work();
        return new Throughput(messages, clock.Elapsed);
    }
}

internal sealed class LatencySample(IReadOnlyList<double> millisecondsSorted)
{
    public int Count => millisecondsSorted.Count;

    /// <summary>Nearest-rank percentile.</summary>
    public double Percentile(double p)
    {
        if (millisecondsSorted.Count == 0)
        {
            return double.NaN;
        }

        var rank = (int)Math.Ceiling(p * millisecondsSorted.Count);
        return millisecondsSorted[Math.Clamp(rank - 1, 0, millisecondsSorted.Count - 1)];
    }
}
