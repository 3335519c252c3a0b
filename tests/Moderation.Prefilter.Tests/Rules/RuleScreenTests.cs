using Moderation.Prefilter.Rules;

namespace Moderation.Prefilter.Tests.Rules;

public sealed class RuleScreenTests
{
    private static readonly RuleScreen Screen = new(["forbiddenword", "buy followers"]);

    private static List<string> RuleIdsOf(string text) => Screen.Screen(text).Select(h => h.RuleId).Distinct().ToList();

    [Theory]
    [InlineData("call me at 555-123-4567 tomorrow", "555-123-4567")]
    [InlineData("my number (555) 123 4567", "(555) 123 4567")]
    [InlineData("5 5 5-1 2 3-4 5 6 7 is my cell", "5 5 5-1 2 3-4 5 6 7")]
    [InlineData("text five five five one two three four please", "five five five one two three four")]
    [InlineData("reach me: 555 oh one two 3 4 5 6", "555 oh one two 3 4 5 6")]
    [InlineData("Ring +44 20 7946 0958 after six", "+44 20 7946 0958")]
    [InlineData("555.123.4567", "555.123.4567")]
    [InlineData("number:5551234567", "5551234567")]
    [InlineData("fullwidth ５５５１２３４５６７ digits", "５５５１２３４５６７")]
    [InlineData("FIVE five 5 ONE 2 three FOUR", "FIVE five 5 ONE 2 three FOUR")]
    public void Phone_numbers_are_found_however_the_digits_are_written(string text, string evidence)
    {
        var hit = Assert.Single(Screen.Screen(text), h => h.RuleId == RuleIds.Phone);
        Assert.Equal(evidence, hit.Evidence);
    }

    [Theory]
    [InlineData("$150 for 3 hours")]
    [InlineData("See you at 5:30 on 12/05/2024")]
    [InlineData("The flat has 2 bedrooms, 1 bath and 850 sq ft")]
    [InlineData("Booked for 2024-05-12 at 10:00")]
    [InlineData("Delivery on 12.05.2024 between 9 and 11")]
    [InlineData("It costs $1 250 000 in total")]
    [InlineData("Order 3 boxes of 12 and 2 of 24")]
    [InlineData("one or two people, maybe three")]
    [InlineData("I live at 1234 Main Street, Apt 5")]
    [InlineData("Room 101, floor 3, 9am to 5pm")]
    [InlineData("Price went from 1,500 to 1,750 dollars")]
    [InlineData("oh no, oh well, one more time")]
    public void Ordinary_prices_dates_times_addresses_and_quantities_are_not_phone_numbers(string text)
    {
        Assert.DoesNotContain(RuleIds.Phone, RuleIdsOf(text));
    }

    [Theory]
    [InlineData("write to jane.doe+jobs@example.co.uk", "jane.doe+jobs@example.co.uk")]
    [InlineData("jane (at) gmail (dot) com", "jane (at) gmail (dot) com")]
    [InlineData("jane[at]gmail[dot]com", "jane[at]gmail[dot]com")]
    [InlineData("email jane at gmail dot com", "jane at gmail dot com")]
    [InlineData("JANE@GMAIL.COM", "JANE@GMAIL.COM")]
    [InlineData("jane at outlook.com", "jane at outlook.com")]
    public void Email_addresses_are_found_in_plain_and_obfuscated_forms(string text, string evidence)
    {
        var hit = Assert.Single(Screen.Screen(text), h => h.RuleId == RuleIds.Email);
        Assert.Equal(evidence, hit.Evidence);
        Assert.DoesNotContain(RuleIds.Url, RuleIdsOf(text));
    }

    [Theory]
    [InlineData("I'll be at home at six")]
    [InlineData("meet at the station at noon")]
    [InlineData("look at this dot pattern")]
    [InlineData("@ 5pm works")]
    public void Ordinary_uses_of_at_and_dot_are_not_email_addresses(string text)
    {
        Assert.DoesNotContain(RuleIds.Email, RuleIdsOf(text));
    }

