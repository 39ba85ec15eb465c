using System.Globalization;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using Microsoft.CodeAnalysis;
using RnnGen.Generator.Tests.Infrastructure;
using Xunit;

namespace RnnGen.Generator.Tests;

/// <summary>
/// One test per configuration error: the diagnostic's ID, its exact message and its location
/// (marked [|…|] in the source: the offending argument, the attribute, or the class identifier),
/// and that nothing is generated for that class.
/// </summary>
public sealed class DiagnosticTests
{
    private const string Usings = "using RnnGen;\nnamespace Demo;\n";

    [Theory]
    // RNNG0001: sizes must be positive.
    [InlineData("[RecurrentNetwork(CellKind.Lstm, [|InputSize = 0|], HiddenSize = 8)] public partial class Net;", "RNNG0001", "'InputSize' is 0; it must be at least 1")]
    [InlineData("[RecurrentNetwork(CellKind.Lstm, InputSize = 4, [|HiddenSize = -3|])] public partial class Net;", "RNNG0001", "'HiddenSize' is -3; it must be at least 1")]
    [InlineData("[RecurrentNetwork(CellKind.Gru, InputSize = 4, HiddenSize = 8, [|Layers = 0|])] public partial class Net;", "RNNG0001", "'Layers' is 0; it must be at least 1")]
    [InlineData("[RecurrentNetwork(CellKind.Rnn, InputSize = 4, HiddenSize = 8, [|OutputSize = -1|])] public partial class Net;", "RNNG0001", "'OutputSize' is -1; it must be at least 1")]
    [InlineData("[RecurrentNetwork(CellKind.Lstm, [|InputSize = int.MinValue|], HiddenSize = 8)] public partial class Net;", "RNNG0001", "'InputSize' is -2147483648; it must be at least 1")]
    // RNNG0002: sizes above the supported maximum.
    [InlineData("[RecurrentNetwork(CellKind.Lstm, [|InputSize = 65_537|], HiddenSize = 8)] public partial class Net;", "RNNG0002", "'InputSize' is 65537; the largest supported value is 65536")]
    [InlineData("[RecurrentNetwork(CellKind.Lstm, InputSize = 4, [|HiddenSize = int.MaxValue|])] public partial class Net;", "RNNG0002", "'HiddenSize' is 2147483647; the largest supported value is 65536")]
    [InlineData("[RecurrentNetwork(CellKind.Lstm, InputSize = 4, HiddenSize = 8, [|Layers = 65|])] public partial class Net;", "RNNG0002", "'Layers' is 65; the largest supported value is 64")]
    [InlineData("[RecurrentNetwork(CellKind.Lstm, InputSize = 4, HiddenSize = 8, [|OutputSize = 1_048_577|])] public partial class Net;", "RNNG0002", "'OutputSize' is 1048577; the largest supported value is 1048576")]
    [InlineData("[RecurrentNetwork(CellKind.Lstm, InputSize = 4, HiddenSize = 8, [|VocabularySize = 16_777_217|])] public partial class Net;", "RNNG0002", "'VocabularySize' is 16777217; the largest supported value is 16777216")]
    // RNNG0003: InputSize and HiddenSize are required; the whole attribute is marked.
    [InlineData("[[|RecurrentNetwork(CellKind.Lstm, HiddenSize = 8)|]] public partial class Net;", "RNNG0003", "The network on 'Net' does not set 'InputSize'; add 'InputSize = <positive number>' to the attribute")]
    [InlineData("[[|RecurrentNetwork(CellKind.Gru, InputSize = 8, Layers = 2)|]] public partial class Net;", "RNNG0003", "The network on 'Net' does not set 'HiddenSize'; add 'HiddenSize = <positive number>' to the attribute")]
    // RNNG0004 / RNNG0005: the class and every class around it must be partial.
    [InlineData("[RecurrentNetwork(CellKind.Lstm, InputSize = 4, HiddenSize = 8)] public class [|Net|];", "RNNG0004", "Class 'Net' carries a network attribute but is not partial; declare it 'partial class Net' so the generated half can be added")]
    [InlineData("public class [|Outer|] { [RecurrentNetwork(CellKind.Lstm, InputSize = 4, HiddenSize = 8)] public partial class Net; }", "RNNG0005", "Type 'Outer' contains network class 'Net' but is not partial; declare it partial so the generated code can be nested in it")]
    [InlineData("public partial class Outer { public struct [|Middle|] { [RecurrentNetwork(CellKind.Lstm, InputSize = 4, HiddenSize = 8)] public partial class Net; } }", "RNNG0005", "Type 'Middle' contains network class 'Net' but is not partial; declare it partial so the generated code can be nested in it")]
    // RNNG0006: generics.
    [InlineData("[RecurrentNetwork(CellKind.Lstm, InputSize = 4, HiddenSize = 8)] public partial class [|Net|]<T>;", "RNNG0006", "'Net' is generic or nested in a generic type; declare the network on a non-generic class")]
    [InlineData("public partial class Outer<T> { [RecurrentNetwork(CellKind.Lstm, InputSize = 4, HiddenSize = 8)] public partial class [|Net|]; }", "RNNG0006", "'Net' is generic or nested in a generic type; declare the network on a non-generic class")]
    // RNNG0007: Nonlinearity is for Rnn cells only, even when it names the default.
    [InlineData("[RecurrentNetwork(CellKind.Lstm, InputSize = 4, HiddenSize = 8, [|Nonlinearity = Nonlinearity.Relu|])] public partial class Net;", "RNNG0007", "'Nonlinearity' applies only to Rnn cells, but this network uses Lstm cells; remove the argument or change the cell")]
    [InlineData("[RecurrentNetwork(CellKind.Gru, InputSize = 4, HiddenSize = 8, [|Nonlinearity = Nonlinearity.Tanh|])] public partial class Net;", "RNNG0007", "'Nonlinearity' applies only to Rnn cells, but this network uses Gru cells; remove the argument or change the cell")]
    // RNNG0009: an embedding needs a vocabulary.
    [InlineData("[RecurrentNetwork(CellKind.Lstm, InputSize = 4, HiddenSize = 8, [|VocabularySize = 0|])] public partial class Net;", "RNNG0009", "'VocabularySize' is 0; a token-id input needs a vocabulary of at least 1 token (omit the argument for a dense input)")]
    [InlineData("[RecurrentNetwork(CellKind.Lstm, InputSize = 4, HiddenSize = 8, [|VocabularySize = -5|])] public partial class Net;", "RNNG0009", "'VocabularySize' is -5; a token-id input needs a vocabulary of at least 1 token (omit the argument for a dense input)")]
    // RNNG0010: kinds of class the generated half cannot complete.
    [InlineData("[RecurrentNetwork(CellKind.Lstm, InputSize = 4, HiddenSize = 8)] public static partial class [|Net|];", "RNNG0010", "'Net' is a static class; declare the network on a plain class (not static, abstract, file-local or a record, and without a primary constructor)")]
    [InlineData("[RecurrentNetwork(CellKind.Lstm, InputSize = 4, HiddenSize = 8)] public partial record [|Net|];", "RNNG0010", "'Net' is a record; declare the network on a plain class (not static, abstract, file-local or a record, and without a primary constructor)")]
    [InlineData("[RecurrentNetwork(CellKind.Lstm, InputSize = 4, HiddenSize = 8)] public partial record class [|Net|](int Id);", "RNNG0010", "'Net' is a record; declare the network on a plain class (not static, abstract, file-local or a record, and without a primary constructor)")]
    [InlineData("[RecurrentNetwork(CellKind.Lstm, InputSize = 4, HiddenSize = 8)] public abstract partial class [|Net|];", "RNNG0010", "'Net' is an abstract class; declare the network on a plain class (not static, abstract, file-local or a record, and without a primary constructor)")]
    [InlineData("[RecurrentNetwork(CellKind.Lstm, InputSize = 4, HiddenSize = 8)] file partial class [|Net|];", "RNNG0010", "'Net' is a file-local class; declare the network on a plain class (not static, abstract, file-local or a record, and without a primary constructor)")]
    [InlineData("[RecurrentNetwork(CellKind.Lstm, InputSize = 4, HiddenSize = 8)] public partial class [|Net|](int id) { public int Id => id; }", "RNNG0010", "'Net' is a class with a primary constructor; declare the network on a plain class (not static, abstract, file-local or a record, and without a primary constructor)")]
    // RNNG0011: a cast makes any int an enum value; only defined ones are accepted.
    [InlineData("[RecurrentNetwork([|(CellKind)7|], InputSize = 4, HiddenSize = 8)] public partial class Net;", "RNNG0011", "'Cell' is 7, which is not a defined CellKind value")]
    [InlineData("[RecurrentNetwork([|cell: (CellKind)(-1)|], InputSize = 4, HiddenSize = 8)] public partial class Net;", "RNNG0011", "'Cell' is -1, which is not a defined CellKind value")]
    [InlineData("[RecurrentNetwork(CellKind.Gru, InputSize = 4, HiddenSize = 8, [|Direction = (Direction)2|])] public partial class Net;", "RNNG0011", "'Direction' is 2, which is not a defined Direction value")]
    [InlineData("[RecurrentNetwork(CellKind.Rnn, InputSize = 4, HiddenSize = 8, [|Nonlinearity = (Nonlinearity)5|])] public partial class Net;", "RNNG0011", "'Nonlinearity' is 5, which is not a defined Nonlinearity value")]
    [InlineData("[RecurrentNetwork(CellKind.Lstm, InputSize = 4, HiddenSize = 8, [|Layout = (SequenceLayout)2|])] public partial class Net;", "RNNG0011", "'Layout' is 2, which is not a defined SequenceLayout value")]
    [InlineData("[RecurrentNetwork(CellKind.Gru, InputSize = 4, HiddenSize = 8, [|Layout = (SequenceLayout)(-1)|])] public partial class Net;", "RNNG0011", "'Layout' is -1, which is not a defined SequenceLayout value")]
    // RNNG0012: every size in range, but the parameters do not fit in one array.
    [InlineData("[[|RecurrentNetwork(CellKind.Rnn, InputSize = 32768, HiddenSize = 32768)|]] public partial class Net;", "RNNG0012", "The network on 'Net' has 2147549184 parameters; at most 2147483591 fit in its parameter array")]
    [InlineData("[[|RecurrentNetwork(CellKind.Lstm, InputSize = 65536, HiddenSize = 65536)|]] public partial class Net;", "RNNG0012", "The network on 'Net' has 34360262656 parameters; at most 2147483591 fit in its parameter array")]
    [InlineData("[[|RecurrentNetwork(CellKind.Gru, InputSize = 16, HiddenSize = 2048, Layers = 64, Direction = Direction.Bidirectional)|]] public partial class Net;", "RNNG0012", "The network on 'Net' has 4783276032 parameters; at most 2147483591 fit in its parameter array")]
    public void Reports_the_error_at_the_offending_syntax_and_generates_nothing(string markup, string id, string message)
    {
        Markup source = Markup.Parse(Usings + markup);
        GeneratorRun run = GeneratorHarness.Run(source.Source);

        Diagnostic diagnostic = Assert.Single(run.GeneratorDiagnostics);
        Assert.Equal(id, diagnostic.Id);
        Assert.Equal(DiagnosticSeverity.Error, diagnostic.Severity);
        Assert.Equal(message, diagnostic.GetMessage(CultureInfo.InvariantCulture));
        // Generator diagnostics carry a path and span (LocationInfo keeps no SyntaxTree, so cached
        // models hold no compilation), so compare those rather than the tree.
        Assert.Equal("Input.cs", diagnostic.Location.GetLineSpan().Path);
        Assert.Equal(source.Marked, source.Source.Substring(diagnostic.Location.SourceSpan.Start, diagnostic.Location.SourceSpan.Length));
        Assert.Equal(source.Span, diagnostic.Location.SourceSpan);
        Assert.EndsWith("docs/diagnostics.md#" + id.ToLowerInvariant(), diagnostic.Descriptor.HelpLinkUri);

        Assert.Empty(run.Sources);
        Assert.True(!run.ProblemsInUserCode.Any(), "The C# itself is valid, yet:\n" + GeneratorRun.Format(run.ProblemsInUserCode));
    }

