using System;
using System.IO;
using System.IO.Compression;
using System.Linq;
using System.Text;
using System.Text.RegularExpressions;
using RnnGen.Data;
using Xunit;

namespace RnnGen.Tests.Data;

public class ConllUReaderTests
{
    // Written with spaces for readability; Tabify turns runs of spaces into tabs on word lines.
    private const string TwoSentences = """
        # newdoc id = doc1
        # sent_id = s1
        # text = I can't go.
        1    I       I       PRON   PRP  _  4  nsubj   _        _
        2-3  can't   _       _      _    _  _  _       _        SpaceAfter=No
        2    ca      can     AUX    MD   _  4  aux     _        _
        3    n't     not     PART   RB   _  4  advmod  _        _
        4    go      go      VERB   VB   _  0  root    _        SpaceAfter=No
        5    .       .       PUNCT  .    _  4  punct   _        _

        # sent_id = s2
        # text = Sue likes coffee and Bill tea
        1    Sue     Sue     PROPN  NNP  _  2  nsubj   _        _
        2    likes   like    VERB   VBZ  _  0  root    _        _
        3    coffee  coffee  NOUN   NN   _  2  obj     _        _
        4    and     and     CCONJ  CC   _  5  cc      _        _
        5    Bill    Bill    PROPN  NNP  _  2  conj    _        _
        5.1  likes   like    VERB   VBZ  _  _  _       5:nsubj  CopyOf=2
        6    tea     tea     NOUN   NN   _  5  orphan  _        _

        """;

    private static string Tabify(string text) =>
        string.Join("\n", text.Split('\n').Select(line => line.StartsWith('#') ? line : Regex.Replace(line, " +", "\t")));

    [Fact]
    public void ParsesSentencesSkippingCommentsRangesAndEmptyNodes()
    {
        var sentences = ConllUReader.Parse(Tabify(TwoSentences));

        Assert.Equal(2, sentences.Count);

        ConllUSentence first = sentences[0];
        Assert.Equal(["I", "ca", "n't", "go", "."], first.GetForms());
        Assert.Equal(
            [(int)UposTag.Pron, (int)UposTag.Aux, (int)UposTag.Part, (int)UposTag.Verb, (int)UposTag.Punct],
            first.GetUposIds());
        Assert.Equal([1, 2, 3, 4, 5], first.Tokens.Select(t => t.Id));
        Assert.Equal("s1", first.SentenceId);
        Assert.Equal("I can't go.", first.Text);
        Assert.Equal(["newdoc id = doc1", "sent_id = s1", "text = I can't go."], first.Comments);
        Assert.Equal(1, first.LineNumber);

        ConllUToken ca = first.Tokens[1];
        Assert.Equal("can", ca.Lemma);
        Assert.Equal("AUX", ca.Upos);
        Assert.Equal("MD", ca.Xpos);
        Assert.Equal(4, ca.Head);
        Assert.Equal("aux", ca.DepRel);
        Assert.Equal(6, ca.LineNumber);
        Assert.Equal("SpaceAfter=No", first.Tokens[3].Misc);
        Assert.Equal(0, first.Tokens[3].Head);
        Assert.Equal("4\tgo\tgo\tVERB\tVB\t_\t0\troot\t_\tSpaceAfter=No", first.Tokens[3].ToString());

        ConllUSentence second = sentences[1];
        Assert.Equal(["Sue", "likes", "coffee", "and", "Bill", "tea"], second.GetForms());
        Assert.Equal([1, 2, 3, 4, 5, 6], second.Tokens.Select(t => t.Id));
        Assert.Equal("s2", second.SentenceId);
        Assert.Equal(11, second.LineNumber);
        Assert.Equal("orphan", second.Tokens[5].DepRel);
    }

    [Fact]
    public void StreamingGivesTheSameSentencesAsReadingAll()
    {
        string text = Tabify(TwoSentences);
        var all = ConllUReader.Parse(text);
        using var reader = new StringReader(text);
        var streamed = ConllUReader.Enumerate(reader).ToList();
        Assert.Equal(all.Select(s => string.Join(' ', s.GetForms())), streamed.Select(s => string.Join(' ', s.GetForms())));
    }

    [Fact]
    public void AcceptsCrLfLineEndsAndAMissingFinalBlankLineAndUnspecifiedHead()
    {
        string text = "# text = Hi\r\n1\tHi\thi\tINTJ\tUH\t_\t_\t_\t_\t_\r\n\r\n\r\n1\tYo\tyo\tINTJ\tUH\t_\t0\troot\t_\t_";
        var sentences = ConllUReader.Parse(text);
        Assert.Equal(2, sentences.Count);
        Assert.Equal("Hi", sentences[0].Text);
        Assert.Null(sentences[0].Tokens[0].Head);
        Assert.Equal("Yo", sentences[1].Tokens[0].Form);
        Assert.Equal(5, sentences[1].LineNumber);
    }

