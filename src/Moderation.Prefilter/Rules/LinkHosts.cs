namespace Moderation.Prefilter.Rules;

/// <summary>What a link's host says about where it leads.</summary>
internal enum LinkKind
{
    /// <summary>An ordinary site: only suspicious in context.</summary>
    Ordinary,

    /// <summary>A messaging app, a social profile or a link hub: the conversation continues there.</summary>
    Messaging,

    /// <summary>A payment app or payment page.</summary>
    Payment,

    /// <summary>A link shortener: the destination is hidden from the screen and the reviewer.</summary>
    Shortener,

    /// <summary>A domain the operator listed in <see cref="PrefilterOptions.FlaggedLinkDomains"/>.</summary>
    Listed,
}

/// <summary>Judges a link by its host (and, for video sites, its path): a link alone is not a violation, but some hosts are.</summary>
internal static class LinkHosts
{
    private static readonly string[] Messaging =
    [
        "wa.me", "whatsapp.com", "t.me", "telegram.me", "telegram.dog", "m.me", "messenger.com", "signal.me", "signal.group",
        "discord.gg", "discord.com", "discordapp.com", "kik.me", "line.me", "lin.ee", "snapchat.com", "instagram.com", "instagr.am",
        "facebook.com", "fb.com", "fb.me", "twitter.com", "x.com", "tiktok.com", "linkedin.com", "skype.com", "viber.com",
        "wechat.com", "weixin.qq.com", "threads.net", "twitch.tv", "onlyfans.com", "linktr.ee", "beacons.ai", "carrd.co",
    ];

    private static readonly string[] Payment =
    [
        "paypal.me", "paypal.com", "venmo.com", "cash.app", "cash.me", "zellepay.com", "revolut.me", "revolut.com", "wise.com",
        "buymeacoffee.com", "ko-fi.com", "patreon.com", "gofundme.com", "paysafecard.com", "westernunion.com", "moneygram.com",
        "coinbase.com", "binance.com", "skrill.com", "payoneer.com", "remitly.com",
    ];

    // t.co is left out on purpose: the network wraps every link in it, so it says nothing about the sender.
    private static readonly string[] Shorteners =
    [
        "bit.ly", "bitly.com", "tinyurl.com", "goo.gl", "ow.ly", "is.gd", "buff.ly", "rebrand.ly", "cutt.ly", "shorturl.at", "rb.gy",
        "tiny.cc", "lnkd.in", "s.id", "v.gd", "shorte.st", "adf.ly", "bl.ink", "t.ly", "tr.im", "soo.gd", "shorturl.com", "tiny.one",
    ];

    private static readonly string[] ChannelPaths = ["/c/", "/channel/", "/user/", "/@"];

    public static LinkKind Classify(string host, string path, IReadOnlyList<string> listed)
    {
        if (Matches(host, listed))
        {
            return LinkKind.Listed;
        }

        if (Matches(host, Payment))
        {
            return LinkKind.Payment;
        }

        if (Matches(host, Messaging))
        {
            return LinkKind.Messaging;
        }

        if (Matches(host, Shorteners))
        {
            return LinkKind.Shortener;
        }

        // A video link is ordinary; a link to someone's channel is a way to reach them.
        if (Matches(host, ["youtube.com"]) && ChannelPaths.Any(p => path.StartsWith(p, StringComparison.OrdinalIgnoreCase)))
        {
            return LinkKind.Messaging;
        }

        return LinkKind.Ordinary;
    }

    /// <summary>"example.com" covers itself and its subdomains ("shop.example.com"), never "badexample.com".</summary>
    private static bool Matches(string host, IEnumerable<string> domains) =>
        domains.Any(d => host.Equals(d, StringComparison.OrdinalIgnoreCase)
            || (host.Length > d.Length && host.EndsWith(d, StringComparison.OrdinalIgnoreCase) && host[host.Length - d.Length - 1] == '.'));
}
