using System;
using System.Collections.Generic;
using System.Collections.ObjectModel;

namespace RnnGen.Data;

/// <summary>
/// One CoNLL-U sentence: its syntactic words in order (multiword-token ranges and empty nodes
/// left out), the comment lines that preceded them, and where it came from.
/// </summary>
public sealed class ConllUSentence
{
    private readonly ConllUToken[] _tokens;
    private readonly string[] _comments;
    private readonly ReadOnlyCollection<ConllUToken> _tokensView;
    private readonly ReadOnlyCollection<string> _commentsView;

    /// <summary>Creates a sentence from its words and comments.</summary>
    /// <param name="tokens">The words, in order; at least one.</param>
    /// <param name="comments">
    /// The comment lines without the leading <c>#</c> and surrounding white space, e.g.
    /// <c>text = Hello .</c>; <see cref="SentenceId"/> and <see cref="Text"/> are taken from them.
    /// </param>
    /// <param name="sourceName">The file path or other name of the input, for messages; may be empty.</param>
    /// <param name="lineNumber">The 1-based line the sentence starts at, or 0 when it was not read from a file.</param>
    public ConllUSentence(IReadOnlyList<ConllUToken> tokens, IReadOnlyList<string> comments,
                          string sourceName = "", int lineNumber = 0)
    {
        ArgumentNullException.ThrowIfNull(tokens);
        ArgumentNullException.ThrowIfNull(comments);
        ArgumentNullException.ThrowIfNull(sourceName);
        ArgumentOutOfRangeException.ThrowIfNegative(lineNumber);
        if (tokens.Count == 0) throw new ArgumentException("A sentence needs at least one word.", nameof(tokens));

        _tokens = new ConllUToken[tokens.Count];
        for (int i = 0; i < _tokens.Length; i++)
        {
            _tokens[i] = tokens[i] ?? throw new ArgumentException($"Word {i} is null.", nameof(tokens));
        }

        _comments = new string[comments.Count];
        for (int i = 0; i < _comments.Length; i++)
        {
            string comment = comments[i] ?? throw new ArgumentException($"Comment {i} is null.", nameof(comments));
            _comments[i] = comment;
            if (SentenceId is null && TryGetCommentValue(comment, "sent_id", out string? id)) SentenceId = id;
            else if (Text is null && TryGetCommentValue(comment, "text", out string? text)) Text = text;
        }

        _tokensView = Array.AsReadOnly(_tokens);
        _commentsView = Array.AsReadOnly(_comments);
        SourceName = sourceName;
        LineNumber = lineNumber;
    }

    /// <summary>The words of the sentence, in order.</summary>
    public IReadOnlyList<ConllUToken> Tokens => _tokensView;

    /// <summary>The number of words.</summary>
    public int Count => _tokens.Length;

    /// <summary>The comment lines, without the leading <c>#</c> and surrounding white space.</summary>
    public IReadOnlyList<string> Comments => _commentsView;

    /// <summary>The value of the <c># sent_id = …</c> comment, or <see langword="null"/> when there is none.</summary>
    public string? SentenceId { get; }

    /// <summary>The value of the <c># text = …</c> comment, or <see langword="null"/> when there is none.</summary>
    public string? Text { get; }

    /// <summary>The file path or other name of the input the sentence was read from; may be empty.</summary>
    public string SourceName { get; }

    /// <summary>The 1-based line the sentence starts at (its first comment or word), or 0.</summary>
    public int LineNumber { get; }

    /// <summary>The FORM column of every word, in order.</summary>
    public string[] GetForms()
    {
        var forms = new string[_tokens.Length];
        for (int i = 0; i < forms.Length; i++) forms[i] = _tokens[i].Form;
        return forms;
    }

    /// <summary>
    /// The UPOS tag of every word as an id of <see cref="UposTags"/> (0 to 16), in order.
    /// </summary>
    /// <exception cref="ConllUFormatException">A word's UPOS is not one of the 17 universal tags.</exception>
    public int[] GetUposIds()
    {
        var ids = new int[_tokens.Length];
        for (int i = 0; i < ids.Length; i++)
        {
            ConllUToken token = _tokens[i];
            if (!UposTags.TryGetId(token.Upos, out ids[i]))
            {
                throw new ConllUFormatException(
                    SourceName.Length == 0 ? "(sentence)" : SourceName,
                    token.LineNumber,
                    $"UPOS '{token.Upos}' of word {token.Id} is not one of the 17 universal tags ({string.Join(' ', UposTags.Names)}).");
            }
        }
        return ids;
    }

    // "key = value" (spaces around '=' optional); the key must match exactly.
    private static bool TryGetCommentValue(string comment, string key, out string? value)
    {
        value = null;
        if (!comment.StartsWith(key, StringComparison.Ordinal)) return false;
        ReadOnlySpan<char> rest = comment.AsSpan(key.Length).TrimStart();
        if (rest.Length == 0 || rest[0] != '=') return false;
        value = rest.Slice(1).Trim().ToString();
        return true;
    }
}
