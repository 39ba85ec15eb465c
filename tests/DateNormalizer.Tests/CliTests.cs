using System;
using System.IO;
using Xunit;

namespace DateNormalizer.Tests;

/// <summary>Command-line mistakes end with one line on standard error and exit code 2; missing or bad files with exit code 1.</summary>
public class CliTests
{
    private static (int Code, string Output, string Error) Run(string input, params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int code = Cli.Run(args, new StringReader(input), output, error);
        return (code, output.ToString(), error.ToString());
    }

    [Theory]
    [InlineData("unknown command 'fly'", "fly")]
    [InlineData("unknown option '--epoch'", "train", "--epoch", "3")]
    [InlineData("unknown option 'extra'", "eval", "extra")]
    [InlineData("option '--minutes' needs a value", "train", "--minutes")]
    [InlineData("option '--beam' is given twice", "translate", "--beam", "2", "--beam", "3")]
    [InlineData("--beam must be a number from 1 to 64 (got '0')", "eval", "--beam", "0")]
    [InlineData("--minutes must be a number from 0.01 to 10000 (got 'soon')", "train", "--minutes", "soon")]
    [InlineData("--attention must be one of bahdanau, luong-general, luong-dot, none (got 'luong')", "train", "--attention", "luong")]
    [InlineData("--seed must be a non-negative integer (got '-1')", "sample", "--seed", "-1")]
    [InlineData("--attention takes the SVG file to write, ending in .svg (got 'map.png')", "translate", "--attention", "map.png")]
    public void UsageErrorsAreOneLineWithExitCode2(string message, params string[] args)
    {
        (int code, string output, string error) = Run("", args);
        Assert.Equal(2, code);
        Assert.Equal("", output);
        Assert.StartsWith($"error: {message}", error);
        Assert.Contains(". Usage: DateNormalizer [train|eval|translate|sample] [options]; run with --help for details.", error);
        Assert.Single(error.TrimEnd('\n').Split('\n'));
    }

    [Fact]
    public void TheHeldOutSeedCannotTrain()
    {
        (int code, _, string error) = Run("", "train", "--seed", DateSets.TestSeed.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(2, code);
        Assert.Contains("held-out", error);
    }

    [Fact]
    public void AMissingOrBrokenModelIsOneLineWithExitCode1()
    {
        string folder = Directory.CreateTempSubdirectory("datenormalizer-cli").FullName;
        try
        {
            string missing = Path.Combine(folder, "missing.safetensors");
            (int code, string output, string error) = Run("3/7/23\n", "translate", "--model", missing);
            Assert.Equal(1, code);
            Assert.Equal("", output);
            Assert.Equal($"error: no model at '{missing}' (train one with: DateNormalizer train --model {missing})\n", error.Replace("\r", ""));

            string broken = Path.Combine(folder, "broken.safetensors");
            File.WriteAllText(broken, "not a model");
            (code, _, error) = Run("", "eval", "--model", broken);
            Assert.Equal(1, code);
            Assert.StartsWith("error: ", error);
            Assert.Single(error.TrimEnd('\n').Split('\n'));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void SamplePrintsTabSeparatedExamplesThatParseBack()
    {
        (int code, string output, _) = Run("", "sample", "--count", "50", "--seed", "9");
        Assert.Equal(0, code);
        string[] lines = output.TrimEnd('\n').Split('\n');
        Assert.Equal(50, lines.Length);
        foreach (string line in lines)
        {
            string[] parts = line.Split('\t');
            Assert.Equal(3, parts.Length);
            Assert.Equal(parts[1], ReferenceDateParser.Parse(parts[0])?.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture));
        }
        Assert.Equal(output, Run("", "sample", "--count", "50", "--seed", "9").Output);
    }

    [Fact]
    public void HelpListsTheCommands()
    {
        (int code, string output, _) = Run("", "--help");
        Assert.Equal(0, code);
        foreach (string command in new[] { "train", "eval", "translate", "sample" }) Assert.Contains($"  {command} [", output);
    }
}
