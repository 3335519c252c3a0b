using Moderation.Prefilter.Model;

namespace Moderation.Prefilter.Tests.Model;

/// <summary>The normalisation and tokenisation the trainer and the scorer share.</summary>
public sealed class TextNormalizationTests
{
    private static List<string> Tokens(string text) => PrefilterTokenizer.Tokenize(PrefilterTextNormalizer.Normalize(text), 64);

    [Fact]
    public void Html_entities_are_decoded_before_tokenisation()
    {
        Assert.Equal("fish & chips \"now\" 😂", PrefilterTextNormalizer.Normalize("Fish &amp; chips &quot;now&quot; &#128514;"));
        Assert.Equal(["fish", "chips", "now", "😂"], Tokens("Fish &amp; chips &quot;now&quot; &#128514;"));
    }

    [Fact]
    public void Mentions_urls_emails_and_numbers_become_placeholder_tokens()
    {
        Assert.Equal(
            ["<mention>", "see", "<url>", "or", "<url>", "mail", "<email>", "call", "<longnum>", "by", "<num>", "pm"],
            Tokens("@jane_doe: see http://t.co/AbC123 or www.example.co.uk/x mail Bob.Smith@example.com call 08712460324 by 5 pm"));
    }

    [Fact]
    public void Text_is_lower_cased_invariantly_and_long_letter_runs_are_shortened()
    {
        Assert.Equal(["hello", "école", "σοφία", "soo", "good"], Tokens("HELLO ÉCOLE ΣΟΦΊΑ SOOOOOOO Good"));
    }

    [Fact]
    public void Compatibility_forms_used_for_obfuscation_fold_to_plain_letters_as_NFKC_does()
    {
        Assert.Equal("free fine abc 123 ab x2", PrefilterTextNormalizer.Normalize("ＦＲＥＥ ﬁne 𝐀𝐛𝐜 １２３ Ⓐⓑ x²"));
    }

    [Fact]
    public void Zero_width_characters_inside_a_word_are_removed()
    {
        Assert.Equal(["idiot"], Tokens("id\u200Bi\u00ADot"));
    }

    [Theory]
    [InlineData("f u c k off", "fuck off")]
    [InlineData("you are a f.u.c.k.i.n.g joke", "you are a fucking joke")]
    [InlineData("k-y-s", "kys")]
    [InlineData("s_h_i_t", "shit")]
    public void Words_spaced_out_letter_by_letter_are_joined(string text, string expected) =>
        Assert.Equal(expected, PrefilterTextNormalizer.Normalize(text));

    [Theory]
    [InlineData("I am a pro", "i am a pro")]
    [InlineData("plan b or c", "plan b or c")]
    [InlineData("see you at 5 pm", "see you at 5 pm")]
    public void Ordinary_single_letter_words_are_not_joined(string text, string expected) =>
        Assert.Equal(expected, PrefilterTextNormalizer.Normalize(text));

    [Theory]
    [InlineData("call five five five one two one two", "call 5551212")]
    [InlineData("text me at 07 nine double", "text me at 07 nine double")]
    [InlineData("nine-one-one", "911")]
    [InlineData("my number is 0 seven 7 one two", "my number is 07712")]
    [InlineData("one of the two options", "one of the two options")]
    [InlineData("someone done", "someone done")]
    public void Runs_of_three_or_more_spelled_digits_become_digits_and_ordinary_number_words_stay(string text, string expected) =>
        Assert.Equal(expected, PrefilterTextNormalizer.Normalize(text));

    [Fact]
    public void Spelled_phone_numbers_tokenise_as_a_long_number()
    {
        Assert.Equal(["call", "<longnum>"], Tokens("call five five five, one two three four"));
    }

    [Fact]
    public void Cyrillic_and_Greek_look_alikes_inside_latin_words_fold_to_latin_letters()
    {
        // "fuсk" with a Cyrillic es, "іdіot" with Ukrainian i, "ѕсаm" entirely of look-alikes, "ηο" Greek eta and omicron.
        Assert.Equal("fuck idiot scam hello", PrefilterTextNormalizer.Normalize("fuсk іdіot ѕсаm hellο"));
    }

