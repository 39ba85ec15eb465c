using System;
using System.Collections.Generic;
using System.Linq;
using RnnGen.Generator.Tests.Infrastructure;
using Xunit;

namespace RnnGen.Generator.Tests;

/// <summary>
/// Declarations that are broken, unusual or merely awkward. For each: the generator does not throw
/// (the harness checks), it reports exactly the expected RNNG diagnostics, the compiler reports the
/// expected errors in the user's code, it generates exactly the expected files, and whatever it
/// generates compiles without a warning.
/// </summary>
public sealed class MalformedDeclarationTests
{
    /// <param name="Files">Source files (Input0.cs, Input1.cs, …).</param>
    /// <param name="Generated">Expected hint names, or null where generating or not is incidental (the attribute has a compiler error).</param>
    /// <param name="GeneratorIds">Expected RNNG diagnostics, sorted.</param>
    /// <param name="CompilerIds">Compiler errors expected in the user's files; none other may appear.</param>
    public sealed record Case(string[] Files, string[]? Generated, string[] GeneratorIds, string[] CompilerIds);

    private static Case Valid(string hint, params string[] files) => new(files, new[] { hint }, Array.Empty<string>(), Array.Empty<string>());

    private static Case CompilerError(string[]? generated, string ids, params string[] files)
        => new(files, generated, Array.Empty<string>(), ids.Split(' '));

    private static readonly string[] None = Array.Empty<string>();
    private static readonly string[] NetHint = { "Demo.Net.g.cs" };
    private const string U = "using RnnGen;\nnamespace Demo;\n";

