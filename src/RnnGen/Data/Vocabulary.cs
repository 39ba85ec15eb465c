using System;
using System.Collections.Generic;
using System.Collections.ObjectModel;
using System.Globalization;
using System.IO;
using System.Text;

namespace RnnGen.Data;

/// <summary>
/// A mapping between tokens (words, characters, …) and dense integer ids for an embedding table.
/// </summary>
/// <remarks>
/// <para>
/// Ids 0 and 1 are reserved: <see cref="PaddingId"/> fills the tail of short sequences in a
/// padded batch, <see cref="UnknownId"/> stands for every token not in the vocabulary. Their
/// display names <see cref="PaddingToken"/> and <see cref="UnknownToken"/> are only names: a
/// corpus word spelled <c>&lt;unk&gt;</c> is an ordinary token. Real tokens take ids 2, 3, …
/// in order of decreasing frequency (ties in ordinal order), so the ids of a built vocabulary
/// depend only on the counts. <see cref="Count"/> includes the two reserved ids and is the
/// number of rows an embedding table needs.
/// </para>
/// <para>
/// An optional normalizer (e.g. <see cref="LowercaseInvariant"/>) is applied to every token
/// when counting and when looking up. It is code, so it is not saved: pass the same one to
/// <see cref="Load(string, Func{string, string}?)"/>. Tokens that are empty (before or after
/// normalization) never enter the vocabulary and look up as unknown.
/// </para>
/// <para>
/// Text format (UTF-8, <c>\n</c> line ends): a header line <c>rnngen-vocabulary 1 N</c>
/// (magic, format version, number of ids N including the reserved two), then N lines, line k
/// holding the token of id k: <c>&lt;pad&gt;</c>, <c>&lt;unk&gt;</c>, then the tokens. Inside a
/// token, backslash, line feed, carriage return and tab are written <c>\\</c>, <c>\n</c>,
/// <c>\r</c>, <c>\t</c>, so a character vocabulary (with <c>"\n"</c> and <c>" "</c>) round-trips.
/// </para>
/// </remarks>
public sealed class Vocabulary
{
    /// <summary>The id of padding positions: 0.</summary>
    public const int PaddingId = 0;

    /// <summary>The id of every token not in the vocabulary: 1.</summary>
    public const int UnknownId = 1;

    /// <summary>The number of reserved ids (padding and unknown): 2.</summary>
    public const int ReservedCount = 2;

    /// <summary>The display name of <see cref="PaddingId"/>.</summary>
    public const string PaddingToken = "<pad>";

    /// <summary>The display name of <see cref="UnknownId"/>.</summary>
    public const string UnknownToken = "<unk>";

    /// <summary>The version of the text format written by <see cref="Save(TextWriter)"/>.</summary>
    public const int FormatVersion = 1;

    private const string Magic = "rnngen-vocabulary";
    private const string ReaderSourceName = "(reader)";

    private readonly string[] _tokens;
    private readonly Dictionary<string, int> _ids;
    private readonly ReadOnlyCollection<string> _tokensView;

    private Vocabulary(string[] tokens, Dictionary<string, int> ids, Func<string, string>? normalizer)
    {
        _tokens = tokens;
        _ids = ids;
        _tokensView = Array.AsReadOnly(tokens);
        Normalizer = normalizer;
    }

    /// <summary>The number of ids, including the two reserved ones: the embedding table's row count.</summary>
    public int Count => _tokens.Length;

    /// <summary>The tokens indexed by id; entries 0 and 1 are <see cref="PaddingToken"/> and <see cref="UnknownToken"/>.</summary>
    public IReadOnlyList<string> Tokens => _tokensView;

    /// <summary>The normalizer applied to tokens before counting and lookup, or <see langword="null"/>.</summary>
    public Func<string, string>? Normalizer { get; }

    /// <summary>A normalizer that lowercases with the invariant culture.</summary>
    /// <param name="token">The token to normalize.</param>
    public static string LowercaseInvariant(string token)
    {
        ArgumentNullException.ThrowIfNull(token);
        return token.ToLowerInvariant();
    }

