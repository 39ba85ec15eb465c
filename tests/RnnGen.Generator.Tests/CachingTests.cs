using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.RegularExpressions;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using RnnGen.Generator.Tests.Infrastructure;
using Xunit;
using Steps = RnnGen.Generator.RecurrentNetworkGenerator.Steps;

namespace RnnGen.Generator.Tests;

/// <summary>
/// The incremental pipeline: an edit that does not change a network's attribute must leave every
/// RnnGen step Cached or Unchanged (so nothing is re-planned or re-emitted), and changing one
/// network must redo that network alone.
/// </summary>
public sealed class CachingTests
{
    private static readonly string[] PipelineSteps =
    {
        Steps.Declarations, Steps.Diagnostics, Steps.Specs, Steps.Plans, Steps.Sources,
        Steps.Seq2SeqDeclarations, Steps.Seq2SeqSpecs, Steps.Seq2SeqPlans, Steps.Seq2SeqSources,
    };

    private const string Network = """
        using RnnGen;

        namespace Demo;

        [RecurrentNetwork(CellKind.Lstm, InputSize = 4, HiddenSize = 8, Layers = 2, OutputSize = 3)]
        public partial class Net
        {
            public int Answer() => 42;
        }

        [Encoder(CellKind.Gru, InputSize = 4, HiddenSize = 3, Direction = Direction.Bidirectional, VocabularySize = 7)]
        [Decoder(CellKind.Lstm, InputSize = 3, HiddenSize = 6, VocabularySize = 6, Attention = AttentionKind.LuongDot, StartToken = 1, EndToken = 2)]
        public partial class Translator;
        """;

    /// <summary>Edits that change the compilation but not the network.</summary>
    public static TheoryData<string> UnrelatedEdits() => new(s_unrelatedEdits.Keys);

    private static readonly Dictionary<string, Func<CSharpCompilation, CSharpCompilation>> s_unrelatedEdits = new()
    {
        ["add another file"] = c => c.AddSyntaxTrees(Parse("namespace Demo; public class Other { public int X => 1; }", "Other.cs")),
        ["change a method body in the annotated class"] = c => Replace(c, "Net.cs", Network.Replace("=> 42;", "=> 41 + 1;")),
        ["add a comment above the class"] = c => Replace(c, "Net.cs", Network.Replace("[RecurrentNetwork", "// A tagger for the demo.\n\n[RecurrentNetwork")),
        ["add a member to the annotated class"] = c => Replace(c, "Net.cs", Network.Replace("public int Answer", "public string Name { get; set; } = \"\";\n    public int Answer")),
        ["edit another file"] = c => Replace(c, "Other.cs", "namespace Demo; public class Other { public int X => 2; }"),
        ["remove another file"] = c => c.RemoveSyntaxTrees(c.SyntaxTrees.Single(t => t.FilePath == "Other.cs")),
    };

