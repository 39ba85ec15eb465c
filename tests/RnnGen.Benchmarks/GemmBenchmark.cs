using System;
using System.Diagnostics;
using System.Numerics.Tensors;
using System.Runtime.Intrinsics;
using RnnGen.Kernels;

namespace RnnGen.Benchmarks;

/// <summary>GFLOP/s (2·m·n·k per call) of the three products, one and two threads.</summary>
internal static class GemmBenchmark
{
    private delegate void Product(Span<float> c, ReadOnlySpan<float> a, ReadOnlySpan<float> b, int m, int n, int k, bool accumulate, int threads);

    private static readonly (string Name, string Op, int M, int N, int K)[] Shapes =
    [
        ("input projection", "ABt", 3200, 1024, 256),
        ("weight gradient", "AtB", 1024, 256, 3200),
        ("input gradient", "AB", 3200, 256, 1024),
        ("recurrent GEMV, batch 1", "ABt", 1, 1024, 256),
        ("  same, W packed once", "ABt*", 1, 1024, 256),
        ("recurrent, batch 64", "ABt", 64, 1024, 256),
        ("  same, W packed once", "ABt*", 64, 1024, 256),
        ("recurrent, batch 4", "ABt", 4, 1024, 256),
        ("  same, W packed once", "ABt*", 4, 1024, 256),
        ("recurrent back, batch 1", "AB", 1, 256, 1024),
        ("  same, W packed once", "AB*", 1, 256, 1024),
        ("recurrent back, batch 64", "AB", 64, 256, 1024),
        ("  same, W packed once", "AB*", 64, 256, 1024),
        ("odd sizes H=33", "ABt", 257, 132, 33),
    ];

    /// <summary>Times every shape <paramref name="passes"/> times over and prints the best of each.</summary>
    public static void Run(bool quick, int passes)
    {
        Console.WriteLine($"RnnGen GEMM benchmark   {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC");
        Console.WriteLine($".NET {Environment.Version}, {Environment.ProcessorCount} logical processors, " +
                          $"Vector512 {(Vector512.IsHardwareAccelerated ? "on" : "off")}, Vector256 {(Vector256.IsHardwareAccelerated ? "on" : "off")}");
        Console.WriteLine($"GFLOP/s = 2·m·n·k / time; best of {passes} passes × {Runs} timed runs after warm-up; operands reused call after call, as in a training loop.");
        Console.WriteLine($"load average at start: {LoadAverage()}");
        double seconds = quick ? 0.005 : 0.02;
        var best = new double[Shapes.Length, 3];
        for (int pass = 0; pass < passes; pass++)
        {
            for (int i = 0; i < Shapes.Length; i++)
            {
                double[] t = TimeShape(Shapes[i], seconds);
                for (int col = 0; col < 3; col++)
                    best[i, col] = pass == 0 ? t[col] : Math.Min(best[i, col], t[col]);
            }
        }
        Console.WriteLine($"load average at end:   {LoadAverage()}");
        Console.WriteLine();
        Console.WriteLine($"{"shape",-26} {"op",-5} {"m",5} {"n",5} {"k",5}  {"1 thread",9} {"2 threads",9} {"simple",8}  {"µs/call",8}");
        for (int i = 0; i < Shapes.Length; i++)
        {
            var s = Shapes[i];
            double flops = 2.0 * s.M * s.N * s.K;
            Console.WriteLine($"{s.Name,-26} {s.Op,-5} {s.M,5} {s.N,5} {s.K,5}  {flops / best[i, 0] * 1e-9,9:F1} {flops / best[i, 1] * 1e-9,9:F1} {flops / best[i, 2] * 1e-9,8:F1}  {best[i, 0] * 1e6,8:F1}");
        }
    }

