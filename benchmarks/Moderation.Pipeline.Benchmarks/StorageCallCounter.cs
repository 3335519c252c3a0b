using System.Diagnostics;
using System.Globalization;
using Azure.Core;
using Azure.Core.Pipeline;

namespace Moderation.Pipeline.Benchmarks;

/// <summary>
/// Counts the HTTP requests storage clients send (each retry too), added to every client a connection creates
/// through its client options; the benchmark divides by the messages handled.
/// </summary>
internal sealed class StorageCallCounter : HttpPipelinePolicy
{
    private long count;

    public long Count => Interlocked.Read(ref count);

    public void Add(ClientOptions options) => options.AddPolicy(this, HttpPipelinePosition.PerRetry);

    public override void Process(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
    {
        Interlocked.Increment(ref count);
        ProcessNext(message, pipeline);
    }

    public override ValueTask ProcessAsync(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
    {
        Interlocked.Increment(ref count);
        return ProcessNextAsync(message, pipeline);
    }
}

/// <summary>
/// What a timed phase cost: storage calls and this process's CPU time, per message, and the storage emulator's CPU
/// time when its process id is known (<see cref="PhaseStorage.CurrentProcessId"/>).
/// </summary>
internal sealed record PhaseCost(int Messages, long StorageCalls, TimeSpan ProcessorTime, TimeSpan? StorageProcessorTime)
{
    /// <summary>The emulator's CPU time over the settle before the phase (the engine's start-up), as text.</summary>
    public string StartUpStorageCpu { get; init; } = "n/a";

    /// <summary>The emulator's CPU time since <paramref name="from"/> (null when the storage process is unknown).</summary>
    public static TimeSpan? StorageCpuSince(TimeSpan? from) => from is { } start && StorageProcessCpu() is { } now ? now - start : null;

    /// <summary>The emulator's CPU time so far (null when the storage process is unknown).</summary>
    public static TimeSpan? StorageCpuNow() => StorageProcessCpu();

    public double CallsPerMessage => (double)StorageCalls / Messages;

    public double CpuMillisecondsPerMessage => ProcessorTime.TotalMilliseconds / Messages;

    public double? StorageCpuMillisecondsPerMessage => StorageProcessorTime?.TotalMilliseconds / Messages;

    public string StorageCpuPerMessage => StorageCpuMillisecondsPerMessage is { } ms ? $"{ms,8:0.00} ms" : "     n/a (storage process unknown)";

    /// <summary>Starts measuring; the returned function ends the phase.</summary>
    public static Func<int, PhaseCost> Start(StorageCallCounter counter)
    {
        var calls = counter.Count;
        using var self = Process.GetCurrentProcess();
        var cpu = self.TotalProcessorTime;
        var storageCpu = StorageProcessCpu();
        return messages =>
        {
            using var now = Process.GetCurrentProcess();
            return new PhaseCost(messages, counter.Count - calls, now.TotalProcessorTime - cpu, StorageProcessCpu() - storageCpu);
        };
    }

    /// <summary>User + system time of the storage emulator from /proc (Linux), or null.</summary>
    private static TimeSpan? StorageProcessCpu()
    {
        if (PhaseStorage.CurrentProcessId is not { } pid)
        {
            return null;
        }

        try
        {
            // Fields after the parenthesised command name: utime and stime are the 12th and 13th, in clock ticks (100/s).
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            return TimeSpan.FromMilliseconds((long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)) * 10);
        }
        catch (IOException)
        {
            return null;
        }
    }
}
