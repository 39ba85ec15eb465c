using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Runtime.CompilerServices;

namespace RnnGen.Benchmarks;

/// <summary>
/// The first calls of a fresh process, one thread: each case runs in a child process of its own (the JIT's state is
/// per process), which times its first 400 calls one by one. Under the JIT a method starts as unoptimized tier-0 code
/// and is recompiled after it has been called often enough; the kernels are marked to skip that (TieringTests), and
/// this shows what a short-lived caller (a command-line tagger, a server's first requests) sees. NativeAOT compiles
/// everything ahead of time.
/// </summary>
internal static class FirstCallsBenchmark
{
    private const int Calls = 400;

    public static int Run()
    {
        Console.WriteLine($"RnnGen first calls ({(RuntimeFeature.IsDynamicCodeSupported ? "JIT" : "NativeAOT")}), one thread, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC; load average {BenchmarkCases.LoadAverage()}");
        Console.WriteLine("Each case in a fresh process; µs per call (median over each range of calls).");
        Console.WriteLine($"{"case",-40} {"call 1",9} {"2–10",8} {"11–50",8} {"51–200",8} {"201–400",8} {"400 calls",10}");
        // The child is this program again: started by the dotnet host (`dotnet RnnGen.Benchmarks.dll`), the host with the
        // same dll; started as an executable (the apphost, or NativeAOT), that executable.
        string process = Environment.ProcessPath ?? throw new InvalidOperationException("The path of this process is unknown.");
        bool dotnetHost = Path.GetFileNameWithoutExtension(process) == "dotnet";
        foreach (BenchmarkCase c in BenchmarkCases.All)
        {
            var start = new ProcessStartInfo(process) { RedirectStandardOutput = true, UseShellExecute = false };
            if (dotnetHost) start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "RnnGen.Benchmarks.dll"));
            start.ArgumentList.Add("firstcalls-child");
            start.ArgumentList.Add(c.Id);
            using Process child = Process.Start(start)!;
            string line = child.StandardOutput.ReadToEnd().Trim();
            if (!child.WaitForExit(TimeSpan.FromMinutes(10))) { child.Kill(); Console.Error.WriteLine($"{c.Id}: the child process did not finish in 10 minutes."); return 1; }
            if (child.ExitCode != 0 || line.Length == 0) { Console.Error.WriteLine($"{c.Id}: the child process failed (exit code {child.ExitCode}, output '{line}')."); return 1; }
            Console.WriteLine($"{c.Title,-40} {line}");
        }
        return 0;
    }

    /// <summary>In the child: the first calls of one case.</summary>
    public static int Child(string id)
    {
        BenchmarkCase? c = BenchmarkCases.All.SingleOrDefault(x => x.Id == id);
        if (c is null) { Console.Error.WriteLine($"Unknown case '{id}'."); return 2; }
        Action call = c.Call(c.Create())(1);
        var micros = new double[Calls];
        long begin = Stopwatch.GetTimestamp();
        for (int i = 0; i < Calls; i++)
        {
            long s = Stopwatch.GetTimestamp();
            call();
            micros[i] = Stopwatch.GetElapsedTime(s).TotalMicroseconds;
        }
        double total = Stopwatch.GetElapsedTime(begin).TotalMilliseconds;
        double Median(int from, int to) => micros[from..to].Order().ElementAt((to - from) / 2);
        Console.WriteLine($"{micros[0],9:F0} {Median(1, 10),8:F0} {Median(10, 50),8:F0} {Median(50, 200),8:F0} {Median(200, Calls),8:F0} {total,7:F0} ms");
        return 0;
    }
}