    [Fact]
    public void Duplicate_attribute_is_reported_by_the_compiler_and_by_RNNG0008()
    {
        // AllowMultiple = false makes the second attribute CS0579 (on the second attribute). The
        // generator still sees both and reports RNNG0008 on the first, and generates nothing.
        Markup source = Markup.Parse(Usings + """
            [[|RecurrentNetwork(CellKind.Lstm, InputSize = 4, HiddenSize = 8)|]]
            [RecurrentNetwork(CellKind.Gru, InputSize = 4, HiddenSize = 8)]
            public partial class Net;
            """);
        GeneratorRun run = GeneratorHarness.Run(source.Source);

        Diagnostic ours = Assert.Single(run.GeneratorDiagnostics);
        Assert.Equal("RNNG0008", ours.Id);
        Assert.Equal("Class 'Net' carries more than one network attribute; keep exactly one", ours.GetMessage(CultureInfo.InvariantCulture));
        Assert.Equal(source.Span, ours.Location.SourceSpan);
        Diagnostic compiler = Assert.Single(run.ProblemsInUserCode);
        Assert.Equal("CS0579", compiler.Id);
        Assert.Empty(run.Sources);
    }

    [Fact]
    public void Duplicate_attribute_on_two_parts_of_a_partial_class_is_reported_on_each()
    {
        // Each part is a separate match for the generator; both must see the other's attribute,
        // or the same file would be generated twice (which crashed the generator before).
        GeneratorRun run = GeneratorHarness.Run(
            Usings + "[RecurrentNetwork(CellKind.Lstm, InputSize = 4, HiddenSize = 8)] public partial class Net;",
            Usings + "[RecurrentNetwork(CellKind.Lstm, InputSize = 4, HiddenSize = 8)] public partial class Net { }");

        Assert.Equal(new[] { ("RNNG0008", "Input0.cs"), ("RNNG0008", "Input1.cs") },
            run.GeneratorDiagnostics.Select(d => (d.Id, d.Location.GetLineSpan().Path)).ToArray());
        Assert.Contains(run.ProblemsInUserCode, d => d.Id == "CS0579");
        Assert.Empty(run.Sources);
    }

