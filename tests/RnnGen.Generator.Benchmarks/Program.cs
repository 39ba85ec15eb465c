using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Runtime.InteropServices;
using System.Text;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using RnnGen.Generator;

namespace RnnGen.Generator.Benchmarks;

/// <summary>
/// What the RnnGen generator costs inside the compiler. Builds a <see cref="CSharpCompilation"/>
/// with N network declarations of varied shapes (one file each, plus one file of ordinary code) and
/// runs the generator through <see cref="CSharpGeneratorDriver"/>:
/// <list type="bullet">
/// <item>cold: the first run in this process (JIT of the generator and of Roslyn's pipeline included);</item>
/// <item>full: a new driver on a new compilation, warm process (a command-line build with a warm compiler server);</item>
/// <item>incremental: the same driver after one declaration's HiddenSize is edited (the IDE, typing);</item>
/// <item>unrelated: the same driver after an edit of the ordinary file (must regenerate nothing).</item>
/// </list>
/// Each count is also run with all declarations in one file (one semantic model instead of N), and
/// with <see cref="BaselineGenerator"/>: the floor that Roslyn's ForAttributeWithMetadataName costs
/// any attribute-driven generator before it does any work of its own.
/// Usage: <c>dotnet run -c Release --project tests/RnnGen.Generator.Benchmarks [-- --counts 1,200] [--quick] [--verify] [--no-baseline]</c>.
/// </summary>
internal static class Program
{
    private static int Main(string[] args)
    {
        int[] counts = [1, 200];
        bool quick = args.Contains("--quick"), verify = args.Contains("--verify"), withBaseline = !args.Contains("--no-baseline");
        int c = Array.IndexOf(args, "--counts");
        if (c >= 0 && c + 1 < args.Length)
            counts = args[c + 1].Split(',').Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToArray();
        int repeats = quick ? 5 : 21;
        int warmups = quick ? 3 : 15;

        Console.WriteLine($"RnnGen generator cost   {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC");
        Console.WriteLine($".NET {Environment.Version}, {RuntimeInformation.OSDescription}, {Environment.ProcessorCount} logical processors, " +
                          $"Roslyn {typeof(CSharpCompilation).Assembly.GetName().Version}, load average at start: {LoadAverage()}");
        Console.WriteLine($"'full', 'incremental' and 'unrelated' are medians of {repeats} runs after {warmups} untimed ones (min–max in brackets):");
        Console.WriteLine("wall clock, and CPU time of the thread that runs the driver (what the generator costs, whatever else loads the machine).");
        Console.WriteLine();

        foreach (int n in counts)
        {
            new Bench(n, singleFile: false, baseline: false).Run(warmups, repeats, reportCold: n == counts[0], verify);
            if (n > 1 && !quick)
            {
                new Bench(n, singleFile: true, baseline: false).Run(warmups, repeats, reportCold: false, verify: false);
            }
            if (withBaseline) new Bench(n, singleFile: false, baseline: true).Run(warmups, repeats, reportCold: false, verify: false);
        }
        return 0;
    }

    private static string LoadAverage()
    {
        try { return File.ReadAllText("/proc/loadavg").Split(' ')[0]; }
        catch (IOException) { return "n/a"; }
        catch (UnauthorizedAccessException) { return "n/a"; }
    }
}

internal sealed class Bench(int networks, bool singleFile, bool baseline)
{
    private static readonly CSharpParseOptions s_parseOptions = new(LanguageVersion.Latest);
    private static readonly ImmutableArray<MetadataReference> s_references = References();

