using System;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text.Json;
using Xunit;

namespace RnnGen.Package.Tests;

/// <summary>
/// Packs src/RnnGen once for the package tests and lays out the consumer app beside the feed.
/// </summary>
/// <remarks>
/// <para>
/// Everything goes to one temporary folder: the feed, the pack's bin/obj (<c>--artifacts-path</c>,
/// so the repository's own bin/obj and a parallel build are not touched) and the consumer app.
/// </para>
/// <para>
/// The version is unique to this run (<c>0.1.0-test.&lt;UTC time&gt;.&lt;pid&gt;</c>), so the
/// shared NuGet packages folder never holds a stale package of the same version; that one folder is
/// deleted again at the end. The consumer's nuget.config only adds the local feed: the machine's own
/// sources stay in force, so System.Numerics.Tensors and the ILCompiler packages restore as usual.
/// Set <c>RNNGEN_KEEP_PACKAGE_TEST=1</c> to keep the temporary folder for a look.
/// </para>
/// </remarks>
public sealed class PackageFixture : IDisposable
{
    public static readonly TimeSpan PackTimeout = TimeSpan.FromMinutes(15);

    private readonly object _gate = new();
    private ProcessResult? _consumerRun;
    private Exception? _consumerFailure;

    public PackageFixture()
    {
        RepositoryRoot = FindRepositoryRoot();
        Version = string.Create(CultureInfo.InvariantCulture, $"0.1.0-test.{DateTime.UtcNow:yyyyMMddHHmmss}.{Environment.ProcessId}");
        WorkDirectory = Directory.CreateTempSubdirectory("rnngen-package-tests-").FullName;
        FeedDirectory = Path.Combine(WorkDirectory, "feed");
        ConsumerDirectory = Path.Combine(WorkDirectory, "consumer");

        PackResult = DotNet.Run(RepositoryRoot, PackTimeout,
            "pack", Path.Combine(RepositoryRoot, "src", "RnnGen", "RnnGen.csproj"),
            "-c", "Release", "-o", FeedDirectory,
            "--artifacts-path", Path.Combine(WorkDirectory, "artifacts"),
            "-p:Version=" + Version, "-tl:off", "--disable-build-servers");
        PackagePath = Path.Combine(FeedDirectory, $"RnnGen.{Version}.nupkg");
        if (PackResult.ExitCode != 0 || !File.Exists(PackagePath))
        {
            throw new InvalidOperationException("dotnet pack of src/RnnGen failed.\n" + PackResult.Describe());
        }
        WriteConsumer();
    }

    /// <summary>The folder holding RnnGen.sln.</summary>
    public string RepositoryRoot { get; }

    /// <summary>The version the package was packed with.</summary>
    public string Version { get; }

    /// <summary>The temporary folder of this run.</summary>
    public string WorkDirectory { get; }

    /// <summary>The local feed that <c>dotnet pack</c> wrote to.</summary>
    public string FeedDirectory { get; }

    /// <summary>The consumer app (a copy of the Consumer folder, plus nuget.config and Directory.Build.props).</summary>
    public string ConsumerDirectory { get; }

    /// <summary>The RnnGen .nupkg under test.</summary>
    public string PackagePath { get; }

    /// <summary>What <c>dotnet pack</c> printed.</summary>
    public ProcessResult PackResult { get; }

    /// <summary>
    /// Builds the consumer (Release, JIT) and runs it, once; later calls return the same result.
    /// Throws with the build's output if it fails; the caller checks warnings and output.
    /// </summary>
    public (ProcessResult Build, ProcessResult Run) BuildAndRunConsumer()
    {
        lock (_gate)
        {
            if (_consumerFailure is not null) throw new InvalidOperationException("The consumer build failed earlier.", _consumerFailure);
            if (ConsumerBuild is null)
            {
                try
                {
                    ConsumerBuild = DotNet.Run(ConsumerDirectory, TimeSpan.FromMinutes(10),
                        "build", "-c", "Release", "-tl:off", "--disable-build-servers");
                    if (ConsumerBuild.ExitCode != 0)
                        throw new InvalidOperationException("The consumer app did not build.\n" + ConsumerBuild.Describe());
                    _consumerRun = DotNet.Run(ConsumerDirectory, TimeSpan.FromMinutes(5), ConsumerAssemblyPath);
                }
                catch (Exception e)
                {
                    _consumerFailure = e;
                    throw;
                }
            }
            return (ConsumerBuild, _consumerRun!);
        }
    }

    /// <summary>The consumer build's result once <see cref="BuildAndRunConsumer"/> ran it.</summary>
    public ProcessResult? ConsumerBuild { get; private set; }

    /// <summary>Where the JIT build puts the consumer's assembly.</summary>
    public string ConsumerAssemblyPath => Path.Combine(ConsumerDirectory, "bin", "Release", "net10.0", "Consumer.dll");

    public void Dispose()
    {
        DeleteRestoredPackage();
        if (Environment.GetEnvironmentVariable("RNNGEN_KEEP_PACKAGE_TEST") == "1") return;
        try
        {
            Directory.Delete(WorkDirectory, recursive: true);
        }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }

    private void WriteConsumer()
    {
        string template = Path.Combine(AppContext.BaseDirectory, "Consumer");
        Directory.CreateDirectory(ConsumerDirectory);
        foreach (string file in Directory.GetFiles(template))
            File.Copy(file, Path.Combine(ConsumerDirectory, Path.GetFileName(file)));

        // The local feed is added to the sources the machine already has (no <clear/>): the
        // registry the rest of the packages come from stays exactly as configured here.
        File.WriteAllText(Path.Combine(ConsumerDirectory, "nuget.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <add key="rnngen-under-test" value="{FeedDirectory}" />
              </packageSources>
            </configuration>
            """);
        // Stops MSBuild from importing any Directory.Build.* above the temporary folder, and pins the version.
        File.WriteAllText(Path.Combine(ConsumerDirectory, "Directory.Build.props"), $"""
            <Project>
              <PropertyGroup>
                <RnnGenPackageVersion>{Version}</RnnGenPackageVersion>
              </PropertyGroup>
            </Project>
            """);
        File.WriteAllText(Path.Combine(ConsumerDirectory, "Directory.Build.targets"), "<Project />\n");
    }

    // Removes <packages folder>/rnngen/<this version> (and rnngen/ if it is then empty), reading
    // the packages folder from the consumer's restore so that NUGET_PACKAGES is respected.
    private void DeleteRestoredPackage()
    {
        try
        {
            string assets = Path.Combine(ConsumerDirectory, "obj", "project.assets.json");
            if (!File.Exists(assets)) return;
            using JsonDocument json = JsonDocument.Parse(File.ReadAllText(assets));
            if (!json.RootElement.TryGetProperty("packageFolders", out JsonElement folders)) return;
            foreach (JsonProperty folder in folders.EnumerateObject())
            {
                string package = Path.Combine(folder.Name, "rnngen");
                string versioned = Path.Combine(package, Version.ToLowerInvariant());
                if (Directory.Exists(versioned)) Directory.Delete(versioned, recursive: true);
                if (Directory.Exists(package) && !Directory.EnumerateFileSystemEntries(package).Any()) Directory.Delete(package);
            }
        }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
        catch (JsonException) { }
    }

    private static string FindRepositoryRoot()
    {
        for (DirectoryInfo? dir = new(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "RnnGen.sln"))) return dir.FullName;
        }
        throw new InvalidOperationException($"No folder containing RnnGen.sln above '{AppContext.BaseDirectory}'.");
    }
}
