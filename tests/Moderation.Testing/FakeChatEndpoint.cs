using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Moderation.Testing;

/// <summary>A request the fake endpoint received, as it arrived on the wire.</summary>
public sealed record RecordedRequest(string Method, string Path, string Query, IReadOnlyDictionary<string, string> Headers, string Body)
{
    public JsonDocument Json() => JsonDocument.Parse(Body);

    public string? Header(string name) => Headers.TryGetValue(name.ToLowerInvariant(), out var value) ? value : null;
}

/// <summary>
/// A local stand-in for Azure OpenAI / an OpenAI-compatible server: Kestrel on 127.0.0.1 with a free port, recording
/// every request and answering with whatever the test queued (a default answer once the queue is empty).
/// </summary>
public sealed class FakeChatEndpoint : IAsyncDisposable
{
    private readonly WebApplication app;
    private readonly ConcurrentQueue<Func<HttpContext, Task>> responses = new();
    private readonly ConcurrentQueue<RecordedRequest> requests = new();

    private FakeChatEndpoint(WebApplication app) => this.app = app;

    public Uri BaseAddress { get; private set; } = null!;

    public IReadOnlyList<RecordedRequest> Requests => requests.ToArray();

    /// <summary>Answers every request not scripted otherwise.</summary>
    public Func<HttpContext, Task> DefaultResponse { get; set; } = Answer(Completion("""{"category":"clean","confidence":0.9,"rationale":"Ordinary talk.","evidence":[]}"""));

    public static async Task<FakeChatEndpoint> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var endpoint = new FakeChatEndpoint(app);
        app.Run(endpoint.HandleAsync);
        await app.StartAsync();
        var address = app.Services.GetService(typeof(IServer)) is IServer server
            ? server.Features.Get<IServerAddressesFeature>()!.Addresses.First()
            : throw new InvalidOperationException("Kestrel did not start.");
        endpoint.BaseAddress = new Uri(address + "/");
        return endpoint;
    }

    /// <summary>When set, unscripted requests are answered with a completion whose content this returns for the request.</summary>
    public Func<RecordedRequest, string>? AnswerFor { get; set; }

    /// <summary>The text of the message being classified, decoded from the user turn's data envelope.</summary>
    public static string MessageText(RecordedRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        using var body = request.Json();
        // The last user turn is the data envelope {"sender_role":..,"recipient_role":..,"message":..}; its content is a
        // string or a list of text parts, depending on the client.
        var user = body.RootElement.GetProperty("messages").EnumerateArray()
            .Last(m => m.GetProperty("role").GetString() == "user")
            .GetProperty("content");
        var envelope = user.ValueKind == JsonValueKind.String ? user.GetString()! : user[0].GetProperty("text").GetString()!;
        using var data = JsonDocument.Parse(envelope);
        return data.RootElement.GetProperty("message").GetString() ?? string.Empty;
    }

    public void Enqueue(Func<HttpContext, Task> response) => responses.Enqueue(response);

    /// <summary>A chat.completion body with one choice.</summary>
    public static string Completion(string content, string finishReason = "stop", int promptTokens = 800, int completionTokens = 40) =>
        JsonSerializer.Serialize(new Dictionary<string, object?>
        {
            ["id"] = "chatcmpl-test",
            ["object"] = "chat.completion",
            ["created"] = 1_732_000_000,
            ["model"] = "gpt-4o-mini-2024-07-18",
            ["choices"] = new object[]
            {
                new Dictionary<string, object?>
                {
                    ["index"] = 0,
                    ["message"] = new Dictionary<string, object?> { ["role"] = "assistant", ["content"] = content, ["refusal"] = null },
                    ["finish_reason"] = finishReason,
                    ["logprobs"] = null,
                },
            },
            ["usage"] = new Dictionary<string, object?>
            {
                ["prompt_tokens"] = promptTokens,
                ["completion_tokens"] = completionTokens,
                ["total_tokens"] = promptTokens + completionTokens,
            },
        });

    public static Func<HttpContext, Task> Answer(string completionBody) => context => Json(context, 200, completionBody);

    public static Func<HttpContext, Task> Status(int status, string body = """{"error":{"message":"failure","code":"failure"}}""", IDictionary<string, string>? headers = null) =>
        context =>
        {
            foreach (var (name, value) in headers ?? new Dictionary<string, string>())
            {
                context.Response.Headers[name] = value;
            }

            return Json(context, status, body);
        };

    /// <summary>Holds the request open until the client gives up (or a minute passes).</summary>
    public static Func<HttpContext, Task> Hang() => async context =>
    {
        try
        {
            await Task.Delay(TimeSpan.FromMinutes(1), context.RequestAborted);
        }
        catch (OperationCanceledException)
        {
            return;
        }

        await Json(context, 200, Completion("""{"category":"clean","confidence":0.9,"rationale":"Late.","evidence":[]}"""));
    };

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
    }

    private static async Task Json(HttpContext context, int status, string body)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(body);
    }

    private async Task HandleAsync(HttpContext context)
    {
        using var reader = new StreamReader(context.Request.Body);
        var body = await reader.ReadToEndAsync();
        var headers = context.Request.Headers.ToDictionary(h => h.Key.ToLowerInvariant(), h => h.Value.ToString());
        var request = new RecordedRequest(context.Request.Method, context.Request.Path.Value ?? string.Empty, context.Request.QueryString.Value ?? string.Empty, headers, body);
        requests.Enqueue(request);
        var respond = responses.TryDequeue(out var scripted) ? scripted
            : AnswerFor is { } answerFor ? Answer(Completion(answerFor(request))) : DefaultResponse;
        await respond(context);
    }
}
