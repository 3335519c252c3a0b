using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Moderation.Core.Review;

/// <summary>
/// HMAC-SHA256 authentication of review callbacks. The caller sends
/// <c>X-Moderation-Timestamp: &lt;unix seconds&gt;</c> and <c>X-Moderation-Signature: sha256=&lt;hex&gt;</c>, the HMAC of
/// <c>"{timestamp}.{caseId}.{body}"</c> under the shared secret. Binding the case id and a timestamp stops a captured
/// request from being replayed against another case or much later.
/// </summary>
public sealed class ReviewCallbackSignature
{
    public const string SignatureHeader = "X-Moderation-Signature";
    public const string TimestampHeader = "X-Moderation-Timestamp";
    private const string Prefix = "sha256=";

    private readonly byte[] secret;
    private readonly TimeSpan allowedClockSkew;

    public ReviewCallbackSignature(string sharedSecret, TimeSpan? allowedClockSkew = null)
    {
        if (string.IsNullOrEmpty(sharedSecret) || sharedSecret.Length < 32)
        {
            throw new ArgumentException("The review callback secret must be at least 32 characters.", nameof(sharedSecret));
        }

        secret = Encoding.UTF8.GetBytes(sharedSecret);
        this.allowedClockSkew = allowedClockSkew ?? TimeSpan.FromMinutes(5);
    }

    /// <summary>Computes the header value for a request (what a review tool sends).</summary>
    public string Sign(string caseId, long unixTimestamp, ReadOnlySpan<byte> body)
    {
        return Prefix + Convert.ToHexStringLower(Compute(caseId, unixTimestamp, body));
    }

    /// <summary>Verifies a request in constant time. Returns a reason when it fails.</summary>
    public bool Verify(string caseId, string? timestampHeader, string? signatureHeader, ReadOnlySpan<byte> body, DateTimeOffset now, out string? failure)
    {
        if (!long.TryParse(timestampHeader, NumberStyles.None, CultureInfo.InvariantCulture, out var timestamp))
        {
            failure = $"Missing or malformed {TimestampHeader} header.";
            return false;
        }

        var sentAt = DateTimeOffset.FromUnixTimeSeconds(Math.Clamp(timestamp, 0, 253402300799));
        if ((now - sentAt).Duration() > allowedClockSkew)
        {
            failure = $"{TimestampHeader} is outside the allowed clock skew.";
            return false;
        }

        if (signatureHeader is null || !signatureHeader.StartsWith(Prefix, StringComparison.Ordinal))
        {
            failure = $"Missing or malformed {SignatureHeader} header.";
            return false;
        }

        byte[] presented;
        try
        {
            presented = Convert.FromHexString(signatureHeader.AsSpan(Prefix.Length));
        }
        catch (FormatException)
        {
            failure = $"Malformed {SignatureHeader} header.";
            return false;
        }

        var expected = Compute(caseId, timestamp, body);
        if (!CryptographicOperations.FixedTimeEquals(expected, presented))
        {
            failure = "Signature does not match.";
            return false;
        }

        failure = null;
        return true;
    }

    private byte[] Compute(string caseId, long timestamp, ReadOnlySpan<byte> body)
    {
        var prefix = Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture, $"{timestamp}.{caseId}."));
        var data = new byte[prefix.Length + body.Length];
        prefix.CopyTo(data, 0);
        body.CopyTo(data.AsSpan(prefix.Length));
        return HMACSHA256.HashData(secret, data);
    }
}
