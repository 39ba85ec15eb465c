using System;
using System.Globalization;
using System.IO;
using System.IO.Compression;
using System.Linq;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using Xunit;
using Xunit.Abstractions;

namespace RnnGen.Package.Tests;

/// <summary>
/// The RnnGen package as a user gets it: its layout and metadata, and a consumer app that builds
/// warning-free against it, trains and runs, and publishes as a NativeAOT executable that prints
/// the same numbers.
/// </summary>
public sealed class PackageTests(PackageFixture fixture, ITestOutputHelper output) : IClassFixture<PackageFixture>
{
    // Sizes of the consumer's SequenceClassifier: LSTM I=8, H=16 and a head of 3 classes.
    private const int ExpectedParameters = (4 * 16 * (8 + 16)) + (2 * 4 * 16) + (3 * 16) + 3;
    private const int Batch = 24;

    [Fact]
    public void Package_holds_the_runtime_with_docs_the_generator_as_analyzer_and_the_readme()
    {
        Log(fixture.PackResult);
        using ZipArchive zip = ZipFile.OpenRead(fixture.PackagePath);
        string[] files = zip.Entries.Select(e => e.FullName).Where(n => !n.EndsWith('/')).ToArray();
        output.WriteLine(string.Join("\n", files));

        Assert.Contains("lib/net10.0/RnnGen.dll", files);
        Assert.Contains("lib/net10.0/RnnGen.xml", files);
        Assert.Contains("analyzers/dotnet/cs/RnnGen.Generator.dll", files);
        Assert.Contains("README.md", files);
        // Nothing else is referenced by a consumer's compilation or shipped as an analyzer.
        Assert.Equal(["lib/net10.0/RnnGen.dll", "lib/net10.0/RnnGen.xml"], files.Where(f => f.StartsWith("lib/", StringComparison.Ordinal)).Order(StringComparer.Ordinal));
        Assert.Equal(["analyzers/dotnet/cs/RnnGen.Generator.dll"], files.Where(f => f.StartsWith("analyzers/", StringComparison.Ordinal)));
        Assert.DoesNotContain(files, f => f.Contains("Microsoft.CodeAnalysis", StringComparison.OrdinalIgnoreCase));
        Assert.DoesNotContain(files, f => f.StartsWith("ref/", StringComparison.Ordinal) || f.StartsWith("runtimes/", StringComparison.Ordinal));

        // One package: the generator is inside it, not a package of its own.
        Assert.Equal([Path.GetFileName(fixture.PackagePath)], Directory.GetFiles(fixture.FeedDirectory, "*.nupkg").Select(Path.GetFileName));

        string readme = ReadEntry(zip, "README.md");
        Assert.Contains("[RecurrentNetwork(", readme, StringComparison.Ordinal);
    }

    [Fact]
    public void Package_metadata_has_licence_readme_description_tags_repository_and_no_Roslyn_dependency()
    {
        using ZipArchive zip = ZipFile.OpenRead(fixture.PackagePath);
        ZipArchiveEntry nuspecEntry = Assert.Single(zip.Entries, e => e.FullName.EndsWith(".nuspec", StringComparison.Ordinal));
        XElement metadata = XDocument.Parse(ReadEntry(zip, nuspecEntry.FullName)).Root!.Elements().Single(e => e.Name.LocalName == "metadata");
        output.WriteLine(metadata.ToString());
        string? Field(string name) => metadata.Elements().FirstOrDefault(e => e.Name.LocalName == name)?.Value;

        Assert.Equal("RnnGen", Field("id"));
        Assert.Equal(fixture.Version, Field("version"));
        XElement license = metadata.Elements().Single(e => e.Name.LocalName == "license");
        Assert.Equal("expression", license.Attribute("type")?.Value);
        Assert.Equal("MIT", license.Value);
        Assert.Equal("README.md", Field("readme"));
        Assert.True((Field("description") ?? "").Length > 100, "The description says what the package is.");
        Assert.Contains("lstm", (Field("tags") ?? "").Split(' '));
        Assert.Contains("source-generator", (Field("tags") ?? "").Split(' '));
        XElement repository = metadata.Elements().Single(e => e.Name.LocalName == "repository");
        Assert.Equal("git", repository.Attribute("type")?.Value);
        Assert.Matches("^[0-9a-f]{40}$", repository.Attribute("commit")?.Value ?? "");

        // Dependencies: System.Numerics.Tensors (the kernels) and Google.Protobuf (ONNX); Roslyn stays inside the compiler.
        string[] dependencies = metadata.Descendants().Where(e => e.Name.LocalName == "dependency")
                                        .Select(e => e.Attribute("id")!.Value).ToArray();
        Assert.Equal(["Google.Protobuf", "System.Numerics.Tensors"], dependencies);
    }

