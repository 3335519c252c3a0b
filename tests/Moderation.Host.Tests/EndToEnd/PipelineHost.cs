using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Azure.Storage.Queues;
using Azure.Storage.Queues.Models;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Moderation.Core.Delivery;
using Moderation.Core.Messages;
using Moderation.Core.Review;
using Moderation.Core.Serialization;
using Moderation.Hosting.Http.Authentication;
using Moderation.Storage.Queues;

namespace Moderation.Host.Tests.EndToEnd;

/// <summary>
/// The real self-hosted host (Program: queue listener, Durable Task worker on Azure Storage, HTTP endpoints) on Azurite with the shipped ONNX
/// pre-filter and the LLM tier pointed at <see cref="FakeChatModel"/>. Queue and table names are unique per
/// <see cref="PipelineStorage"/>, so tests never see each other's messages; two hosts built on the same storage (one
/// after the other) model a restart.
/// </summary>
internal sealed class PipelineHost : WebApplicationFactory<Program>, IModerationApi
{
    public const string ApiKey = "e2e-review-api-key-0123456789abcdefghijkl";
    public const string SigningSecret = "e2e-review-signing-secret-0123456789abcdef";

    private readonly PipelineStorage storage;
    private readonly Uri llmEndpoint;
    private readonly TimeSpan reviewTimeout;
    private readonly IReadOnlyDictionary<string, string> overrides;

    /// <param name="overrides">Further configuration for this test (e.g. the listener's batch size).</param>
    public PipelineHost(PipelineStorage storage, FakeChatModel llm, TimeSpan reviewTimeout, IReadOnlyDictionary<string, string>? overrides = null)
    {
        ArgumentNullException.ThrowIfNull(llm);
        this.storage = storage;
        llmEndpoint = llm.Endpoint;
        this.reviewTimeout = reviewTimeout;
        this.overrides = overrides ?? new Dictionary<string, string>();
    }

    /// <summary>Starts the host (and its background services) now rather than at first use.</summary>
    public PipelineHost Start()
    {
        _ = Services;
        return this;
    }

    /// <summary>POSTs a review decision with the API key header.</summary>
    public async Task<HttpResponseMessage> ReviewWithKeyAsync(string caseId, string decisionJson)
    {
        using var client = CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/reviews/{caseId}") { Content = Json(decisionJson) };
        request.Headers.Add(ReviewCallbackHeaders.Key, ApiKey);
        request.Headers.Add(ReviewCallbackHeaders.Reviewer, ReviewerOf(decisionJson));
        return await client.SendAsync(request);
    }

