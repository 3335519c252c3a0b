using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Azure.Storage.Queues;
using Azure.Storage.Queues.Models;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Moderation.Core.Messages;
using Moderation.Core.Policy;
using Moderation.Core.Screening;
using Moderation.Host;
using Moderation.Host.Durable;
using Moderation.Hosting;
using Moderation.Storage;
using Moderation.Storage.Queues;

namespace Moderation.Pipeline.Benchmarks;

/// <summary>
/// The self-hosted host's pipeline composed as Program does (AddModerationPipeline, AddDurableTaskHost, the
/// InboundQueueListener), without the HTTP surface, on queue and table names unique to this run. The listener starts
/// a settle time after the rest of the host, so the Durable Task engine's start-up is not inside a timed phase.
/// </summary>
internal sealed class InProcessPipeline : IAsyncDisposable
{
    /// <summary>Metadata key carrying the enqueue time (round-trip format) through to the released envelope.</summary>
    private const string EnqueuedAtKey = "benchEnqueuedAt";

    private static readonly string[] CandidateTexts =
    [
        "Hi, could you give me a quote for repainting a 12 by 14 bedroom?",
        "I can come by Tuesday between 9 and 11 to look at the water heater.",
        "Thanks, the estimate looks good. Do you need a deposit?",
        "The tiles arrived today, so we can start the backsplash on Monday.",
        "Is the price for the fence repair including the new posts?",
        "Running a few minutes late, I'll be there in a bit.",
        "Could you send a couple of photos of the leak under the sink?",
        "We finished the drywall patch; the paint needs a day to dry.",
        "Do you also clean gutters or only windows?",
        "Great work on the deck, thank you so much!",
        "Please park in the driveway, the street is permit only.",
        "What time works best for the furnace inspection tomorrow?",
    ];

    private readonly IHost host;
    private readonly QueueClient inbound;
    private readonly QueueClient released;
    private readonly IReadOnlyList<string> cleanTexts;
    private readonly string runId;
    private readonly StorageCallCounter counter;
    private int sequence;

    private InProcessPipeline(IHost host, QueueClient inbound, QueueClient released, IReadOnlyList<string> cleanTexts, string runId, StorageCallCounter counter)
    {
        this.counter = counter;
        this.host = host;
        this.inbound = inbound;
        this.released = released;
        this.cleanTexts = cleanTexts;
        this.runId = runId;
    }

