using System;
using System.Linq;
using Xunit;

namespace DateNormalizer.Tests;

/// <summary>The source and target vocabularies: sizes match the constants the networks are declared with, every generated text fits.</summary>
public class AlphabetTests
{
    [Fact]
    public void SizesMatchTheConstants()
    {
        Assert.Equal(DateAlphabets.SourceVocabularySize, DateAlphabets.Source.Count);
        Assert.Equal(DateAlphabets.TargetVocabularySize, DateAlphabets.Target.Count);
        Assert.Equal("<pad>", DateAlphabets.Source.Label(DateAlphabets.SourcePaddingId));
        Assert.Equal("<unk>", DateAlphabets.Source.Label(DateAlphabets.SourceUnknownId));
        Assert.Equal("<s>", DateAlphabets.Target.Label(DateAlphabets.StartId));
        Assert.Equal("</s>", DateAlphabets.Target.Label(DateAlphabets.EndId));
    }

    [Fact]
    public void EveryGeneratedTextIsInTheAlphabetAndFits()
    {
        int longest = 0;
        foreach (DateExample e in new DateExampleGenerator(11).Take(100_000))
        {
            Assert.All(e.Text, c => Assert.True(DateAlphabets.Source.Contains(c), $"'{c}' of '{e.Text}' has no id"));
            longest = Math.Max(longest, e.Text.Length);
        }
        Assert.InRange(longest, 30, DateAlphabets.MaxSourceLength);
    }

    [Fact]
    public void TargetsRoundTripAndEndWithTheEndToken()
    {
        var ids = new int[DateAlphabets.TargetLength + 2];
        Assert.Equal(DateAlphabets.TargetLength, DateAlphabets.EncodeTarget("1987-10-31", ids));
        Assert.Equal(DateAlphabets.EndId, ids[DateAlphabets.IsoLength]);
        Assert.All(ids.Take(DateAlphabets.IsoLength), id => Assert.InRange(id, 3, DateAlphabets.TargetVocabularySize - 1));
        Assert.Equal("1987-10-31", DateAlphabets.DecodeTarget(ids));
        Assert.Equal("19", DateAlphabets.DecodeTarget([DateAlphabets.StartId, 4, 12, DateAlphabets.EndId, 5]));
        Assert.Throws<ArgumentException>(() => DateAlphabets.EncodeTarget("1987/10/31", ids));
        Assert.Throws<ArgumentException>(() => DateAlphabets.EncodeTarget("1987-10-3", ids));
    }

    [Fact]
    public void UnknownSourceCharactersMapToTheUnknownIdAndLimitsAreEnforced()
    {
        var ids = new int[DateAlphabets.MaxSourceLength];
        Assert.Equal(3, DateAlphabets.EncodeSource("7é!", ids));
        Assert.Equal(DateAlphabets.Source.IdOf('7'), ids[0]);
        Assert.Equal(DateAlphabets.SourceUnknownId, ids[1]);
        Assert.Equal(DateAlphabets.SourceUnknownId, ids[2]);
        Assert.Throws<ArgumentException>(() => DateAlphabets.EncodeSource("", ids));
        Assert.Throws<ArgumentException>(() => DateAlphabets.EncodeSource(new string('1', DateAlphabets.MaxSourceLength + 1), new int[64]));
    }

    [Fact]
    public void ASourceBatchIsPaddedToItsLongestText()
    {
        var batch = new SourceBatch(4);
        batch.SetSources(["x", "3/7/23", "7.3.2023", "ab"], 1, 2);
        Assert.Equal(8, batch.MaxSourceLength);
        Assert.Equal([6, 8], batch.SourceLengths.ToArray());
        Assert.Equal(16, batch.Source.Length);
        Assert.Equal(DateAlphabets.SourcePaddingId, batch.Source[6]);
        Assert.Equal(DateAlphabets.Source.IdOf('7'), batch.Source[8]);
        Assert.Throws<ArgumentOutOfRangeException>(() => batch.SetSources(["1", "2", "3", "4", "5"], 0, 5));
    }
}
