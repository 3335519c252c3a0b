using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Moderation.Core.Delivery;
using Moderation.Storage.Queues;
using Xunit.Abstractions;

namespace Moderation.Host.Tests.EndToEnd;

/// <summary>
/// The delivery guarantee under chaos: the host process is SIGKILLed several times while work is in flight and the
/// storage emulator is restarted once, and still every message ends in exactly one place, and every duplicate a
/// consumer sees is recognisable by its delivery id. Prints the duplicates per crash the docs quote.
/// </summary>
// Real time, minutes: kills host processes and restarts storage while 1,000 messages flow; recovery waits out real
// leases and review deadlines in the Durable Task engine and the delivery ledger of separate processes.
[Trait(TestTiming.Trait, TestTiming.RealTime)]
public sealed class ChaosTests(ITestOutputHelper output)
{
    // 1,000 messages rather than a few thousand: half of them become durable cases, and the engine runs about 15 cases/s
    // on Azurite on a shared 2-core CI machine; with three crash recoveries (lease expiry) and a storage restart this
    // keeps the whole run to a few minutes.
    private const int MessageCount = 1_000;
    private const int Kills = 3;
    private const string BlockDecision = """{"action":"block","category":"spam"}""";

    // Short enough that undecided cases end by timeout within the run, long enough that reviewers win most races.
    private static readonly TimeSpan ReviewTimeout = TimeSpan.FromSeconds(20);

    // The delivery ledger's reservation lease: a resend after a crash comes at most this long after the crash.
    private static readonly TimeSpan LedgerLease = TimeSpan.FromSeconds(15);

    // Bound on each wait: progress between disruptions, and the end of every case after the last one.
    private static readonly TimeSpan Settle = TimeSpan.FromMinutes(4);

