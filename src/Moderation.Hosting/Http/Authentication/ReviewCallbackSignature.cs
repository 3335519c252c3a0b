using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Moderation.Hosting.Http.Authentication;

/// <summary>
/// HMAC-SHA256 signatures of review-tool requests (version 2, documented in docs/review-callback.md). The signed text
/// is <see cref="CanonicalRequest"/>: a version tag, the HTTP method, the path, the timestamp, a one-time nonce, the
/// reviewer id and the SHA-256 of the body, one per line. Binding each of them stops a captured request from being
/// replayed (nonce), used much later or long in advance (timestamp), against another case or endpoint (path, method),
/// in another reviewer's name, or with another body.
/// </summary>
public sealed class ReviewCallbackSignature
{
    /// <summary>The first line of the signed text: a signature made for another version never verifies.</summary>
    public const string Version = "moderation-review-v2";

    private const string Prefix = "sha256=";

    private readonly byte[] secret;

    public ReviewCallbackSignature(string sharedSecret)
    {
        if (string.IsNullOrEmpty(sharedSecret) || sharedSecret.Length < ReviewCallbackOptionsValidator.MinSecretLength)
        {
            throw new ArgumentException("The review callback secret must be at least 32 characters.", nameof(sharedSecret));
        }

        secret = Encoding.UTF8.GetBytes(sharedSecret);
    }

    /// <summary>
    /// The text that is signed, lines joined by <c>\n</c>: <see cref="Version"/>, the method in upper case, the path
    /// (e.g. <c>/api/reviews/case-1</c>, the case id percent-encoded, no query), the timestamp in unix seconds, the
    /// nonce, the reviewer id (empty when none is sent) and the lowercase hex SHA-256 of the raw body.
    /// </summary>
    public static string CanonicalRequest(string method, string path, long unixTimestamp, string nonce, string? reviewer, ReadOnlySpan<byte> body)
    {
        ArgumentNullException.ThrowIfNull(method);
        return string.Join(
            '\n',
            Version,
            method.ToUpperInvariant(),
            path,
            unixTimestamp.ToString(CultureInfo.InvariantCulture),
            nonce,
            reviewer ?? string.Empty,
            Convert.ToHexStringLower(SHA256.HashData(body)));
    }

    /// <summary>The <c>X-Moderation-Signature</c> value for a request (what a review tool sends).</summary>
    public string Sign(string method, string path, long unixTimestamp, string nonce, string? reviewer, ReadOnlySpan<byte> body) =>
        Prefix + Convert.ToHexStringLower(Compute(CanonicalRequest(method, path, unixTimestamp, nonce, reviewer, body)));

    /// <summary>Verifies a presented header in constant time against the canonical request.</summary>
    public bool Matches(string canonicalRequest, string? signatureHeader, out string? failure)
    {
        if (signatureHeader is null || !signatureHeader.StartsWith(Prefix, StringComparison.Ordinal))
        {
            failure = $"Missing or malformed {ReviewCallbackHeaders.Signature} header.";
            return false;
        }

        byte[] presented;
        try
        {
            presented = Convert.FromHexString(signatureHeader.AsSpan(Prefix.Length));
        }
        catch (FormatException)
        {
            failure = $"Malformed {ReviewCallbackHeaders.Signature} header.";
            return false;
        }

        if (!CryptographicOperations.FixedTimeEquals(Compute(canonicalRequest), presented))
        {
            failure = "Signature does not match.";
            return false;
        }

        failure = null;
        return true;
    }

    private byte[] Compute(string canonicalRequest) => HMACSHA256.HashData(secret, Encoding.UTF8.GetBytes(canonicalRequest));
}