    [Fact]
    public void Consumer_builds_without_any_warning_trains_with_Adam_and_runs_Forward()
    {
        (ProcessResult build, ProcessResult run) = fixture.BuildAndRunConsumer();
        Log(build);
        Log(run);

        // The generator ran from the package: its files were written and compiled under the
        // consumer's rules (warnings as errors, recommended analyzers, nullable, XML docs).
        Assert.True(build.Warnings.Count == 0, "Warnings in the consumer build (generated code must not trigger any):\n" + string.Join("\n", build.Warnings));
        string[] generated = Directory.GetFiles(Path.Combine(fixture.ConsumerDirectory, "obj"), "*.g.cs", SearchOption.AllDirectories)
                                      .Where(f => f.Contains($"{Path.DirectorySeparatorChar}RnnGen.Generator{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
                                      .Select(Path.GetFileName).Distinct().Order(StringComparer.Ordinal).ToArray()!;
        Assert.Equal(["PackageConsumer.Models.Zoo.Encoder.g.cs", "PackageConsumer.Models.Zoo.Tagger.g.cs", "PackageConsumer.SequenceClassifier.g.cs"], generated);

        // Roslyn and the generator are build-time only: neither is next to the app.
        string bin = Path.GetDirectoryName(fixture.ConsumerAssemblyPath)!;
        Assert.True(File.Exists(Path.Combine(bin, "RnnGen.dll")));
        Assert.False(File.Exists(Path.Combine(bin, "RnnGen.Generator.dll")));
        Assert.Empty(Directory.GetFiles(bin, "Microsoft.CodeAnalysis*"));

        Assert.True(run.ExitCode == 0, run.Describe());
        ConsumerResult result = ConsumerResult.Parse(run.Output);
        CheckPlausible(result);
    }

    [SkippableFact]
    public void Consumer_publishes_with_NativeAot_and_the_native_executable_prints_the_same_result()
    {
        string rid = "linux-x64";
        Skip.IfNot(OperatingSystem.IsLinux() && System.Runtime.InteropServices.RuntimeInformation.OSArchitecture == System.Runtime.InteropServices.Architecture.X64,
                   "The NativeAOT check publishes for linux-x64 and runs the executable: this is not a linux-x64 machine.");
        (_, ProcessResult jitRun) = fixture.BuildAndRunConsumer();
        ConsumerResult jit = ConsumerResult.Parse(jitRun.Output);

        // Restore first: only a missing ILCompiler package may turn this test into a skip.
        ProcessResult restore = DotNet.Run(fixture.ConsumerDirectory, TimeSpan.FromMinutes(10),
            "restore", "-r", rid, "-p:PublishAot=true", "-tl:off", "--disable-build-servers");
        Log(restore);
        bool ilCompilerMissing = restore.ExitCode != 0 &&
            restore.Output.Contains("ILCompiler", StringComparison.OrdinalIgnoreCase) &&
            Regex.IsMatch(restore.Output, @"\bNU1(100|101|102|103|301)\b");
        Skip.If(ilCompilerMissing, "Skipped: the NativeAOT compiler package (runtime." + rid + ".Microsoft.DotNet.ILCompiler) cannot be restored from this machine's NuGet sources.\n" + restore.Describe(3000));
        Assert.True(restore.ExitCode == 0, restore.Describe());

        string publishDirectory = Path.Combine(fixture.WorkDirectory, "aot");
        ProcessResult publish = DotNet.Run(fixture.ConsumerDirectory, TimeSpan.FromMinutes(20),
            "publish", "--no-restore", "-c", "Release", "-r", rid, "-p:PublishAot=true", "-o", publishDirectory,
            "-tl:off", "--disable-build-servers");
        Log(publish);
        Assert.True(publish.ExitCode == 0, "NativeAOT publish failed.\n" + publish.Describe());
        Assert.True(publish.Warnings.Count == 0, "Warnings in the NativeAOT publish (trimming/AOT analysis included):\n" + string.Join("\n", publish.Warnings));

        string executable = Path.Combine(publishDirectory, "Consumer");
        Assert.True(File.Exists(executable), $"No native executable at {executable}.");
        Assert.False(File.Exists(Path.Combine(publishDirectory, "Consumer.dll")), "The publish left IL assemblies: not a native executable.");
        Assert.False(File.Exists(Path.Combine(publishDirectory, "RnnGen.dll")), "RnnGen.dll beside a native executable: it was not compiled in.");
        output.WriteLine($"native executable: {new FileInfo(executable).Length:N0} bytes");

        ProcessResult run = DotNet.RunProcess(executable, fixture.ConsumerDirectory, TimeSpan.FromMinutes(5));
        Log(run);
        Assert.True(run.ExitCode == 0, run.Describe());
        ConsumerResult aot = ConsumerResult.Parse(run.Output);
        CheckPlausible(aot);

        // The same program compiled ahead of time: same layout, same numbers up to float rounding
        // (ILC targets a baseline ISA, the JIT this CPU's, so SIMD widths and summation order can differ).
        Assert.Equal(jit.Parameters, aot.Parameters);
        Assert.Equal(jit.FirstLoss, aot.FirstLoss, 1e-4 * jit.FirstLoss);
        Assert.Equal(jit.LastLoss, aot.LastLoss, 0.05 * jit.FirstLoss);
        Assert.Equal(jit.Tagger, aot.Tagger, 1e-4);
        Assert.Equal(jit.Encoder, aot.Encoder, 1e-4 * Math.Max(1, Math.Abs(jit.Encoder)));
    }

    private static void CheckPlausible(ConsumerResult r)
    {
        Assert.Equal(ExpectedParameters, r.Parameters);
        Assert.Equal(Batch, r.Total);
        // Untrained, three classes: about ln 3 ≈ 1.1. Thirty Adam steps on an easy task must at least halve it.
        Assert.InRange(r.FirstLoss, 0.5, 2.0);
        Assert.True(r.LastLoss < 0.5 * r.FirstLoss, $"Training did not reduce the loss: {r.FirstLoss} → {r.LastLoss}.");
        Assert.True(r.Correct >= Batch - 2, $"Accuracy after training {r.Correct}/{r.Total}.");
        // The tagger's probabilities sum to one at each of the 5 + 3 real steps.
        Assert.Equal(8.0, r.Tagger, 1e-3);
        Assert.True(double.IsFinite(r.Encoder) && r.Encoder >= 0, $"ReLU encoder states sum to {r.Encoder}.");
    }

    private void Log(ProcessResult result) => output.WriteLine(result.Describe(4000) + "\n");

    private static string ReadEntry(ZipArchive zip, string name)
    {
        using var reader = new StreamReader(zip.GetEntry(name)!.Open());
        return reader.ReadToEnd();
    }

    /// <summary>The line the consumer prints, parsed.</summary>
    private sealed record ConsumerResult(int Parameters, double FirstLoss, double LastLoss, int Correct, int Total, double Tagger, double Encoder)
    {
        public static ConsumerResult Parse(string output)
        {
            Match m = Regex.Match(output,
                @"RNNGEN-CONSUMER parameters=(\d+) firstLoss=(\S+) lastLoss=(\S+) accuracy=(\d+)/(\d+) tagger=(\S+) encoder=(\S+)");
            Assert.True(m.Success, "The consumer did not print its result line. It printed:\n" + output);
            double D(int g) => double.Parse(m.Groups[g].Value, NumberStyles.Float, CultureInfo.InvariantCulture);
            int I(int g) => int.Parse(m.Groups[g].Value, CultureInfo.InvariantCulture);
            return new ConsumerResult(I(1), D(2), D(3), I(4), I(5), D(6), D(7));
        }
    }
}