    [Theory]
    [InlineData("check out my site https://example.org/path?q=1", "https://example.org/path?q=1")]
    [InlineData("visit www.example.org now", "www.example.org")]
    [InlineData("text me on whatsapp or see mysite.com", "mysite.com")]
    [InlineData("portfolio: janedoe dot com", "janedoe dot com")]
    [InlineData("bit.ly/3xYz", "bit.ly/3xYz")]
    [InlineData("https://www.instagram.com/jane.doe", "https://www.instagram.com/jane.doe")]
    [InlineData("join discord.gg/abc123", "discord.gg/abc123")]
    [InlineData("youtube.com/channel/UC123abc", "youtube.com/channel/UC123abc")]
    public void Links_that_lead_off_the_platform_or_come_with_contact_wording_are_found(string text, string evidence)
    {
        Assert.Contains(Screen.Screen(text), h => h.RuleId == RuleIds.Url && h.Evidence == evidence);
    }

    [Theory]
    [InlineData("see https://example.org/path?q=1")]
    [InlineData("the manual is at www.example.org/manual.pdf")]
    [InlineData("shop.example.co.uk/deals has the same model")]
    [InlineData("lol https://t.co/AbC123xyz")]
    [InlineData("this song http://youtu.be/9bZkp7q19f0 is great")]
    [InlineData("we stopped by the campsite nearby.In the morning it rained")]
    public void An_ordinary_link_alone_is_not_flagged(string text)
    {
        Assert.Empty(Screen.Screen(text));
    }

    [Fact]
    public void Operators_can_list_domains_whose_links_are_always_flagged()
    {
        var screen = new RuleScreen(flaggedLinkDomains: ["rival-market.example"]);
        Assert.Contains(screen.Screen("cheaper on shop.rival-market.example/item/9"), h => h.RuleId == RuleIds.Url);
        Assert.Empty(screen.Screen("see notrival-market.example/item/9"));
    }

    [Theory]
    [InlineData("e.g. the blue one, i.e. the cheaper")]
    [InlineData("built with node.js and vue.js")]
    [InlineData("Dr. Smith said 3.5 hours")]
    [InlineData("file.txt and report.pdf attached")]
    public void Abbreviations_file_names_and_decimals_are_not_links(string text)
    {
        Assert.DoesNotContain(RuleIds.Url, RuleIdsOf(text));
    }

    [Theory]
    [InlineData("message me on WhatsApp", RuleIds.MessagingApp)]
    [InlineData("my Telegram is @janedoe", RuleIds.Handle)]
    [InlineData("text me on signal", RuleIds.Handle)]
    [InlineData("add me on insta", RuleIds.Handle)]
    [InlineData("ig: @jane.doe", RuleIds.Handle)]
    [InlineData("snap - janedoe99", RuleIds.Handle)]
    [InlineData("t.me/janedoe", RuleIds.Url)]
    [InlineData("wa.me/15551234567", RuleIds.Url)]
    [InlineData("dm me @janedoe", RuleIds.Handle)]
    [InlineData("find me on Snapchat", RuleIds.Handle)]
    [InlineData("find me on Snapchat", RuleIds.MessagingApp)]
    public void Messaging_apps_and_handles_are_found(string text, string ruleId)
    {
        Assert.Contains(ruleId, RuleIdsOf(text));
    }

    [Theory]
    [InlineData("The signal is weak in the basement")]
    [InlineData("Please line up the tiles")]
    [InlineData("Call me at 5")]
    [InlineData("text me on Monday")]
    [InlineData("I saw it on Instagram last week")]
    [InlineData("what is your username for the booking")]
    public void Ordinary_words_that_share_app_names_are_not_handles(string text)
    {
        Assert.DoesNotContain(RuleIds.Handle, RuleIdsOf(text));
    }

    [Theory]
    [InlineData("send it to $JaneDoe99", "$JaneDoe99")]
    [InlineData("Venmo me", "Venmo")]
    [InlineData("I take Zelle or cash app", "Zelle")]
    [InlineData("paypal.me/janedoe", "paypal.me/janedoe")]
    [InlineData("western union only", "western union")]
    public void Off_platform_payment_is_found(string text, string evidence)
    {
        Assert.Contains(Screen.Screen(text), h => h.RuleId == RuleIds.OffPlatformPayment && h.Evidence == evidence);
    }

