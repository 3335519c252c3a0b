using Moderation.Prefilter.Text;

namespace Moderation.Prefilter.Tests.Text;

/// <summary>
/// The rule skeleton undoes the tricks that hide contact details from a pattern (invisible characters, look-alike
/// letters, styled alphabets, spaced-out letters) and still knows where each character came from.
/// </summary>
public sealed class TextSkeletonTests
{
    [Theory]
    [InlineData("5\u200B5\u200C5\u200D1\u2060234", "5551234")]
    [InlineData("ven\u00ADmo", "venmo")]
    [InlineData("\u200Epay\u200Fpal\u202A\u202C\u2066x\u2069", "paypalx")]
    [InlineData("zel\uFE0Fle\U000E0041", "zelle")]
    [InlineData("\uFEFFcall", "call")]
    [InlineData("ca\u0301sh", "cash")]
    public void Invisible_bidi_variation_and_tag_characters_are_removed(string text, string expected)
    {
        Assert.Equal(expected, TextSkeleton.Of(text).Text);
    }

    [Theory]
    [InlineData("\u0412\u0435n\u043C\u043E", "Benmo")]
    [InlineData("v\u0435nm\u043E", "venmo")]
    [InlineData("\u0455n\u0430\u0440", "snap")]
    [InlineData("\u03B1pple p\u03B1y", "apple pay")]
    [InlineData("\uFF56\uFF45\uFF4E\uFF4D\uFF4F\uFF20\uFF47\uFF4D\uFF41\uFF49\uFF4C\uFF0E\uFF43\uFF4F\uFF4D", "venmo@gmail.com")]
    [InlineData("\U0001D42F\U0001D41E\U0001D427\U0001D426\U0001D428", "venmo")]
    [InlineData("\u24E5\u24D4\u24DD\u24DC\u24DE", "venmo")]
    [InlineData("\U0001F185\U0001F174\U0001F17D", "VEN")]
    [InlineData("\u0665\u0665\u0665 \u0967\u0968\u0969", "555 123")]
    [InlineData("\u2464\u2464\u2464", "555")]
    [InlineData("caf\u00E9 \u017Elu\u0165", "cafe zlut")]
    [InlineData("\u1D20\u1D07\u0274\u1D0D\u1D0F", "venmo")]
    [InlineData("jane\uFE6Bmail\u3002com", "jane@mail.com")]
    public void Look_alikes_and_styled_alphabets_fold_to_latin(string text, string expected)
    {
        Assert.Equal(expected, TextSkeleton.Of(text).Text);
    }

    [Theory]
    [InlineData("j o h n @ g m a i l . c o m", "john@gmail.com")]
    [InlineData("call 5 5 5  1 2 3  4 5 6 7", "call 5551234567")]
    [InlineData("v e n m o me", "venmo me")]
    [InlineData("I am a cat", "I am a cat")]
    [InlineData("plan a or b", "plan a or b")]
    [InlineData("a b c", "a b c")]
    public void Letters_and_digits_spaced_out_one_by_one_are_joined_but_words_are_not(string text, string expected)
    {
        Assert.Equal(expected, TextSkeleton.Of(text).Text);
    }

    [Fact]
    public void A_span_of_the_skeleton_maps_back_to_what_was_written()
    {
        const string written = "call 5\u200B5\u200B5-123 now: v\u0435nmo";
        var skeleton = TextSkeleton.Of(written);
        var phone = skeleton.Text.IndexOf("555", StringComparison.Ordinal);
        Assert.True(phone > 0);

        var (start, length) = skeleton.ToOriginal(phone, 3);
        Assert.Equal("5\u200B5\u200B5", written.Substring(start, length));

        var venmo = skeleton.Text.IndexOf("venmo", StringComparison.Ordinal);
        Assert.Equal("v\u0435nmo", skeleton.OriginalOf(venmo, 5));
    }

    [Fact]
    public void Supplementary_characters_map_to_both_of_their_code_units()
    {
        const string written = "x \U0001D42F\U0001D41E y";
        var skeleton = TextSkeleton.Of(written);
        Assert.Equal("x ve y", skeleton.Text);
        Assert.Equal("\U0001D42F\U0001D41E", skeleton.OriginalOf(2, 2));
    }

    [Theory]
    [InlineData("Hello, see you at 5pm on 12/05. Thanks!")]
    [InlineData("Price: $150 (3 hours), e.g. the blue one.")]
    [InlineData("line one\nline two\ttabbed")]
    public void Plain_ascii_text_is_left_as_it_is(string text)
    {
        var skeleton = TextSkeleton.Of(text);
        Assert.Equal(text, skeleton.Text);
        Assert.Equal((0, text.Length), skeleton.ToOriginal(0, text.Length));
    }

    [Theory]
    [InlineData("\u041F\u0440\u0438\u0432\u0435\u0442, \u043A\u0430\u043A \u0434\u0435\u043B\u0430?")]
    [InlineData("\u3053\u3093\u306B\u3061\u306F")]
    [InlineData("\u0645\u0631\u062D\u0628\u0627 \u200F\u0628\u0643")]
    [InlineData("\U0001F469\u200D\U0001F527 \u2764\uFE0F")]
    public void Other_scripts_and_emoji_never_break_the_skeleton(string text)
    {
        var skeleton = TextSkeleton.Of(text);
        for (var i = 0; i < skeleton.Text.Length; i++)
        {
            var (start, length) = skeleton.ToOriginal(i, 1);
            Assert.InRange(start, 0, text.Length - 1);
            Assert.InRange(start + length, 1, text.Length);
        }
    }

    [Fact]
    public void Odd_input_is_read_not_rejected()
    {
        Assert.Equal(string.Empty, TextSkeleton.Of(null).Text);
        Assert.Equal(string.Empty, TextSkeleton.Of("\u200B\u200B").Text);
        Assert.Equal("a\uFFFDb", TextSkeleton.Of("a\uD800b").Text);
        Assert.Throws<ArgumentOutOfRangeException>(() => TextSkeleton.Of("abc").ToOriginal(2, 2));
    }
}