    [AzuriteFact]
    public async Task Messages_survive_host_crashes_and_a_storage_restart_ending_on_one_queue_each_with_duplicates_under_one_delivery_id()
    {
        var clock = Stopwatch.StartNew();
        await using var azurite = await ChaosAzurite.StartAsync();
        var storage = new PipelineStorage(azurite.ConnectionString);
        await using var llm = await FakeChatModel.StartAsync();
        // Conversation-aware screening on: redeliveries after each crash must reuse what their first copy did, although
        // the seven shared conversations move on meanwhile.
        var settings = PipelineHost.Settings(storage, llm.Endpoint, ReviewTimeout, new Dictionary<string, string> { ["Moderation:Conversations:Enabled"] = "true" }).ToList();
        var traffic = ChatTraffic.Mix(MessageCount);
        var ids = traffic.Select(m => m.MessageId).ToHashSet(StringComparer.Ordinal);
        var review = traffic.Where(ChatTraffic.NeedsReview).Select(m => m.MessageId).ToList();
        // Reviewers decide every other case for review (through whichever host is up); the rest time out.
        var toDecide = new Queue<string>(review.Where((_, i) => i % 2 == 0));
        var accepted = new HashSet<string>(StringComparer.Ordinal);
        var seen = new List<Delivered>();
        var poisoned = new List<PoisonEnvelope>();
        var storageUp = true;
        var hostRestarts = 0;

        var host = await HostProcess.StartAsync(settings);
        try
        {
            // Sent in parallel batches while the host already works, so the first crash hits during intake too.
            var intake = Task.WhenAll(traffic.Chunk(MessageCount / 8).Select(storage.EnqueueAsync));

            for (var kill = 1; kill <= Kills; kill++)
            {
                // Progress-driven, not time-driven: each disruption hits once a further share of the work is done,
                // so cases, deliveries and review waits are in flight whatever the machine's speed.
                await ProgressToAsync(kill * MessageCount / (Kills + 2));
                Assert.False(host.HasExited, $"the host exited before it was killed; its output:\n{Tail(host.Output)}");
                await host.KillAsync();
                output.WriteLine($"{clock.Elapsed.TotalSeconds,6:0.0} s  SIGKILL {kill} at {Settled()} settled");
                host = await HostProcess.StartAsync(settings);

                if (kill == 2)
                {
                    await intake;
                    await ProgressToAsync(((2 * MessageCount) + (MessageCount / 2)) / (Kills + 2));
                    storageUp = false;
                    await azurite.StopAsync();
                    output.WriteLine($"{clock.Elapsed.TotalSeconds,6:0.0} s  storage stopped at {Settled()} settled");
                    // An outage the host's retries must ride out, not a blip between two polls.
                    await Task.Delay(TimeSpan.FromSeconds(5));
                    await azurite.RestartAsync();
                    storageUp = true;
                    output.WriteLine($"{clock.Elapsed.TotalSeconds,6:0.0} s  storage back");
                    if (host.HasExited)
                    {
                        output.WriteLine("The host exited while storage was down; restarting it.");
                        hostRestarts++;
                        host = await HostProcess.StartAsync(settings);
                    }
                }
            }

            await intake;

            // No case stuck: after the last disruption every message reaches a queue (reviews time out at the latest).
            await ProgressToAsync(MessageCount);
            output.WriteLine($"{clock.Elapsed.TotalSeconds,6:0.0} s  all {MessageCount} settled");
            await Eventually.HoldsAsync(async () => await storage.InboundCountAsync() == 0, Settle, "inbound messages were left on the queue");

            // Resends come at most a lease after a crash: drain until a lease passes with nothing new.
            var quiet = Stopwatch.StartNew();
            var cap = Stopwatch.StartNew();
            while (quiet.Elapsed < LedgerLease + TimeSpan.FromSeconds(5) && cap.Elapsed < Settle)
            {
                if (await DrainAsync() > 0)
                {
                    quiet.Restart();
                }

                await Task.Delay(TimeSpan.FromMilliseconds(500));
            }

            Assert.False(host.HasExited, $"the host exited; its output:\n{host.Output}");
        }
        finally
        {
            await host.DisposeAsync();
        }

        // Every message on exactly one of released / blocked / poison, and nothing that was never sent.
        var poisonedIds = poisoned.Select(p => InboundMessageCodec.Decode(p.OriginalBody).Message?.MessageId).OfType<string>().ToHashSet(StringComparer.Ordinal);
        Assert.Subset(ids, seen.Select(d => d.MessageId).ToHashSet(StringComparer.Ordinal));
        Assert.Empty(poisonedIds.Intersect(seen.Select(d => d.MessageId)));
        Assert.Empty(ids.Except(seen.Select(d => d.MessageId)).Except(poisonedIds));
        var byId = seen.GroupBy(d => d.MessageId).ToList();
        Assert.All(byId, g => Assert.True(g.Select(d => d.Disposition).Distinct().Count() == 1, $"{g.Key} was both released and blocked"));
        // The envelope's delivery id is the case's id, and the queue agrees with the outcome it carries.
        Assert.All(seen, d => Assert.Equal(d.MessageId, d.Outcome.CaseId));
        Assert.All(seen, d => Assert.Equal(d.Disposition, d.Outcome.Disposition));
        // A duplicate is a resend of the same decision, not a second decision.
        var duplicates = byId.Where(g => g.Count() > 1).ToList();
        Assert.All(duplicates, g => Assert.Single(g.Select(d => (d.Outcome.Disposition, d.Outcome.DecidedBy, d.Outcome.Category)).Distinct()));
        // A decision answered 202 was raised: unless the deadline won the race, the reviewer's block is what shipped.
        var acceptedOutcomes = seen.Where(d => accepted.Contains(d.MessageId)).ToList();
        Assert.All(acceptedOutcomes.Where(d => d.Outcome.DecidedBy == DecidedBy.Reviewer), d => Assert.Equal(Disposition.Blocked, d.Disposition));

        var extra = seen.Count - byId.Count;
        output.WriteLine($"Messages: {MessageCount} ({review.Count} for review, {accepted.Count} decided by a reviewer), SIGKILLs: {Kills}, storage restarts: 1, host restarts after the outage: {hostRestarts}.");
        output.WriteLine($"Deliveries: {seen.Count} for {byId.Count} messages; poisoned: {poisonedIds.Count}; reviewer decisions shipped: {acceptedOutcomes.Count(d => d.Outcome.DecidedBy == DecidedBy.Reviewer)}, accepted but overtaken by the deadline: {acceptedOutcomes.Count(d => d.Outcome.DecidedBy == DecidedBy.Timeout)}, timed out in all: {seen.Count(d => d.Outcome.DecidedBy == DecidedBy.Timeout)}.");
        output.WriteLine($"Duplicates: {extra} extra deliveries of {duplicates.Count} messages, {(double)extra / Kills:0.0} per SIGKILL (the storage restart included), all under the first copy's delivery id and outcome.");
        output.WriteLine($"Runtime: {clock.Elapsed.TotalSeconds:0} s.");

        int Settled() => seen.Select(d => d.MessageId).Distinct(StringComparer.Ordinal).Count() + poisoned.Count;

        async Task ProgressToAsync(int target) =>
            await Eventually.HoldsAsync(
                async () =>
                {
                    await DrainAsync();
                    await DecideAsync();
                    return Settled() >= target;
                },
                Settle,
                () => $"{Settled()} of {target} messages settled; not delivered: {string.Join(", ", ids.Except(seen.Select(d => d.MessageId)).Take(10))}; host output:\n{Tail(host.Output)}");

        async Task<int> DrainAsync()
        {
            if (!storageUp)
            {
                return 0;
            }

            try
            {
                var delivered = await storage.DrainDeliveriesAsync();
                seen.AddRange(delivered);
                var poison = await storage.DrainPoisonAsync();
                poisoned.AddRange(poison);
                return delivered.Count + poison.Count;
            }
            catch (Exception e) when (e is Azure.RequestFailedException or AggregateException or HttpRequestException)
            {
                return 0;
            }
        }

        // A few decisions per poll through the current host; a case not there yet (404) or a host that is down is retried later.
        async Task DecideAsync()
        {
            for (var i = 0; i < 8 && toDecide.Count > 0; i++)
            {
                var caseId = toDecide.Dequeue();
                HttpStatusCode status;
                try
                {
                    status = await host.ReviewWithKeyAsync(caseId, BlockDecision, "reviewer-chaos");
                }
                catch (HttpRequestException)
                {
                    toDecide.Enqueue(caseId);
                    return;
                }

                if (status == HttpStatusCode.Accepted)
                {
                    accepted.Add(caseId);
                }
                else if (status != HttpStatusCode.Conflict)
                {
                    // 409: the deadline came first. Anything else (not yet a case, storage down): try again later.
                    toDecide.Enqueue(caseId);
                }
            }
        }
    }

