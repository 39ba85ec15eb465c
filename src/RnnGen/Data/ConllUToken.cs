using System;
using System.Globalization;

namespace RnnGen.Data;

/// <summary>
/// One syntactic word of a CoNLL-U sentence: the ten columns of a line whose ID is a plain
/// integer. Columns are kept exactly as written, so an unspecified value is the string "<c>_</c>".
/// </summary>
public sealed class ConllUToken
{
    /// <summary>Creates a word from its ten CoNLL-U columns.</summary>
    /// <param name="id">ID: the 1-based position of the word in its sentence.</param>
    /// <param name="form">FORM: the word form or punctuation symbol.</param>
    /// <param name="lemma">LEMMA: the lemma or stem.</param>
    /// <param name="upos">UPOS: the universal part-of-speech tag (see <see cref="UposTags"/>).</param>
    /// <param name="xpos">XPOS: the language-specific part-of-speech tag.</param>
    /// <param name="feats">FEATS: morphological features.</param>
    /// <param name="head">HEAD: the ID of the syntactic head (0 for the root), or <see langword="null"/> when unspecified (<c>_</c>).</param>
    /// <param name="depRel">DEPREL: the universal dependency relation to the head.</param>
    /// <param name="deps">DEPS: the enhanced dependency graph.</param>
    /// <param name="misc">MISC: any other annotation.</param>
    /// <param name="lineNumber">The 1-based line the word was read from, or 0 when it was not read from a file.</param>
    public ConllUToken(int id, string form, string lemma, string upos, string xpos, string feats,
                       int? head, string depRel, string deps, string misc, int lineNumber = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(id);
        ArgumentNullException.ThrowIfNull(form);
        ArgumentNullException.ThrowIfNull(lemma);
        ArgumentNullException.ThrowIfNull(upos);
        ArgumentNullException.ThrowIfNull(xpos);
        ArgumentNullException.ThrowIfNull(feats);
        ArgumentNullException.ThrowIfNull(depRel);
        ArgumentNullException.ThrowIfNull(deps);
        ArgumentNullException.ThrowIfNull(misc);
        if (head is < 0) throw new ArgumentOutOfRangeException(nameof(head), head, "HEAD must be 0 (root) or the ID of another word.");
        ArgumentOutOfRangeException.ThrowIfNegative(lineNumber);

        Id = id;
        Form = form;
        Lemma = lemma;
        Upos = upos;
        Xpos = xpos;
        Feats = feats;
        Head = head;
        DepRel = depRel;
        Deps = deps;
        Misc = misc;
        LineNumber = lineNumber;
    }

    /// <summary>ID: the 1-based position of the word in its sentence.</summary>
    public int Id { get; }

    /// <summary>FORM: the word form or punctuation symbol.</summary>
    public string Form { get; }

    /// <summary>LEMMA: the lemma or stem.</summary>
    public string Lemma { get; }

    /// <summary>UPOS: the universal part-of-speech tag, as written (see <see cref="UposTags"/>).</summary>
    public string Upos { get; }

    /// <summary>XPOS: the language-specific part-of-speech tag.</summary>
    public string Xpos { get; }

    /// <summary>FEATS: morphological features.</summary>
    public string Feats { get; }

    /// <summary>HEAD: the ID of the syntactic head (0 for the root), or <see langword="null"/> when unspecified.</summary>
    public int? Head { get; }

    /// <summary>DEPREL: the universal dependency relation to the head.</summary>
    public string DepRel { get; }

    /// <summary>DEPS: the enhanced dependency graph.</summary>
    public string Deps { get; }

    /// <summary>MISC: any other annotation.</summary>
    public string Misc { get; }

    /// <summary>The 1-based line the word was read from, or 0 when it was not read from a file.</summary>
    public int LineNumber { get; }

    /// <summary>The word as one tab-separated CoNLL-U line (without the line break).</summary>
    public override string ToString() =>
        string.Join('\t',
            Id.ToString(CultureInfo.InvariantCulture), Form, Lemma, Upos, Xpos, Feats,
            Head is int h ? h.ToString(CultureInfo.InvariantCulture) : "_", DepRel, Deps, Misc);
}
