using System;
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
    public static int Run(string caseId, double seconds, int threads)
    {
        BenchmarkCase? c = BenchmarkCases.All.FirstOrDefault(k => k.Id == caseId);
        if (c is null)
        {
            Console.Error.WriteLine($"Unknown case '{caseId}'. Cases: {string.Join(", ", BenchmarkCases.All.Select(k => k.Id))}.");
            return 2;
        }
        if (seconds <= 0 || threads is not (1 or 2))
        {
            Console.Error.WriteLine($"The time must be positive (got {seconds} s) and the threads 1 or 2 (got {threads}).");
            return 2;
        }

        NetworkModel model = c.Create();
        float[] x = BenchmarkCases.Uniform(c.Batch * c.Steps * c.InputSize, 1);
        int[] lengths = Enumerable.Repeat(c.Steps, c.Batch).ToArray();
        float[] y = new float[c.Batch * c.Steps * c.HiddenSize], dy = new float[y.Length], target = BenchmarkCases.Uniform(y.Length, 2);
        Action call = c.Training ? () => model.TrainStep(x, lengths, target, y, dy, threads) : () => model.Infer(x, lengths, y, threads);

        Console.WriteLine($"{c.Title}, {threads} thread{(threads == 1 ? "" : "s")}, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC: calls for {seconds} s after a 1 s warm-up; load average {BenchmarkCases.LoadAverage()}");
        for (var warm = Stopwatch.StartNew(); warm.Elapsed.TotalSeconds < 1;) call();
        var times = new System.Collections.Generic.List<double>();
        for (var clock = Stopwatch.StartNew(); clock.Elapsed.TotalSeconds < seconds;)
        {
            long start = Stopwatch.GetTimestamp();
            call();
            times.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
        }
        times.Sort();
        double median = times[times.Count / 2];
        Console.WriteLine($"{times.Count} calls: median {median:F3} ms ({c.Flops / (median * 1e6):F1} GFLOP/s at the issue's count), fastest {times[0]:F3} ms");
        return 0;
    }
}
