using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace Moderation.Hosting.Http.Authentication;

/// <summary>Who a request authenticated as, or why it did not.</summary>
/// <param name="ReviewerId">The <see cref="ReviewCallbackHeaders.Reviewer"/> the caller asserted (signed, for signed requests); null when absent.</param>
public sealed record ReviewCallbackAuthentication(bool Succeeded, string? Failure, string? ReviewerId)
{
    public static ReviewCallbackAuthentication Fail(string failure) => new(false, failure, null);
}

/// <summary>
/// Authenticates review callbacks and case queries for both hosts: a valid API key in
/// <see cref="ReviewCallbackHeaders.Key"/>, or a valid HMAC signature (<see cref="ReviewCallbackSignature"/>) whose
/// timestamp is within the allowed skew in either direction and whose nonce was never used before
/// (<see cref="IRequestNonceStore"/>). Comparisons are constant-time; failures never echo a presented secret.
/// </summary>
public sealed class ReviewCallbackAuthenticator
{
    /// <summary>Nonces are remembered this much longer than their timestamp can pass, for clock differences between instances.</summary>
    private static readonly TimeSpan NonceMargin = TimeSpan.FromMinutes(1);

    private readonly ReviewCallbackSignature? signature;
    private readonly byte[][] keys;
    private readonly TimeSpan allowedClockSkew;
    private readonly bool trustAppServicePrincipal;
    private readonly IRequestNonceStore nonces;
    private readonly TimeProvider time;

    public ReviewCallbackAuthenticator(IOptions<ReviewCallbackOptions> options, IRequestNonceStore nonces, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(options);
        var value = options.Value;
        signature = string.IsNullOrEmpty(value.SigningSecret) ? null : new ReviewCallbackSignature(value.SigningSecret);
        keys = value.ApiKeys.Where(k => !string.IsNullOrEmpty(k)).Select(k => SHA256.HashData(Encoding.UTF8.GetBytes(k))).ToArray();
        allowedClockSkew = value.AllowedClockSkew;
        trustAppServicePrincipal = value.TrustAppServicePrincipal;
        this.nonces = nonces;
        this.time = time;
    }

    /// <param name="method">The request's HTTP method.</param>
    /// <param name="path">The canonical path of the resource (the route with the case id percent-encoded).</param>
    public async Task<ReviewCallbackAuthentication> AuthenticateAsync(string method, string path, ReviewCallbackCredentials credentials, ReadOnlyMemory<byte> body, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(credentials);
        if (trustAppServicePrincipal && credentials.Principal is { Length: > 0 } principal)
        {
            // App Service authenticated the user; the reviewer is who signed in, never a name the browser sent.
            return new ReviewCallbackAuthentication(true, null, principal);
        }

        if (credentials.Key is { Length: > 0 } key)
        {
            return KeyMatches(key)
                ? new ReviewCallbackAuthentication(true, null, credentials.Reviewer)
                : ReviewCallbackAuthentication.Fail("Invalid key.");
        }

        if (signature is null)
        {
            return ReviewCallbackAuthentication.Fail($"Missing {ReviewCallbackHeaders.Key} header.");
        }

        if (!long.TryParse(credentials.Timestamp, NumberStyles.None, CultureInfo.InvariantCulture, out var timestamp))
        {
            return ReviewCallbackAuthentication.Fail($"Missing or malformed {ReviewCallbackHeaders.Timestamp} header.");
        }

        var now = time.GetUtcNow();
        var sentAt = DateTimeOffset.FromUnixTimeSeconds(Math.Clamp(timestamp, 0, 253402300799));
        if ((now - sentAt).Duration() > allowedClockSkew)
        {
            // Both ways: a timestamp in the future would keep a captured request valid for longer.
            return ReviewCallbackAuthentication.Fail($"{ReviewCallbackHeaders.Timestamp} is outside the allowed clock skew of {allowedClockSkew.TotalSeconds:0} s.");
        }

        if (!IsWellFormedNonce(credentials.Nonce))
        {
            return ReviewCallbackAuthentication.Fail($"Missing or malformed {ReviewCallbackHeaders.Nonce} header (16-128 characters of A-Z, a-z, 0-9, '-' and '_').");
        }

        var canonical = ReviewCallbackSignature.CanonicalRequest(method, path, timestamp, credentials.Nonce!, credentials.Reviewer, body.Span);
        if (!signature.Matches(canonical, credentials.Signature, out var failure))
        {
            return ReviewCallbackAuthentication.Fail(failure!);
        }

        // Only an authentic request spends its nonce, so nobody without the secret can fill the store.
        if (!await nonces.TryUseAsync(credentials.Nonce!, sentAt + allowedClockSkew + NonceMargin, cancellationToken))
        {
            return ReviewCallbackAuthentication.Fail($"{ReviewCallbackHeaders.Nonce} was already used; sign every request with a new nonce.");
        }

        return new ReviewCallbackAuthentication(true, null, credentials.Reviewer);
    }

    private bool KeyMatches(string key)
    {
        // Hash first so the comparison takes the same time whatever the presented key's length.
        var presented = SHA256.HashData(Encoding.UTF8.GetBytes(key));
        var match = false;
        foreach (var candidate in keys)
        {
            match |= CryptographicOperations.FixedTimeEquals(candidate, presented);
        }

        return match;
    }

    private static bool IsWellFormedNonce(string? nonce) =>
        nonce is { Length: >= 16 and <= 128 } && nonce.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_');
}