    public void Run(int warmups, int repeats, bool reportCold, bool verify)
    {
        string layout = singleFile ? "in one file" : $"one file each (+1 ordinary file)";
        Console.WriteLine($"── {(baseline ? "baseline generator (FAWMN + trivial output)" : "RnnGen generator")}: {networks} network declaration(s), {layout} ──");
        var trees = new List<SyntaxTree>();
        if (singleFile)
        {
            trees.Add(Parse(AllDeclarations(editedIndex: -1, hiddenDelta: 0), "Nets.cs"));
        }
        else
        {
            for (int i = 0; i < networks; i++) trees.Add(Parse(Declaration(i, hiddenDelta: 0), $"Net{i}.cs"));
        }
        trees.Add(Parse(OrdinaryCode(0), "Ordinary.cs"));
        CSharpCompilation compilation = Compile(trees);
        int edited = networks / 2;
        string editedPath = singleFile ? "Nets.cs" : $"Net{edited}.cs";
        string EditedText(int delta) => singleFile ? AllDeclarations(edited, delta) : Declaration(edited, delta);

        // Cold: the first generator runs of the process. The baseline goes first, on its own
        // compilation, and pays for JIT-compiling Roslyn's binder and driver; RnnGen's first run
        // that follows, on a fresh compilation, is then what a build pays for RnnGen's own code.
        if (reportCold)
        {
            CSharpCompilation forBaseline = Compile(trees.Select(t => Parse(t.ToString(), t.FilePath)));
            GeneratorDriver coldDriver = null!;
            Sample roslyn = Sample.Measure(() => coldDriver = new Bench(networks, singleFile, baseline: true).NewDriver(track: false).RunGenerators(forBaseline));
            Sample cold = Sample.Measure(() => coldDriver = NewDriver(track: false).RunGenerators(compilation));
            Check(coldDriver, networks);
            Console.WriteLine($"cold, first generator run in the process (baseline; Roslyn's JIT): {Ms(roslyn.Wall)} wall, {Ms(roslyn.Cpu)} CPU");
            Console.WriteLine($"cold, RnnGen's first run after it (its own JIT and work):        {Ms(cold.Wall)} wall, {Ms(cold.Cpu)} CPU");
        }

        // Full: a fresh driver and a fresh compilation each time (nothing cached), warm process.
        var full = new List<Sample>();
        GeneratorDriver driver = null!;
        for (int r = 0; r < warmups + repeats; r++)
        {
            CSharpCompilation fresh = Compile(trees.Select(t => Parse(t.ToString(), t.FilePath)));
            Sample sample = Sample.Measure(() => driver = NewDriver(track: false).RunGenerators(fresh));
            if (r >= warmups) full.Add(sample);
            compilation = fresh;
        }
        GeneratorDriverRunResult fullResult = Check(driver, networks);
        long chars = fullResult.Results[0].GeneratedSources.Sum(s => (long)s.SourceText.Length);
        long lines = fullResult.Results[0].GeneratedSources.Sum(s => (long)s.SourceText.Lines.Count);
        Console.WriteLine($"full run (new driver):       {Summary(full)}");
        Console.WriteLine($"  per network:               {Ms(Median(full, s => s.Wall) / networks)} wall, {Ms(Median(full, s => s.Cpu) / networks)} CPU");
        Console.WriteLine($"  generated: {networks} files, {lines:N0} lines, {chars / 1024.0:N0} KiB ({lines / networks:N0} lines per network)");
        if (!baseline)
        {
            // For scale: the driver parses every new or changed generated file into a syntax tree,
            // so an edit costs at least one parse of that network's file.
            var parses = new List<Sample>();
            ImmutableArray<GeneratedSourceResult> files = fullResult.Results[0].GeneratedSources;
            for (int r = 0; r < warmups + repeats; r++)
            {
                GeneratedSourceResult file = files[r % files.Length];
                Sample sample = Sample.Measure(() => CSharpSyntaxTree.ParseText(file.SourceText, s_parseOptions, file.HintName).GetRoot());
                if (r >= warmups) parses.Add(sample);
            }
            Console.WriteLine($"  parsing one generated file: {Summary(parses)}");
        }

        // Incremental: the driver from the full run, one declaration's HiddenSize edited.
        var incremental = new List<Sample>();
        for (int r = 0; r < warmups + repeats; r++)
        {
            SyntaxTree oldTree = compilation.SyntaxTrees.Single(t => t.FilePath == editedPath);
            compilation = compilation.ReplaceSyntaxTree(oldTree, Parse(EditedText(r + 1), oldTree.FilePath));
            CSharpCompilation current = compilation;
            Sample sample = Sample.Measure(() => driver = driver.RunGenerators(current));
            if (r >= warmups) incremental.Add(sample);
        }
        Console.WriteLine($"incremental, 1 edited:       {Summary(incremental)}");

        // Unrelated: an edit of the ordinary file; every network step must stay cached.
        var unrelated = new List<Sample>();
        for (int r = 0; r < warmups + repeats; r++)
        {
            SyntaxTree oldTree = compilation.SyntaxTrees.Single(t => t.FilePath == "Ordinary.cs");
            compilation = compilation.ReplaceSyntaxTree(oldTree, Parse(OrdinaryCode(r + 1), oldTree.FilePath));
            CSharpCompilation current = compilation;
            Sample sample = Sample.Measure(() => driver = driver.RunGenerators(current));
            if (r >= warmups) unrelated.Add(sample);
        }
        Console.WriteLine($"incremental, unrelated edit: {Summary(unrelated)}");

        // The same two edits once more with step tracking on (slower, so not timed): what re-ran.
        if (!baseline)
        {
            GeneratorDriver tracked = NewDriver(track: true).RunGenerators(compilation);
            SyntaxTree target = compilation.SyntaxTrees.Single(t => t.FilePath == editedPath);
            CSharpCompilation afterEdit = compilation.ReplaceSyntaxTree(target, Parse(EditedText(1000), target.FilePath));
            tracked = tracked.RunGenerators(afterEdit);
            Console.WriteLine($"  after the edit, step outputs: {Reasons(tracked)}");
            SyntaxTree ordinary = afterEdit.SyntaxTrees.Single(t => t.FilePath == "Ordinary.cs");
            tracked = tracked.RunGenerators(afterEdit.ReplaceSyntaxTree(ordinary, Parse(OrdinaryCode(-1), ordinary.FilePath)));
            Console.WriteLine($"  after the unrelated edit:     {Reasons(tracked)}");
        }

        if (verify)
        {
            var sw = Stopwatch.StartNew();
            driver.RunGeneratorsAndUpdateCompilation(compilation, out Compilation output, out _);
            Diagnostic[] problems = output.GetDiagnostics().Where(d => d.Severity >= DiagnosticSeverity.Warning).ToArray();
            sw.Stop();
            Console.WriteLine($"verify: the generated code compiles with {problems.Length} warnings/errors ({sw.Elapsed.TotalSeconds:0.0} s)");
            foreach (Diagnostic d in problems.Take(10)) Console.WriteLine("  " + d);
        }
        Console.WriteLine();
    }

