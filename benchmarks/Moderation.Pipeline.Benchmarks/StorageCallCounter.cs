using System.Diagnostics;
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

/// <summary>What a timed phase cost: storage calls and this process's CPU time, per message.</summary>
internal sealed record PhaseCost(int Messages, long StorageCalls, TimeSpan ProcessorTime)
{
    public double CallsPerMessage => (double)StorageCalls / Messages;

    public double CpuMillisecondsPerMessage => ProcessorTime.TotalMilliseconds / Messages;

    /// <summary>Starts measuring; the returned function ends the phase.</summary>
    public static Func<int, PhaseCost> Start(StorageCallCounter counter)
    {
        var calls = counter.Count;
        using var self = Process.GetCurrentProcess();
        var cpu = self.TotalProcessorTime;
        return messages =>
        {
            using var now = Process.GetCurrentProcess();
            return new PhaseCost(messages, counter.Count - calls, now.TotalProcessorTime - cpu);
        };
    }
}
