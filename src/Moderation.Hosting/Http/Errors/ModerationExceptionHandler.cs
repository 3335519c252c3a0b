using System.Globalization;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Moderation.Hosting.Http.Errors;

/// <summary>
/// The last word on unhandled exceptions for ASP.NET Core hosts (<c>app.UseExceptionHandler()</c>): storage failures
/// become 503 problem details with <c>Retry-After</c>, anything else a bare 500 problem. It handles every exception, so
/// the developer exception page (which lists request headers, API keys included) is never rendered, whatever the
/// environment. Logs carry the exception type and storage status only, never messages or headers.
/// </summary>
public sealed partial class ModerationExceptionHandler(ILogger<ModerationExceptionHandler> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(httpContext);
        ArgumentNullException.ThrowIfNull(exception);
        var path = httpContext.Request.Path.Value;
        HttpReply reply;
        if (StorageFailures.IsStorageFailure(exception))
        {
            LogStorageFailure(httpContext.Request.Method, path, StorageFailures.Describe(exception));
            reply = StorageFailures.Reply(path);
            httpContext.Response.Headers.RetryAfter = ((int)StorageFailures.RetryAfter.TotalSeconds).ToString(CultureInfo.InvariantCulture);
        }
        else
        {
            LogUnhandled(httpContext.Request.Method, path, StorageFailures.Describe(exception));
            reply = StorageFailures.InternalError(path);
        }

        httpContext.Response.StatusCode = reply.StatusCode;
        httpContext.Response.ContentType = reply.ContentType;
        await httpContext.Response.WriteAsync(reply.BodyJson, cancellationToken);
        return true;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Method} {Path}: storage unavailable ({Failure}); answered 503.")]
    private partial void LogStorageFailure(string method, string? path, string failure);

    [LoggerMessage(Level = LogLevel.Error, Message = "{Method} {Path}: unhandled {Failure}; answered 500.")]
    private partial void LogUnhandled(string method, string? path, string failure);
}