    // Seconds per call: fast path on one thread, on two threads, and the simple implementation.
    private static double[] TimeShape((string Name, string Op, int M, int N, int K) s, double seconds)
    {
        var rng = new Random(42);
        float[] a = Fill(rng, s.M * s.K), b = Fill(rng, s.N * s.K), c = new float[s.M * s.N];
        // "ABt*" and "AB*": the weight is packed once (Gemm.PackBt / PackB) and every call is APackedB.
        float[] packed = new float[Gemm.PackedLength(s.N, s.K)];
        if (s.Op == "ABt*") Gemm.PackBt(packed, b, s.N, s.K);
        if (s.Op == "AB*") Gemm.PackB(packed, b, s.K, s.N);
        Product product = s.Op switch
        {
            "ABt" => Gemm.ABt,
            "AB" => Gemm.AB,
            "AtB" => Gemm.AtB,
            _ => (c, a, _, m, n, k, accumulate, threads) => Gemm.APackedB(c, a, packed, m, n, k, accumulate, threads),
        };
        Product simple = s.Op switch { "ABt" or "ABt*" => Simple.ABt, "AB" or "AB*" => Simple.AB, _ => Simple.AtB };
        return
        [
            Time(() => product(c, a, b, s.M, s.N, s.K, false, 1), seconds),
            Time(() => product(c, a, b, s.M, s.N, s.K, false, 2), seconds),
            Time(() => simple(c, a, b, s.M, s.N, s.K, false, 1), seconds),
        ];
    }

    private static string LoadAverage()
    {
        try { return System.IO.File.ReadAllText("/proc/loadavg").Trim(); }
        catch (System.IO.IOException) { return "unknown"; }
        catch (UnauthorizedAccessException) { return "unknown"; }
    }

    private static float[] Fill(Random rng, int length)
    {
        float[] x = new float[length];
        for (int i = 0; i < x.Length; i++) x[i] = (float)(rng.NextDouble() * 2 - 1);
        return x;
    }

    // Best seconds per call: warm up (tiering), then Runs runs of enough calls to last `seconds`
    // each. The best run is the one least disturbed by other processes on a shared machine.
    private const int Runs = 15;

    private static double Time(Action call, double seconds)
    {
        var sw = Stopwatch.StartNew();
        long calls = 0;
        while (sw.Elapsed.TotalSeconds < 0.3 || calls < 50) { call(); calls++; }
        long perRun = Math.Max(1, (long)(calls / sw.Elapsed.TotalSeconds * seconds));
        double best = double.MaxValue;
        for (int r = 0; r < Runs; r++)
        {
            sw.Restart();
            for (long i = 0; i < perRun; i++) call();
            best = Math.Min(best, sw.Elapsed.TotalSeconds / perRun);
        }
        return best;
    }

    /// <summary>The skeleton's first implementation (a TensorPrimitives dot or axpy per row), for scale.</summary>
    private static class Simple
    {
        public static void ABt(Span<float> c, ReadOnlySpan<float> a, ReadOnlySpan<float> b, int m, int n, int k, bool accumulate, int threads)
        {
            for (int i = 0; i < m; i++)
                for (int j = 0; j < n; j++)
                {
                    float dot = TensorPrimitives.Dot(a.Slice(i * k, k), b.Slice(j * k, k));
                    c[i * n + j] = accumulate ? c[i * n + j] + dot : dot;
                }
        }

        public static void AB(Span<float> c, ReadOnlySpan<float> a, ReadOnlySpan<float> b, int m, int n, int k, bool accumulate, int threads)
        {
            for (int i = 0; i < m; i++)
            {
                Span<float> ci = c.Slice(i * n, n);
                if (!accumulate) ci.Clear();
                for (int p = 0; p < k; p++) TensorPrimitives.MultiplyAdd(b.Slice(p * n, n), a[i * k + p], ci, ci);
            }
        }

        public static void AtB(Span<float> c, ReadOnlySpan<float> a, ReadOnlySpan<float> b, int m, int n, int k, bool accumulate, int threads)
        {
            if (!accumulate) c.Slice(0, m * n).Clear();
            for (int p = 0; p < k; p++)
                for (int i = 0; i < m; i++)
                {
                    Span<float> ci = c.Slice(i * n, n);
                    TensorPrimitives.MultiplyAdd(b.Slice(p * n, n), a[p * m + i], ci, ci);
                }
        }
    }
}
