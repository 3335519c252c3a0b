namespace Moderation.Hosting.Http.Authentication;

/// <summary>The headers review tools send to the review callback and the case API.</summary>
public static class ReviewCallbackHeaders
{
    /// <summary>An API key (bearer credential).</summary>
    public const string Key = "X-Moderation-Key";

    /// <summary><c>sha256=&lt;hex HMAC&gt;</c> of the canonical request (<see cref="ReviewCallbackSignature"/>).</summary>
    public const string Signature = "X-Moderation-Signature";

    /// <summary>Unix seconds when the request was signed.</summary>
    public const string Timestamp = "X-Moderation-Timestamp";

    /// <summary>A one-time value per signed request (16-128 characters of A-Z, a-z, 0-9, '-' and '_').</summary>
    public const string Nonce = "X-Moderation-Nonce";

    /// <summary>Who decides: the reviewer's id as the review tool knows them. Signed requests sign it.</summary>
    public const string Reviewer = "X-Moderation-Reviewer";

    /// <summary>
    /// The signed-in user's name as App Service authentication (Easy Auth) passes it on; App Service strips it from
    /// incoming requests, so it is trusted only when <see cref="ReviewCallbackOptions.TrustAppServicePrincipal"/> says
    /// the host sits behind it.
    /// </summary>
    public const string AppServicePrincipalName = "X-MS-CLIENT-PRINCIPAL-NAME";

    /// <summary>The signed-in user's object id from App Service authentication; used when it sends no name.</summary>
    public const string AppServicePrincipalId = "X-MS-CLIENT-PRINCIPAL-ID";

    /// <summary>Every header name, for the callback description in review requests.</summary>
    public static IReadOnlyList<string> All { get; } = [Key, Signature, Timestamp, Nonce, Reviewer];
}

/// <summary>The credentials a request carries (header values; null when absent).</summary>
/// <param name="Principal">The App Service authentication principal (name, else id); honoured only where the options trust it.</param>
public sealed record ReviewCallbackCredentials(string? Signature, string? Timestamp, string? Key, string? Nonce = null, string? Reviewer = null, string? Principal = null);
