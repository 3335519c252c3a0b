using System.Globalization;
using System.Text;
using Microsoft.Extensions.Options;
using Moderation.Host.Tests.Fakes;
using Moderation.Hosting.Http.Authentication;

namespace Moderation.Host.Tests;

/// <summary>
/// Only a caller holding the shared secret or a key can decide a case; a captured signed request cannot be replayed,
/// reused on another case, endpoint or method, sent in another reviewer's name, or used outside a small time window.
/// </summary>
public class ReviewCallbackAuthenticationTests
{
    private const string Secret = "0123456789abcdef0123456789abcdef-signing";
    private const string Key = "key-0123456789abcdef0123456789abcdef";
    private const string Path = "/api/reviews/case-1";
    private static readonly DateTimeOffset Now = new(2026, 3, 14, 9, 0, 0, TimeSpan.Zero);
    private static readonly byte[] Body = Encoding.UTF8.GetBytes("""{"action":"release"}""");

    private readonly ReviewCallbackSignature signature = new(Secret);
    private readonly InMemoryNonceStore nonces = new();

    [Fact]
    public async Task A_correctly_signed_request_is_accepted_and_names_the_signed_reviewer()
    {
        var result = await Authenticator(secret: Secret).AuthenticateAsync("POST", Path, Signed("POST", Path, Now, "nonce-0000000000000001"), Body, default);

        Assert.True(result.Succeeded, result.Failure);
        Assert.Equal("rev-1", result.ReviewerId);
    }

