using System.Globalization;
using System.Text;

namespace Moderation.Prefilter.Model;

/// <summary>
/// Maps tokens to the CNN's input ids. Id 0 is padding (its embedding is all zeros), then the placeholder tokens,
/// then the words kept at training time. A word not in the list is looked up again by its de-obfuscated form
/// ("fr33" -> "free", "b!tch" -> "bitch"), then by its consonant skeleton ("sh*t" -> "shit", "tmrw" -> "tomorrow";
/// the most frequent listed word with that skeleton wins), and failing that falls into one of a fixed number of hashed
/// buckets, so unseen misspellings still share signal with each other instead of all becoming one "unknown" id.
/// </summary>
public sealed class PrefilterVocabulary
{
    public const string PaddingToken = "<pad>";
    public const string FileHeaderPrefix = "#prefilter-vocabulary";
    public const int PaddingId = 0;

    private readonly Dictionary<string, int> ids;
    private readonly Dictionary<string, int> deobfuscatedIds;
    private readonly Dictionary<string, int> skeletonIds;
    private readonly string[] tokens;

    public PrefilterVocabulary(IReadOnlyList<string> words, int hashBuckets, string normalizationVersion)
    {
        ArgumentNullException.ThrowIfNull(words);
        ArgumentOutOfRangeException.ThrowIfLessThan(hashBuckets, 1);
        ArgumentException.ThrowIfNullOrWhiteSpace(normalizationVersion);
        tokens = [PaddingToken, .. PrefilterTokenizer.PlaceholderTokens, .. words.Where(w => !PrefilterTokenizer.PlaceholderTokens.Contains(w) && w != PaddingToken)];
        ids = new Dictionary<string, int>(tokens.Length, StringComparer.Ordinal);
        for (var i = 0; i < tokens.Length; i++)
        {
            if (tokens[i].Length == 0 || tokens[i].AsSpan().IndexOfAny('\n', '\r') >= 0 || !ids.TryAdd(tokens[i], i))
            {
                throw new ArgumentException($"Vocabulary entry {i} ('{tokens[i]}') is empty, contains a line break or is a duplicate.", nameof(words));
            }
        }

        // Listed words are in frequency order, so TryAdd keeps the most frequent word for each form.
        deobfuscatedIds = new Dictionary<string, int>(StringComparer.Ordinal);
        skeletonIds = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 1 + PrefilterTokenizer.PlaceholderTokens.Count; i < tokens.Length; i++)
        {
            var deobfuscated = Deobfuscate(tokens[i]);
            deobfuscatedIds.TryAdd(deobfuscated, i);
            var skeleton = Skeleton(deobfuscated);
            if (skeleton.Length > 1)
            {
                skeletonIds.TryAdd(skeleton, i);
            }
        }