    private static readonly Dictionary<string, Case> s_cases = new()
    {
        // ── the attribute is wrong as C# ──
        ["missing constructor argument"] = CompilerError(None, "CS7036", U + "[RecurrentNetwork(InputSize = 4, HiddenSize = 8)] public partial class Net;"),
        ["no arguments at all"] = CompilerError(None, "CS7036", U + "[RecurrentNetwork] public partial class Net;"),
        ["int where CellKind is expected"] = CompilerError(None, "CS1503", U + "[RecurrentNetwork(1, InputSize = 4, HiddenSize = 8)] public partial class Net;"),
        ["HiddenSize = \"7\""] = CompilerError(None, "CS0029", U + "[RecurrentNetwork(CellKind.Lstm, InputSize = 4, HiddenSize = \"7\")] public partial class Net;"),
        ["HiddenSize = 1.5"] = CompilerError(null, "CS0266", U + "[RecurrentNetwork(CellKind.Lstm, InputSize = 4, HiddenSize = 1.5)] public partial class Net;"),
        ["Layers = 2L"] = CompilerError(null, "CS0266", U + "[RecurrentNetwork(CellKind.Lstm, InputSize = 4, HiddenSize = 8, Layers = 2L)] public partial class Net;"),
        ["HiddenSize = null"] = CompilerError(None, "CS0037", U + "[RecurrentNetwork(CellKind.Lstm, InputSize = 4, HiddenSize = null)] public partial class Net;"),
        ["non-constant argument"] = CompilerError(None, "CS0182", U + "[RecurrentNetwork(CellKind.Lstm, InputSize = 4, HiddenSize = System.Environment.ProcessorCount)] public partial class Net;"),
        ["static readonly field as argument"] = CompilerError(None, "CS0182", U + "static class Sizes { public static readonly int Hidden = 8; }\n[RecurrentNetwork(CellKind.Lstm, InputSize = 4, HiddenSize = Sizes.Hidden)] public partial class Net;"),
        ["constant overflow"] = CompilerError(None, "CS0220", U + "[RecurrentNetwork(CellKind.Lstm, InputSize = int.MaxValue + 1, HiddenSize = 8)] public partial class Net;"),
        ["unknown named argument"] = CompilerError(null, "CS0246", U + "[RecurrentNetwork(CellKind.Lstm, InputSize = 4, HiddenSize = 8, Dropout = 0.5)] public partial class Net;"),
        ["read-only Cell as named argument"] = CompilerError(None, "CS0617", U + "[RecurrentNetwork(CellKind.Lstm, Cell = CellKind.Gru, InputSize = 4, HiddenSize = 8)] public partial class Net;"),
        ["duplicate named argument"] = CompilerError(null, "CS0643", U + "[RecurrentNetwork(CellKind.Lstm, InputSize = 4, HiddenSize = 8, HiddenSize = 9)] public partial class Net;"),
        ["syntax error inside the attribute"] = CompilerError(null, "CS1525", U + "[RecurrentNetwork(CellKind.Lstm, InputSize = , HiddenSize = 8)] public partial class Net;"),
        ["attribute never closed"] = CompilerError(null, "CS1003", U + "[RecurrentNetwork(CellKind.Lstm, InputSize = 4, HiddenSize = 8)\npublic partial class Net;"),
        ["missing using RnnGen"] = CompilerError(None, "CS0246 CS0103", "namespace Demo;\n[RecurrentNetwork(CellKind.Lstm, InputSize = 4, HiddenSize = 8)] public partial class Net;"),

        // ── the rest of the file is wrong: the network is still generated ──
        ["syntax errors elsewhere in the file"] = CompilerError(NetHint, "CS1026 CS1525 CS1513", U + "[RecurrentNetwork(CellKind.Lstm, InputSize = 4, HiddenSize = 8)] public partial class Net;\nclass Broken { void M( { int x = ; }"),
        // Error recovery reads what follows an unclosed member as nested in 'Broken', which is not partial.
        ["syntax errors before the network nest it in the broken class"] = new(new[] { U + "class Broken { void M( { int x = ; }\n[RecurrentNetwork(CellKind.Lstm, InputSize = 4, HiddenSize = 8)] public partial class Net;" }, None, new[] { "RNNG0005" }, new[] { "CS1026", "CS1525", "CS1513" }),
        ["class body never closed"] = CompilerError(NetHint, "CS1513", U + "[RecurrentNetwork(CellKind.Lstm, InputSize = 4, HiddenSize = 8)] public partial class Net {\n public int X => 1;"),
        ["type error in a member of the network class"] = CompilerError(NetHint, "CS0029", U + "[RecurrentNetwork(CellKind.Lstm, InputSize = 4, HiddenSize = 8)] public partial class Net { public int X => \"no\"; }"),

        // ── the attribute on something that is not a class ──
        ["attribute on a struct"] = CompilerError(None, "CS0592", U + "[RecurrentNetwork(CellKind.Lstm, InputSize = 4, HiddenSize = 8)] public partial struct Net { }"),
        ["attribute on a record struct"] = CompilerError(None, "CS0592", U + "[RecurrentNetwork(CellKind.Lstm, InputSize = 4, HiddenSize = 8)] public partial record struct Net;"),
        ["attribute on an interface"] = CompilerError(None, "CS0592", U + "[RecurrentNetwork(CellKind.Lstm, InputSize = 4, HiddenSize = 8)] public partial interface Net { }"),
        ["attribute on an enum"] = CompilerError(None, "CS0592", U + "[RecurrentNetwork(CellKind.Lstm, InputSize = 4, HiddenSize = 8)] public enum Net { A }"),
        ["attribute on a method"] = CompilerError(None, "CS0592", U + "public partial class Net { [RecurrentNetwork(CellKind.Lstm, InputSize = 4, HiddenSize = 8)] public void M() { } }"),
        ["attribute on a property"] = CompilerError(None, "CS0592", U + "public partial class Net { [RecurrentNetwork(CellKind.Lstm, InputSize = 4, HiddenSize = 8)] public int P { get; set; } }"),
        ["attribute on the assembly"] = CompilerError(None, "CS0592", "using RnnGen;\n[assembly: RecurrentNetwork(CellKind.Lstm, InputSize = 4, HiddenSize = 8)]"),
        ["partial record"] = new(new[] { U + "[RecurrentNetwork(CellKind.Lstm, InputSize = 4, HiddenSize = 8)] public partial record Net;" }, None, new[] { "RNNG0010" }, None),

        // ── where the class lives ──
        ["file-scoped namespace"] = Valid("Demo.Net.g.cs", U + "[RecurrentNetwork(CellKind.Lstm, InputSize = 4, HiddenSize = 8)] public partial class Net;"),
        ["block namespace"] = Valid("Demo.Net.g.cs", "using RnnGen;\nnamespace Demo\n{\n    [RecurrentNetwork(CellKind.Lstm, InputSize = 4, HiddenSize = 8)] public partial class Net;\n}"),
        ["nested namespaces"] = Valid("A.B.C.Net.g.cs", "using RnnGen;\nnamespace A { namespace B.C { [RecurrentNetwork(CellKind.Gru, InputSize = 4, HiddenSize = 8)] partial class Net { } } }"),
        ["global namespace"] = Valid("Net.g.cs", "using RnnGen;\n[RecurrentNetwork(CellKind.Lstm, InputSize = 4, HiddenSize = 8)] public partial class Net;"),
        ["keywords as names"] = Valid("class.event.int.g.cs", "using RnnGen;\nnamespace @class.@event;\n[RecurrentNetwork(CellKind.Lstm, InputSize = 4, HiddenSize = 8)] public partial class @int { public @int Self() => this; }"),
        ["nested two levels deep"] = Valid("Demo.Outer.Middle.Net.g.cs", U + "public partial class Outer { internal partial class Middle { [RecurrentNetwork(CellKind.Rnn, InputSize = 4, HiddenSize = 8)] private partial class Net; } }"),
        ["nested in a static class"] = Valid("Demo.Outer.Net.g.cs", U + "public static partial class Outer { [RecurrentNetwork(CellKind.Lstm, InputSize = 4, HiddenSize = 8)] public partial class Net; }"),
        ["nested in a struct"] = Valid("Demo.Outer.Net.g.cs", U + "public readonly partial struct Outer { [RecurrentNetwork(CellKind.Lstm, InputSize = 4, HiddenSize = 8)] public partial class Net; }"),
        ["nested in a ref struct"] = Valid("Demo.Outer.Net.g.cs", U + "public ref partial struct Outer { [RecurrentNetwork(CellKind.Lstm, InputSize = 4, HiddenSize = 8)] public partial class Net; }"),
        ["nested in a record"] = Valid("Demo.Outer.Net.g.cs", U + "public partial record Outer(int Id) { [RecurrentNetwork(CellKind.Lstm, InputSize = 4, HiddenSize = 8)] public partial class Net; }"),
        ["nested in a record struct"] = Valid("Demo.Outer.Net.g.cs", U + "public partial record struct Outer { [RecurrentNetwork(CellKind.Lstm, InputSize = 4, HiddenSize = 8)] public partial class Net; }"),
        ["nested in an interface"] = Valid("Demo.IOuter.Net.g.cs", U + "public partial interface IOuter { [RecurrentNetwork(CellKind.Lstm, InputSize = 4, HiddenSize = 8)] public partial class Net; }"),
        ["nested in a non-partial class"] = new(new[] { U + "public class Outer { [RecurrentNetwork(CellKind.Lstm, InputSize = 4, HiddenSize = 8)] public partial class Net; }" }, None, new[] { "RNNG0005" }, None),

        // ── how the class and attribute are written ──
        ["partial class split across two files"] = Valid("Demo.Net.g.cs",
            U + "[RecurrentNetwork(CellKind.Lstm, InputSize = 4, HiddenSize = 8)] public partial class Net;",
            U + "public partial class Net { public int Total => ParameterCount * Layers; public Net(int seed) : this((ulong)seed) { } }"),
        ["attribute on both parts of a split class"] = new(new[]
            {
                U + "[RecurrentNetwork(CellKind.Lstm, InputSize = 4, HiddenSize = 8)] public partial class Net;",
                U + "[RecurrentNetwork(CellKind.Lstm, InputSize = 4, HiddenSize = 8)] public partial class Net;",
            }, None, new[] { "RNNG0008", "RNNG0008" }, new[] { "CS0579" }),
        ["fully qualified attribute without using"] = Valid("Demo.Net.g.cs", "namespace Demo;\n[global::RnnGen.RecurrentNetworkAttribute(global::RnnGen.CellKind.Gru, InputSize = 4, HiddenSize = 8)] public partial class Net;"),
        ["attribute through a using alias"] = Valid("Demo.Net.g.cs", "using RN = RnnGen.RecurrentNetworkAttribute;\nusing RnnGen;\nnamespace Demo;\n[RN(CellKind.Gru, InputSize = 4, HiddenSize = 8)] public partial class Net;"),
        ["named constructor argument"] = Valid("Demo.Net.g.cs", U + "[RecurrentNetwork(cell: CellKind.Gru, InputSize = 4, HiddenSize = 8)] public partial class Net;"),
        ["constants and expressions as arguments"] = Valid("Demo.Net.g.cs", U + "static class Sizes { public const int Hidden = 8; }\n[RecurrentNetwork((CellKind)1, InputSize = 'A' - 60, HiddenSize = Sizes.Hidden * 2, Layers = (byte)2, Direction = (Direction)1, OutputSize = 0x10)] public partial class Net;"),
        ["comments and attributes mixed in"] = Valid("Demo.Net.g.cs", U + "/// <summary>A network.</summary>\n[System.Diagnostics.DebuggerDisplay(\"net\"), RecurrentNetwork(/* cell */ CellKind.Lstm, InputSize = 4, // input\n HiddenSize = 8)]\n[type: System.Serializable]\npublic sealed partial class Net;"),
        ["members of the user's own"] = Valid("Demo.Net.g.cs", U + "[RecurrentNetwork(CellKind.Lstm, InputSize = 4, HiddenSize = 8)] public partial class Net : System.IDisposable { public string Name { get; set; } = \"\"; public void Dispose() { } public static Net Create() => new Net(42); }"),
        ["two networks in one file"] = new(new[] { U + "[RecurrentNetwork(CellKind.Lstm, InputSize = 4, HiddenSize = 8)] public partial class A;\n[RecurrentNetwork(CellKind.Gru, InputSize = 4, HiddenSize = 8)] public partial class B;" }, new[] { "Demo.A.g.cs", "Demo.B.g.cs" }, None, None),
        ["a look-alike attribute from another namespace"] = Valid("Demo.Net.g.cs", "namespace Other { [System.AttributeUsage(System.AttributeTargets.Class)] public sealed class RecurrentNetworkAttribute : System.Attribute { public int InputSize { get; set; } } }\nnamespace Demo { [Other.RecurrentNetwork(InputSize = 3)] public partial class Fake; [RnnGen.RecurrentNetwork(RnnGen.CellKind.Rnn, InputSize = 1, HiddenSize = 1)] public partial class Net; }"),
        ["inside #if of an undefined symbol"] = new(new[] { U + "#if NEVER_DEFINED\n[RecurrentNetwork(CellKind.Lstm, InputSize = 4, HiddenSize = 8)] public partial class Net;\n#endif" }, None, None, None),
    };