    /// <summary>Counts <paramref name="tokens"/> and builds a vocabulary of the frequent ones.</summary>
    /// <param name="tokens">The training tokens, e.g. every word form of the training split.</param>
    /// <param name="minFrequency">Keep only tokens seen at least this often (after normalization); at least 1.</param>
    /// <param name="maxCount">The largest <see cref="Count"/> allowed (reserved ids included); the least frequent tokens are dropped to fit. At least 2.</param>
    /// <param name="normalizer">Applied to each token before counting and lookup; <see langword="null"/> for none.</param>
    /// <exception cref="ArgumentException"><paramref name="tokens"/> is null or contains null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="minFrequency"/> &lt; 1 or <paramref name="maxCount"/> &lt; 2.</exception>
    /// <exception cref="InvalidOperationException"><paramref name="normalizer"/> returned null.</exception>
    public static Vocabulary FromTokens(IEnumerable<string> tokens, int minFrequency = 1, int maxCount = int.MaxValue,
                                        Func<string, string>? normalizer = null)
    {
        ArgumentNullException.ThrowIfNull(tokens);
        CheckLimits(minFrequency, maxCount);
        var counts = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (string token in tokens)
        {
            if (token is null) throw new ArgumentException("The token sequence contains a null token.", nameof(tokens));
            string key = Normalize(normalizer, token);
            if (key.Length == 0) continue;
            counts[key] = counts.GetValueOrDefault(key) + 1;
        }
        return Select(counts, minFrequency, maxCount, normalizer);
    }

    /// <summary>Builds a vocabulary from token counts.</summary>
    /// <param name="counts">Each token with its number of occurrences (≥ 0); tokens that normalize alike have their counts added.</param>
    /// <param name="minFrequency">Keep only tokens whose (normalized) count is at least this; at least 1.</param>
    /// <param name="maxCount">The largest <see cref="Count"/> allowed (reserved ids included); the least frequent tokens are dropped to fit. At least 2.</param>
    /// <param name="normalizer">Applied to each token before merging counts and at lookup; <see langword="null"/> for none.</param>
    /// <exception cref="ArgumentException"><paramref name="counts"/> is null, has a null token or a negative count.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="minFrequency"/> &lt; 1 or <paramref name="maxCount"/> &lt; 2.</exception>
    /// <exception cref="InvalidOperationException"><paramref name="normalizer"/> returned null.</exception>
    public static Vocabulary FromCounts(IEnumerable<KeyValuePair<string, int>> counts, int minFrequency = 1,
                                        int maxCount = int.MaxValue, Func<string, string>? normalizer = null)
    {
        ArgumentNullException.ThrowIfNull(counts);
        CheckLimits(minFrequency, maxCount);
        var merged = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (KeyValuePair<string, int> pair in counts)
        {
            if (pair.Key is null) throw new ArgumentException("The counts contain a null token.", nameof(counts));
            if (pair.Value < 0) throw new ArgumentException($"The count of token '{pair.Key}' is negative ({pair.Value}).", nameof(counts));
            string key = Normalize(normalizer, pair.Key);
            if (key.Length == 0) continue;
            merged[key] = merged.GetValueOrDefault(key) + pair.Value;
        }
        return Select(merged, minFrequency, maxCount, normalizer);
    }

    /// <summary>
    /// Builds a vocabulary with exactly the given tokens, in order, at ids 2, 3, … (for example a
    /// fixed character set). The tokens are stored as given, not normalized.
    /// </summary>
    /// <param name="tokens">Distinct, non-empty tokens.</param>
    /// <param name="normalizer">Applied to tokens at lookup; <see langword="null"/> for none.</param>
    /// <exception cref="ArgumentException"><paramref name="tokens"/> is null, or contains a null, empty or repeated token.</exception>
    public static Vocabulary FromList(IEnumerable<string> tokens, Func<string, string>? normalizer = null)
    {
        ArgumentNullException.ThrowIfNull(tokens);
        var list = new List<string> { PaddingToken, UnknownToken };
        var ids = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (string token in tokens)
        {
            if (string.IsNullOrEmpty(token)) throw new ArgumentException($"Token {list.Count - ReservedCount} is null or empty.", nameof(tokens));
            if (!ids.TryAdd(token, list.Count)) throw new ArgumentException($"Token '{Escape(token)}' appears more than once.", nameof(tokens));
            list.Add(token);
        }
        return new Vocabulary(list.ToArray(), ids, normalizer);
    }

    /// <summary>The id of <paramref name="token"/> (after normalization), or <see cref="UnknownId"/> when it is not in the vocabulary.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="token"/> is null.</exception>
    public int GetId(string token) => TryGetId(token, out int id) ? id : UnknownId;

    /// <summary>Looks up <paramref name="token"/> (after normalization).</summary>
    /// <param name="token">The token.</param>
    /// <param name="id">Its id, or <see cref="UnknownId"/> when it is not in the vocabulary.</param>
    /// <returns>Whether the token is in the vocabulary.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="token"/> is null.</exception>
    public bool TryGetId(string token, out int id)
    {
        ArgumentNullException.ThrowIfNull(token);
        if (_ids.TryGetValue(Normalize(Normalizer, token), out id)) return true;
        id = UnknownId;
        return false;
    }

    /// <summary>Whether <paramref name="token"/> (after normalization) has an id of its own.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="token"/> is null.</exception>
    public bool Contains(string token) => TryGetId(token, out _);

