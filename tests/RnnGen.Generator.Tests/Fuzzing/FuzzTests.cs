using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using RnnGen.Generator.Tests.Infrastructure;
using Xunit;
using Xunit.Abstractions;

namespace RnnGen.Generator.Tests.Fuzzing;

/// <summary>
/// Thousands of random declarations through the generator. Properties checked for every case:
/// the generator never throws; generated code never has a warning or an error; the RNNG
/// diagnostics are exactly those the oracle predicts (when the attribute is valid C#), and a file
/// is generated exactly when there are none; and every case either compiles cleanly or carries
/// at least one error (ours or the compiler's) in its own file that says why.
/// </summary>
public sealed class FuzzTests(ITestOutputHelper output)
{
    private const int BatchSize = 50;

    /// <summary>Fixed by default so a failure reproduces; RNNGEN_FUZZ_SEED explores other sequences.</summary>
    private static readonly int Seed = EnvironmentInt("RNNGEN_FUZZ_SEED", 20_260_214);

    /// <summary>About 50 s of CPU for 2,000 cases; RNNGEN_FUZZ_CASES runs more (or fewer).</summary>
    private static readonly int CaseCount = EnvironmentInt("RNNGEN_FUZZ_CASES", 2000);

    private static int EnvironmentInt(string name, int fallback)
        => int.TryParse(Environment.GetEnvironmentVariable(name), System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out int value) ? value : fallback;

    [Fact]
    public void Random_declarations_are_either_generated_cleanly_or_explained_by_an_error()
    {
        var random = new Random(Seed);
        List<FuzzCase> cases = Enumerable.Range(0, CaseCount).Select(i => DeclarationFuzzer.Create(i, random)).ToList();
        var failures = new List<string>();
        var outcomes = new Dictionary<string, int>(StringComparer.Ordinal);
        var idCounts = new SortedDictionary<string, int>(StringComparer.Ordinal);
        var stopwatch = Stopwatch.StartNew();
        TimeSpan cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
        Stopwatch generating = new(), compiling = new();
        long generatedLines = 0, largest = 0;

        // One driver for the whole run; each batch is one compilation of BatchSize files.
        GeneratorDriver driver = GeneratorHarness.CreateDriver();
        foreach (FuzzCase[] batch in cases.Chunk(BatchSize))
        {
            CSharpCompilation compilation = GeneratorHarness.CreateCompilation(batch.Select(c => new SourceFile(c.FileName, c.Source)), "Fuzz");
            generating.Start();
            GeneratorRun run = GeneratorHarness.TryRun(driver, compilation);
            generating.Stop();
            if (run.Failure is not null)
            {
                failures.Add(FindCrash(batch) ?? "A batch failed but no single case does:\n" + run.Failure);
                continue;
            }
            driver = run.Driver;
            generatedLines += run.Sources.Values.Sum(t => t.Count(ch => ch == '\n'));
            largest = Math.Max(largest, run.Sources.Values.Select(t => t.Count(ch => ch == '\n')).DefaultIfEmpty().Max());
            compiling.Start();
            _ = run.CompilationDiagnostics;
            compiling.Stop();
            CheckBatch(batch, run, failures, outcomes, idCounts);
        }
        stopwatch.Stop();
        TimeSpan cpu = Process.GetCurrentProcess().TotalProcessorTime - cpuBefore;

        output.WriteLine($"{CaseCount} cases (seed {Seed}) in {stopwatch.Elapsed.TotalSeconds:F1} s ({cpu.TotalSeconds:F1} s CPU in this process): generator {generating.Elapsed.TotalSeconds:F1} s, compiler diagnostics {compiling.Elapsed.TotalSeconds:F1} s; {generatedLines} generated lines, largest file {largest}");
        foreach (var (outcome, count) in outcomes.OrderBy(o => o.Key, StringComparer.Ordinal)) output.WriteLine($"  {outcome}: {count}");
        output.WriteLine("  RNNG diagnostics seen: " + string.Join(", ", idCounts.Select(kv => $"{kv.Key}×{kv.Value}")));

        Assert.True(failures.Count == 0, $"{failures.Count} of {CaseCount} fuzz cases failed (seed {Seed}); the first ones:\n\n" + string.Join("\n\n", failures.Take(8)));

        // The fuzzer must reach every diagnostic (RNNG0099 aside), and plenty of valid networks.
        if (CaseCount < 1000) return;
        foreach (string id in Enumerable.Range(1, 12).Select(i => "RNNG" + i.ToString("0000", System.Globalization.CultureInfo.InvariantCulture)))
            Assert.True(idCounts.ContainsKey(id), id + " was never produced; the fuzzer's distribution needs a look.");
        if (CaseCount >= 1000)
            Assert.True(outcomes.GetValueOrDefault("generated cleanly") >= CaseCount / 10, "Too few valid networks among the cases.");
    }

