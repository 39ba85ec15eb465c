using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.RegularExpressions;

namespace RnnGen.Package.Tests;

/// <summary>What a finished process printed (standard output and error, interleaved) and how it ended.</summary>
public sealed record ProcessResult(string CommandLine, int ExitCode, string Output, TimeSpan Elapsed)
{
    /// <summary>Distinct MSBuild/compiler warning lines ("file(line,col): warning CODE: message").</summary>
    public IReadOnlyList<string> Warnings => DistinctLines(@":\s*warning\s+[A-Za-z]*\d+\s*:");

    /// <summary>Distinct MSBuild/compiler error lines.</summary>
    public IReadOnlyList<string> Errors => DistinctLines(@":\s*error\s+[A-Za-z]*\d+\s*:");

    /// <summary>A description for assertion messages: the command, exit code, time and output (its end if long).</summary>
    public string Describe(int maxChars = 12_000)
    {
        string output = Output.Length <= maxChars ? Output : "…" + Output[^maxChars..];
        return $"$ {CommandLine}\nexit code {ExitCode} after {Elapsed.TotalSeconds:0.0} s\n{output}";
    }

    private List<string> DistinctLines(string pattern) =>
        Output.Split('\n').Select(l => l.TrimEnd('\r').Trim())
              .Where(l => Regex.IsMatch(l, pattern))
              .Distinct(StringComparer.Ordinal).ToList();
}

/// <summary>Runs processes (the dotnet CLI, the built consumer) with a time limit and captured output.</summary>
internal static class DotNet
{
    /// <summary>The dotnet host that runs these tests (DOTNET_HOST_PATH when the SDK set it), else "dotnet" from PATH.</summary>
    public static string HostPath
    {
        get
        {
            string? host = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH");
            return !string.IsNullOrEmpty(host) && File.Exists(host) ? host : "dotnet";
        }
    }

    /// <summary>Runs <c>dotnet</c> with <paramref name="arguments"/> in <paramref name="workingDirectory"/>.</summary>
    public static ProcessResult Run(string workingDirectory, TimeSpan timeout, params string[] arguments) =>
        RunProcess(HostPath, workingDirectory, timeout, arguments);

    /// <summary>
    /// Runs a program and waits at most <paramref name="timeout"/>; past that the process tree is
    /// killed and a <see cref="TimeoutException"/> carries what it printed so far.
    /// </summary>
    public static ProcessResult RunProcess(string fileName, string workingDirectory, TimeSpan timeout, params string[] arguments)
    {
        var start = new ProcessStartInfo(fileName)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        foreach (string a in arguments) start.ArgumentList.Add(a);
        CleanEnvironment(start.Environment);

        string commandLine = fileName + " " + string.Join(" ", arguments.Select(a => a.Contains(' ') ? "\"" + a + "\"" : a));
        var output = new StringBuilder();
        var stopwatch = Stopwatch.StartNew();
        using var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (output) output.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (output) output.AppendLine(e.Data); };
        process.Start();
        process.StandardInput.Close();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        if (!process.WaitForExit(timeout))
        {
            try { process.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
            process.WaitForExit(10_000);
            string partial;
            lock (output) partial = output.ToString();
            throw new TimeoutException($"$ {commandLine}\ndid not finish within {timeout.TotalMinutes:0.#} min; killed. Output so far:\n{partial}");
        }
        process.WaitForExit();   // drains the asynchronous output readers
        stopwatch.Stop();
        lock (output) return new ProcessResult(commandLine, process.ExitCode, output.ToString(), stopwatch.Elapsed);
    }

    // The test host inherits MSBuild's variables from `dotnet test` (MSBuildSDKsPath,
    // MSBUILD_EXE_PATH, …); a child build must find its own SDK, so they are removed. No build
    // servers or node reuse either: nothing may outlive the command and hold the output pipes.
    private static void CleanEnvironment(IDictionary<string, string?> environment)
    {
        foreach (string key in environment.Keys.ToList())
        {
            if (key.StartsWith("MSBuild", StringComparison.OrdinalIgnoreCase) ||
                key.StartsWith("VSTEST", StringComparison.OrdinalIgnoreCase) ||
                key.Equals("DOTNET_HOST_PATH", StringComparison.OrdinalIgnoreCase))
            {
                environment.Remove(key);
            }
        }
        environment["MSBUILDDISABLENODEREUSE"] = "1";
        environment["DOTNET_CLI_USE_MSBUILD_SERVER"] = "0";
        environment["UseSharedCompilation"] = "false";
        environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        environment["DOTNET_NOLOGO"] = "1";
        environment["DOTNET_SKIP_FIRST_TIME_EXPERIENCE"] = "1";
        environment["DOTNET_GENERATE_ASPNET_CERTIFICATE"] = "false";
    }
}
