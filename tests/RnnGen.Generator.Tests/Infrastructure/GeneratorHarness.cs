using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.IO;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using RnnGen.Generator;
using Xunit;

namespace RnnGen.Generator.Tests.Infrastructure;

/// <summary>One source file handed to the compiler: a path (used in diagnostics) and its text.</summary>
public readonly record struct SourceFile(string Path, string Text);

/// <summary>
/// Runs <see cref="RecurrentNetworkGenerator"/> the way the compiler does: builds a compilation
/// from source text, runs a driver with step tracking on, and returns what came out. Every run
/// asserts that the generator did not throw, so no test can pass on a generator crash.
/// </summary>
public static class GeneratorHarness
{
    /// <summary>C# as a .NET 10 project compiles it; documentation mode on so that generated XML docs and crefs are checked too.</summary>
    public static readonly CSharpParseOptions ParseOptions = CSharpParseOptions.Default
        .WithLanguageVersion(LanguageVersion.Latest)
        .WithDocumentationMode(DocumentationMode.Diagnose);

    /// <summary>A library with nullable on and every warning wave enabled (as the SDK does with AnalysisLevel=latest).</summary>
    public static readonly CSharpCompilationOptions CompilationOptions = new(
        OutputKind.DynamicallyLinkedLibrary,
        nullableContextOptions: NullableContextOptions.Enable,
        warningLevel: 9999,
        deterministic: true);

    private static readonly Lazy<ImmutableArray<MetadataReference>> s_references = new(LoadReferences);

    /// <summary>The framework (trusted platform assemblies) plus the RnnGen runtime; never the generator or the test tooling's own RnnGen.Generator.</summary>
    public static ImmutableArray<MetadataReference> References => s_references.Value;

    private static ImmutableArray<MetadataReference> LoadReferences()
    {
        string runtime = typeof(RecurrentNetworkAttribute).Assembly.Location;
        string generator = typeof(RecurrentNetworkGenerator).Assembly.Location;
        var paths = ((string?)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES") ?? "")
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Append(runtime)
            .Where(p => !string.Equals(Path.GetFullPath(p), Path.GetFullPath(generator), StringComparison.Ordinal))
            .Where(p => p.EndsWith(".dll", StringComparison.OrdinalIgnoreCase))
            .GroupBy(p => Path.GetFileName(p), StringComparer.OrdinalIgnoreCase) // one reference per assembly name
            .Select(g => g.First());
        return paths.Select(p => (MetadataReference)MetadataReference.CreateFromFile(p)).ToImmutableArray();
    }

    /// <summary>Parses <paramref name="files"/> into a compilation against <see cref="References"/>.</summary>
    public static CSharpCompilation CreateCompilation(IEnumerable<SourceFile> files, string assemblyName = "GeneratorTestInput")
        => CSharpCompilation.Create(
            assemblyName,
            files.Select(f => CSharpSyntaxTree.ParseText(f.Text, ParseOptions, f.Path)),
            References,
            CompilationOptions);

    /// <summary>A driver for the RnnGen generator with every step tracked.</summary>
    public static GeneratorDriver CreateDriver()
        => CSharpGeneratorDriver.Create(
            new[] { new RecurrentNetworkGenerator().AsSourceGenerator() },
            additionalTexts: null,
            parseOptions: ParseOptions,
            optionsProvider: null,
            driverOptions: new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: true));

    /// <summary>Runs the generator on one file called Input.cs.</summary>
    public static GeneratorRun Run(string source) => Run(new[] { new SourceFile("Input.cs", source) });

    /// <summary>Runs the generator on several files (Input0.cs, Input1.cs, …).</summary>
    public static GeneratorRun Run(params string[] sources)
        => Run(sources.Select((s, i) => new SourceFile("Input" + i + ".cs", s)));

    /// <summary>Runs a fresh driver on the given files.</summary>
    public static GeneratorRun Run(IEnumerable<SourceFile> files)
        => Run(CreateDriver(), CreateCompilation(files));

    /// <summary>
    /// Runs <paramref name="driver"/> (a fresh one, or the driver of an earlier run for incremental tests)
    /// on <paramref name="compilation"/>, asserting that the generator did not throw.
    /// </summary>
    public static GeneratorRun Run(GeneratorDriver driver, CSharpCompilation compilation)
    {
        GeneratorRun run = TryRun(driver, compilation);
        run.AssertGeneratorDidNotFail();
        return run;
    }

    /// <summary>Like <see cref="Run(GeneratorDriver, CSharpCompilation)"/> but leaves checking <see cref="GeneratorRun.Failure"/> to the caller.</summary>
    public static GeneratorRun TryRun(GeneratorDriver driver, CSharpCompilation compilation)
    {
        driver = driver.RunGeneratorsAndUpdateCompilation(compilation, out Compilation output, out _);
        return new GeneratorRun(compilation, output, driver, driver.GetRunResult());
    }
}

