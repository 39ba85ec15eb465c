using System;
using System.IO;
using System.Linq;
using System.Xml.Linq;
using Xunit;

namespace DateNormalizer.Tests;

/// <summary>The attention picture is well-formed SVG with one cell per weight, labels escaped, shades following the weights.</summary>
public class AttentionSvgTests
{
    private static readonly XNamespace Svg = "http://www.w3.org/2000/svg";

    private static AttentionMap Map(string source, string[] output)
    {
        var weights = new float[output.Length * source.Length];
        for (int i = 0; i < output.Length; i++) weights[i * source.Length + i % source.Length] = 1f;
        return new AttentionMap(source.Select(c => c.ToString()).ToArray(), output, weights);
    }

    private static XDocument Draw(params AttentionMap[] maps)
    {
        var writer = new StringWriter();
        AttentionSvg.Write(writer, maps);
        return XDocument.Parse(writer.ToString());
    }

    [Fact]
    public void OneCellPerWeightAndOneLabelPerCharacter()
    {
        XDocument doc = Draw(Map("3/7/23", ["2", "0", "2", "3", "-", "0", "3", "-", "0", "7", "</s>"]), Map("7.3.2023", ["2", "</s>"]));
        Assert.Equal(Svg + "svg", doc.Root!.Name);
        Assert.Equal(2, doc.Descendants(Svg + "g").Count(g => (string?)g.Attribute("class") == "map"));
        Assert.Equal(11 * 6 + 2 * 8, Cells(doc).Count());
        Assert.Equal(6 + 8, doc.Descendants(Svg + "text").Count(t => (string?)t.Attribute("class") == "source"));
        Assert.Equal(11 + 2, doc.Descendants(Svg + "text").Count(t => (string?)t.Attribute("class") == "output"));
    }

    [Fact]
    public void LabelsAreEscapedAndReadBackUnchanged()
    {
        XDocument doc = Draw(Map("<a&b> 'c\"", ["7", "</s>"]));
        string[] sources = doc.Descendants(Svg + "text").Where(t => (string?)t.Attribute("class") == "source").Select(t => t.Value).ToArray();
        Assert.Equal(["<", "a", "&", "b", ">", "␣", "'", "c", "\""], sources);
        string[] outputs = doc.Descendants(Svg + "text").Where(t => (string?)t.Attribute("class") == "output").Select(t => t.Value).ToArray();
        Assert.Equal(["7", "</s>"], outputs);
        // The heading is the text read and the text written, without the end token.
        Assert.Contains(doc.Descendants(Svg + "text"), t => t.Value == "<a&b> 'c\" → 7");
    }

    [Fact]
    public void ShadesFollowTheWeights()
    {
        var map = new AttentionMap(["a", "b", "c"], ["1"], [0f, 0.5f, 1f]);
        string[] fills = Cells(Draw(map)).Select(c => (string)c.Attribute("fill")!).ToArray();
        Assert.Equal("#ffffff", fills[0]);
        Assert.Equal("#08306b", fills[2]);
        Assert.NotEqual(fills[0], fills[1]);
        Assert.NotEqual(fills[1], fills[2]);
        Assert.Contains("0.500", Cells(Draw(map)).ElementAt(1).Value);
    }

    [Fact]
    public void MismatchedWeightsOrNoMapsAreRefused()
    {
        Assert.Throws<ArgumentException>(() => Draw(new AttentionMap(["a", "b"], ["1"], [1f])));
        Assert.Throws<ArgumentException>(() => Draw());
    }

    private static System.Collections.Generic.IEnumerable<XElement> Cells(XDocument doc) =>
        doc.Descendants(Svg + "rect").Where(r => (string?)r.Attribute("class") == "cell");
}