    [Theory]
    [MemberData(nameof(UnrelatedEdits))]
    public void Unrelated_edit_leaves_every_step_cached_or_unchanged(string edit)
    {
        CSharpCompilation compilation = GeneratorHarness.CreateCompilation(new[]
        {
            new SourceFile("Net.cs", Network),
            new SourceFile("Other.cs", "namespace Demo; public class Other { public int X => 1; }"),
        });
        GeneratorRun first = GeneratorHarness.Run(GeneratorHarness.CreateDriver(), compilation);
        first.AssertCompilesCleanly();

        GeneratorRun second = GeneratorHarness.Run(first.Driver, s_unrelatedEdits[edit](compilation));

        var outputs = StepOutputs(second).ToList();
        foreach (string step in new[] { Steps.Declarations, Steps.Specs, Steps.Plans, Steps.Sources, Steps.Seq2SeqDeclarations, Steps.Seq2SeqSpecs, Steps.Seq2SeqPlans, Steps.Seq2SeqSources })
            Assert.Contains(outputs, o => o.Step == step); // the steps ran (and were tracked), not skipped
        var redone = outputs.Where(o => o.Reason is not (IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged)).ToList();
        Assert.True(redone.Count == 0, "Steps redone by an unrelated edit:\n" + string.Join("\n", redone.Select(o => $"  {o.Step}: {o.Reason} {Owner(o.Value)}")));
        Assert.All(OutputStepReasons(second), r => Assert.Equal(IncrementalStepRunReason.Cached, r));
        Assert.Equal(first.Sources, second.Sources);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Changing_one_network_regenerates_that_network_alone(bool sameFile)
    {
        const string A = "[RecurrentNetwork(CellKind.Gru, InputSize = 4, HiddenSize = 8)] public partial class A;";
        const string B = "[RecurrentNetwork(CellKind.Lstm, InputSize = 4, HiddenSize = 8)] public partial class B;";
        const string Header = "using RnnGen;\nnamespace Demo;\n";
        SourceFile[] files = sameFile
            ? new[] { new SourceFile("Nets.cs", Header + A + "\n" + B) }
            : new[] { new SourceFile("A.cs", Header + A), new SourceFile("B.cs", Header + B) };
        CSharpCompilation compilation = GeneratorHarness.CreateCompilation(files);
        GeneratorRun first = GeneratorHarness.Run(GeneratorHarness.CreateDriver(), compilation);
        Assert.Equal(2, first.Sources.Count);

        string changedB = B.Replace("HiddenSize = 8", "HiddenSize = 16");
        CSharpCompilation edited = sameFile
            ? Replace(compilation, "Nets.cs", Header + A + "\n" + changedB)
            : Replace(compilation, "B.cs", Header + changedB);
        GeneratorRun second = GeneratorHarness.Run(first.Driver, edited);

        foreach (string step in new[] { Steps.Declarations, Steps.Specs, Steps.Plans, Steps.Sources })
        {
            var outputs = StepOutputs(second).Where(o => o.Step == step).ToList();
            Assert.Contains(outputs, o => Owner(o.Value) == "B" && o.Reason == IncrementalStepRunReason.Modified);
            Assert.DoesNotContain(outputs, o => Owner(o.Value) == "B" && o.Reason != IncrementalStepRunReason.Modified);
            Assert.All(outputs.Where(o => Owner(o.Value) == "A"), o => Assert.True(
                o.Reason is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged, $"{step}: A was {o.Reason}"));
            Assert.Contains(outputs, o => Owner(o.Value) == "A");
        }
        Assert.Equal(first.Sources["Demo.A.g.cs"], second.Sources["Demo.A.g.cs"]);
        Assert.NotEqual(first.Sources["Demo.B.g.cs"], second.Sources["Demo.B.g.cs"]);
        Assert.Contains("public const int HiddenSize = 16;", second.Sources["Demo.B.g.cs"]);
        second.AssertCompilesCleanly();
    }

    [Fact]
    public void Changing_only_the_layout_regenerates_the_network_and_then_stays_cached()
    {
        string timeMajor = Network.Replace("OutputSize = 3)", "OutputSize = 3, Layout = SequenceLayout.TimeMajor)");
        Assert.NotEqual(Network, timeMajor);
        CSharpCompilation compilation = GeneratorHarness.CreateCompilation(new[] { new SourceFile("Net.cs", Network) });
        GeneratorRun first = GeneratorHarness.Run(GeneratorHarness.CreateDriver(), compilation);

        // The layout is part of the spec: every step after parsing is redone for it.
        CSharpCompilation edited = Replace(compilation, "Net.cs", timeMajor);
        GeneratorRun second = GeneratorHarness.Run(first.Driver, edited);
        foreach (string step in new[] { Steps.Declarations, Steps.Specs, Steps.Plans, Steps.Sources })
            Assert.Contains(StepOutputs(second), o => o.Step == step && o.Reason == IncrementalStepRunReason.Modified);
        Assert.Contains("SequenceLayout.TimeMajor;", second.Sources["Demo.Net.g.cs"]);
        Assert.Contains("SequenceLayout.BatchFirst;", first.Sources["Demo.Net.g.cs"]);
        second.AssertCompilesCleanly();

        // An unrelated edit to the time-major network's file leaves it cached.
        GeneratorRun third = GeneratorHarness.Run(second.Driver, Replace(edited, "Net.cs", timeMajor.Replace("=> 42;", "=> 43;")));
        Assert.All(StepOutputs(third), o => Assert.True(o.Reason is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged, $"{o.Step}: {o.Reason}"));
        Assert.Equal(second.Sources, third.Sources);
    }

    [Fact]
    public void Fixing_an_error_replaces_the_diagnostic_with_a_source()
    {
        const string Broken = "using RnnGen;\nnamespace Demo;\n[RecurrentNetwork(CellKind.Lstm, InputSize = 4, HiddenSize = 0)] public partial class Net;";
        CSharpCompilation compilation = GeneratorHarness.CreateCompilation(new[] { new SourceFile("Net.cs", Broken) });
        GeneratorRun first = GeneratorHarness.Run(GeneratorHarness.CreateDriver(), compilation);
        Assert.Equal("RNNG0001", Assert.Single(first.GeneratorDiagnostics).Id);
        Assert.Empty(first.Sources);

        GeneratorRun second = GeneratorHarness.Run(first.Driver, Replace(compilation, "Net.cs", Broken.Replace("HiddenSize = 0", "HiddenSize = 8")));
        Assert.Empty(second.GeneratorDiagnostics);
        Assert.Equal(new[] { "Demo.Net.g.cs" }, second.Sources.Keys.ToArray());
        second.AssertCompilesCleanly();
    }

    [Fact]
    public void A_diagnostic_follows_its_argument_when_lines_are_inserted_above()
    {
        const string Broken = "using RnnGen;\nnamespace Demo;\n[RecurrentNetwork(CellKind.Lstm, InputSize = 4, HiddenSize = 0)] public partial class Net;";
        CSharpCompilation compilation = GeneratorHarness.CreateCompilation(new[] { new SourceFile("Net.cs", Broken) });
        GeneratorRun first = GeneratorHarness.Run(GeneratorHarness.CreateDriver(), compilation);
        Assert.Equal(2, first.GeneratorDiagnostics.Single().Location.GetLineSpan().StartLinePosition.Line);

        string moved = Broken.Replace("namespace Demo;\n", "namespace Demo;\n// one\n// two\n");
        GeneratorRun second = GeneratorHarness.Run(first.Driver, Replace(compilation, "Net.cs", moved));
        Diagnostic diagnostic = Assert.Single(second.GeneratorDiagnostics);
        Assert.Equal(4, diagnostic.Location.GetLineSpan().StartLinePosition.Line);
        Assert.Equal("HiddenSize = 0", moved.Substring(diagnostic.Location.SourceSpan.Start, diagnostic.Location.SourceSpan.Length));
    }

    private static SyntaxTree Parse(string text, string path) => CSharpSyntaxTree.ParseText(text, GeneratorHarness.ParseOptions, path);

    private static CSharpCompilation Replace(CSharpCompilation compilation, string path, string text)
        => compilation.ReplaceSyntaxTree(compilation.SyntaxTrees.Single(t => t.FilePath == path), Parse(text, path));

    /// <summary>Every output of every RnnGen tracked step in the run.</summary>
    private static IEnumerable<(string Step, object Value, IncrementalStepRunReason Reason)> StepOutputs(GeneratorRun run)
    {
        foreach (string name in PipelineSteps)
        {
            if (!run.Generator.TrackedSteps.TryGetValue(name, out var steps)) continue;
            foreach (IncrementalGeneratorRunStep step in steps)
            {
                foreach ((object value, IncrementalStepRunReason reason) in step.Outputs) yield return (name, value, reason);
            }
        }
    }

    /// <summary>Reasons of the source-output steps (AddSource, ReportDiagnostic).</summary>
    private static IEnumerable<IncrementalStepRunReason> OutputStepReasons(GeneratorRun run)
        => run.Generator.TrackedOutputSteps.SelectMany(kv => kv.Value).SelectMany(s => s.Outputs).Select(o => o.Reason);

    /// <summary>
    /// The network a step output belongs to. Pipeline models are internal records, so this reads
    /// their printed form ("ClassName = B"); the emitted (HintName, Source) pair gives the hint name.
    /// </summary>
    private static string Owner(object value)
    {
        if (value is ValueTuple<string, string> emitted) return emitted.Item1.Split('.')[^3];
        Match m = Regex.Match(value.ToString() ?? "", @"ClassName = (\w+)");
        return m.Success ? m.Groups[1].Value : "?";
    }
}