    /// <summary>The token of <paramref name="id"/> (the display name for the reserved ids).</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="id"/> is not in [0, <see cref="Count"/>).</exception>
    public string GetToken(int id)
    {
        if ((uint)id >= (uint)_tokens.Length)
        {
            throw new ArgumentOutOfRangeException(nameof(id), id, $"A token id must be in [0, {_tokens.Length}).");
        }
        return _tokens[id];
    }

    /// <summary>The ids of <paramref name="tokens"/>, unknown tokens mapped to <see cref="UnknownId"/>.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="tokens"/> is or contains null.</exception>
    public int[] Encode(IReadOnlyList<string> tokens)
    {
        ArgumentNullException.ThrowIfNull(tokens);
        var ids = new int[tokens.Count];
        Encode(tokens, ids);
        return ids;
    }

    /// <summary>Writes the ids of <paramref name="tokens"/> into <paramref name="destination"/>.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="tokens"/> is or contains null.</exception>
    /// <exception cref="ArgumentException"><paramref name="destination"/> is shorter than <paramref name="tokens"/>.</exception>
    public void Encode(IReadOnlyList<string> tokens, Span<int> destination)
    {
        ArgumentNullException.ThrowIfNull(tokens);
        if (destination.Length < tokens.Count)
        {
            throw new ArgumentException($"The destination holds {destination.Length} ids but there are {tokens.Count} tokens.", nameof(destination));
        }
        for (int i = 0; i < tokens.Count; i++) destination[i] = GetId(tokens[i]);
    }

