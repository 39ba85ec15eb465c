using System;
using System.Collections.Generic;

namespace DateNormalizer;

/// <summary>
/// A fixed character vocabulary: a few reserved tokens (padding first, id 0) followed by one id per
/// character. Characters outside it map to the unknown id when there is one.
/// </summary>
public sealed class Alphabet
{
    private readonly Dictionary<char, int> _ids = new();
    private readonly string[] _tokens;

    /// <summary>An alphabet of <paramref name="reserved"/> tokens (ids 0, 1, …) and then <paramref name="characters"/>.</summary>
    /// <param name="reserved">Names of the reserved tokens, written as labels (for example <c>&lt;pad&gt;</c>).</param>
    /// <param name="characters">The characters, each once.</param>
    /// <param name="unknownId">The id unknown characters map to, or -1 when they are an error.</param>
    public Alphabet(IReadOnlyList<string> reserved, string characters, int unknownId)
    {
        ArgumentNullException.ThrowIfNull(reserved);
        ArgumentNullException.ThrowIfNull(characters);
        if (unknownId >= reserved.Count) throw new ArgumentOutOfRangeException(nameof(unknownId), "The unknown id must be a reserved one (or -1).");
        _tokens = new string[reserved.Count + characters.Length];
        for (int i = 0; i < reserved.Count; i++) _tokens[i] = reserved[i];
        for (int i = 0; i < characters.Length; i++)
        {
            if (!_ids.TryAdd(characters[i], reserved.Count + i)) throw new ArgumentException($"'{characters[i]}' is listed twice.", nameof(characters));
            _tokens[reserved.Count + i] = characters[i].ToString();
        }
        ReservedCount = reserved.Count;
        UnknownId = unknownId;
        Characters = characters;
    }

    /// <summary>Number of ids: reserved tokens plus characters.</summary>
    public int Count => _tokens.Length;

    /// <summary>Number of reserved ids (0 … ReservedCount − 1).</summary>
    public int ReservedCount { get; }

    /// <summary>The id of characters not in the alphabet, or -1 when they cannot be encoded.</summary>
    public int UnknownId { get; }

    /// <summary>The characters, in id order from <see cref="ReservedCount"/>.</summary>
    public string Characters { get; }

    /// <summary>The id of <paramref name="c"/>: its own, else <see cref="UnknownId"/>.</summary>
    public int IdOf(char c) => _ids.TryGetValue(c, out int id) ? id : UnknownId;

    /// <summary>Whether <paramref name="c"/> has an id of its own.</summary>
    public bool Contains(char c) => _ids.ContainsKey(c);

    /// <summary>The label of <paramref name="id"/>: its character, or the name of a reserved token.</summary>
    public string Label(int id) => (uint)id < (uint)_tokens.Length ? _tokens[id] : $"<{id}>";

    /// <summary>The character of a non-reserved <paramref name="id"/>, or null for reserved and out-of-range ids.</summary>
    public char? CharacterOf(int id) => id >= ReservedCount && id < _tokens.Length ? Characters[id - ReservedCount] : null;
}

/// <summary>
/// The two vocabularies of the date normalizer and the limits on lengths: the source is the
/// characters people write dates with, the target the characters of an ISO date.
/// </summary>
public static class DateAlphabets
{
    /// <summary>Source padding id.</summary>
    public const int SourcePaddingId = 0;

    /// <summary>Source id of any character outside <see cref="Source"/>.</summary>
    public const int SourceUnknownId = 1;

    /// <summary>Target padding id (after the end token of shorter targets in a batch).</summary>
    public const int TargetPaddingId = 0;

    /// <summary>The decoder's first input.</summary>
    public const int StartId = 1;

    /// <summary>The token that ends every target.</summary>
    public const int EndId = 2;

    /// <summary>Characters of the source alphabet after the padding and unknown ids.</summary>
    public const string SourceCharacters = " ',-./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

    /// <summary>Source ids: padding, unknown, then <see cref="SourceCharacters"/>.</summary>
    public const int SourceVocabularySize = 2 + 68;

    /// <summary>Characters of the target alphabet after padding, start and end.</summary>
    public const string TargetCharacters = "0123456789-";

    /// <summary>Target ids: padding, start, end, then <see cref="TargetCharacters"/>.</summary>
    public const int TargetVocabularySize = 3 + 11;

    /// <summary>Longest input the model reads, in characters (the longest generated date has 38).</summary>
    public const int MaxSourceLength = 48;

    /// <summary>Characters of an ISO date.</summary>
    public const int IsoLength = 10;

    /// <summary>Target tokens of a date: its ten characters and the end token.</summary>
    public const int TargetLength = IsoLength + 1;

    /// <summary>Decoding stops after this many tokens even without an end token.</summary>
    public const int MaxOutputLength = 16;

    /// <summary>The source alphabet.</summary>
    public static readonly Alphabet Source = new(["<pad>", "<unk>"], SourceCharacters, SourceUnknownId);

    /// <summary>The target alphabet.</summary>
    public static readonly Alphabet Target = new(["<pad>", "<s>", "</s>"], TargetCharacters, unknownId: -1);

    /// <summary>Writes the ids of <paramref name="text"/> to <paramref name="ids"/> and returns how many (its length).</summary>
    /// <exception cref="ArgumentException"><paramref name="text"/> is empty or longer than <see cref="MaxSourceLength"/>.</exception>
    public static int EncodeSource(ReadOnlySpan<char> text, Span<int> ids)
    {
        if (text.Length == 0) throw new ArgumentException("An empty line is not a date.", nameof(text));
        if (text.Length > MaxSourceLength) throw new ArgumentException($"The text has {text.Length} characters; the model reads at most {MaxSourceLength}.", nameof(text));
        for (int i = 0; i < text.Length; i++) ids[i] = Source.IdOf(text[i]);
        return text.Length;
    }

    /// <summary>Writes the target ids of an ISO date — its characters, then <see cref="EndId"/> — and returns how many (<see cref="TargetLength"/>).</summary>
    /// <exception cref="ArgumentException"><paramref name="iso"/> is not ten characters of digits and hyphens.</exception>
    public static int EncodeTarget(ReadOnlySpan<char> iso, Span<int> ids)
    {
        if (iso.Length != IsoLength) throw new ArgumentException($"'{iso}' is not an ISO date.", nameof(iso));
        for (int i = 0; i < iso.Length; i++)
        {
            int id = Target.IdOf(iso[i]);
            ids[i] = id >= 0 ? id : throw new ArgumentException($"'{iso}' is not an ISO date.", nameof(iso));
        }
        ids[IsoLength] = EndId;
        return TargetLength;
    }

    /// <summary>The text of decoded target ids, up to the end token (padding and start tokens are skipped).</summary>
    public static string DecodeTarget(ReadOnlySpan<int> ids)
    {
        var chars = new char[ids.Length];
        int n = 0;
        foreach (int id in ids)
        {
            if (id == EndId) break;
            if (Target.CharacterOf(id) is char c) chars[n++] = c;
        }
        return new string(chars, 0, n);
    }
}