    [Fact]
    public void Every_problem_of_one_declaration_is_reported_at_once()
    {
        GeneratorRun run = GeneratorHarness.Run(Usings + """
            [RecurrentNetwork((CellKind)9, InputSize = 0, HiddenSize = 100_000, Layers = -1, VocabularySize = 0)]
            public class Net<T>;
            """);
        Assert.Equal(new[] { "RNNG0001", "RNNG0001", "RNNG0002", "RNNG0004", "RNNG0006", "RNNG0009", "RNNG0011" },
            run.GeneratorDiagnostics.Select(d => d.Id).OrderBy(id => id, System.StringComparer.Ordinal).ToArray());
        Assert.Empty(run.Sources);
    }

    [Fact]
    public void Only_the_invalid_network_loses_its_source()
    {
        GeneratorRun run = GeneratorHarness.Run(Usings + """
            [RecurrentNetwork(CellKind.Lstm, InputSize = 4, HiddenSize = 8)] public partial class Good;
            [RecurrentNetwork(CellKind.Lstm, InputSize = 4, HiddenSize = 0)] public partial class Bad;
            """);
        Assert.Equal("RNNG0001", Assert.Single(run.GeneratorDiagnostics).Id);
        Assert.Equal(new[] { "Demo.Good.g.cs" }, run.Sources.Keys.ToArray());
        run.AssertGeneratedCodeCompiles();
    }