    /// <summary>Network i: cell, layers, direction, embedding and head vary with i, so no two neighbours share a shape.</summary>
    private string AllDeclarations(int editedIndex, int hiddenDelta)
    {
        var text = new StringBuilder("using RnnGen;\n\nnamespace Bench.Models;\n\n");
        for (int i = 0; i < networks; i++)
            text.Append(CultureInfo.InvariantCulture, $"/// <summary>Benchmark network {i}.</summary>\n[RecurrentNetwork({Arguments(i, i == editedIndex ? hiddenDelta : 0)})]\npublic partial class Net{i};\n\n");
        return text.ToString();
    }

    private static string Declaration(int i, int hiddenDelta) => string.Create(CultureInfo.InvariantCulture, $$"""
        using RnnGen;

        namespace Bench.Models{{i % 10}};

        /// <summary>Benchmark network {{i}}.</summary>
        [RecurrentNetwork({{Arguments(i, hiddenDelta)}})]
        public partial class Net{{i}};
        """);

    private static string Arguments(int i, int hiddenDelta)
    {
        string cell = (i % 3) switch { 0 => "Lstm", 1 => "Gru", _ => "Rnn" };
        int input = 8 + (i % 7) * 8, hidden = 16 + (i % 5) * 16 + hiddenDelta, layers = 1 + (i % 4 == 3 ? 2 : i % 2);
        var args = new StringBuilder($"CellKind.{cell}, InputSize = {input}, HiddenSize = {hidden}");
        if (layers > 1) args.Append($", Layers = {layers}");
        if (i % 4 == 1) args.Append(", Direction = Direction.Bidirectional");
        if (cell == "Rnn" && i % 2 == 0) args.Append(", Nonlinearity = Nonlinearity.Relu");
        if (i % 3 == 1) args.Append($", VocabularySize = {1000 + i}");
        if (i % 5 != 4) args.Append($", OutputSize = {3 + i % 17}");
        return args.ToString();
    }

    private static string OrdinaryCode(int version) => string.Create(CultureInfo.InvariantCulture, $$"""
        namespace Bench;

        public static class Ordinary
        {
            public static int Value => {{version}};
            public static string Describe(int x) => x switch { 0 => "zero", 1 => "one", _ => "many" };
        }
        """);

    private static SyntaxTree Parse(string text, string path) => CSharpSyntaxTree.ParseText(text, s_parseOptions, path);