    /// <summary>POSTs a review decision signed with HMAC over the exact body bytes, as a review tool does.</summary>
    public async Task<HttpResponseMessage> ReviewSignedAsync(string caseId, string decisionJson)
    {
        using var client = CreateClient();
        var timestamp = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var nonce = Guid.NewGuid().ToString("N");
        var reviewer = ReviewerOf(decisionJson);
        var path = $"/api/reviews/{Uri.EscapeDataString(caseId)}";
        var signature = new ReviewCallbackSignature(SigningSecret).Sign("POST", path, timestamp, nonce, reviewer, Encoding.UTF8.GetBytes(decisionJson));
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = Json(decisionJson) };
        request.Headers.Add(ReviewCallbackHeaders.Timestamp, timestamp.ToString(System.Globalization.CultureInfo.InvariantCulture));
        request.Headers.Add(ReviewCallbackHeaders.Nonce, nonce);
        request.Headers.Add(ReviewCallbackHeaders.Reviewer, reviewer);
        request.Headers.Add(ReviewCallbackHeaders.Signature, signature);
        return await client.SendAsync(request);
    }

    /// <summary>The reviewer a test decision names (the header carries it; the body may repeat it).</summary>
    private static string ReviewerOf(string decisionJson)
    {
        using var document = JsonDocument.Parse(decisionJson);
        return document.RootElement.TryGetProperty("reviewerId", out var id) && id.GetString() is { Length: > 0 } value ? value : "reviewer-e2e";
    }

    /// <summary>The case view from <c>GET /api/cases/{caseId}</c>, or null on 404.</summary>
    public async Task<JsonElement?> GetCaseAsync(string caseId)
    {
        using var client = CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri($"/api/cases/{caseId}", UriKind.Relative));
        request.Headers.Add(ReviewCallbackHeaders.Key, ApiKey);
        using var response = await client.SendAsync(request);
        if (response.StatusCode == System.Net.HttpStatusCode.NotFound)
        {
            return null;
        }

        response.EnsureSuccessStatusCode();
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return document.RootElement.Clone();
    }

    /// <summary>Waits (bounded) until the case API shows the case waiting for a reviewer; fails the test otherwise.</summary>
    public async Task WaitUntilAwaitingReviewAsync(string caseId, TimeSpan within)
    {
        JsonElement? last = null;
        await Eventually.HoldsAsync(
            async () => (last = await GetCaseAsync(caseId)) is { } view && Stage(view) == "awaiting_review",
            within,
            () => $"case {caseId} never waited for review (last seen: {(last is { } view ? view.GetRawText() : "no case")})");
    }

    public static string? Stage(JsonElement view) =>
        view.TryGetProperty("stage", out var stage) && stage.ValueKind == JsonValueKind.String ? stage.GetString() : null;

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.UseEnvironment("Testing");
        foreach (var (key, value) in Settings(storage, llmEndpoint, reviewTimeout, overrides))
        {
            builder.UseSetting(key, value);
        }
    }

    /// <summary>The configuration of a host in these tests (in-process or a child process): Azurite, the fake LLM, short timeouts.</summary>
    public static IEnumerable<KeyValuePair<string, string>> Settings(PipelineStorage storage, Uri llmEndpoint, TimeSpan reviewTimeout, IReadOnlyDictionary<string, string>? overrides = null)
    {
        ArgumentNullException.ThrowIfNull(storage);
        var settings = new Dictionary<string, string>
        {
            // Warnings and errors only: the information log of every message would bury the test output.
            ["Logging:LogLevel:Default"] = "Warning",
            ["ModerationStorage"] = storage.Connection,
            ["Moderation:Review:ApiKeys:0"] = ApiKey,
            ["Moderation:Review:SigningSecret"] = SigningSecret,
            ["Moderation:Llm:Provider"] = "OpenAICompatible",
            ["Moderation:Llm:Endpoint"] = llmEndpoint.ToString(),
            ["Moderation:Llm:Deployment"] = "fake-moderation-model",
            ["Moderation:Llm:ApiKey"] = "unused-by-the-fake",
            ["Moderation:Policy:ReviewTimeout"] = reviewTimeout.ToString("c", System.Globalization.CultureInfo.InvariantCulture),
            ["Moderation:Policy:ClassificationFirstRetryInterval"] = "00:00:00.200",
            ["Moderation:DurableTask:MaxQueuePollingInterval"] = "00:00:00.250",
            ["Moderation:DurableTask:PartitionCount"] = "2",
            ["Moderation:DurableTask:PartitionLeaseInterval"] = "00:00:06",
            ["Moderation:DurableTask:MessageVisibilityTimeout"] = "00:00:06",
            ["Moderation:Storage:MaxPollInterval"] = "00:00:00.250",
            ["Moderation:Storage:VisibilityTimeout"] = "00:00:05",
        };
        foreach (var (key, value) in storage.Settings().Concat(overrides ?? new Dictionary<string, string>()))
        {
            settings[key] = value;
        }

        return settings;
    }

    private static StringContent Json(string body) => new(body, Encoding.UTF8, new MediaTypeHeaderValue("application/json"));
}

/// <summary>Queue, table and container names unique to one test, and direct access to its queues.</summary>
internal sealed class PipelineStorage
{
    private readonly string connection;

    /// <param name="connection">The storage account; by default the one in the environment (Azurite from scripts/test.sh).</param>
    public PipelineStorage(string? connection = null)
    {
        this.connection = connection ?? TestEnvironment.StorageConnectionString
            ?? throw new InvalidOperationException($"{TestEnvironment.StorageConnectionVariable} is not set.");
    }

    private readonly string id = Guid.NewGuid().ToString("N")[..10];

    public string Connection => connection;

    public string InboundQueue => $"e2e-{id}-inbound";

    public string ReleasedQueue => $"e2e-{id}-released";

    public string BlockedQueue => $"e2e-{id}-blocked";

    public string ReviewQueue => $"e2e-{id}-review";

    public string PoisonQueue => $"e2e-{id}-inbound-poison";

    /// <summary>A task hub of this test's own: its queues, tables and leases are named after it.</summary>
    public string TaskHub => $"E2e{id}";

    public IEnumerable<KeyValuePair<string, string>> Settings() =>
    [
        new("Moderation:Storage:Queues:Inbound", InboundQueue),
        new("Moderation:Storage:Queues:Released", ReleasedQueue),
        new("Moderation:Storage:Queues:Blocked", BlockedQueue),
        new("Moderation:Storage:Queues:ReviewRequests", ReviewQueue),
        new("Moderation:Storage:Queues:InboundPoison", PoisonQueue),
        new("Moderation:Storage:Tables:Audit", $"E2e{id}Audit"),
        new("Moderation:Storage:Tables:Deliveries", $"E2e{id}Deliveries"),
        new("Moderation:Storage:Tables:ReviewRequests", $"E2e{id}Reviews"),
        new("Moderation:Storage:Tables:ReviewQueue", $"E2e{id}ReviewQueue"),
        new("Moderation:Storage:PayloadContainer", $"e2e-{id}-payloads"),
        new("Moderation:DurableTask:TaskHubName", TaskHub),
    ];

