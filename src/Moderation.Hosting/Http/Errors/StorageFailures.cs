using System.Net.Sockets;
using Azure;

namespace Moderation.Hosting.Http.Errors;

/// <summary>
/// Recognises failures of the storage the pipeline depends on (Azure Storage, or the durable engine's storage
/// underneath): the caller can retry later, so they become 503 with <c>Retry-After</c>, not a 500.
/// </summary>
public static class StorageFailures
{
    /// <summary>How long a caller should wait before retrying after a storage failure.</summary>
    public static readonly TimeSpan RetryAfter = TimeSpan.FromSeconds(10);

    /// <summary>True when <paramref name="exception"/> (or an exception it wraps) is a storage or transport failure.</summary>
    public static bool IsStorageFailure(Exception? exception)
    {
        for (var depth = 0; exception is not null && depth < 8; depth++)
        {
            switch (exception)
            {
                case RequestFailedException failed when failed.Status is 0 or 408 or 429 or >= 500:
                case TimeoutException:
                case HttpRequestException:
                case SocketException:
                    return true;
                case AggregateException aggregate when aggregate.InnerExceptions.Any(IsStorageFailure):
                    return true;
            }

            exception = exception.InnerException;
        }

        return false;
    }

    /// <summary>What to log about a failure: its type and, for storage, the status and error code; never its message (it may quote request details).</summary>
    public static string Describe(Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        for (var inner = exception; inner is not null; inner = inner.InnerException)
        {
            if (inner is RequestFailedException failed)
            {
                return $"{exception.GetType().Name} (storage status {failed.Status}, code {failed.ErrorCode ?? "none"})";
            }
        }

        return exception.GetType().Name + (exception.InnerException is { } cause ? $" ({cause.GetType().Name})" : string.Empty);
    }

    /// <summary>The problem-details reply for a storage failure (pair it with a <c>Retry-After</c> of <see cref="RetryAfter"/>).</summary>
    public static HttpReply Reply(string? instance = null) =>
        HttpReply.Problem(503, "Storage unavailable", $"The moderation store is temporarily unavailable; retry after {RetryAfter.TotalSeconds:0} seconds.", instance: instance);

    /// <summary>The reply for any other unhandled failure: no exception text, no request details.</summary>
    public static HttpReply InternalError(string? instance = null) =>
        HttpReply.Problem(500, "Internal error", "The request failed; the failure was logged.", instance: instance);
}