    private static CSharpCompilation Compile(IEnumerable<SyntaxTree> trees) =>
        CSharpCompilation.Create("Bench", trees, s_references,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));

    private GeneratorDriver NewDriver(bool track) =>
        CSharpGeneratorDriver.Create([baseline ? new BaselineGenerator().AsSourceGenerator() : new RecurrentNetworkGenerator().AsSourceGenerator()], parseOptions: s_parseOptions,
            driverOptions: new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: track));

    private static GeneratorDriverRunResult Check(GeneratorDriver driver, int networks)
    {
        GeneratorDriverRunResult result = driver.GetRunResult();
        GeneratorRunResult run = result.Results.Single();
        if (run.Exception is not null) throw new InvalidOperationException("The generator threw.", run.Exception);
        if (run.GeneratedSources.Length != networks || !run.Diagnostics.IsEmpty)
            throw new InvalidOperationException($"Expected {networks} generated files and no diagnostics; got {run.GeneratedSources.Length} files and: " +
                                                string.Join("; ", run.Diagnostics));
        return result;
    }

    private static string Reasons(GeneratorDriver driver)
    {
        GeneratorRunResult run = driver.GetRunResult().Results.Single();
        var parts = new List<string>();
        foreach (string step in new[] { RecurrentNetworkGenerator.Steps.Declarations, RecurrentNetworkGenerator.Steps.Plans, RecurrentNetworkGenerator.Steps.Sources })
        {
            if (!run.TrackedSteps.TryGetValue(step, out ImmutableArray<IncrementalGeneratorRunStep> runs)) continue;
            var counts = runs.SelectMany(s => s.Outputs).GroupBy(o => o.Reason).OrderBy(g => g.Key)
                             .Select(g => $"{g.Count()} {g.Key}");
            parts.Add($"{step.Replace("RnnGen.", "")}: {string.Join(", ", counts)}");
        }
        return string.Join(" | ", parts);
    }

    private static ImmutableArray<MetadataReference> References()
    {
        string tpa = (string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!;
        var paths = tpa.Split(Path.PathSeparator).Where(p => Path.GetFileName(p).StartsWith("System.", StringComparison.Ordinal) ||
                                                             Path.GetFileName(p) is "mscorlib.dll" or "netstandard.dll").ToList();
        paths.Add(typeof(RnnGen.RecurrentNetworkAttribute).Assembly.Location);
        return paths.Distinct().Select(p => (MetadataReference)MetadataReference.CreateFromFile(p)).ToImmutableArray();
    }

    private static double Median(List<Sample> samples, Func<Sample, double> value)
    {
        var sorted = samples.Select(value).Order().ToList();
        return sorted[sorted.Count / 2];
    }

    private static string Summary(List<Sample> samples) =>
        $"{Ms(Median(samples, s => s.Wall)),9} wall [{Ms(samples.Min(s => s.Wall))}–{Ms(samples.Max(s => s.Wall))}], " +
        $"{Ms(Median(samples, s => s.Cpu)),9} CPU [{Ms(samples.Min(s => s.Cpu))}–{Ms(samples.Max(s => s.Cpu))}]";

    internal static string Ms(double ms) => ms.ToString(ms < 10 ? "0.00" : "0.0", CultureInfo.InvariantCulture) + " ms";
}

/// <summary>
/// One timed call: wall-clock milliseconds, and CPU milliseconds of the calling thread (the driver
/// runs the pipeline on it), which stays meaningful when other processes load the machine.
/// </summary>
internal readonly record struct Sample(double Wall, double Cpu)
{
    public static Sample Measure(Action action)
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        double cpu0 = ThreadCpuMilliseconds();
        long t0 = Stopwatch.GetTimestamp();
        action();
        double wall = Stopwatch.GetElapsedTime(t0).TotalMilliseconds;
        return new Sample(wall, ThreadCpuMilliseconds() - cpu0);
    }

    private const int ClockThreadCpuTimeId = 3;

    [StructLayout(LayoutKind.Sequential)]
    private struct TimeSpec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    [DllImport("libc", EntryPoint = "clock_gettime")]
    private static extern int ClockGetTime(int clock, out TimeSpec time);

    /// <summary>CPU time of the current thread (Linux); NaN elsewhere.</summary>
    private static double ThreadCpuMilliseconds()
    {
        if (!OperatingSystem.IsLinux()) return double.NaN;
        return ClockGetTime(ClockThreadCpuTimeId, out TimeSpec t) == 0 ? (t.Seconds * 1e3) + (t.Nanoseconds / 1e6) : double.NaN;
    }
}
