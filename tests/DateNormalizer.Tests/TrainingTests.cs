using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using Xunit;
using Xunit.Abstractions;

namespace DateNormalizer.Tests;

/// <summary>
/// The sample with its generated networks: a short training run through the command line learns
/// and saves a model that eval and translate load; models remember their attention kind; attention
/// maps cover exactly the characters of each input, each row a distribution.
/// </summary>
public sealed class TrainingTests(ITestOutputHelper log) : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("datenormalizer-tests").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private (int Code, string Output, string Error) Run(string input, params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int code = Cli.Run(args, new StringReader(input), output, error);
        log.WriteLine($"$ DateNormalizer {string.Join(' ', args)} → {code}\n{output}{error}");
        return (code, output.ToString(), error.ToString());
    }

    [Fact]
    public void TrainEvalAndTranslateThroughTheCommandLine()
    {
        string model = Path.Combine(_folder, "m.safetensors");
        (int code, string output, string error) = Run("", "train", "--examples", "4000", "--epochs", "2", "--batch", "32", "--report", "50", "--minutes", "5", "--model", model);
        Assert.Equal(0, code);
        double[] losses = Regex.Matches(output, @"^(?:epoch|end of epoch) .* loss (\d+\.\d+) ", RegexOptions.Multiline)
            .Select(m => double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture)).ToArray();
        Assert.True(losses.Length >= 5, $"{losses.Length} report lines");
        Assert.True(losses[^1] < 0.6 * losses[0], $"the loss went from {losses[0]} to {losses[^1]}");
        Assert.Contains("saved", output);
        Assert.Contains("| minutes | epoch | batches |", output);
        Assert.Equal(["m.safetensors"], Directory.GetFiles(_folder).Select(Path.GetFileName)); // the atomic save left no temporary file

        (code, output, _) = Run("", "eval", "--model", model, "--count", "300", "--errors", "3");
        Assert.Equal(0, code);
        Match line = Regex.Match(output, @"^Exact match: (\d+\.\d\d)% \((\d+) of 300 held-out dates, seed 2000003, greedy; model m\.safetensors, attention bahdanau\)\.$", RegexOptions.Multiline);
        Assert.True(line.Success, output);

        string svg = Path.Combine(_folder, "a.svg");
        (code, output, error) = Run("Tuesday, 7 March 2023\n\n3/7/23\n", "translate", "--model", model, "--attention", svg, "--beam", "3");
        Assert.Equal(0, code);
        string[] lines = output.Replace("\r", "").Split('\n');
        Assert.Equal(4, lines.Length); // three answers (the blank line stays blank) and the final newline
        Assert.Equal("", lines[1]);
        Assert.Contains("Wrote the attention of 2 line(s)", error);
        XDocument doc = XDocument.Load(svg);
        Assert.Equal(2, doc.Root!.Elements().Count(e => e.Name.LocalName == "g"));
    }

    [Theory]
    [InlineData("bahdanau", typeof(DateNormalizerNet))]
    [InlineData("luong-general", typeof(DateNormalizerLuongGeneralNet))]
    [InlineData("luong-dot", typeof(DateNormalizerLuongDotNet))]
    [InlineData("none", typeof(DateNormalizerNoAttentionNet))]
    public void AModelLoadsAsTheNetworkItWasSavedFrom(string attention, Type type)
    {
        DateModel model = DateModel.Create(attention, seed: 3);
        string path = Path.Combine(_folder, attention + ".safetensors");
        model.Save(path);
        DateModel loaded = DateModel.Load(path);
        Assert.Equal(attention, loaded.Attention);
        Assert.IsType(type, loaded.Network);
        Assert.Equal(model.Network.Parameters, loaded.Network.Parameters);
        string[] texts = [.. DateSets.Validation().Take(20).Select(e => e.Text)];
        Assert.Equal(model.Normalize(texts), loaded.Normalize(texts));
        Assert.NotEqual(model.Network.Parameters, DateModel.Create(attention, seed: 4).Network.Parameters);
    }

    [Fact]
    public void AttentionMapsCoverEachInputsCharactersAndEachRowIsADistribution()
    {
        DateModel model = DateModel.Create("bahdanau", seed: 5);
        string[] texts = ["3/7/23", "Tuesday, the 7th of March, 2023", "7.3.2023"]; // one batch, padded to the longest
        var maps = new List<AttentionMap>();
        string[] iso = model.Normalize(texts, beamWidth: 1, maps);
        Assert.Equal(texts.Length, maps.Count);
        for (int k = 0; k < texts.Length; k++)
        {
            AttentionMap map = maps[k];
            Assert.Equal(texts[k], string.Concat(map.Source));
            Assert.InRange(map.Output.Count, 1, DateAlphabets.MaxOutputLength);
            Assert.Equal(iso[k], string.Concat(map.Output.Where(label => label.Length == 1))); // the rows are the decoded characters (and reserved tokens)
            for (int i = 0; i < map.Output.Count; i++)
            {
                double sum = 0;
                for (int j = 0; j < map.Source.Count; j++) sum += map[i, j];
                Assert.InRange(sum, 0.999, 1.001); // padded positions get no weight
            }
        }
    }

    [Fact]
    public void ASafetensorsFileThatIsNotADateModelIsRefusedInOneLine()
    {
        string path = Path.Combine(_folder, "plain.safetensors");
        RnnGen.IO.SafeTensorsFile.Save(new DateNormalizerNet(seed: 1), path); // the right tensors, but none of the sample's metadata
        (int code, string output, string error) = Run("3/7/23\n", "translate", "--model", path);
        Assert.Equal(1, code);
        Assert.Equal("", output);
        Assert.Equal($"error: '{path}' is not a date normalizer model (no 'datenormalizer.attention' in its metadata).", error.Trim());
    }

    [Fact]
    public void TranslateRefusesToDrawWithoutAttention()
    {
        string path = Path.Combine(_folder, "none.safetensors");
        DateModel.Create("none", seed: 1).Save(path);
        (int code, _, string error) = Run("3/7/23\n", "translate", "--model", path, "--attention", Path.Combine(_folder, "x.svg"));
        Assert.Equal(2, code);
        Assert.StartsWith($"error: --attention needs a model with attention; '{path}' has none.", error);
    }

    [Fact]
    public void AnOverlongLineIsReportedAndLeftBlank()
    {
        string path = Path.Combine(_folder, "m.safetensors");
        DateModel.Create("bahdanau", seed: 1).Save(path);
        (int code, string output, string error) = Run(new string('7', DateAlphabets.MaxSourceLength + 1) + "\n3/7/23\n", "translate", "--model", path);
        Assert.Equal(1, code);
        Assert.Equal(2, output.Replace("\r", "").TrimEnd('\n').Split('\n').Length);
        Assert.StartsWith("\n", output.Replace("\r", ""));
        Assert.Equal($"line 1: 49 characters; at most {DateAlphabets.MaxSourceLength} are read", error.Trim());
    }
}
