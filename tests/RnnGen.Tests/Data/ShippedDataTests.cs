using System.IO;
using System.Linq;
using RnnGen.Data;
using Xunit;

namespace RnnGen.Tests.Data;

/// <summary>
/// The data files shipped under samples/: read through the library and compared with numbers
/// counted independently from the original files with awk (integer-ID lines, blank-line-ended
/// sentences, column 4 histogram) and Python.
/// </summary>
public class ShippedDataTests
{
    private static string Ewt(string split) => RepositoryPaths.Combine("samples/PosTagger/data", $"en_ewt-ud-{split}.conllu.gz");

    [Theory]
    [InlineData("dev", 2001, 25147)]
    [InlineData("test", 2077, 25094)]
    [InlineData("train", 12544, 204577)]
    public void EwtSplitsHaveTheKnownSentenceAndWordCounts(string split, int sentences, int words)
    {
        var read = ConllUReader.ReadFile(Ewt(split));
        Assert.Equal(sentences, read.Count);
        Assert.Equal(words, read.Sum(s => s.Count));
        Assert.All(read, s => Assert.NotNull(s.SentenceId));
        Assert.All(read, s => Assert.NotNull(s.Text));
        // Every word carries one of the 17 universal tags.
        Assert.Equal(words, read.Sum(s => s.GetUposIds().Length));
    }

    [Fact]
    public void EwtDevDetailsMatchTheOriginal()
    {
        var dev = ConllUReader.ReadFile(Ewt("dev"));

        ConllUSentence first = dev[0];
        Assert.Equal("weblog-blogspot.com_nominations_20041117172713_ENG_20041117_172713-0001", first.SentenceId);
        Assert.Equal("From the AP comes this story :", first.Text);
        Assert.Equal(["From", "the", "AP", "comes", "this", "story", ":"], first.GetForms());
        Assert.Equal(["ADP", "DET", "PROPN", "VERB", "DET", "NOUN", "PUNCT"], first.Tokens.Select(t => t.Upos));

        Assert.Equal("reviews-140302-0004", dev[^1].SentenceId);
        Assert.Equal(75, dev.Max(s => s.Count));
        Assert.Equal(100, dev.Count(s => s.Count == 1));

        // "Today's" is the range 1-2 over "Today" + "'s": only the two words are kept.
        ConllUSentence today = dev.Single(s => s.SentenceId == "weblog-blogspot.com_gettingpolitical_20030906235000_ENG_20030906_235000-0003");
        Assert.Equal(["Today", "'s", "incident"], today.GetForms().Take(3));

        // UPOS histogram of dev (awk '{print $4}' | sort | uniq -c over integer-ID lines).
        int[] expected = [1865, 2039, 1231, 1567, 779, 1900, 115, 4210, 383, 647, 2225, 1867, 3075, 397, 81, 2707, 59];
        int[] histogram = new int[UposTags.Count];
        foreach (ConllUSentence sentence in dev)
        {
            foreach (int tag in sentence.GetUposIds()) histogram[tag]++;
        }
        Assert.Equal(expected, histogram);
    }

    [Fact]
    public void EwtFilesCarryTheirLicenceAndReadme()
    {
        string dir = RepositoryPaths.Combine("samples/PosTagger/data");
        Assert.Contains("Attribution-ShareAlike 4.0", File.ReadAllText(Path.Combine(dir, "LICENSE.txt")));
        string readme = File.ReadAllText(Path.Combine(dir, "README.md"));
        Assert.Contains("CC BY-SA 4.0", readme);
        Assert.Contains("15d613d8447b3478787d4c278730a1e48a945efb", readme);
    }

    [Fact]
    public void TinyShakespeareIsComplete()
    {
        string text = DataFiles.ReadAllText(RepositoryPaths.Combine("samples/CharLm/data/tinyshakespeare.txt.gz"));
        Assert.Equal(1_115_394, text.Length);
        Assert.Equal(65, text.Distinct().Count());
        Assert.StartsWith("First Citizen:\nBefore we proceed any further, hear me speak.", text);
        Assert.True(File.Exists(RepositoryPaths.Combine("samples/CharLm/data/README.md")));
    }
}
