using System.Collections.Frozen;

namespace Moderation.Hosting.Http;

/// <summary>
/// The review console: one HTML page, its script and its stylesheet, shipped inside this assembly (no build step, no
/// CDN) and served by both hosts at <c>/review</c>. Every answer carries a content security policy that allows only
/// this origin's own script and style, so even a rendering mistake could not run script a message smuggled in.
/// </summary>
public static class ReviewConsoleAssets
{
    public const string PageRoute = "/review";
    public const string AssetRoute = "/review/{asset}";

    public const string ContentSecurityPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

    private static readonly FrozenDictionary<string, (string Resource, string ContentType)> Assets = new Dictionary<string, (string, string)>(StringComparer.Ordinal)
    {
        [string.Empty] = ("ReviewConsole.review.html", "text/html; charset=utf-8"),
        ["console.js"] = ("ReviewConsole.console.js", "text/javascript; charset=utf-8"),
        ["console.css"] = ("ReviewConsole.console.css", "text/css; charset=utf-8"),
    }.ToFrozenDictionary(StringComparer.Ordinal);

    private static readonly FrozenDictionary<string, byte[]> Contents = Assets.ToFrozenDictionary(a => a.Key, a => Read(a.Value.Resource), StringComparer.Ordinal);

    /// <summary>The asset's bytes and content type; false for a name that is not part of the console.</summary>
    /// <param name="name">Empty for the page, else the file name after <c>/review/</c>.</param>
    public static bool TryGet(string? name, out ReadOnlyMemory<byte> content, out string contentType)
    {
        if (Assets.TryGetValue(name ?? string.Empty, out var asset))
        {
            content = Contents[name ?? string.Empty];
            contentType = asset.ContentType;
            return true;
        }

        content = ReadOnlyMemory<byte>.Empty;
        contentType = string.Empty;
        return false;
    }

    private static byte[] Read(string resource)
    {
        using var stream = typeof(ReviewConsoleAssets).Assembly.GetManifestResourceStream(resource)
            ?? throw new InvalidOperationException($"The review console resource '{resource}' is missing from the assembly.");
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }
}