    [Theory]
    [InlineData("1\tA\ta\tNOUN\tNN\t_\t0\troot\t_\t_\n2\tB\tb\tNOUN\tNN\t_\t1\n", 2, "10 tab-separated columns but found 7")]
    [InlineData("1\tA\ta\tNOUN\tNN\t_\t0\troot\t_\t_\t_\n", 1, "found 11")]
    [InlineData("# c\n\nx\tA\ta\tNOUN\tNN\t_\t0\troot\t_\t_\n", 3, "invalid ID 'x'")]
    [InlineData("0\tA\ta\tNOUN\tNN\t_\t0\troot\t_\t_\n", 1, "invalid ID '0'")]
    [InlineData("1\tA\ta\tNOUN\tNN\t_\t0\troot\t_\t_\n3\tB\tb\tNOUN\tNN\t_\t1\tdep\t_\t_\n", 2, "out of sequence; expected 2")]
    [InlineData("1\tA\ta\tNOUN\tNN\t_\t0\troot\t_\t_\n3-4\tBC\t_\t_\t_\t_\t_\t_\t_\t_\n", 2, "must start at the next word ID 2")]
    [InlineData("1-1\tA\t_\t_\t_\t_\t_\t_\t_\t_\n", 1, "invalid multiword-token ID '1-1'")]
    [InlineData("1\tA\ta\tNOUN\tNN\t_\t0\troot\t_\t_\n1.x\tB\tb\tNOUN\tNN\t_\t_\t_\t_\t_\n", 2, "invalid empty-node ID '1.x'")]
    [InlineData("1\tA\ta\tNOUN\tNN\t_\t0\troot\t_\t_\n2.1\tB\tb\tNOUN\tNN\t_\t_\t_\t_\t_\n", 2, "must follow word 2")]
    [InlineData("1\tA\ta\tNOUN\tNN\t_\t-1\troot\t_\t_\n", 1, "invalid HEAD '-1'")]
    [InlineData("1\tA\t\tNOUN\tNN\t_\t0\troot\t_\t_\n", 1, "column 3 (LEMMA) is empty")]
    [InlineData("1\tA\ta\tNOUN\tNN\t_\t0\troot\t_\t_\n\n# c\n1-2\tAB\t_\t_\t_\t_\t_\t_\t_\t_\n\n", 3, "no word lines")]
    [InlineData("# c\n1-2\tAB\t_\t_\t_\t_\t_\t_\t_\t_", 1, "no word lines")]
    public void MalformedLinesReportTheirLineNumber(string text, int line, string detail)
    {
        var error = Assert.Throws<ConllUFormatException>(() => ConllUReader.Parse(text, "sample.conllu"));
        Assert.Equal(line, error.LineNumber);
        Assert.Equal("sample.conllu", error.SourceName);
        Assert.StartsWith($"sample.conllu, line {line}: ", error.Message);
        Assert.Contains(detail, error.Message);
    }

    [Fact]
    public void ACommentBlockWithoutWordsIsDropped()
    {
        var sentences = ConllUReader.Parse("# global comment\n\n# sent_id = a\n1\tA\ta\tNOUN\tNN\t_\t0\troot\t_\t_\n\n# trailing\n");
        var only = Assert.Single(sentences);
        Assert.Equal(["sent_id = a"], only.Comments);
        Assert.Equal(3, only.LineNumber);
    }

    [Fact]
    public void UnknownUposIsReportedWithTheWordsLine()
    {
        var sentence = ConllUReader.Parse("1\tA\ta\tNOUN\tNN\t_\t0\troot\t_\t_\n2\tB\tb\tnoun\tNN\t_\t1\tdep\t_\t_\n", "tags.conllu")[0];
        var error = Assert.Throws<ConllUFormatException>(() => sentence.GetUposIds());
        Assert.Equal(2, error.LineNumber);
        Assert.Contains("tags.conllu, line 2", error.Message);
        Assert.Contains("'noun'", error.Message);
    }

    [Fact]
    public void ReadsPlainAndGzipFilesAlikeAndNamesTheFileInErrors()
    {
        string dir = Directory.CreateTempSubdirectory("rnngen-conllu-").FullName;
        try
        {
            string text = Tabify(TwoSentences);
            string plain = Path.Combine(dir, "two.conllu");
            File.WriteAllText(plain, text);
            string gz = Path.Combine(dir, "two.conllu.gz");
            using (var output = new GZipStream(File.Create(gz), CompressionLevel.SmallestSize))
            {
                output.Write(Encoding.UTF8.GetBytes(text));
            }

            var fromPlain = ConllUReader.ReadFile(plain);
            var fromGz = ConllUReader.ReadFile(gz);
            var streamed = ConllUReader.EnumerateFile(gz).ToList();
            Assert.Equal(2, fromPlain.Count);
            Assert.Equal(fromPlain.SelectMany(s => s.GetForms()), fromGz.SelectMany(s => s.GetForms()));
            Assert.Equal(fromPlain.SelectMany(s => s.GetForms()), streamed.SelectMany(s => s.GetForms()));
            Assert.Equal(gz, fromGz[0].SourceName);

            string bad = Path.Combine(dir, "bad.conllu");
            File.WriteAllText(bad, "# c\n1\tA\ta\tNOUN\tNN\t_\t0\troot\t_\n");
            var error = Assert.Throws<ConllUFormatException>(() => ConllUReader.ReadFile(bad));
            Assert.Contains("bad.conllu, line 2:", error.Message);
            Assert.Throws<ConllUFormatException>(() => ConllUReader.EnumerateFile(bad).ToList());
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void ArgumentsAreChecked()
    {
        Assert.Throws<ArgumentNullException>(() => ConllUReader.Parse(null!));
        Assert.Throws<ArgumentNullException>(() => ConllUReader.Read(null!));
        Assert.Throws<ArgumentNullException>(() => ConllUReader.Enumerate(null!));
        Assert.ThrowsAny<ArgumentException>(() => ConllUReader.ReadFile(""));
        Assert.ThrowsAny<ArgumentException>(() => ConllUReader.EnumerateFile(" "));
        Assert.Throws<FileNotFoundException>(() => ConllUReader.ReadFile(Path.Combine(Path.GetTempPath(), "rnngen-missing.conllu")));
        Assert.Throws<ArgumentException>(() => new ConllUSentence([], []));
    }
}
