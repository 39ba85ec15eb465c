using System;
using System.Collections.Generic;
using System.Collections.ObjectModel;

namespace RnnGen.Data;

/// <summary>
/// The 17 Universal Dependencies part-of-speech tags. The numeric value of each member is the
/// tag's id in <see cref="UposTags"/> (alphabetical order of the UD names, 0 to 16).
/// </summary>
public enum UposTag
{
    /// <summary>ADJ: adjective.</summary>
    Adj = 0,
    /// <summary>ADP: adposition.</summary>
    Adp = 1,
    /// <summary>ADV: adverb.</summary>
    Adv = 2,
    /// <summary>AUX: auxiliary.</summary>
    Aux = 3,
    /// <summary>CCONJ: coordinating conjunction.</summary>
    Cconj = 4,
    /// <summary>DET: determiner.</summary>
    Det = 5,
    /// <summary>INTJ: interjection.</summary>
    Intj = 6,
    /// <summary>NOUN: noun.</summary>
    Noun = 7,
    /// <summary>NUM: numeral.</summary>
    Num = 8,
    /// <summary>PART: particle.</summary>
    Part = 9,
    /// <summary>PRON: pronoun.</summary>
    Pron = 10,
    /// <summary>PROPN: proper noun.</summary>
    Propn = 11,
    /// <summary>PUNCT: punctuation.</summary>
    Punct = 12,
    /// <summary>SCONJ: subordinating conjunction.</summary>
    Sconj = 13,
    /// <summary>SYM: symbol.</summary>
    Sym = 14,
    /// <summary>VERB: verb.</summary>
    Verb = 15,
    /// <summary>X: other.</summary>
    X = 16,
}

/// <summary>
/// The fixed UPOS tag set: id (0 to 16) ↔ UD name (<c>ADJ</c> … <c>X</c>, upper case, as in
/// column 4 of CoNLL-U). Names are matched case-sensitively, as UD writes them.
/// </summary>
public static class UposTags
{
    /// <summary>The number of tags, 17: the output size of a UPOS tagger.</summary>
    public const int Count = 17;

    private static readonly string[] s_names =
    [
        "ADJ", "ADP", "ADV", "AUX", "CCONJ", "DET", "INTJ", "NOUN", "NUM",
        "PART", "PRON", "PROPN", "PUNCT", "SCONJ", "SYM", "VERB", "X",
    ];

    private static readonly ReadOnlyCollection<string> s_readOnlyNames = Array.AsReadOnly(s_names);

    /// <summary>The tag names indexed by id: <c>Names[7] == "NOUN"</c>.</summary>
    public static IReadOnlyList<string> Names => s_readOnlyNames;

    /// <summary>The UD name of the tag with the given id.</summary>
    /// <param name="id">A tag id, 0 to 16.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="id"/> is not in [0, 17).</exception>
    public static string GetName(int id)
    {
        if ((uint)id >= Count)
        {
            throw new ArgumentOutOfRangeException(nameof(id), id, $"A UPOS tag id must be in [0, {Count}).");
        }
        return s_names[id];
    }

    /// <summary>The UD name of <paramref name="tag"/>, e.g. <c>PROPN</c> for <see cref="UposTag.Propn"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="tag"/> is not a defined member.</exception>
    public static string GetName(UposTag tag) => GetName((int)tag);

    /// <summary>The id of the tag named <paramref name="name"/>.</summary>
    /// <param name="name">A UD tag name in upper case, e.g. <c>NOUN</c>.</param>
    /// <exception cref="ArgumentNullException"><paramref name="name"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="name"/> is not one of the 17 tags.</exception>
    public static int GetId(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (TryGetId(name.AsSpan(), out int id)) return id;
        throw new ArgumentException(
            $"'{name}' is not a universal POS tag; expected one of {string.Join(' ', s_names)}.", nameof(name));
    }

    /// <summary>Looks up the id of the tag named <paramref name="name"/>.</summary>
    /// <param name="name">A UD tag name in upper case; <see langword="null"/> is simply not found.</param>
    /// <param name="id">The tag id, or -1 when the name is not a tag.</param>
    /// <returns>Whether <paramref name="name"/> is one of the 17 tags.</returns>
    public static bool TryGetId(string? name, out int id)
    {
        if (name is null)
        {
            id = -1;
            return false;
        }
        return TryGetId(name.AsSpan(), out id);
    }

    /// <summary>Looks up the id of the tag named <paramref name="name"/>.</summary>
    /// <param name="name">A UD tag name in upper case.</param>
    /// <param name="id">The tag id, or -1 when the name is not a tag.</param>
    /// <returns>Whether <paramref name="name"/> is one of the 17 tags.</returns>
    public static bool TryGetId(ReadOnlySpan<char> name, out int id)
    {
        id = name switch
        {
            "ADJ" => 0, "ADP" => 1, "ADV" => 2, "AUX" => 3, "CCONJ" => 4, "DET" => 5,
            "INTJ" => 6, "NOUN" => 7, "NUM" => 8, "PART" => 9, "PRON" => 10, "PROPN" => 11,
            "PUNCT" => 12, "SCONJ" => 13, "SYM" => 14, "VERB" => 15, "X" => 16,
            _ => -1,
        };
        return id >= 0;
    }

    /// <summary>The tag named <paramref name="name"/>.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="name"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="name"/> is not one of the 17 tags.</exception>
    public static UposTag Parse(string name) => (UposTag)GetId(name);

    /// <summary>Looks up the tag named <paramref name="name"/>.</summary>
    /// <param name="name">A UD tag name in upper case.</param>
    /// <param name="tag">The tag; <see cref="UposTag.Adj"/> (0) when not found.</param>
    /// <returns>Whether <paramref name="name"/> is one of the 17 tags.</returns>
    public static bool TryParse(string? name, out UposTag tag)
    {
        bool found = TryGetId(name, out int id);
        tag = found ? (UposTag)id : default;
        return found;
    }
}
