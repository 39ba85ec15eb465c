using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;

namespace RnnGen.Data;

/// <summary>
/// Reads CoNLL-U (Universal Dependencies) files into sentences of words.
/// </summary>
/// <remarks>
/// <para>
/// The format: one word per line with ten tab-separated columns (ID FORM LEMMA UPOS XPOS FEATS
/// HEAD DEPREL DEPS MISC); lines starting with <c>#</c> are comments and are kept on the
/// sentence that follows (<c># sent_id = …</c> and <c># text = …</c> become
/// <see cref="ConllUSentence.SentenceId"/> and <see cref="ConllUSentence.Text"/>); a blank line
/// ends a sentence. Multiword-token lines (ID <c>1-2</c>) and empty nodes (ID <c>8.1</c>) are
/// checked and skipped, so a sentence holds exactly the plain integer-ID words, the units UPOS
/// tagging works on. A last sentence without a closing blank line is accepted.
/// </para>
/// <para>
/// Checks, each reported as a <see cref="ConllUFormatException"/> naming the source and line:
/// exactly ten columns; no empty column; word IDs 1, 2, 3, … in order; ranges <c>a-b</c> with
/// a = the next word ID and b &gt; a; empty nodes <c>i.j</c> with i = the previous word ID;
/// HEAD <c>_</c> or a non-negative integer; every sentence has at least one word (a block of
/// comments alone, between blank lines, is dropped). UPOS values are
/// not checked here (other treebanks may use <c>_</c>); <see cref="ConllUSentence.GetUposIds"/> does.
/// </para>
/// <para>
/// Files are read as UTF-8, plain or gzip-compressed (see <see cref="DataFiles.OpenText"/>).
/// The <c>Enumerate…</c> methods stream one sentence at a time; the others return a list.
/// </para>
/// </remarks>
public static class ConllUReader
{
    private const string ReaderSourceName = "(reader)";
    private const string StringSourceName = "(string)";

    /// <summary>Reads every sentence of a CoNLL-U file (plain or gzip-compressed).</summary>
    /// <param name="path">The file; its path is used as the source name in error messages.</param>
    /// <exception cref="ArgumentException"><paramref name="path"/> is null, empty or white space.</exception>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="ConllUFormatException">The file is malformed.</exception>
    public static IReadOnlyList<ConllUSentence> ReadFile(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        using TextReader reader = DataFiles.OpenText(path);
        return new List<ConllUSentence>(new Parser(reader, path).Sentences());
    }

    /// <summary>
    /// Streams the sentences of a CoNLL-U file (plain or gzip-compressed). The file is opened when
    /// enumeration starts and closed when it ends; each enumeration reads the file again.
    /// </summary>
    /// <param name="path">The file; its path is used as the source name in error messages.</param>
    /// <exception cref="ArgumentException"><paramref name="path"/> is null, empty or white space.</exception>
    public static IEnumerable<ConllUSentence> EnumerateFile(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        return EnumerateFileCore(path);
    }

    /// <summary>Reads every sentence from <paramref name="reader"/> (which is not disposed).</summary>
    /// <param name="reader">The CoNLL-U text.</param>
    /// <param name="sourceName">The name used in error messages, e.g. the file name.</param>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ConllUFormatException">The input is malformed.</exception>
    public static IReadOnlyList<ConllUSentence> Read(TextReader reader, string sourceName = ReaderSourceName)
    {
        ArgumentNullException.ThrowIfNull(reader);
        ArgumentNullException.ThrowIfNull(sourceName);
        return new List<ConllUSentence>(new Parser(reader, sourceName).Sentences());
    }

    /// <summary>Streams the sentences of <paramref name="reader"/> (which is not disposed).</summary>
    /// <param name="reader">The CoNLL-U text; it is read as the enumeration advances.</param>
    /// <param name="sourceName">The name used in error messages, e.g. the file name.</param>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    public static IEnumerable<ConllUSentence> Enumerate(TextReader reader, string sourceName = ReaderSourceName)
    {
        ArgumentNullException.ThrowIfNull(reader);
        ArgumentNullException.ThrowIfNull(sourceName);
        return new Parser(reader, sourceName).Sentences();
    }

    /// <summary>Parses CoNLL-U held in a string.</summary>
    /// <param name="content">The CoNLL-U text.</param>
    /// <param name="sourceName">The name used in error messages.</param>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ConllUFormatException">The input is malformed.</exception>
    public static IReadOnlyList<ConllUSentence> Parse(string content, string sourceName = StringSourceName)
    {
        ArgumentNullException.ThrowIfNull(content);
        ArgumentNullException.ThrowIfNull(sourceName);
        using var reader = new StringReader(content);
        return new List<ConllUSentence>(new Parser(reader, sourceName).Sentences());
    }

    private static IEnumerable<ConllUSentence> EnumerateFileCore(string path)
    {
        using TextReader reader = DataFiles.OpenText(path);
        foreach (ConllUSentence sentence in new Parser(reader, path).Sentences()) yield return sentence;
    }

    // One pass over the lines. Holds the sentence being built and a small string pool for the
    // low-variety columns (tags, features, relations, "_"), so a 200k-word treebank does not
    // hold 200k copies of "NOUN".
    private sealed class Parser
    {
        private const int ColumnCount = 10;
        private const int MaxPooled = 1 << 14;

        private static readonly string[] s_columnNames =
            ["ID", "FORM", "LEMMA", "UPOS", "XPOS", "FEATS", "HEAD", "DEPREL", "DEPS", "MISC"];

