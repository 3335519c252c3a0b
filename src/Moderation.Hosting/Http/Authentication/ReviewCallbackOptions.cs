using Microsoft.Extensions.Options;

namespace Moderation.Hosting.Http.Authentication;

/// <summary>
/// How review callbacks and the case API authenticate, bound from <c>Moderation:Review</c>. At least one method must
/// be configured: an HMAC signing secret (preferred: it binds method, path, time, a one-time nonce, the reviewer and the
/// body) or API keys sent in <see cref="ReviewCallbackHeaders.Key"/>. In Azure both come from Key Vault references.
/// </summary>
public sealed class ReviewCallbackOptions
{
    public const string SectionName = "Moderation:Review";

    /// <summary>The most <see cref="AllowedClockSkew"/> may be: the nonce store remembers every nonce this long.</summary>
    public static readonly TimeSpan MaxClockSkew = TimeSpan.FromMinutes(5);

    /// <summary>Shared secret for <see cref="ReviewCallbackSignature"/>; at least 32 characters.</summary>
    public string? SigningSecret { get; set; }

    /// <summary>Keys a trusted caller may present instead of a signature; each at least 32 characters.</summary>
    public IList<string> ApiKeys { get; } = [];

    /// <summary>
    /// True only where the host sits behind App Service authentication (Microsoft Entra ID): then a request carrying
    /// its principal header is authenticated as that user, who is the reviewer of any decision it submits whatever
    /// the request names. Anywhere else the header could be forged, so it is ignored.
    /// </summary>
    public bool TrustAppServicePrincipal { get; set; }

    /// <summary>How far a signed request's timestamp may be from the server's clock, in either direction.</summary>
    public TimeSpan AllowedClockSkew { get; set; } = TimeSpan.FromMinutes(1);

    // Secrets must never reach logs through a formatted options object.
    public override string ToString() =>
        $"ReviewCallbackOptions(SigningSecret={(string.IsNullOrEmpty(SigningSecret) ? "unset" : "set")}, ApiKeys={ApiKeys.Count}, TrustAppServicePrincipal={TrustAppServicePrincipal}, AllowedClockSkew={AllowedClockSkew})";
}

public sealed class ReviewCallbackOptionsValidator : IValidateOptions<ReviewCallbackOptions>
{
    public const int MinSecretLength = 32;

    public ValidateOptionsResult Validate(string? name, ReviewCallbackOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        var hasSecret = !string.IsNullOrEmpty(options.SigningSecret);
        if (!hasSecret && options.ApiKeys.Count == 0)
        {
            failures.Add($"{ReviewCallbackOptions.SectionName}: set SigningSecret or at least one ApiKeys entry; review callbacks are never unauthenticated.");
        }

        if (hasSecret && options.SigningSecret!.Length < MinSecretLength)
        {
            failures.Add($"{ReviewCallbackOptions.SectionName}:SigningSecret must be at least {MinSecretLength} characters.");
        }

        if (options.ApiKeys.Any(k => string.IsNullOrEmpty(k) || k.Length < MinSecretLength))
        {
            failures.Add($"{ReviewCallbackOptions.SectionName}:ApiKeys entries must be at least {MinSecretLength} characters.");
        }

        // An unresolved App Service Key Vault reference arrives as its literal text, which is long but guessable.
        if (IsUnresolvedReference(options.SigningSecret) || options.ApiKeys.Any(IsUnresolvedReference))
        {
            failures.Add($"{ReviewCallbackOptions.SectionName}: a secret is an unresolved Key Vault reference (@Microsoft.KeyVault(...)); check the app's access to the vault.");
        }

        if (options.AllowedClockSkew <= TimeSpan.Zero || options.AllowedClockSkew > ReviewCallbackOptions.MaxClockSkew)
        {
            failures.Add($"{ReviewCallbackOptions.SectionName}:AllowedClockSkew must be positive and at most {ReviewCallbackOptions.MaxClockSkew.TotalMinutes:0} minutes.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static bool IsUnresolvedReference(string? secret) =>
        secret is not null && secret.TrimStart().StartsWith("@Microsoft.KeyVault(", StringComparison.OrdinalIgnoreCase);
}
