using Moderation.Prefilter.Rules;

namespace Moderation.Prefilter.Tests.Rules;

/// <summary>
/// The contact, payment and solicitation rules on the ways chat really writes them, and the everyday chat that shares
/// their words without being a violation.
/// </summary>
public sealed class ChatRuleTests
{
    private static readonly RuleScreen Screen = new();

    private static List<string> RuleIdsOf(string text) => Screen.Screen(text).Select(h => h.RuleId).Distinct().ToList();

    [Theory]
    [InlineData("call me on five five five, one two three, four five six seven")]
    [InlineData("my number is 555 twelve thirty four fifty six")]
    [InlineData("double five five, one two three, oh four five six")]
    [InlineData("555-l23-4567")]
    [InlineData("555.O12.3456")]
    [InlineData("+49 (0)30 1234 5678")]
    [InlineData("0044 7700 900 123")]
    [InlineData("5_5_5/1_2_3/4_5_6_7")]
    [InlineData("five5five 1two3 4five6seven")]
    [InlineData("txt WIN to 80086 now")]
    public void Phone_numbers_in_words_mixed_and_international_forms_are_found(string text)
    {
        Assert.Contains(RuleIds.Phone, RuleIdsOf(text));
    }

    [Theory]
    [InlineData("It has 1.000.000 views")]
    [InlineData("Population 2,124,821 as of last year")]
    [InlineData("one or two, maybe twenty people")]
    [InlineData("I need it by nineteen thirty, on the twelfth")]
    public void Counts_and_ordinary_number_words_are_not_phone_numbers(string text)
    {
        Assert.DoesNotContain(RuleIds.Phone, RuleIdsOf(text));
    }

    [Theory]
    [InlineData("call 1-800-FLOWERS today", "1-800-FLOWERS")]
    [InlineData("1 800 GOT JUNK", "1 800 GOT JUNK")]
    [InlineData("ring (555) FIX-PIPE", "(555) FIX-PIPE")]
    [InlineData("555-123-HOME", "555-123-HOME")]
    [InlineData("1-888-my-plumb", "1-888-my-plumb")]
    public void Vanity_numbers_are_found(string text, string evidence)
    {
        Assert.Contains(Screen.Screen(text), h => h.RuleId == RuleIds.VanityPhone && h.Evidence == evidence);
    }

    [Theory]
    [InlineData("800 red roses for the wedding")]
    [InlineData("a 100-year-old house")]
    [InlineData("(555) items in stock")]
    [InlineData("order 250-300 pieces")]
    public void Numbers_next_to_words_are_not_vanity_numbers(string text)
    {
        Assert.DoesNotContain(RuleIds.VanityPhone, RuleIdsOf(text));
    }

    [Theory]
    [InlineData("write john at gmail")]
    [InlineData("john dot smith at gmail dot com")]
    [InlineData("john @ gmail . com")]
    [InlineData("j o h n @ g m a i l . c o m")]
    [InlineData("jane(at)yahoo")]
    [InlineData("jane.doe @ outlook")]
    public void Obfuscated_email_addresses_are_found(string text)
    {
        Assert.Contains(RuleIds.Email, RuleIdsOf(text));
    }

    [Theory]
    [InlineData("I worked at yahoo for years")]
    [InlineData("she works at example.com now")]
    [InlineData("meet at noon at the cafe")]
    public void Prose_with_at_is_not_an_email_address(string text)
    {
        Assert.DoesNotContain(RuleIds.Email, RuleIdsOf(text));
    }

    [Theory]
    [InlineData("my snap is jdoe22")]
    [InlineData("my snap is janedoe")]
    [InlineData("@jane.doe on insta")]
    [InlineData("hit me up on ig")]
    [InlineData("our insta handle: studio.j")]
    [InlineData("look me up on tiktok")]
    [InlineData("my discord: jdoe#0420")]
    public void Handles_on_other_apps_are_found(string text)
    {
        Assert.Contains(RuleIds.Handle, RuleIdsOf(text));
    }

    [Theory]
    [InlineData("my signal is weak here")]
    [InlineData("my insta is private")]
    [InlineData("my line is busy, try later")]
    [InlineData("my snap account got hacked")]
    [InlineData("posted it on my facebook wall.. anyway")]
    [InlineData("posted it on my facebook wall..then left")]
    [InlineData("the signal: the best part of the show")]
    [InlineData("Insta-Gram is where I saw it")]
    [InlineData("I saw your ad on Instagram")]
    public void Talk_about_apps_without_a_handle_is_not_a_handle(string text)
    {
        Assert.DoesNotContain(RuleIds.Handle, RuleIdsOf(text));
    }

    [Theory]
    [InlineData("v3nm0 me the deposit")]
    [InlineData("z.e.l.l.e works")]
    [InlineData("ca$h app is fine")]
    [InlineData("p@yp@l")]
    [InlineData("I take w-e-s-t-e-r-n union")]
    [InlineData("send on wh4ts4pp")]
    public void Payment_and_messaging_app_names_in_leetspeak_are_found(string text)
    {
        var ids = RuleIdsOf(text);
        Assert.True(ids.Contains(RuleIds.OffPlatformPayment) || ids.Contains(RuleIds.MessagingApp), string.Join(",", ids));
    }