        private readonly TextReader _reader;
        private readonly string _source;
        private readonly Dictionary<string, string> _pool = new(StringComparer.Ordinal);
        private readonly Dictionary<string, string>.AlternateLookup<ReadOnlySpan<char>> _poolLookup;
        private readonly List<ConllUToken> _tokens = new();
        private readonly List<string> _comments = new();
        private int _lineNumber;
        private int _sentenceStart;
        private bool _sawNodeLines;

        public Parser(TextReader reader, string source)
        {
            _reader = reader;
            _source = source;
            _poolLookup = _pool.GetAlternateLookup<ReadOnlySpan<char>>();
        }

        public IEnumerable<ConllUSentence> Sentences()
        {
            string? line;
            while ((line = _reader.ReadLine()) is not null)
            {
                _lineNumber++;
                if (string.IsNullOrWhiteSpace(line))
                {
                    if (_tokens.Count > 0 || _sawNodeLines) yield return TakeSentence();
                    _comments.Clear(); // a block of comments alone is no sentence: drop it
                    continue;
                }

                if (_tokens.Count == 0 && _comments.Count == 0 && !_sawNodeLines) _sentenceStart = _lineNumber;
                if (line[0] == '#')
                {
                    _comments.Add(line.AsSpan(1).Trim().ToString());
                    continue;
                }

                _sawNodeLines = true;
                ParseWordLine(line);
            }

            // Accept a final sentence that is not followed by a blank line.
            if (_tokens.Count > 0 || _sawNodeLines) yield return TakeSentence();
        }

        private ConllUSentence TakeSentence()
        {
            _sawNodeLines = false;
            if (_tokens.Count == 0)
            {
                throw new ConllUFormatException(_source, _sentenceStart,
                    "this sentence has no word lines (only multiword tokens or empty nodes); a sentence needs at least one word with an integer ID.");
            }
            var sentence = new ConllUSentence(_tokens, _comments, _source, _sentenceStart);
            _tokens.Clear();
            _comments.Clear();
            return sentence;
        }

        private void ParseWordLine(string line)
        {
            // Cut into exactly ten columns.
            Span<Range> columns = stackalloc Range[ColumnCount + 1];
            int count = line.AsSpan().Split(columns, '\t');
            if (count != ColumnCount)
            {
                int found = line.AsSpan().Count('\t') + 1;
                throw Error($"expected {ColumnCount} tab-separated columns but found {found}.");
            }
            for (int c = 0; c < ColumnCount; c++)
            {
                if (columns[c].GetOffsetAndLength(line.Length).Length == 0)
                {
                    throw Error($"column {c + 1} ({s_columnNames[c]}) is empty; write '_' for an unspecified value.");
                }
            }

            ReadOnlySpan<char> id = line.AsSpan(columns[0]);
            int nextId = _tokens.Count + 1;

            int dash = id.IndexOf('-');
            if (dash >= 0)
            {
                // Multiword token "a-b": covers the next words a..b, which follow on their own lines.
                if (!TryParseCount(id[..dash], out int first) || !TryParseCount(id[(dash + 1)..], out int last) || first < 1 || last <= first)
                {
                    throw Error($"invalid multiword-token ID '{id}'; expected 'a-b' with integers 1 <= a < b.");
                }
                if (first != nextId)
                {
                    throw Error($"multiword-token range '{id}' must start at the next word ID {nextId}.");
                }
                return;
            }

            int dot = id.IndexOf('.');
            if (dot >= 0)
            {
                // Empty node "i.j": the j-th empty node after word i.
                if (!TryParseCount(id[..dot], out int after) || !TryParseCount(id[(dot + 1)..], out int sub) || sub < 1)
                {
                    throw Error($"invalid empty-node ID '{id}'; expected 'i.j' with integers i >= 0, j >= 1.");
                }
                if (after != nextId - 1)
                {
                    throw Error($"empty node '{id}' must follow word {after}, but the previous word ID is {nextId - 1}.");
                }
                return;
            }

            if (!TryParseCount(id, out int wordId) || wordId < 1)
            {
                throw Error($"invalid ID '{id}'; expected a positive integer, a range 'a-b' or an empty node 'i.j'.");
            }
            if (wordId != nextId)
            {
                throw Error($"word ID {wordId} is out of sequence; expected {nextId} (is a blank line missing between sentences?).");
            }

            ReadOnlySpan<char> headText = line.AsSpan(columns[6]);
            int? head = null;
            if (!headText.SequenceEqual("_"))
            {
                if (!TryParseCount(headText, out int h))
                {
                    throw Error($"invalid HEAD '{headText}'; expected '_' or a non-negative integer.");
                }
                head = h;
            }

            _tokens.Add(new ConllUToken(
                wordId,
                Column(line, columns[1], pool: false),
                Column(line, columns[2], pool: false),
                Column(line, columns[3], pool: true),
                Column(line, columns[4], pool: true),
                Column(line, columns[5], pool: true),
                head,
                Column(line, columns[7], pool: true),
                Column(line, columns[8], pool: false),
                Column(line, columns[9], pool: true),
                _lineNumber));
        }

        private string Column(string line, Range range, bool pool)
        {
            ReadOnlySpan<char> text = line.AsSpan(range);
            if (text.Length == 1 && text[0] == '_') pool = true;
            if (!pool) return text.ToString();
            if (_poolLookup.TryGetValue(text, out string? pooled)) return pooled;
            string value = text.ToString();
            if (_pool.Count < MaxPooled) _pool.Add(value, value);
            return value;
        }

        // Digits only: no sign, no white space.
        private static bool TryParseCount(ReadOnlySpan<char> text, out int value) =>
            int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out value);

        private ConllUFormatException Error(string detail) => new(_source, _lineNumber, detail);
    }
}
