using System.Text.Json;
using Moderation.Core.Serialization;

namespace Moderation.Hosting.Http;

/// <summary>
/// An HTTP response as plain data, so both hosts (ASP.NET Core minimal APIs and Functions' <c>HttpRequestData</c>)
/// write exactly the same status, content type and JSON body.
/// </summary>
public sealed record HttpReply(int StatusCode, object? Body, string ContentType)
{
    public const string Json = "application/json";

    /// <summary>RFC 7807 problem details.</summary>
    public const string ProblemJson = "application/problem+json";

    /// <summary>The body as JSON (<see cref="ModerationJson.Options"/>); empty when there is no body.</summary>
    public string BodyJson => Body is null ? string.Empty : JsonSerializer.Serialize(Body, Body.GetType(), ModerationJson.Options);

    public static HttpReply Ok(object body) => new(200, body, Json);

    public static HttpReply Accepted(object body) => new(202, body, Json);

    /// <summary>A problem-details reply with the list of problems (e.g. validation messages) as an extension member.</summary>
    public static HttpReply Problem(int status, string title, string detail, IReadOnlyList<string>? problems = null, string? instance = null) =>
        new(status, new ProblemDetailsBody($"https://httpstatuses.io/{status}", title, status, detail, instance, problems is { Count: > 0 } ? problems : null), ProblemJson);
}

/// <summary>RFC 7807 problem details, with <c>problems</c> listing every validation failure.</summary>
public sealed record ProblemDetailsBody(string Type, string Title, int Status, string Detail, string? Instance, IReadOnlyList<string>? Problems);