    [Theory]
    [InlineData("just pay me directly and we both save")]
    [InlineData("I can send you a cashier's check")]
    [InlineData("what's your routing number?")]
    [InlineData("we can avoid the platform fees this way")]
    [InlineData("cash only, no receipts")]
    [InlineData("e-transfer the rest tonight")]
    [InlineData("pay me in cash and skip the fee")]
    public void Paying_outside_the_platform_without_an_app_name_is_found(string text)
    {
        Assert.Contains(RuleIds.DirectPayment, RuleIdsOf(text));
    }

    [Theory]
    [InlineData("I paid through the app")]
    [InlineData("Alright, they're in your account now.")]
    [InlineData("Can I pay by card when you arrive?")]
    [InlineData("The fee covers materials")]
    public void Paying_on_the_platform_is_not_direct_payment(string text)
    {
        Assert.DoesNotContain(RuleIds.DirectPayment, RuleIdsOf(text));
    }

    [Theory]
    [InlineData("let's take this to text", RuleIds.OffPlatformMove)]
    [InlineData("we can cut out the middleman", RuleIds.OffPlatformMove)]
    [InlineData("don't book through the app, message me instead", RuleIds.OffPlatformMove)]
    [InlineData("check out my new channel", RuleIds.Promotion)]
    [InlineData("use my referral code when you sign up", RuleIds.Promotion)]
    [InlineData("earn $500 a day from your phone", RuleIds.Promotion)]
    [InlineData("buy followers cheap", RuleIds.Promotion)]
    [InlineData("I can boost your listing to the top", RuleIds.Promotion)]
    public void Moving_off_platform_and_promotion_are_found(string text, string ruleId)
    {
        Assert.Contains(ruleId, RuleIdsOf(text));
    }

    [Theory]
    [InlineData("check out the menu first")]
    [InlineData("you can visit our site before the hike")]
    [InlineData("I'll wait outside the building")]
    [InlineData("take it to the garage")]
    public void Everyday_phrases_that_share_their_words_are_not_flagged(string text)
    {
        Assert.Empty(Screen.Screen(text));
    }

    [Fact]
    public void A_hit_points_at_the_original_text_and_says_it_was_disguised()
    {
        const string text = "ok my cell is 5\u200B5\u200B5 1\uFF12\uFF13 4567, pay with v\u0435nmo";
        var hits = Screen.Screen(text);

        var phone = Assert.Single(hits, h => h.RuleId == RuleIds.Phone);
        Assert.Equal("5\u200B5\u200B5 1\uFF12\uFF13 4567", phone.Evidence);
        Assert.Equal(phone.Evidence, text.Substring(phone.Start!.Value, phone.Length!.Value));
        Assert.Contains("hidden", phone.Description, StringComparison.Ordinal);

        var payment = Assert.Single(hits, h => h.RuleId == RuleIds.OffPlatformPayment);
        Assert.Equal("v\u0435nmo", text.Substring(payment.Start!.Value, payment.Length!.Value));
    }

    [Fact]
    public void A_plainly_written_hit_carries_its_offsets_and_no_disguise_remark()
    {
        const string text = "mail jane@example.com please";
        var hit = Assert.Single(Screen.Screen(text));
        Assert.Equal((5, 16), (hit.Start, hit.Length));
        Assert.DoesNotContain("hidden", hit.Description, StringComparison.Ordinal);
    }

    [Fact]
    public void Blocklisted_terms_are_found_through_look_alikes()
    {
        var screen = new RuleScreen(["scamword"]);
        Assert.Contains(screen.Screen("a sc\u0430m\u200Bword here"), h => h.RuleId == RuleIds.Blocklist);
    }
}

/// <summary>One rule screen serves every message of a host at once: concurrent callers must see the same hits as one caller.</summary>
public sealed class RuleScreenConcurrencyTests
{
    [Fact]
    public void Concurrent_screening_gives_the_same_hits_as_sequential_screening()
    {
        string[] texts =
        [
            "call 1-800-FLOWERS today",
            "ring (555) FIX-PIPE or 555-123-HOME",
            "my snap is jdoe22, v3nm0 me",
            "john dot smith at gmail dot com",
            "five five five, one two three, four five six seven",
        ];
        var screen = new RuleScreen();
        var expected = texts.Select(t => Describe(new RuleScreen().Screen(t))).ToArray();
        var mismatches = 0;
        Parallel.For(0, 4_000, new ParallelOptions { MaxDegreeOfParallelism = 4 }, i =>
        {
            var k = i % texts.Length;
            var notes = new List<string>();
            if (Describe(screen.Screen(texts[k], notes)) != expected[k] || notes.Count > 0)
            {
                Interlocked.Increment(ref mismatches);
            }
        });

        Assert.Equal(0, mismatches);
    }

    private static string Describe(IReadOnlyList<Moderation.Core.Screening.RuleHit> hits) =>
        string.Join("|", hits.Select(h => $"{h.RuleId}:{h.Evidence}:{h.Start}:{h.Length}"));
}
