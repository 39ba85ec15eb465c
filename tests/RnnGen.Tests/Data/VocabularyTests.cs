using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using RnnGen.Data;
using Xunit;

namespace RnnGen.Tests.Data;

public class VocabularyTests
{
    [Fact]
    public void MinimumFrequencyCutsRareTokensAndReservesPaddingAndUnknown()
    {
        var vocabulary = Vocabulary.FromTokens("a b a c b a d".Split(' '), minFrequency: 2);

        Assert.Equal(4, vocabulary.Count);
        Assert.Equal(["<pad>", "<unk>", "a", "b"], vocabulary.Tokens);
        Assert.Equal(0, Vocabulary.PaddingId);
        Assert.Equal(1, Vocabulary.UnknownId);
        Assert.Equal(2, vocabulary.GetId("a"));
        Assert.Equal(3, vocabulary.GetId("b"));
        Assert.Equal(Vocabulary.UnknownId, vocabulary.GetId("c"));
        Assert.Equal(Vocabulary.UnknownId, vocabulary.GetId("never seen"));
        Assert.Equal(Vocabulary.UnknownId, vocabulary.GetId(""));
        Assert.False(vocabulary.TryGetId("c", out int id));
        Assert.Equal(Vocabulary.UnknownId, id);
        Assert.True(vocabulary.Contains("b"));
        Assert.Equal("<pad>", vocabulary.GetToken(0));
        Assert.Equal("b", vocabulary.GetToken(3));
        Assert.Equal([2, 1, 3, 1], vocabulary.Encode(["a", "zzz", "b", "d"]));
    }

    [Fact]
    public void IdsFollowFrequencyThenOrdinalOrderAndMaxCountDropsTheRarest()
    {
        var counts = new Dictionary<string, int> { ["b"] = 5, ["a"] = 5, ["c"] = 9, ["d"] = 1, ["e"] = 0 };
        var all = Vocabulary.FromCounts(counts);
        Assert.Equal(["<pad>", "<unk>", "c", "a", "b", "d"], all.Tokens);

        var capped = Vocabulary.FromCounts(counts, maxCount: 4);
        Assert.Equal(["<pad>", "<unk>", "c", "a"], capped.Tokens);
        Assert.Equal(Vocabulary.UnknownId, capped.GetId("b"));
    }

    [Fact]
    public void NormalizerMergesCountsAndAppliesAtLookup()
    {
        var vocabulary = Vocabulary.FromTokens(["The", "the", "THE", "Cat", "cat", "dog"], minFrequency: 2,
                                               normalizer: Vocabulary.LowercaseInvariant);
        Assert.Equal(["<pad>", "<unk>", "the", "cat"], vocabulary.Tokens);
        Assert.Equal(2, vocabulary.GetId("tHe"));
        Assert.Equal(3, vocabulary.GetId("CAT"));
        Assert.Equal(Vocabulary.UnknownId, vocabulary.GetId("Dog"));

        var merged = Vocabulary.FromCounts(new Dictionary<string, int> { ["A"] = 1, ["a"] = 1, ["B"] = 1 }, minFrequency: 2,
                                           normalizer: s => s.ToLowerInvariant());
        Assert.Equal(["<pad>", "<unk>", "a"], merged.Tokens);

        var stripping = Vocabulary.FromTokens(["x", "!", "x"], normalizer: s => s.Trim('!'));
        Assert.Equal(["<pad>", "<unk>", "x"], stripping.Tokens);
        Assert.Throws<InvalidOperationException>(() => Vocabulary.FromTokens(["x"], normalizer: _ => null!));
    }

    [Fact]
    public void ReservedNamesAreOnlyNames()
    {
        var vocabulary = Vocabulary.FromTokens(["<unk>", "<unk>", "<pad>"]);
        Assert.Equal(["<pad>", "<unk>", "<unk>", "<pad>"], vocabulary.Tokens);
        Assert.Equal(2, vocabulary.GetId("<unk>"));
        Assert.Equal(3, vocabulary.GetId("<pad>"));
    }

