using System;
using System.Linq;
using RnnGen.Data;
using Xunit;

namespace RnnGen.Tests.Data;

public class UposTagsTests
{
    [Fact]
    public void HasTheSeventeenUniversalTagsInOrder()
    {
        Assert.Equal(17, UposTags.Count);
        Assert.Equal(
            ["ADJ", "ADP", "ADV", "AUX", "CCONJ", "DET", "INTJ", "NOUN", "NUM", "PART", "PRON", "PROPN", "PUNCT", "SCONJ", "SYM", "VERB", "X"],
            UposTags.Names);
    }

    [Fact]
    public void IdsAndNamesRoundTripAndMatchTheEnum()
    {
        for (int id = 0; id < UposTags.Count; id++)
        {
            string name = UposTags.GetName(id);
            Assert.Equal(id, UposTags.GetId(name));
            Assert.True(UposTags.TryGetId(name.AsSpan(), out int spanId));
            Assert.Equal(id, spanId);
            Assert.Equal(name, UposTags.GetName((UposTag)id));
            Assert.Equal((UposTag)id, UposTags.Parse(name));
            Assert.Equal(name, Enum.GetName((UposTag)id)!.ToUpperInvariant());
        }
        Assert.Equal(UposTags.Count, Enum.GetValues<UposTag>().Length);
        Assert.Equal(7, UposTags.GetId("NOUN"));
        Assert.Equal(UposTag.Propn, UposTags.Parse("PROPN"));
    }

    [Fact]
    public void UnknownNamesAndIdsAreRejected()
    {
        Assert.False(UposTags.TryGetId("noun", out int id));
        Assert.Equal(-1, id);
        Assert.False(UposTags.TryGetId((string?)null, out _));
        Assert.False(UposTags.TryParse("_", out _));
        var error = Assert.Throws<ArgumentException>(() => UposTags.GetId("NN"));
        Assert.Contains("'NN'", error.Message);
        Assert.Throws<ArgumentNullException>(() => UposTags.GetId(null!));
        Assert.Throws<ArgumentOutOfRangeException>(() => UposTags.GetName(17));
        Assert.Throws<ArgumentOutOfRangeException>(() => UposTags.GetName(-1));
        Assert.True(UposTags.Names.All(n => UposTags.TryParse(n, out _)));
    }
}