        HashBuckets = hashBuckets;
        NormalizationVersion = normalizationVersion;
    }

    /// <summary>Listed tokens (padding, placeholders, words); the hashed buckets follow them.</summary>
    public int ListedCount => tokens.Length;

    public int HashBuckets { get; }

    /// <summary>Rows of the embedding table: listed tokens plus hashed buckets.</summary>
    public int Size => tokens.Length + HashBuckets;

    public string NormalizationVersion { get; }

    public IReadOnlyList<string> Tokens => tokens;

    /// <summary>The id of one token (never the padding id).</summary>
    public int IdOf(string token)
    {
        ArgumentNullException.ThrowIfNull(token);
        if (ids.TryGetValue(token, out var id) && id != PaddingId)
        {
            return id;
        }

        if (token.Length == 0 || token[0] == '<')
        {
            return tokens.Length + (int)(Fnv1a(token) % (uint)HashBuckets);
        }

        var deobfuscated = Deobfuscate(token);
        if (deobfuscatedIds.TryGetValue(deobfuscated, out id))
        {
            return id;
        }

        var skeleton = Skeleton(deobfuscated);
        if (skeleton.Length > 1 && skeletonIds.TryGetValue(skeleton, out id))
        {
            return id;
        }

        return tokens.Length + (int)(Fnv1a(deobfuscated.Length > 0 ? deobfuscated : token) % (uint)HashBuckets);
    }

    /// <summary>Normalises, tokenises and maps a message to between 1 and <paramref name="maxLength"/> ids (no padding).</summary>
    public int[] Encode(string? text, int maxLength)
    {
        var tokenList = PrefilterTokenizer.Tokenize(PrefilterTextNormalizer.Normalize(text), maxLength);
        var result = new int[tokenList.Count];
        for (var i = 0; i < result.Length; i++)
        {
            result[i] = IdOf(tokenList[i]);
        }

        return result;
    }

    /// <summary>The word with look-alike digits and symbols mapped to letters and repeats collapsed: "fr33" -> "fre", "free" -> "fre".</summary>
    public static string Deobfuscate(string token)
    {
        ArgumentNullException.ThrowIfNull(token);
        var builder = new StringBuilder(token.Length);
        foreach (var c in token)
        {
            var mapped = c switch
            {
                '0' => 'o',
                '1' or '!' or '|' => 'i',
                '3' => 'e',
                '4' or '@' => 'a',
                '5' or '$' => 's',
                '7' => 't',
                '*' or '\'' or '_' => '\0',
                _ => c,
            };
            if (mapped != '\0' && (builder.Length == 0 || builder[^1] != mapped))
            {
                builder.Append(mapped);
            }
        }

        return builder.ToString();
    }

    /// <summary>The consonants of a de-obfuscated word, since masking ("sh*t", "f**k") and texting ("tmrw") drop vowels.</summary>
    public static string Skeleton(string deobfuscated)
    {
        ArgumentNullException.ThrowIfNull(deobfuscated);
        var builder = new StringBuilder(deobfuscated.Length);
        foreach (var c in deobfuscated)
        {
            if (c is not ('a' or 'e' or 'i' or 'o' or 'u') && (builder.Length == 0 || builder[^1] != c))
            {
                builder.Append(c);
            }
        }

        return builder.ToString();
    }

    /// <summary>Writes the vocabulary file: a header line (format, normalisation, buckets), then one token per line, line n+1 = id n.</summary>
    public void Save(string path)
    {
        var builder = new StringBuilder();
        builder.Append(CultureInfo.InvariantCulture, $"{FileHeaderPrefix} v1 normalization={NormalizationVersion} hash-buckets={HashBuckets}\n");
        foreach (var token in tokens)
        {
            builder.Append(token).Append('\n');
        }

        File.WriteAllText(path, builder.ToString(), new UTF8Encoding(false));
    }

    public static PrefilterVocabulary Load(string path)
    {
        var lines = File.ReadAllLines(path, Encoding.UTF8);
        if (lines.Length < 2 || !lines[0].StartsWith(FileHeaderPrefix + " v1 ", StringComparison.Ordinal))
        {
            throw new InvalidDataException($"'{path}' is not a pre-filter vocabulary file: the first line must start with '{FileHeaderPrefix} v1'.");
        }

        var settings = lines[0].Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(2)
            .Select(part => part.Split('=', 2)).Where(pair => pair.Length == 2).ToDictionary(pair => pair[0], pair => pair[1], StringComparer.Ordinal);
        if (!settings.TryGetValue("normalization", out var normalization)
            || !settings.TryGetValue("hash-buckets", out var bucketText)
            || !int.TryParse(bucketText, NumberStyles.None, CultureInfo.InvariantCulture, out var buckets))
        {
            throw new InvalidDataException($"'{path}': the header must name normalization=<version> and hash-buckets=<count>.");
        }

        if (lines[1] != PaddingToken)
        {
            throw new InvalidDataException($"'{path}': id 0 must be '{PaddingToken}'.");
        }

        var placeholders = PrefilterTokenizer.PlaceholderTokens;
        for (var i = 0; i < placeholders.Count; i++)
        {
            if (lines.Length <= i + 2 || lines[i + 2] != placeholders[i])
            {
                throw new InvalidDataException($"'{path}': id {i + 1} must be '{placeholders[i]}'.");
            }
        }

        var words = lines.Skip(2 + placeholders.Count).Where(line => line.Length > 0).ToList();
        return new PrefilterVocabulary(words, buckets, normalization);
    }

    private static uint Fnv1a(string text)
    {
        var hash = 2166136261u;
        foreach (var c in text)
        {
            hash = (hash ^ c) * 16777619u;
        }

        return hash;
    }
}
