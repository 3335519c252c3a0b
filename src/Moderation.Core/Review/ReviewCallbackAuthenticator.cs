using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace Moderation.Core.Review;

/// <summary>The credentials a review callback request carries (header values; null when absent).</summary>
public sealed record ReviewCallbackCredentials(string? Signature, string? Timestamp, string? Key);

/// <summary>
/// Authenticates review callbacks for both hosts: a valid API key in <see cref="KeyHeader"/>, or a valid HMAC signature
/// (<see cref="ReviewCallbackSignature"/>) over the timestamp, case id and raw body. Comparisons are constant-time.
/// </summary>
public sealed class ReviewCallbackAuthenticator
{
    public const string KeyHeader = "X-Moderation-Key";

    private readonly ReviewCallbackSignature? signature;
    private readonly byte[][] keys;
    private readonly TimeProvider time;

    public ReviewCallbackAuthenticator(IOptions<ReviewCallbackOptions> options, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(options);
        var value = options.Value;
        signature = string.IsNullOrEmpty(value.SigningSecret) ? null : new ReviewCallbackSignature(value.SigningSecret, value.AllowedClockSkew);
        keys = value.ApiKeys.Where(k => !string.IsNullOrEmpty(k)).Select(k => SHA256.HashData(Encoding.UTF8.GetBytes(k))).ToArray();
        this.time = time;
    }

    /// <summary>True when the request is authentic; otherwise a reason safe to return to the caller.</summary>
    public bool Authenticate(string caseId, ReviewCallbackCredentials credentials, ReadOnlySpan<byte> body, out string? failure)
    {
        ArgumentNullException.ThrowIfNull(credentials);
        if (credentials.Key is { Length: > 0 } key)
        {
            // Hash first so the comparison takes the same time whatever the presented key's length.
            var presented = SHA256.HashData(Encoding.UTF8.GetBytes(key));
            var match = false;
            foreach (var candidate in keys)
            {
                match |= CryptographicOperations.FixedTimeEquals(candidate, presented);
            }

            failure = match ? null : "Invalid key.";
            return match;
        }

        if (signature is null)
        {
            failure = $"Missing {KeyHeader} header.";
            return false;
        }

        return signature.Verify(caseId, credentials.Timestamp, credentials.Signature, body, time.GetUtcNow(), out failure);
    }
}