    [Theory]
    [InlineData("CellKind.Lstm, InputSize = 65536, HiddenSize = 1")]
    [InlineData("CellKind.Rnn, InputSize = 1, HiddenSize = 1, Layers = 64, Direction = Direction.Bidirectional")]
    [InlineData("CellKind.Gru, InputSize = 1, HiddenSize = 1, OutputSize = 1_048_576")]
    [InlineData("CellKind.Rnn, InputSize = 1, HiddenSize = 1, VocabularySize = 16_777_216, OutputSize = 0")]
    [InlineData("CellKind.Rnn, InputSize = 1, HiddenSize = 1, VocabularySize = 1, Nonlinearity = Nonlinearity.Tanh")]
    [InlineData("0, InputSize = 'A', HiddenSize = (byte)3, Direction = 0")] // literal 0 is an enum; char and byte widen to int
    [InlineData("CellKind.Rnn, InputSize = 32767, HiddenSize = 32767")] // 2,147,418,112 parameters: just fits
    // Every cell, direction, input and head can be time-major (and BatchFirst may be written out).
    [InlineData("CellKind.Lstm, InputSize = 3, HiddenSize = 5, Layers = 2, Direction = Direction.Bidirectional, VocabularySize = 9, OutputSize = 4, Peepholes = true, Layout = SequenceLayout.TimeMajor")]
    [InlineData("CellKind.Gru, InputSize = 3, HiddenSize = 5, LinearBeforeReset = false, Layout = SequenceLayout.TimeMajor")]
    [InlineData("CellKind.Rnn, InputSize = 3, HiddenSize = 5, Nonlinearity = Nonlinearity.Relu, OutputSize = 2, Layout = (SequenceLayout)1")]
    [InlineData("CellKind.Rnn, InputSize = 3, HiddenSize = 5, Layout = SequenceLayout.BatchFirst")]
    public void Boundary_values_are_accepted(string arguments)
    {
        GeneratorRun run = GeneratorHarness.Run(Usings + "[RecurrentNetwork(" + arguments + ")] public partial class Net;");
        Assert.Empty(run.GeneratorDiagnostics);
        Assert.Single(run.Sources);
        run.AssertCompilesCleanly();
    }

