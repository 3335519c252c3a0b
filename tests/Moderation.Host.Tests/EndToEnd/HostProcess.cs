using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json;
using Moderation.Hosting.Http.Authentication;

namespace Moderation.Host.Tests.EndToEnd;

/// <summary>
/// The built self-hosted host (Moderation.Host.dll) as a child process on a loopback port, configured through
/// environment variables like a deployment: what a crash test can kill with SIGKILL, unlike an in-process host.
/// </summary>
internal sealed class HostProcess : IModerationApi, IAsyncDisposable
{
    private readonly Process process;
    private readonly HttpClient http;
    private readonly StringBuilder output = new();

    private HostProcess(Process process, Uri baseAddress)
    {
        this.process = process;
        http = new HttpClient { BaseAddress = baseAddress };
        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.ErrorDataReceived += (_, e) => Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    /// <summary>Everything the process wrote so far.</summary>
    public string Output
    {
        get
        {
            lock (output)
            {
                return output.ToString();
            }
        }
    }

    public bool HasExited => process.HasExited;

    /// <summary>Starts the host and waits (bounded) until it answers its health check.</summary>
    public static async Task<HostProcess> StartAsync(IEnumerable<KeyValuePair<string, string>> settings)
    {
        var port = LoopbackPort.Free();
        var directory = AppContext.BaseDirectory;
        var start = new ProcessStartInfo("dotnet", [Path.Combine(directory, "Moderation.Host.dll")])
        {
            WorkingDirectory = directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.Environment["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port}";
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Testing";
        foreach (var (key, value) in settings)
        {
            start.Environment[key.Replace(":", "__", StringComparison.Ordinal)] = value;
        }

        var host = new HostProcess(Process.Start(start)!, new Uri($"http://127.0.0.1:{port}"));
        await Eventually.HoldsAsync(host.IsHealthyAsync, TimeSpan.FromSeconds(60), () => $"the host process did not answer /healthz; its output:\n{host.Output}");
        return host;
    }

    /// <summary>SIGKILL: no shutdown, no lease release, no abandoning of in-flight messages. A crash.</summary>
    public async Task KillAsync()
    {
        process.Kill(entireProcessTree: true);
        await process.WaitForExitAsync();
    }

    public async Task<JsonElement?> GetCaseAsync(string caseId)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri($"/api/cases/{caseId}", UriKind.Relative));
        request.Headers.Add(ReviewCallbackHeaders.Key, PipelineHost.ApiKey);
        using var response = await http.SendAsync(request);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }

        response.EnsureSuccessStatusCode();
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return document.RootElement.Clone();
    }

    /// <summary>POSTs a review decision with the API key header, as a reviewer's tool does; returns the status.</summary>
    public async Task<HttpStatusCode> ReviewWithKeyAsync(string caseId, string decisionJson, string reviewer)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri($"/api/reviews/{Uri.EscapeDataString(caseId)}", UriKind.Relative))
        {
            Content = new StringContent(decisionJson, Encoding.UTF8, "application/json"),
        };
        request.Headers.Add(ReviewCallbackHeaders.Key, PipelineHost.ApiKey);
        request.Headers.Add(ReviewCallbackHeaders.Reviewer, reviewer);
        using var response = await http.SendAsync(request);
        return response.StatusCode;
    }

    /// <summary>Waits until the case waits for a reviewer; returns its view then (with its review deadline).</summary>
    public async Task<JsonElement> WaitUntilAwaitingReviewAsync(string caseId, TimeSpan within)
    {
        JsonElement? last = null;
        await Eventually.HoldsAsync(
            async () => (last = await GetCaseAsync(caseId)) is { } view && PipelineHost.Stage(view) == "awaiting_review",
            within,
            () => $"case {caseId} never waited for review (last seen: {(last is { } view ? view.GetRawText() : "no case")})");
        return last!.Value;
    }

    public async ValueTask DisposeAsync()
    {
        if (!process.HasExited)
        {
            await KillAsync();
        }

        process.Dispose();
        http.Dispose();
    }

    private async Task<bool> IsHealthyAsync()
    {
        Assert.False(process.HasExited, $"the host process exited with {(process.HasExited ? process.ExitCode : 0)}; its output:\n{Output}");
        try
        {
            using var response = await http.GetAsync(new Uri("/healthz", UriKind.Relative));
            return response.IsSuccessStatusCode;
        }
        catch (HttpRequestException)
        {
            return false;
        }
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (output)
        {
            output.AppendLine(line);
        }
    }

}