    [Theory]
    [InlineData("$150 for 3 hours")]
    [InlineData("the total is $99.50 plus tax")]
    [InlineData("cash back offer on your card")]
    [InlineData("I paid through the app")]
    public void Amounts_and_on_platform_payment_are_not_off_platform(string text)
    {
        Assert.DoesNotContain(RuleIds.OffPlatformPayment, RuleIdsOf(text));
    }

    [Fact]
    public void Moving_off_the_platform_is_found()
    {
        Assert.Contains(RuleIds.OffPlatformMove, RuleIdsOf("let's talk outside the app, it's cheaper"));
        Assert.DoesNotContain(RuleIds.OffPlatformMove, RuleIdsOf("I'll wait outside the building"));
    }

    [Fact]
    public void Blocklist_matches_whole_words_case_insensitively()
    {
        Assert.Contains(Screen.Screen("this is a ForbiddenWord here"), h => h.RuleId == RuleIds.Blocklist && h.Evidence == "ForbiddenWord");
        Assert.Contains(Screen.Screen("we can buy   followers cheap"), h => h.RuleId == RuleIds.Blocklist);
        Assert.DoesNotContain(RuleIds.Blocklist, RuleIdsOf("notaforbiddenwordatall"));
    }

    [Fact]
    public void Blocklist_terms_with_regex_characters_are_literal()
    {
        var screen = new RuleScreen(["c++ jobs", "a.b"]);
        Assert.Single(screen.Screen("hiring c++ jobs now"), h => h.RuleId == RuleIds.Blocklist);
        Assert.Empty(screen.Screen("axb"));
    }

    [Fact]
    public void No_blocklist_means_no_blocklist_hits()
    {
        Assert.Empty(new RuleScreen().Screen("forbiddenword"));
    }

    [Theory]
    [InlineData("")]
    [InlineData(null)]
    [InlineData("Hi! Is the sofa still available? I could pick it up Saturday around 10.")]
    [InlineData("Thanks, the plumber fixed it in 2 hours for $150.")]
    [InlineData("\uD800 unpaired surrogate and \uDC00 another")]
    public void Ordinary_or_odd_messages_have_no_hits(string? text)
    {
        Assert.Empty(Screen.Screen(text));
    }

    [Fact]
    public void One_message_can_hit_several_rules_each_with_its_evidence()
    {
        var hits = Screen.Screen("Skip the fees: Venmo $JaneDoe, call 555 123 4567 or mail jane@example.com");
        Assert.Equal(
            [RuleIds.Phone, RuleIds.Email, RuleIds.OffPlatformPayment],
            hits.Select(h => h.RuleId).Distinct());
        Assert.All(hits, h => Assert.False(string.IsNullOrWhiteSpace(h.Description)));
    }

    [Fact]
    public void Hits_per_rule_are_capped_and_duplicates_reported_once()
    {
        var text = string.Join(" and ", Enumerable.Range(0, 20).Select(i => $"user{i}@example.com")) + " user0@example.com";
        var hits = Screen.Screen(text);
        Assert.Equal(RuleScreen.MaxHitsPerRule, hits.Count(h => h.RuleId == RuleIds.Email));
        Assert.Single(Screen.Screen("a@example.com a@example.com A@EXAMPLE.COM"));
    }

    [Fact]
    public void Long_evidence_is_shortened()
    {
        var hit = Assert.Single(Screen.Screen("https://bit.ly/" + new string('a', 500)));
        Assert.Equal(RuleScreen.MaxEvidenceLength, hit.Evidence.Length);
        Assert.EndsWith("…", hit.Evidence, StringComparison.Ordinal);
    }

    [Fact]
    public void A_hundred_kilobyte_message_is_screened_and_still_finds_a_hit_at_the_end()
    {
        // Adversarial shapes for backtracking engines: long runs of separators, letters and near-addresses.
        var text = string.Concat(Enumerable.Repeat("a.a-a a@a 5 5 ", 8_000)) + " jane@example.com";
        Assert.True(text.Length > 100_000);
        var notes = new List<string>();
        var hits = Screen.Screen(text, notes);
        Assert.Contains(hits, h => h.RuleId == RuleIds.Email && h.Evidence == "jane@example.com");
        Assert.Empty(notes);
    }
}