    /// <summary>Saves the vocabulary to <paramref name="path"/> in the text format (see the remarks), atomically (<see cref="RnnGen.IO.AtomicFile"/>).</summary>
    /// <exception cref="ArgumentException"><paramref name="path"/> is null, empty or white space.</exception>
    public void Save(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        RnnGen.IO.AtomicFile.Write(path, stream =>
        {
            using var writer = new StreamWriter(stream, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false), bufferSize: 1 << 12, leaveOpen: true);
            Save(writer);
        });
    }

    /// <summary>Writes the vocabulary to <paramref name="writer"/> in the text format (see the remarks).</summary>
    /// <exception cref="ArgumentNullException"><paramref name="writer"/> is null.</exception>
    public void Save(TextWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.Write(string.Create(CultureInfo.InvariantCulture, $"{Magic} {FormatVersion} {_tokens.Length}"));
        writer.Write('\n');
        foreach (string token in _tokens)
        {
            writer.Write(Escape(token));
            writer.Write('\n');
        }
        writer.Flush();
    }

    /// <summary>Loads a vocabulary saved by <see cref="Save(string)"/> (plain or gzip-compressed).</summary>
    /// <param name="path">The file.</param>
    /// <param name="normalizer">The normalizer the vocabulary was built with, or <see langword="null"/>.</param>
    /// <exception cref="ArgumentException"><paramref name="path"/> is null, empty or white space.</exception>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">The file is not a valid vocabulary; the message gives the line.</exception>
    public static Vocabulary Load(string path, Func<string, string>? normalizer = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        using TextReader reader = DataFiles.OpenText(path);
        return Load(reader, normalizer, path);
    }

    /// <summary>Reads a vocabulary written by <see cref="Save(TextWriter)"/>.</summary>
    /// <param name="reader">The text; not disposed.</param>
    /// <param name="normalizer">The normalizer the vocabulary was built with, or <see langword="null"/>.</param>
    /// <param name="sourceName">The name used in error messages.</param>
    /// <exception cref="ArgumentNullException"><paramref name="reader"/> or <paramref name="sourceName"/> is null.</exception>
    /// <exception cref="InvalidDataException">The text is not a valid vocabulary; the message gives the line.</exception>
    public static Vocabulary Load(TextReader reader, Func<string, string>? normalizer = null, string sourceName = ReaderSourceName)
    {
        ArgumentNullException.ThrowIfNull(reader);
        ArgumentNullException.ThrowIfNull(sourceName);

        string? header = reader.ReadLine();
        if (header is null) throw Invalid(sourceName, 1, $"the input is empty; expected a header '{Magic} {FormatVersion} <count>'.");
        string[] parts = header.Split(' ');
        if (parts.Length != 3 || parts[0] != Magic)
        {
            throw Invalid(sourceName, 1, $"expected a header '{Magic} {FormatVersion} <count>' but found '{Truncate(header)}'.");
        }
        if (!int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out int version) || version != FormatVersion)
        {
            throw Invalid(sourceName, 1, $"unsupported format version '{parts[1]}'; this library reads version {FormatVersion}.");
        }
        if (!int.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out int count) || count < ReservedCount)
        {
            throw Invalid(sourceName, 1, $"invalid token count '{parts[2]}'; expected an integer >= {ReservedCount}.");
        }

        var tokens = new string[count];
        var ids = new Dictionary<string, int>(Math.Min(count, 1 << 20), StringComparer.Ordinal);
        for (int id = 0; id < count; id++)
        {
            int lineNumber = id + 2;
            string? line = reader.ReadLine();
            if (line is null) throw Invalid(sourceName, lineNumber, $"the input ends after {id} of the {count} tokens the header announces.");
            string token = Unescape(line, sourceName, lineNumber);
            if (id == PaddingId || id == UnknownId)
            {
                string expected = id == PaddingId ? PaddingToken : UnknownToken;
                if (token != expected) throw Invalid(sourceName, lineNumber, $"id {id} must be '{expected}' but is '{Truncate(line)}'.");
            }
            else
            {
                if (token.Length == 0) throw Invalid(sourceName, lineNumber, "empty token.");
                if (!ids.TryAdd(token, id))
                {
                    throw Invalid(sourceName, lineNumber, $"token '{Truncate(line)}' repeats the token of line {ids[token] + 2}.");
                }
            }
            tokens[id] = token;
        }
        if (reader.ReadLine() is not null)
        {
            throw Invalid(sourceName, count + 2, $"expected the end of the input after the {count} tokens the header announces.");
        }
        return new Vocabulary(tokens, ids, normalizer);
    }

    private static void CheckLimits(int minFrequency, int maxCount)
    {
        if (minFrequency < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(minFrequency), minFrequency, "The minimum frequency must be at least 1.");
        }
        if (maxCount < ReservedCount)
        {
            throw new ArgumentOutOfRangeException(nameof(maxCount), maxCount, $"The maximum count must be at least {ReservedCount} (the reserved padding and unknown ids).");
        }
    }

    private static string Normalize(Func<string, string>? normalizer, string token)
    {
        if (normalizer is null) return token;
        return normalizer(token) ?? throw new InvalidOperationException($"The normalizer returned null for token '{Escape(token)}'.");
    }

    // Frequent first, ties in ordinal order; cut by frequency then by size.
    private static Vocabulary Select(Dictionary<string, long> counts, int minFrequency, int maxCount, Func<string, string>? normalizer)
    {
        var kept = new List<KeyValuePair<string, long>>(counts.Count);
        foreach (KeyValuePair<string, long> pair in counts)
        {
            if (pair.Value >= minFrequency) kept.Add(pair);
        }
        kept.Sort(static (a, b) =>
        {
            int byCount = b.Value.CompareTo(a.Value);
            return byCount != 0 ? byCount : string.CompareOrdinal(a.Key, b.Key);
        });

        int size = (int)Math.Min((long)kept.Count + ReservedCount, maxCount);
        var tokens = new string[size];
        tokens[PaddingId] = PaddingToken;
        tokens[UnknownId] = UnknownToken;
        var ids = new Dictionary<string, int>(size, StringComparer.Ordinal);
        for (int id = ReservedCount; id < size; id++)
        {
            string token = kept[id - ReservedCount].Key;
            tokens[id] = token;
            ids.Add(token, id);
        }
        return new Vocabulary(tokens, ids, normalizer);
    }

    private static string Escape(string token)
    {
        if (token.AsSpan().IndexOfAny("\\\n\r\t") < 0) return token;
        var builder = new StringBuilder(token.Length + 4);
        foreach (char c in token)
        {
            switch (c)
            {
                case '\\': builder.Append("\\\\"); break;
                case '\n': builder.Append("\\n"); break;
                case '\r': builder.Append("\\r"); break;
                case '\t': builder.Append("\\t"); break;
                default: builder.Append(c); break;
            }
        }
        return builder.ToString();
    }

    private static string Unescape(string line, string sourceName, int lineNumber)
    {
        if (line.IndexOf('\\') < 0) return line;
        var builder = new StringBuilder(line.Length);
        for (int i = 0; i < line.Length; i++)
        {
            char c = line[i];
            if (c != '\\')
            {
                builder.Append(c);
                continue;
            }
            if (++i == line.Length) throw Invalid(sourceName, lineNumber, "the token ends in a lone backslash; write '\\\\' for a backslash.");
            builder.Append(line[i] switch
            {
                '\\' => '\\',
                'n' => '\n',
                'r' => '\r',
                't' => '\t',
                _ => throw Invalid(sourceName, lineNumber, $"unknown escape '\\{line[i]}'; only \\\\, \\n, \\r and \\t are defined."),
            });
        }
        return builder.ToString();
    }

    private static string Truncate(string text) => text.Length <= 60 ? text : string.Concat(text.AsSpan(0, 57), "...");

    private static InvalidDataException Invalid(string sourceName, int lineNumber, string detail) =>
        new($"{sourceName}, line {lineNumber}: not a valid vocabulary file: {detail}");
}