    /// <summary>Puts messages on the inbound queue as the product does (versioned JSON, Base64).</summary>
    public async Task EnqueueAsync(IEnumerable<ChatMessage> messages)
    {
        var queue = Queue(InboundQueue);
        await queue.CreateIfNotExistsAsync();
        foreach (var message in messages)
        {
            await queue.SendMessageAsync(InboundMessageCodec.Encode(message));
        }
    }

    /// <summary>Puts a raw body on the inbound queue, Base64-encoded unless <paramref name="base64"/> is false.</summary>
    public async Task EnqueueRawAsync(string body, bool base64 = true)
    {
        var queue = base64 ? Queue(InboundQueue) : new QueueClient(connection, InboundQueue);
        await queue.CreateIfNotExistsAsync();
        await queue.SendMessageAsync(body);
    }

    /// <summary>Removes and returns every delivery now on the released and blocked queues.</summary>
    public async Task<IReadOnlyList<Delivered>> DrainDeliveriesAsync()
    {
        var all = new List<Delivered>();
        foreach (var (name, disposition) in new[] { (ReleasedQueue, Disposition.Released), (BlockedQueue, Disposition.Blocked) })
        {
            foreach (var body in await DrainAsync(name))
            {
                var envelope = JsonSerializer.Deserialize<DeliveryEnvelope>(body, ModerationJson.Options)!;
                all.Add(new Delivered(envelope.DeliveryId, disposition, envelope.Outcome));
            }
        }

        return all;
    }

    /// <summary>Removes and returns every poison envelope now on the poison queue.</summary>
    public async Task<IReadOnlyList<PoisonEnvelope>> DrainPoisonAsync() =>
        (await DrainAsync(PoisonQueue)).Select(b => JsonSerializer.Deserialize<PoisonEnvelope>(b, ModerationJson.Options)!).ToList();

    /// <summary>How many messages wait on the inbound queue (visible or not: Azurite counts both).</summary>
    public async Task<int> InboundCountAsync()
    {
        var queue = Queue(InboundQueue);
        return (await queue.ExistsAsync()).Value ? (await queue.GetPropertiesAsync()).Value.ApproximateMessagesCount : 0;
    }

    private QueueClient Queue(string name) => new(connection, name, new QueueClientOptions { MessageEncoding = QueueMessageEncoding.Base64 });

    private async Task<List<string>> DrainAsync(string name)
    {
        var queue = Queue(name);
        var bodies = new List<string>();
        if (!(await queue.ExistsAsync()).Value)
        {
            return bodies;
        }

        while (true)
        {
            QueueMessage[] batch = (await queue.ReceiveMessagesAsync(32, TimeSpan.FromMinutes(1))).Value;
            if (batch.Length == 0)
            {
                return bodies;
            }

            foreach (var message in batch)
            {
                bodies.Add(message.Body.ToString());
                await queue.DeleteMessageAsync(message.MessageId, message.PopReceipt);
            }
        }
    }
}

/// <summary>The case API of a running host, in-process or a child process.</summary>
internal interface IModerationApi
{
    /// <summary>The case view from <c>GET /api/cases/{caseId}</c>, or null on 404.</summary>
    Task<JsonElement?> GetCaseAsync(string caseId);
}

/// <summary>One message found on the released or blocked queue.</summary>
internal sealed record Delivered(string MessageId, Disposition Disposition, ModerationOutcome Outcome);

/// <summary>Bounded waiting for something the pipeline does asynchronously; fails with what was expected, never sleeps blindly.</summary>
internal static class Eventually
{
    public static Task HoldsAsync(Func<Task<bool>> condition, TimeSpan within, string failure) =>
        HoldsAsync(condition, within, () => failure);

    /// <param name="failure">Describes the failure when it happens (so it can say what was seen last).</param>
    public static async Task HoldsAsync(Func<Task<bool>> condition, TimeSpan within, Func<string> failure)
    {
        ArgumentNullException.ThrowIfNull(condition);
        using var deadline = new CancellationTokenSource(within);
        var pause = TimeSpan.FromMilliseconds(50);
        while (!await condition())
        {
            if (deadline.IsCancellationRequested)
            {
                Assert.Fail($"Within {within.TotalSeconds:0} s: {failure()}.");
            }

            await Task.Delay(pause);
            pause = TimeSpan.FromMilliseconds(Math.Min(pause.TotalMilliseconds * 2, 500));
        }
    }
}
