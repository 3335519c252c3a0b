using Microsoft.AspNetCore.Http;
using Moderation.Hosting.Http.Authentication;

namespace Moderation.Hosting.Http;

/// <summary>What both hosts read from an incoming request before handing it to the shared endpoints.</summary>
public static class ModerationHttpRequest
{
    /// <summary>The review-callback credentials the request carries (key, or signature, timestamp and nonce; the reviewer).</summary>
    public static ReviewCallbackCredentials ReadCredentials(this HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return new(
            Header(request, ReviewCallbackHeaders.Signature),
            Header(request, ReviewCallbackHeaders.Timestamp),
            Header(request, ReviewCallbackHeaders.Key),
            Header(request, ReviewCallbackHeaders.Nonce),
            Header(request, ReviewCallbackHeaders.Reviewer),
            Header(request, ReviewCallbackHeaders.AppServicePrincipalName) ?? Header(request, ReviewCallbackHeaders.AppServicePrincipalId));
    }

    /// <summary>Reads at most <paramref name="limit"/> bytes: enough to tell an oversized body without buffering it all.</summary>
    public static async Task<ReadOnlyMemory<byte>> ReadBodyAsync(this HttpRequest request, int limit, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var buffer = new byte[limit];
        var read = 0;
        int n;
        while (read < limit && (n = await request.Body.ReadAsync(buffer.AsMemory(read, limit - read), cancellationToken)) > 0)
        {
            read += n;
        }

        return buffer.AsMemory(0, read);
    }

    private static string? Header(HttpRequest request, string name) =>
        request.Headers.TryGetValue(name, out var values) && values.Count > 0 ? values[0] : null;
}