    public static TheoryData<string> Cases() => new(s_cases.Keys);

    [Theory]
    [MemberData(nameof(Cases))]
    public void Generator_never_throws_and_reports_or_generates_what_is_expected(string name)
    {
        Case c = s_cases[name];
        GeneratorRun run = GeneratorHarness.Run(c.Files); // asserts the generator did not fail

        string details = "\nGenerator:\n" + GeneratorRun.Format(run.GeneratorDiagnostics) + "\nCompiler (user code):\n" + GeneratorRun.Format(run.ProblemsInUserCode);
        Assert.True(c.GeneratorIds.SequenceEqual(run.GeneratorDiagnostics.Select(d => d.Id)), "Unexpected generator diagnostics." + details);
        var compilerIds = run.ProblemsInUserCode.Select(d => d.Id).Distinct().ToHashSet();
        Assert.True(compilerIds.SetEquals(c.CompilerIds), "Unexpected compiler diagnostics in user code." + details);
        if (c.Generated is not null)
            Assert.Equal(c.Generated, run.Sources.Keys.OrderBy(k => k, StringComparer.Ordinal).ToArray());
        run.AssertGeneratedCodeCompiles();
    }

    [Fact]
    public void Networks_whose_names_differ_only_in_case()
    {
        GeneratorRun run = GeneratorHarness.Run(U + "[RecurrentNetwork(CellKind.Lstm, InputSize = 4, HiddenSize = 8)] public partial class Net;\n[RecurrentNetwork(CellKind.Lstm, InputSize = 4, HiddenSize = 8)] public partial class NET;");
        Assert.Equal(2, run.Sources.Count);
        run.AssertCompilesCleanly();
    }

    [Theory]
    [InlineData("Forward")]
    [InlineData("Parameters")]
    [InlineData("WeightIhL0")]
    public void Network_named_like_a_generated_member(string name)
    {
        GeneratorRun run = GeneratorHarness.Run(U + $"[RecurrentNetwork(CellKind.Lstm, InputSize = 4, HiddenSize = 8)] public partial class {name};");
        Assert.Equal(["RNNG0013"], run.GeneratorDiagnostics.Select(d => d.Id).ToArray());
        Assert.Empty(run.Sources);
    }
}