    [Fact]
    public void Real_cyrillic_and_greek_words_are_left_alone()
    {
        Assert.Equal("привет, как дела? σοφία", PrefilterTextNormalizer.Normalize("Привет, как дела? Σοφία"));
    }

    [Fact]
    public void Obfuscations_combined_reach_the_plain_words_id()
    {
        var vocabulary = new PrefilterVocabulary(["fuck", "idiot"], hashBuckets: 8, PrefilterTextNormalizer.Version);

        Assert.Equal(vocabulary.Encode("fuck idiot", 8), vocabulary.Encode("f u с k 1d​1ot", 8));
    }

    [Fact]
    public void Invalid_surrogates_are_replaced_and_valid_pairs_kept()
    {
        var normalized = PrefilterTextNormalizer.Normalize("a\uD800b\uDC00c 😀");

        Assert.Equal("a\uFFFDb\uFFFDc 😀", normalized);
        Assert.True(System.Text.Unicode.Utf8.FromUtf16(normalized, new byte[64], out _, out _, replaceInvalidSequences: false) == System.Buffers.OperationStatus.Done);
    }

    [Fact]
    public void Obfuscated_words_stay_one_token_and_share_the_plain_words_id()
    {
        var vocabulary = new PrefilterVocabulary(["free", "bitch", "shit"], hashBuckets: 8, PrefilterTextNormalizer.Version);

        Assert.Equal(["fr33", "b!tch", "sh*t", "!"], Tokens("fr33 b!tch sh*t!!!"));
        Assert.Equal(vocabulary.IdOf("free"), vocabulary.IdOf("fr33"));
        Assert.Equal(vocabulary.IdOf("bitch"), vocabulary.IdOf("b!tch"));
        Assert.Equal(vocabulary.IdOf("shit"), vocabulary.IdOf("sh*t"));
    }

    [Fact]
    public void Unknown_words_fall_into_hashed_buckets_after_the_listed_tokens_deterministically()
    {
        var vocabulary = new PrefilterVocabulary(["hello"], hashBuckets: 8, PrefilterTextNormalizer.Version);

        var id = vocabulary.IdOf("zxqvbn");

        Assert.InRange(id, vocabulary.ListedCount, vocabulary.Size - 1);
        Assert.Equal(id, new PrefilterVocabulary(["hello"], 8, PrefilterTextNormalizer.Version).IdOf("zxqvbn"));
    }

    [Fact]
    public void Empty_or_symbol_only_text_encodes_to_the_single_empty_token_and_long_text_is_truncated()
    {
        var vocabulary = new PrefilterVocabulary(["hello"], hashBuckets: 8, PrefilterTextNormalizer.Version);
        var emptyId = vocabulary.IdOf(PrefilterTokenizer.EmptyToken);

        Assert.Equal([emptyId], vocabulary.Encode("", 10));
        Assert.Equal([emptyId], vocabulary.Encode(" \t\n ", 10));
        Assert.Equal([emptyId], vocabulary.Encode(null, 10));
        Assert.Equal([emptyId], vocabulary.Encode("... ,,, ---", 10));
        Assert.Equal(10, vocabulary.Encode(string.Concat(Enumerable.Repeat("hello ", 20_000)), 10).Length);
    }

    [Fact]
    public void The_vocabulary_file_round_trips_and_rejects_a_foreign_file()
    {
        var path = Path.GetTempFileName();
        try
        {
            var vocabulary = new PrefilterVocabulary(["hello", "wörld", "😀"], hashBuckets: 8, PrefilterTextNormalizer.Version);
            vocabulary.Save(path);

            var loaded = PrefilterVocabulary.Load(path);

            Assert.Equal(vocabulary.Tokens, loaded.Tokens);
            Assert.Equal(vocabulary.Size, loaded.Size);
            Assert.Equal(vocabulary.IdOf("unseen"), loaded.IdOf("unseen"));

            File.WriteAllText(path, "hello\nworld\n");
            Assert.Throws<InvalidDataException>(() => PrefilterVocabulary.Load(path));
        }
        finally
        {
            File.Delete(path);
        }
    }
}