    [Fact]
    public async Task A_replayed_signed_request_is_refused_because_its_nonce_was_used()
    {
        var auth = Authenticator(secret: Secret);
        var credentials = Signed("POST", Path, Now, "nonce-0000000000000002");

        var first = await auth.AuthenticateAsync("POST", Path, credentials, Body, default);
        var replay = await auth.AuthenticateAsync("POST", Path, credentials, Body, default);

        Assert.True(first.Succeeded, first.Failure);
        Assert.False(replay.Succeeded);
        Assert.Contains("already used", replay.Failure, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("POST", "/api/reviews/case-2")]
    [InlineData("GET", Path)]
    [InlineData("POST", "/api/cases/case-1")]
    public async Task A_signature_made_for_another_method_or_path_is_refused(string method, string path)
    {
        var credentials = Signed("POST", Path, Now, "nonce-0000000000000003");

        var result = await Authenticator(secret: Secret).AuthenticateAsync(method, path, credentials, Body, default);

        Assert.False(result.Succeeded);
        Assert.Equal("Signature does not match.", result.Failure);
    }

    [Fact]
    public async Task A_signed_request_whose_reviewer_header_was_changed_is_refused()
    {
        var credentials = Signed("POST", Path, Now, "nonce-0000000000000004") with { Reviewer = "someone-else" };

        var result = await Authenticator(secret: Secret).AuthenticateAsync("POST", Path, credentials, Body, default);

        Assert.False(result.Succeeded);
    }

    [Fact]
    public async Task A_tampered_body_is_refused()
    {
        var tampered = Encoding.UTF8.GetBytes("""{"action":"block","category":"spam"}""");

        var result = await Authenticator(secret: Secret).AuthenticateAsync("POST", Path, Signed("POST", Path, Now, "nonce-0000000000000005"), tampered, default);

        Assert.False(result.Succeeded);
    }

    [Theory]
    [InlineData(-90)]
    [InlineData(90)]
    [InlineData(3600)]
    public async Task A_timestamp_outside_the_skew_in_either_direction_is_refused(int offsetSeconds)
    {
        var result = await Authenticator(secret: Secret).AuthenticateAsync("POST", Path, Signed("POST", Path, Now.AddSeconds(offsetSeconds), "nonce-0000000000000006"), Body, default);

        Assert.False(result.Succeeded);
        Assert.Contains("clock skew", result.Failure, StringComparison.Ordinal);
        Assert.Empty(nonces.Used);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("short")]
    [InlineData("has spaces in it 0123456789")]
    public async Task A_signed_request_without_a_well_formed_nonce_is_refused(string? nonce)
    {
        var ts = Now.ToUnixTimeSeconds();
        var credentials = new ReviewCallbackCredentials(signature.Sign("POST", Path, ts, nonce ?? string.Empty, "rev-1", Body), ts.ToString(CultureInfo.InvariantCulture), null, nonce, "rev-1");

        var result = await Authenticator(secret: Secret).AuthenticateAsync("POST", Path, credentials, Body, default);

        Assert.False(result.Succeeded);
        Assert.Contains(ReviewCallbackHeaders.Nonce, result.Failure, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_forged_signature_does_not_spend_the_nonce()
    {
        var credentials = Signed("POST", Path, Now, "nonce-0000000000000007") with { Signature = "sha256=" + new string('0', 64) };

        await Authenticator(secret: Secret).AuthenticateAsync("POST", Path, credentials, Body, default);

        Assert.Empty(nonces.Used);
    }

    [Theory]
    [InlineData(null, "sha256=00")]
    [InlineData("not-a-number", "sha256=00")]
    [InlineData("1773478800", null)]
    [InlineData("1773478800", "md5=abc")]
    [InlineData("1773478800", "sha256=zz-not-hex")]
    public async Task Missing_or_malformed_headers_are_refused_with_a_reason(string? timestamp, string? sig)
    {
        var result = await Authenticator(secret: Secret).AuthenticateAsync("POST", Path, new(sig, timestamp, null, "nonce-0000000000000008", "rev-1"), Body, default);

        Assert.False(result.Succeeded);
        Assert.False(string.IsNullOrEmpty(result.Failure));
    }

    [Fact]
    public async Task A_configured_key_is_accepted_and_any_other_key_is_refused()
    {
        var auth = Authenticator(key: Key);

        Assert.True((await auth.AuthenticateAsync("POST", Path, new(null, null, Key, Reviewer: "rev-9"), Body, default)).Succeeded);
        var wrong = await auth.AuthenticateAsync("POST", Path, new(null, null, Key + "x"), Body, default);
        Assert.False(wrong.Succeeded);
        Assert.Equal("Invalid key.", wrong.Failure);
        Assert.DoesNotContain(Key, wrong.Failure, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_a_signing_secret_an_unsigned_request_needs_a_key()
    {
        var result = await Authenticator(key: Key).AuthenticateAsync("POST", Path, Signed("POST", Path, Now, "nonce-0000000000000009"), Body, default);

        Assert.False(result.Succeeded);
        Assert.Contains(ReviewCallbackHeaders.Key, result.Failure, StringComparison.Ordinal);
    }

    [Fact]
    public void The_canonical_request_is_the_documented_seven_lines()
    {
        var canonical = ReviewCallbackSignature.CanonicalRequest("post", Path, 1773478800, "nonce-0000000000000010", "rev-1", Encoding.UTF8.GetBytes("{}"));

        Assert.Equal(
            "moderation-review-v2\nPOST\n/api/reviews/case-1\n1773478800\nnonce-0000000000000010\nrev-1\n44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a",
            canonical);
    }

    [Fact]
    public void Options_without_any_authentication_method_fail_validation_at_start_up()
    {
        var result = new ReviewCallbackOptionsValidator().Validate(null, new ReviewCallbackOptions());

        Assert.True(result.Failed);
        Assert.Contains("never unauthenticated", result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void A_clock_skew_beyond_five_minutes_fails_validation()
    {
        var result = new ReviewCallbackOptionsValidator().Validate(null, new ReviewCallbackOptions { SigningSecret = Secret, AllowedClockSkew = TimeSpan.FromMinutes(10) });

        Assert.True(result.Failed);
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

    private ReviewCallbackCredentials Signed(string method, string path, DateTimeOffset at, string nonce)
    {
        var ts = at.ToUnixTimeSeconds();
        return new(signature.Sign(method, path, ts, nonce, "rev-1", Body), ts.ToString(CultureInfo.InvariantCulture), null, nonce, "rev-1");
    }

    private ReviewCallbackAuthenticator Authenticator(string? secret = null, string? key = null)
    {
        var options = new ReviewCallbackOptions { SigningSecret = secret };
        if (key is not null)
        {
            options.ApiKeys.Add(key);
        }

        return new ReviewCallbackAuthenticator(Options.Create(options), nonces, new FixedTimeProvider(Now));
    }
}