    private static void CheckBatch(FuzzCase[] batch, GeneratorRun run, List<string> failures, Dictionary<string, int> outcomes, SortedDictionary<string, int> idCounts)
    {
        var casesByHint = batch.ToDictionary(c => c.HintName, StringComparer.Ordinal);
        foreach (string hint in run.Sources.Keys.Where(h => !casesByHint.ContainsKey(h)))
            failures.Add($"Generated file '{hint}' belongs to no case of batch {batch[0].Index}..{batch[^1].Index}.");

        ILookup<string, Diagnostic> generatorByFile = run.GeneratorDiagnostics.ToLookup(d => d.Location.GetLineSpan().Path, StringComparer.Ordinal);
        var problems = run.CompilationDiagnostics.Where(d => d.Severity >= DiagnosticSeverity.Warning && d.Location.SourceTree is not null).ToList();
        ILookup<string, Diagnostic> userByFile = problems
            .Where(d => !run.GeneratedTrees.Contains(d.Location.SourceTree!) && d.Id != "CS1591")
            .ToLookup(d => d.Location.SourceTree!.FilePath, StringComparer.Ordinal);
        ILookup<string, Diagnostic> generatedByHint = problems
            .Where(d => run.GeneratedTrees.Contains(d.Location.SourceTree!))
            .ToLookup(d => Path.GetFileName(d.Location.SourceTree!.FilePath), StringComparer.Ordinal);

        foreach (FuzzCase c in batch)
        {
            var ours = generatorByFile[c.FileName].ToList();
            var user = userByFile[c.FileName].ToList();
            var inGenerated = generatedByHint[c.HintName].ToList();
            bool generated = run.Sources.ContainsKey(c.HintName);
            foreach (Diagnostic d in ours) idCounts[d.Id] = idCounts.GetValueOrDefault(d.Id) + 1;

            var why = new List<string>();
            if (inGenerated.Count > 0) why.Add("the generated code has warnings or errors");
            if (c.AttributeIsWellFormed)
            {
                string[] actualIds = ours.Select(d => d.Id).OrderBy(id => id, StringComparer.Ordinal).ToArray();
                if (!actualIds.SequenceEqual(c.ExpectedIds))
                    why.Add($"expected RNNG [{string.Join(", ", c.ExpectedIds)}] but got [{string.Join(", ", actualIds)}]");
                if (generated != c.ExpectGenerated)
                    why.Add(c.ExpectGenerated ? "expected a generated file, got none" : "expected no generated file, got one");
            }
            bool userError = user.Any(d => d.Severity == DiagnosticSeverity.Error);
            if (c.ExpectCompilerError && !userError) why.Add("expected a compiler error in the case's file, got none");
            if (!c.ExpectCompilerError && user.Count > 0) why.Add("the compiler reports problems in valid user code");

            // The property the whole test is about.
            bool explained = userError || ours.Any(d => d.Severity == DiagnosticSeverity.Error);
            bool clean = generated && user.Count == 0 && ours.Count == 0 && inGenerated.Count == 0;
            if (!explained && !clean) why.Add("neither generated cleanly nor explained by an error");

            string outcome = clean ? "generated cleanly"
                : ours.Count > 0 && userError ? "RNNG and compiler errors"
                : ours.Count > 0 ? "RNNG errors only"
                : userError ? "compiler errors only" : "unexplained";
            outcomes[outcome] = outcomes.GetValueOrDefault(outcome) + 1;

            if (why.Count > 0)
            {
                failures.Add($"Case {c.Index}: {string.Join("; ", why)}\n--- {c.FileName}\n{c.Source}---\n" +
                    "Generator:\n" + GeneratorRun.Format(ours) + "\nCompiler (case file):\n" + GeneratorRun.Format(user) +
                    "\nCompiler (generated file):\n" + GeneratorRun.Format(inGenerated.Take(5)));
            }
        }
    }

    /// <summary>Runs each case of a failed batch alone to name the one that makes the generator fail.</summary>
    private static string? FindCrash(FuzzCase[] batch)
    {
        foreach (FuzzCase c in batch)
        {
            GeneratorRun single = GeneratorHarness.TryRun(GeneratorHarness.CreateDriver(), GeneratorHarness.CreateCompilation(new[] { new SourceFile(c.FileName, c.Source) }));
            if (single.Failure is not null) return $"Case {c.Index} makes the generator fail: {single.Failure}\n--- {c.FileName}\n{c.Source}---";
        }
        return null;
    }
}