    public static async Task<InProcessPipeline> StartAsync(string connection, BenchmarkSettings settings)
    {
        var runId = Guid.NewGuid().ToString("N")[..8];
        var builder = Microsoft.Extensions.Hosting.Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            [StorageConnection.Name] = connection,
            ["Moderation:Review:ApiKeys:0"] = "benchmark-review-api-key-0123456789abcdef",
            ["Moderation:Storage:Queues:Inbound"] = $"bench-{runId}-inbound",
            ["Moderation:Storage:Queues:Released"] = $"bench-{runId}-released",
            ["Moderation:Storage:Queues:Blocked"] = $"bench-{runId}-blocked",
            ["Moderation:Storage:Queues:ReviewRequests"] = $"bench-{runId}-review",
            ["Moderation:Storage:Queues:InboundPoison"] = $"bench-{runId}-inbound-poison",
            ["Moderation:Storage:Tables:Audit"] = $"Bench{runId}Audit",
            ["Moderation:Storage:Tables:Deliveries"] = $"Bench{runId}Deliveries",
            ["Moderation:Storage:Tables:ReviewRequests"] = $"Bench{runId}Reviews",
            ["Moderation:Storage:Tables:ReviewDecisions"] = $"Bench{runId}Decisions",
            ["Moderation:Storage:Tables:SignatureNonces"] = $"Bench{runId}Nonces",
            ["Moderation:Storage:Tables:MessageContent"] = $"Bench{runId}Content",
            ["Moderation:Storage:Tables:ReviewQueue"] = $"Bench{runId}ReviewQueue",
            ["Moderation:Storage:Tables:Conversations"] = $"Bench{runId}Conversations",
            ["Moderation:Storage:Tables:SenderHistory"] = $"Bench{runId}Senders",
            ["Moderation:Storage:PayloadContainer"] = $"bench-{runId}-payloads",
            ["Moderation:Storage:BatchSize"] = settings.BatchSize.ToString(CultureInfo.InvariantCulture),
            ["Moderation:Storage:MaxConcurrentBatches"] = settings.ConcurrentBatches.ToString(CultureInfo.InvariantCulture),
            ["Moderation:DurableTask:TaskHubName"] = $"Bench{runId}",
        });

        // Settings to compare (e.g. Moderation__Conversations__Enabled=false, Moderation__Storage__ReleaseGuarantee).
        builder.Configuration.AddEnvironmentVariables();
        builder.Logging.AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(LogLevel.Warning);

        // Every storage client the pipeline creates counts its calls (the Durable Task engine's own clients do not;
        // the clean path never uses it).
        var counter = new StorageCallCounter();
        builder.Services.AddSingleton(StorageConnection.FromConnectionString(connection).WithClientOptions(counter.Add));
        builder.Services.AddModerationPipeline(builder.Configuration);
        builder.Services.AddDurableTaskHost(builder.Configuration);
        builder.Services.AddSingleton<InboundQueueListener>();
        var host = builder.Build();

        // Loads the ONNX model before timing starts, and keeps only texts the pre-filter releases: this measures the clean path.
        var cleanTexts = await CleanTextsAsync(host.Services);
        var storage = host.Services.GetRequiredService<IOptions<StorageOptions>>().Value;
        // The benchmark's own clients (filling, counting, reading releases) are not counted.
        var storageConnection = StorageConnection.FromConnectionString(connection);
        var inbound = storageConnection.CreateQueueClient(storage.Queues.Inbound);
        var released = storageConnection.CreateQueueClient(storage.Queues.Released);
        await inbound.CreateIfNotExistsAsync();
        await released.CreateIfNotExistsAsync();
        return new InProcessPipeline(host, inbound, released, cleanTexts, runId, counter);
    }

    /// <summary>(b) Pre-fills the inbound queue, starts the host, then the listener, and times until every message is on the released queue.</summary>
    public async Task<(Throughput Throughput, PhaseCost Cost)> MeasureThroughputAsync(int count, double settleSeconds)
    {
        await Prefill.SendAsync(count, i => inbound.SendMessageAsync(InboundMessageCodec.Encode(NextMessage(DateTimeOffset.UtcNow))));

        // Timed from the listener's start, after the engine's start-up (not the clean path), counting only the
        // messages released after it.
        var startUp = await StartEngineAsync(settleSeconds);
        var phase = PhaseCost.Start(counter);
        await StartListenerAsync();
        var clock = Stopwatch.StartNew();
        var before = (await released.GetPropertiesAsync()).Value.ApproximateMessagesCount;
        await WaitForReleasedAsync(count);
        var elapsed = clock.Elapsed;
        var cost = phase(count) with { StartUpStorageCpu = startUp is { } cpu ? $"{cpu.Total.TotalMilliseconds:0} ms emulator CPU in {settleSeconds:0.#} s, then {cpu.IdlePerSecond.TotalMilliseconds:0} ms/s idle" : "n/a" };
        await released.ClearMessagesAsync();
        return (new Throughput(count - before, elapsed), cost);
    }

    /// <summary>An inbound body like the ones the throughput run sends, for the forwarder anchor.</summary>
    public static string SampleBody() => InboundMessageCodec.Encode(Message("bench-sample-000001", CandidateTexts[0], DateTimeOffset.UtcNow));

    /// <summary>Starts the host, then after the settle time the listener, for a phase that enqueues while it runs.</summary>
    public async Task StartHostAsync(double settleSeconds)
    {
        await StartEngineAsync(settleSeconds);
        await StartListenerAsync();
    }

    /// <summary>
    /// Starts the host without the listener and waits the settle time; returns the emulator CPU it took, and the rate
    /// over the settle's second half, when the engine only polls: what it keeps costing during the timed phase.
    /// </summary>
    private async Task<(TimeSpan Total, TimeSpan IdlePerSecond)?> StartEngineAsync(double settleSeconds)
    {
        var before = PhaseCost.StorageCpuNow();
        await host.StartAsync();
        await Task.Delay(TimeSpan.FromSeconds(settleSeconds / 2));
        var half = PhaseCost.StorageCpuNow();
        await Task.Delay(TimeSpan.FromSeconds(settleSeconds / 2));
        return PhaseCost.StorageCpuSince(before) is { } total && PhaseCost.StorageCpuSince(half) is { } idle && settleSeconds > 0
            ? (total, idle / (settleSeconds / 2))
            : null;
    }

    private Task StartListenerAsync() => host.Services.GetRequiredService<InboundQueueListener>().StartAsync(CancellationToken.None);

    /// <summary>(d) With the pipeline running, enqueues at a steady rate and reads each release's delay from its envelope.</summary>
    public async Task<LatencySample> MeasureLatencyAsync(int count, double messagesPerSecond)
    {
        var interval = TimeSpan.FromSeconds(1 / messagesPerSecond);
        var pacing = Stopwatch.StartNew();
        for (var i = 0; i < count; i++)
        {
            var due = interval * i;
            if (due > pacing.Elapsed)
            {
                await Task.Delay(due - pacing.Elapsed);
            }

            await inbound.SendMessageAsync(InboundMessageCodec.Encode(NextMessage(DateTimeOffset.UtcNow)));
        }

        var latencies = new List<double>(count);
        using var deadline = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        while (latencies.Count < count && !deadline.IsCancellationRequested)
        {
            QueueMessage[] batch = (await released.ReceiveMessagesAsync(32, TimeSpan.FromMinutes(1))).Value;
            foreach (var message in batch)
            {
                var envelope = JsonSerializer.Deserialize<DeliveryEnvelope>(message.Body.ToString(), QueueBodyWriter.JsonOptions)!;
                var enqueuedAt = DateTimeOffset.Parse(envelope.Message.Metadata![EnqueuedAtKey], CultureInfo.InvariantCulture);
                latencies.Add((new DateTimeOffset(DateTime.SpecifyKind(envelope.EnqueuedAt, DateTimeKind.Utc)) - enqueuedAt).TotalMilliseconds);
                await released.DeleteMessageAsync(message.MessageId, message.PopReceipt);
            }

            if (batch.Length == 0)
            {
                await Task.Delay(50);
            }
        }

        latencies.Sort();
        return new LatencySample(latencies);
    }

    public async ValueTask DisposeAsync()
    {
        var storage = host.Services.GetRequiredService<IOptions<StorageOptions>>().Value;
        var connection = host.Services.GetRequiredService<StorageConnection>();
        var engine = host.Services.GetRequiredService<DurableTaskEngine>();
        await host.Services.GetRequiredService<InboundQueueListener>().StopAsync(CancellationToken.None);
        await host.StopAsync();

        // Everything this run created goes, so the next round starts on an emulator holding as little as this one did
        // (Azurite's cost per request grows with the data it keeps).
        await engine.Service.DeleteAsync();
        host.Dispose();
        foreach (var queue in storage.Queues.All)
        {
            await connection.CreateQueueClient(queue).DeleteIfExistsAsync();
        }

        foreach (var table in storage.Tables.All)
        {
            await connection.CreateTableClient(table).DeleteAsync();
        }

        await connection.CreateBlobContainerClient(storage.PayloadContainer).DeleteIfExistsAsync();
    }

    private static async Task<IReadOnlyList<string>> CleanTextsAsync(IServiceProvider services)
    {
        var prefilter = services.GetRequiredService<IMessagePrefilter>();
        var policy = ModerationPolicy.From(services.GetRequiredService<IOptions<ModerationPolicyOptions>>().Value);
        var candidates = CandidateTexts.Select((t, i) => Message($"probe-{i}", t, DateTimeOffset.UtcNow)).ToList();
        var scores = await prefilter.ScoreAsync(candidates, CancellationToken.None);
        var clean = CandidateTexts.Where((_, i) => !policy.Screen(scores[i]).IsSuspicious).ToList();
        return clean.Count > 0 ? clean : throw new InvalidOperationException("The pre-filter flags every benchmark text; the clean path cannot be measured.");
    }

    private static ChatMessage Message(string id, string text, DateTimeOffset enqueuedAt) =>
        new(id, "bench-conversation", "bench-customer", ParticipantRole.Customer, "bench-pro", ParticipantRole.Professional, text, enqueuedAt, "en-US",
            new Dictionary<string, string> { [EnqueuedAtKey] = enqueuedAt.ToString("O", CultureInfo.InvariantCulture) });

    private ChatMessage NextMessage(DateTimeOffset enqueuedAt)
    {
        var n = Interlocked.Increment(ref sequence);
        return Message($"bench-{runId}-{n:D6}", cleanTexts[n % cleanTexts.Count], enqueuedAt);
    }

    private async Task WaitForReleasedAsync(int count)
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        while ((await released.GetPropertiesAsync()).Value.ApproximateMessagesCount < count)
        {
            await Task.Delay(100, deadline.Token);
        }
    }
}