    [Fact]
    public void ArgumentsAreChecked()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Vocabulary.FromTokens(["a"], minFrequency: 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => Vocabulary.FromTokens(["a"], maxCount: 1));
        Assert.Throws<ArgumentNullException>(() => Vocabulary.FromTokens(null!));
        Assert.Throws<ArgumentException>(() => Vocabulary.FromTokens(["a", null!]));
        Assert.Throws<ArgumentException>(() => Vocabulary.FromCounts(new Dictionary<string, int> { ["a"] = -1 }));
        Assert.Throws<ArgumentException>(() => Vocabulary.FromList(["a", "a"]));
        Assert.Throws<ArgumentException>(() => Vocabulary.FromList(["a", ""]));
        var vocabulary = Vocabulary.FromList(["a"]);
        Assert.Throws<ArgumentOutOfRangeException>(() => vocabulary.GetToken(3));
        Assert.Throws<ArgumentOutOfRangeException>(() => vocabulary.GetToken(-1));
        Assert.Throws<ArgumentNullException>(() => vocabulary.GetId(null!));
        Assert.Throws<ArgumentException>(() => vocabulary.Encode(["a", "b"], new int[1]));
    }

    [Fact]
    public void SaveWritesTheDocumentedFormatAndLoadRoundTrips()
    {
        string[] tricky = ["the", "\n", " ", "\t", "back\\slash", "cr\r", "é", "<unk>", "\\n"];
        var vocabulary = Vocabulary.FromList(tricky);

        var writer = new StringWriter();
        vocabulary.Save(writer);
        string text = writer.ToString();
        Assert.Equal(
            "rnngen-vocabulary 1 11\n<pad>\n<unk>\nthe\n\\n\n \n\\t\nback\\\\slash\ncr\\r\né\n<unk>\n\\\\n\n",
            text);

        var loaded = Vocabulary.Load(new StringReader(text));
        Assert.Equal(vocabulary.Tokens, loaded.Tokens);
        for (int id = 0; id < tricky.Length; id++) Assert.Equal(id + 2, loaded.GetId(tricky[id]));
    }

    [Fact]
    public void FileRoundTripKeepsIdsAndTakesTheNormalizerAgain()
    {
        var vocabulary = Vocabulary.FromTokens("to be or not to be".Split(' '), normalizer: Vocabulary.LowercaseInvariant);
        string path = Path.Combine(Path.GetTempPath(), $"rnngen-vocab-{Guid.NewGuid():N}.txt");
        try
        {
            vocabulary.Save(path);
            var loaded = Vocabulary.Load(path, Vocabulary.LowercaseInvariant);
            Assert.Equal(vocabulary.Tokens, loaded.Tokens);
            Assert.Equal(vocabulary.GetId("be"), loaded.GetId("BE"));
            Assert.Equal(Vocabulary.UnknownId, Vocabulary.Load(path).GetId("BE"));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Theory]
    [InlineData("", 1, "empty")]
    [InlineData("vocabulary 1 2\n<pad>\n<unk>\n", 1, "expected a header")]
    [InlineData("rnngen-vocabulary 2 2\n<pad>\n<unk>\n", 1, "unsupported format version '2'")]
    [InlineData("rnngen-vocabulary 1 1\n<pad>\n", 1, "invalid token count '1'")]
    [InlineData("rnngen-vocabulary 1 x\n", 1, "invalid token count 'x'")]
    [InlineData("rnngen-vocabulary 1 4\n<pad>\n<unk>\na\n", 5, "ends after 3 of the 4 tokens")]
    [InlineData("rnngen-vocabulary 1 3\n<pad>\n<unk>\na\nb\n", 5, "expected the end of the input")]
    [InlineData("rnngen-vocabulary 1 4\n<pad>\n<unk>\na\na\n", 5, "repeats the token of line 4")]
    [InlineData("rnngen-vocabulary 1 3\n<pad>\n<unk>\n\n", 4, "empty token")]
    [InlineData("rnngen-vocabulary 1 3\n<pad>\n<unk>\nbad\\x\n", 4, "unknown escape")]
    [InlineData("rnngen-vocabulary 1 3\n<pad>\n<unk>\nbad\\\n", 4, "lone backslash")]
    [InlineData("rnngen-vocabulary 1 3\n<unk>\n<pad>\na\n", 2, "id 0 must be '<pad>'")]
    public void MalformedFilesAreRejectedWithTheLine(string text, int line, string detail)
    {
        var error = Assert.Throws<InvalidDataException>(() => Vocabulary.Load(new StringReader(text), sourceName: "v.txt"));
        Assert.StartsWith($"v.txt, line {line}: ", error.Message);
        Assert.Contains(detail, error.Message);
    }

    [Fact]
    public void EwtDevVocabularyHasTheIndependentlyCountedSize()
    {
        // Counted with awk/Python over the original file: 5,494 distinct forms, 2,166 of them seen
        // at least twice; 4,813 distinct lowercased forms, 2,080 of them seen at least twice.
        var dev = ConllUReader.ReadFile(RepositoryPaths.Combine("samples/PosTagger/data/en_ewt-ud-dev.conllu.gz"));
        var forms = dev.SelectMany(s => s.GetForms()).ToList();

        Assert.Equal(5494 + 2, Vocabulary.FromTokens(forms).Count);
        var cased = Vocabulary.FromTokens(forms, minFrequency: 2);
        Assert.Equal(2166 + 2, cased.Count);
        Assert.Equal(["<pad>", "<unk>", ".", "the", ",", "to", "and"], cased.Tokens.Take(7));
        Assert.Equal(2080 + 2, Vocabulary.FromTokens(forms, minFrequency: 2, normalizer: Vocabulary.LowercaseInvariant).Count);

        int[] ids = cased.Encode(dev[0].GetForms());
        Assert.Equal(dev[0].Count, ids.Length);
        Assert.All(ids, id => Assert.InRange(id, 1, cased.Count - 1));
    }
}
