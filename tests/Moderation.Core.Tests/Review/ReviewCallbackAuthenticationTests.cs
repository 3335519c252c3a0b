using System.Text;
using Microsoft.Extensions.Options;
using Moderation.Core.Review;

namespace Moderation.Core.Tests.Review;

/// <summary>Only a caller holding the shared secret or a key can decide a case; a captured request cannot be replayed elsewhere.</summary>
public class ReviewCallbackAuthenticationTests
{
    private const string Secret = "0123456789abcdef0123456789abcdef-signing";
    private const string Key = "key-0123456789abcdef0123456789abcdef";
    private static readonly DateTimeOffset Now = new(2026, 3, 14, 9, 0, 0, TimeSpan.Zero);
    private static readonly byte[] Body = Encoding.UTF8.GetBytes("""{"reviewerId":"rev-1","action":"release","category":"clean"}""");

    private readonly ReviewCallbackSignature signature = new(Secret);

    [Fact]
    public void A_correctly_signed_request_is_accepted()
    {
        var auth = Authenticator(secret: Secret);
        var ts = Now.ToUnixTimeSeconds();

        Assert.True(auth.Authenticate("case-1", new(signature.Sign("case-1", ts, Body), ts.ToString(System.Globalization.CultureInfo.InvariantCulture), null), Body, out var failure), failure);
    }

    [Fact]
    public void A_signature_for_another_case_is_refused()
    {
        var ts = Now.ToUnixTimeSeconds();
        var credentials = Signed("case-1", ts);

        Assert.False(Authenticator(secret: Secret).Authenticate("case-2", credentials, Body, out var failure));
        Assert.Equal("Signature does not match.", failure);
    }

    [Fact]
    public void A_tampered_body_is_refused()
    {
        var ts = Now.ToUnixTimeSeconds();
        var tampered = Encoding.UTF8.GetBytes("""{"reviewerId":"rev-1","action":"block","category":"spam"}""");

        Assert.False(Authenticator(secret: Secret).Authenticate("case-1", Signed("case-1", ts), tampered, out _));
    }

    [Fact]
    public void An_old_request_outside_the_clock_skew_is_refused()
    {
        var ts = Now.AddMinutes(-6).ToUnixTimeSeconds();

        Assert.False(Authenticator(secret: Secret).Authenticate("case-1", Signed("case-1", ts), Body, out var failure));
        Assert.Contains("clock skew", failure, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null, "sha256=00")]
    [InlineData("not-a-number", "sha256=00")]
    [InlineData("1773478800", null)]
    [InlineData("1773478800", "md5=abc")]
    [InlineData("1773478800", "sha256=zz-not-hex")]
    public void Missing_or_malformed_headers_are_refused_with_a_reason(string? timestamp, string? sig)
    {
        Assert.False(Authenticator(secret: Secret).Authenticate("case-1", new(sig, timestamp, null), Body, out var failure));
        Assert.False(string.IsNullOrEmpty(failure));
    }

    [Fact]
    public void A_configured_key_is_accepted_and_any_other_key_is_refused()
    {
        var auth = Authenticator(key: Key);

        Assert.True(auth.Authenticate("case-1", new(null, null, Key), Body, out _));
        Assert.False(auth.Authenticate("case-1", new(null, null, Key + "x"), Body, out var failure));
        Assert.Equal("Invalid key.", failure);
    }

    [Fact]
    public void Without_a_signing_secret_an_unsigned_request_needs_a_key()
    {
        Assert.False(Authenticator(key: Key).Authenticate("case-1", Signed("case-1", Now.ToUnixTimeSeconds()), Body, out var failure));
        Assert.Contains(ReviewCallbackAuthenticator.KeyHeader, failure, StringComparison.Ordinal);
    }

    [Fact]
    public void Options_without_any_authentication_method_fail_validation_at_start_up()
    {
        var result = new ReviewCallbackOptionsValidator().Validate(null, new ReviewCallbackOptions());

        Assert.True(result.Failed);
        Assert.Contains("never unauthenticated", result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void Short_secrets_and_keys_fail_validation()
    {
        var options = new ReviewCallbackOptions { SigningSecret = "short" };
        options.ApiKeys.Add("also-short");

        var result = new ReviewCallbackOptionsValidator().Validate(null, options);

        Assert.Equal(2, result.Failures!.Count());
    }

    [Fact]
    public void An_unresolved_key_vault_reference_is_not_accepted_as_a_secret()
    {
        var options = new ReviewCallbackOptions { SigningSecret = "@Microsoft.KeyVault(SecretUri=https://kv-mod-abc.vault.azure.net/secrets/review-signing-secret)" };

        var result = new ReviewCallbackOptionsValidator().Validate(null, options);

        Assert.True(result.Failed);
        Assert.Contains("unresolved Key Vault reference", result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void Options_never_print_their_secrets()
    {
        var options = new ReviewCallbackOptions { SigningSecret = Secret };
        options.ApiKeys.Add(Key);

        Assert.DoesNotContain(Secret, options.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(Key, options.ToString(), StringComparison.Ordinal);
    }

    private ReviewCallbackCredentials Signed(string caseId, long ts) =>
        new(signature.Sign(caseId, ts, Body), ts.ToString(System.Globalization.CultureInfo.InvariantCulture), null);

    private static ReviewCallbackAuthenticator Authenticator(string? secret = null, string? key = null)
    {
        var options = new ReviewCallbackOptions { SigningSecret = secret };
        if (key is not null)
        {
            options.ApiKeys.Add(key);
        }

        return new ReviewCallbackAuthenticator(Options.Create(options), new FixedTimeProvider(Now));
    }
}

internal sealed class FixedTimeProvider(DateTimeOffset now) : TimeProvider
{
    public override DateTimeOffset GetUtcNow() => now;
}