    private static string Tail(string text) => text.Length <= 4000 ? text : text[^4000..];
}

/// <summary>
/// An Azurite of the test's own (the one from scripts/azurite.sh cannot be restarted by a test), with its data in a
/// temporary folder that outlives a graceful stop, on fixed loopback ports so clients reconnect after a restart.
/// </summary>
internal sealed class ChaosAzurite : IAsyncDisposable
{
    private const string AccountKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    private readonly string dataDirectory = Directory.CreateTempSubdirectory("moderation-chaos-azurite").FullName;
    private readonly int[] ports = [LoopbackPort.Free(), LoopbackPort.Free(), LoopbackPort.Free()];
    private Process? process;

    public static string Executable => Path.Combine(TestEnvironment.RepositoryRoot, ".tools", "azurite", "node_modules", ".bin", "azurite");

    public string ConnectionString =>
        $"DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey={AccountKey};" +
        $"BlobEndpoint=http://127.0.0.1:{ports[0]}/devstoreaccount1;QueueEndpoint=http://127.0.0.1:{ports[1]}/devstoreaccount1;TableEndpoint=http://127.0.0.1:{ports[2]}/devstoreaccount1;";

    public static async Task<ChaosAzurite> StartAsync()
    {
        var azurite = new ChaosAzurite();
        await azurite.RestartAsync();
        return azurite;
    }

    /// <summary>Starts Azurite on this instance's ports and folder, and waits (bounded) until all three services listen.</summary>
    public async Task RestartAsync()
    {
        var start = new ProcessStartInfo(Executable)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[]
        {
            "--silent", "--skipApiVersionCheck", "--disableTelemetry", "--location", dataDirectory,
            "--blobHost", "127.0.0.1", "--blobPort", $"{ports[0]}",
            "--queueHost", "127.0.0.1", "--queuePort", $"{ports[1]}",
            "--tableHost", "127.0.0.1", "--tablePort", $"{ports[2]}",
        })
        {
            start.ArgumentList.Add(argument);
        }

        process = Process.Start(start)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var current = process;
        await Eventually.HoldsAsync(
            async () =>
            {
                Assert.False(current.HasExited, $"Azurite exited with {(current.HasExited ? current.ExitCode : 0)} during start-up");
                foreach (var port in ports)
                {
                    if (!await ListensAsync(port))
                    {
                        return false;
                    }
                }

                return true;
            },
            TimeSpan.FromSeconds(60),
            "Azurite did not listen on its ports");
    }

    /// <summary>SIGTERM, so Azurite saves its data and the restart finds every queue, table and message.</summary>
    public async Task StopAsync()
    {
        if (process is null || process.HasExited)
        {
            return;
        }

        using (var term = Process.Start("kill", ["-TERM", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])!)
        {
            await term.WaitForExitAsync();
        }

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await process.WaitForExitAsync(timeout.Token);
        process.Dispose();
        process = null;
    }

    public async ValueTask DisposeAsync()
    {
        if (process is { HasExited: false })
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }

        process?.Dispose();
        try
        {
            Directory.Delete(dataDirectory, recursive: true);
        }
        catch (IOException)
        {
            // A file still held open only leaves a temporary folder behind.
        }
    }

    private static async Task<bool> ListensAsync(int port)
    {
        using var client = new TcpClient();
        try
        {
            await client.ConnectAsync(IPAddress.Loopback, port);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

}

/// <summary>A test that starts and restarts Azurite itself; skipped, with the reason, where it is not installed.</summary>
[AttributeUsage(AttributeTargets.Method)]
internal sealed class AzuriteFactAttribute : FactAttribute
{
    public AzuriteFactAttribute()
    {
        if (!File.Exists(ChaosAzurite.Executable))
        {
            Skip = $"Needs Azurite in {ChaosAzurite.Executable} (scripts/azurite.sh or scripts/test.sh installs it).";
        }
    }
}