/// <summary>What one generator run produced, with helpers to look at it.</summary>
public sealed class GeneratorRun
{
    private ImmutableArray<Diagnostic>? _compilationDiagnostics;

    public GeneratorRun(CSharpCompilation input, Compilation output, GeneratorDriver driver, GeneratorDriverRunResult result)
    {
        Input = input;
        Output = output;
        Driver = driver;
        Result = result;
        GeneratedTrees = result.GeneratedTrees.ToImmutableHashSet();
    }

    /// <summary>The compilation the generator saw.</summary>
    public CSharpCompilation Input { get; }

    /// <summary>The input plus the generated files.</summary>
    public Compilation Output { get; }

    /// <summary>The driver after the run, holding the incremental state for a next run.</summary>
    public GeneratorDriver Driver { get; }

    public GeneratorDriverRunResult Result { get; }

    /// <summary>The result of our (only) generator.</summary>
    public GeneratorRunResult Generator => Result.Results.Single();

    public ImmutableHashSet<SyntaxTree> GeneratedTrees { get; }

    /// <summary>Generated files by hint name (e.g. <c>Demo.PosTaggerNet.g.cs</c>), with \n line ends.</summary>
    public IReadOnlyDictionary<string, string> Sources
        => Generator.GeneratedSources.ToDictionary(s => s.HintName, s => s.SourceText.ToString(), StringComparer.Ordinal);

    /// <summary>Diagnostics the generator reported (RNNG…), in source order.</summary>
    public ImmutableArray<Diagnostic> GeneratorDiagnostics
        => Result.Diagnostics.OrderBy(d => d.Location.GetLineSpan().Path, StringComparer.Ordinal).ThenBy(d => d.Location.SourceSpan.Start).ThenBy(d => d.Id, StringComparer.Ordinal).ToImmutableArray();

    /// <summary>The compiler's diagnostics on the output compilation (user files and generated files).</summary>
    public ImmutableArray<Diagnostic> CompilationDiagnostics => _compilationDiagnostics ??= Output.GetDiagnostics();

    /// <summary>Compiler warnings and errors located in generated files. CS1591 counts: generated public API must be documented.</summary>
    public IEnumerable<Diagnostic> ProblemsInGeneratedCode
        => CompilationDiagnostics.Where(d => d.Severity >= DiagnosticSeverity.Warning && d.Location.SourceTree is { } t && GeneratedTrees.Contains(t));

    /// <summary>Compiler warnings and errors in the user's files, except CS1591 (test inputs carry no XML docs).</summary>
    public IEnumerable<Diagnostic> ProblemsInUserCode
        => CompilationDiagnostics.Where(d => d.Severity >= DiagnosticSeverity.Warning && d.Id != "CS1591" && !(d.Location.SourceTree is { } t && GeneratedTrees.Contains(t)));

    /// <summary>Every warning and error: the generator's and the compiler's (except CS1591 in user files).</summary>
    public IEnumerable<Diagnostic> AllProblems => GeneratorDiagnostics.Concat(ProblemsInUserCode).Concat(ProblemsInGeneratedCode);

    /// <summary>
    /// Why the generator failed, or null: it threw, caught an exception of its own (RNNG0099), or
    /// the driver reported a generator failure (CS8784/CS8785).
    /// </summary>
    public string? Failure
    {
        get
        {
            foreach (GeneratorRunResult r in Result.Results)
            {
                if (r.Exception is not null) return "The generator threw: " + r.Exception;
            }
            Diagnostic? failure = Result.Diagnostics.FirstOrDefault(d => d.Id is "RNNG0099" or "CS8784" or "CS8785");
            return failure is null ? null : "The generator failed: " + failure;
        }
    }

    /// <summary>Fails when <see cref="Failure"/> is set.</summary>
    public void AssertGeneratorDidNotFail()
    {
        string? failure = Failure;
        Assert.True(failure is null, failure);
    }

    /// <summary>Fails unless the output compilation has no warning and no error anywhere (generator diagnostics included).</summary>
    public void AssertCompilesCleanly()
    {
        var problems = AllProblems.ToList();
        Assert.True(problems.Count == 0, "Expected a clean compilation, got:\n" + Format(problems));
    }

    /// <summary>Fails when a generated file has a compiler warning or error.</summary>
    public void AssertGeneratedCodeCompiles()
    {
        var problems = ProblemsInGeneratedCode.ToList();
        Assert.True(problems.Count == 0, "Generated code does not compile cleanly:\n" + Format(problems));
    }

    public static string Format(IEnumerable<Diagnostic> diagnostics)
        => string.Join("\n", diagnostics.Select(d => "  " + d.ToString()));
}