    /// <summary>docs/diagnostics.md has a section (anchor = lower-case ID) for every released diagnostic.</summary>
    [Fact]
    public void Every_diagnostic_is_documented()
    {
        string root = RepositoryRoot();
        string releases = File.ReadAllText(Path.Combine(root, "generator/RnnGen.Generator/AnalyzerReleases.Unshipped.md"))
            + File.ReadAllText(Path.Combine(root, "generator/RnnGen.Generator/AnalyzerReleases.Shipped.md"));
        string docs = File.ReadAllText(Path.Combine(root, "docs/diagnostics.md"));
        var ids = Regex.Matches(releases, @"^(RNNG\d{4})\s*\|", RegexOptions.Multiline).Select(m => m.Groups[1].Value).ToList();
        Assert.NotEmpty(ids);
        foreach (string id in ids)
        {
            Assert.Matches(new Regex("^## " + id + "$", RegexOptions.Multiline), docs);
        }
    }

    internal static string RepositoryRoot()
    {
        for (string? dir = System.AppContext.BaseDirectory; dir is not null; dir = Path.GetDirectoryName(dir))
        {
            if (File.Exists(Path.Combine(dir, "RnnGen.sln"))) return dir;
        }
        throw new DirectoryNotFoundException("RnnGen.sln not found above " + System.AppContext.BaseDirectory);
    }
}
