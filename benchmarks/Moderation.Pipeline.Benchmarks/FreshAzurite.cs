using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Moderation.Pipeline.Benchmarks;

/// <summary>
/// The storage a measured round or phase runs on: a <see cref="FreshAzurite"/> of its own when MODERATION_BENCH_AZURITE names
/// the Azurite executable (scripts/bench-pipeline.sh sets it), else the shared account in MODERATION_STORAGE_CONNECTION.
/// </summary>
internal sealed class PhaseStorage : IAsyncDisposable
{
    private readonly FreshAzurite? own;

    private PhaseStorage(string connection, FreshAzurite? own)
    {
        Connection = connection;
        this.own = own;
        CurrentProcessId = own?.ProcessId ?? (int.TryParse(Environment.GetEnvironmentVariable("MODERATION_BENCH_STORAGE_PID"), out var pid) ? pid : null);
    }

    /// <summary>The emulator serving the running phase, when known (its CPU time is reported).</summary>
    public static int? CurrentProcessId { get; private set; }

    public static bool StartsOwnEmulators => Environment.GetEnvironmentVariable("MODERATION_BENCH_AZURITE") is { Length: > 0 };

    public string Connection { get; }

    public static async Task<PhaseStorage> StartAsync(string sharedConnection, bool inMemory) =>
        Environment.GetEnvironmentVariable("MODERATION_BENCH_AZURITE") is { Length: > 0 } executable
            ? await FreshAzurite.StartAsync(executable, inMemory) is var azurite ? new PhaseStorage(azurite.ConnectionString, azurite) : null!
            : new PhaseStorage(sharedConnection, null);

    public async ValueTask DisposeAsync()
    {
        if (own is not null)
        {
            await own.DisposeAsync();
        }
    }
}

/// <summary>
/// A new Azurite process with empty data for one measured round or phase. Azurite's cost per request grows with what it
/// has stored and served (over one run of this benchmark the forwarder alone slowed from about 110 to 65 msg/s), so each
/// round starts on a fresh one: same version and settings, same state.
/// </summary>
internal sealed class FreshAzurite : IAsyncDisposable
{
    private const string AccountKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    private readonly Process process;
    private readonly string data;
    private readonly int[] ports;

    private FreshAzurite(Process process, string data, int[] ports)
    {
        this.process = process;
        this.data = data;
        this.ports = ports;
    }

    public string ConnectionString =>
        $"DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey={AccountKey};" +
        $"BlobEndpoint=http://127.0.0.1:{ports[0]}/devstoreaccount1;QueueEndpoint=http://127.0.0.1:{ports[1]}/devstoreaccount1;TableEndpoint=http://127.0.0.1:{ports[2]}/devstoreaccount1;";

    /// <summary>The emulator's process id, for its CPU time.</summary>
    public int ProcessId => process.Id;

    /// <summary>Starts Azurite from <paramref name="executable"/> on free loopback ports and waits until it listens.</summary>
    public static async Task<FreshAzurite> StartAsync(string executable, bool inMemory)
    {
        var data = Directory.CreateTempSubdirectory("moderation-bench-azurite").FullName;
        int[] ports = [FreePort(), FreePort(), FreePort()];
        var start = new ProcessStartInfo(executable) { RedirectStandardOutput = true, RedirectStandardError = true };
        // In memory, the emulator neither writes message bodies to extent files nor saves its whole metadata database
        // to disk every few seconds, a cost that grows with what it stores and that the storage service has no counterpart of.
        string[] persistence = inMemory ? ["--inMemoryPersistence"] : ["--location", data];
        foreach (var argument in (string[])[
            "--silent", "--skipApiVersionCheck", "--disableTelemetry", .. persistence,
            "--blobHost", "127.0.0.1", "--blobPort", $"{ports[0]}", "--queueHost", "127.0.0.1", "--queuePort", $"{ports[1]}",
            "--tableHost", "127.0.0.1", "--tablePort", $"{ports[2]}"])
        {
            start.ArgumentList.Add(argument);
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException($"{executable} did not start.");
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var azurite = new FreshAzurite(process, data, ports);
        var deadline = Stopwatch.StartNew();
        while (!ports.All(Listens))
        {
            if (process.HasExited || deadline.Elapsed > TimeSpan.FromSeconds(60))
            {
                await azurite.DisposeAsync();
                throw new InvalidOperationException("Azurite did not start listening within 60 s.");
            }

            await Task.Delay(100);
        }

        return azurite;
    }

    public async ValueTask DisposeAsync()
    {
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }

        process.Dispose();
        Directory.Delete(data, recursive: true);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static bool Listens(int port)
    {
        try
        {
            using var client = new TcpClient();
            client.Connect(IPAddress.Loopback, port);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
