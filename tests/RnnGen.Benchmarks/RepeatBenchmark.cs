using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;

namespace RnnGen.Benchmarks;

/// <summary>
/// Runs one case's call (a training step, or inference) over and over for a given time and prints the median: a steady
/// target for a sampling profiler, which attributes time to the kernels as they run inside the whole call (the
/// <c>profile</c> mode times each phase alone, with its operands hot). docs/performance.md gives the perf command.
/// </summary>
internal static class RepeatBenchmark
{
    public static int Run(string caseId, double seconds, double threads)
    {
        BenchmarkCase? c = BenchmarkCases.All.SingleOrDefault(k => k.Id == caseId);
        if (c is null)
        {
            Console.Error.WriteLine($"Unknown case '{caseId}'. Cases: {string.Join(", ", BenchmarkCases.All.Select(k => k.Id))}.");
            return 2;
        }
        if (!(seconds > 0 && double.IsFinite(seconds)) || threads is not (1.0 or 2.0))
        {
            Console.Error.WriteLine($"--seconds takes a positive number (got {seconds}) and --threads 1 or 2 (got {threads}).");
            return 2;
        }

        Action call = c.Call(c.Create())((int)threads);
        Console.WriteLine($"{c.Title}, {threads} thread{(threads == 1 ? "" : "s")}, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC: calls for {seconds} s after a 1 s warm-up; load average {BenchmarkCases.LoadAverage()}");
        for (var warm = Stopwatch.StartNew(); warm.Elapsed.TotalSeconds < 1;) call();
        var times = new List<double>();
        for (var clock = Stopwatch.StartNew(); times.Count == 0 || clock.Elapsed.TotalSeconds < seconds;)
        {
            long start = Stopwatch.GetTimestamp();
            call();
            times.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
        }
        times.Sort();
        double median = times[times.Count / 2];
        double flops = c.Training ? c.TrainingProductFlops : c.Flops;
        Console.WriteLine($"{times.Count} calls: median {median:F3} ms ({flops / (median * 1e6):F1} GFLOP/s of {(c.Training ? "the step's products" : "the forward's products")}), fastest {times[0]:F3} ms");
        return 0;
    }
}
