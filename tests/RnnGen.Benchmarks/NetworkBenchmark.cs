using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using Microsoft.ML.OnnxRuntime;

namespace RnnGen.Benchmarks;

/// <summary>
/// The side-by-side comparison of docs/performance.md: the generated networks, ONNX Runtime
/// in-process on the same weights, and PyTorch (pytorch_bench.py, when <c>import torch</c> works),
/// one and two threads, on the shapes of <see cref="BenchmarkCases.All"/>.
/// </summary>
internal static class NetworkBenchmark
{
    private sealed record Result(BenchmarkCase Case, int Threads, double RnnGenSeconds, double RnnGenBest, double OrtSeconds, double OrtBest, bool BatchOneTwoCores)
    {
        /// <summary>Batch 1, one thread: the median time of a loop that only reads W_hh once per step (see <see cref="PrintFloor"/>).</summary>
        public double ReadSeconds { get; set; } = double.NaN;

        public double TorchSeconds { get; set; } = double.NaN;
        public double TorchBest { get; set; } = double.NaN;
    }

    public static int Run(bool quick, string? python, bool skipPyTorch)
    {
        TimingSettings timing = quick ? TimingSettings.Quick : TimingSettings.Full;
        string runtime = RuntimeFeature.IsDynamicCodeSupported ? "JIT" : "NativeAOT";
        Console.WriteLine($"RnnGen networks benchmark ({(quick ? "quick" : "full")}, {runtime})   {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC");
        Console.WriteLine($"{BenchmarkCases.CpuModel()}, {Environment.ProcessorCount} logical processors; .NET {Environment.Version}; " +
                          $"Vector512 {(Vector512.IsHardwareAccelerated ? "on" : "off")}; ONNX Runtime {OrtEnv.Instance().GetVersionString()}");
        Console.WriteLine($"time = median of {timing.Samples} samples (each ≥ {timing.SampleSeconds * 1e3:F0} ms of calls) after {timing.WarmupSeconds:F1} s warm-up; " +
                          "RnnGen and ORT samples alternate at 1 thread, and run in blocks at 2 (ORT's worker spins after Run).");
        Console.WriteLine($"load average at start: {BenchmarkCases.LoadAverage()}");
        Console.WriteLine();

        // 0. Warm-up of every case before any measurement: tiered compilation replaces a method's
        // first code only after it has been called for a while (and after a delay that new tier-0
        // methods keep extending), so without this the first case's samples mix tier-0 and final
        // code (seen as a median 1.7× its best sample).
        WarmUp(timing);

        // 1. Correctness, once per shape: RnnGen vs ONNX Runtime on the same weights, and 2 threads vs 1.
        Console.WriteLine("Correctness (max |difference| over the output; limit 1e-4):");
        var results = new List<Result>();
        bool allCorrect = true;
        foreach (BenchmarkCase c in BenchmarkCases.All)
        {
            NetworkModel model = c.Create();
            int rowsIn = c.Steps * c.InputSize, rowsOut = c.Steps * c.HiddenSize;
            float[] x = BenchmarkCases.Uniform(c.Batch * rowsIn, 1);
            int[] lengths = Enumerable.Repeat(c.Steps, c.Batch).ToArray();
            float[] y = new float[c.Batch * rowsOut], y2 = new float[y.Length];
            if (!c.Training)
            {
                float[] xTimeMajor = TimeMajor(x, c.Batch, c.Steps, c.InputSize);
                byte[] onnx = OnnxModel.Build(c.Cell, c.InputSize, c.HiddenSize, c.Steps, c.Batch,
                    model.Tensor("weight_ih_l0"), model.Tensor("weight_hh_l0"), model.Tensor("bias_ih_l0"), model.Tensor("bias_hh_l0"));
                using var ort1 = new OrtRunner(onnx, 1, xTimeMajor, c.Steps, c.Batch, c.InputSize, c.HiddenSize);
                using var ort2 = new OrtRunner(onnx, 2, xTimeMajor, c.Steps, c.Batch, c.InputSize, c.HiddenSize);
                model.Infer(x, lengths, y, 1);
                model.Infer(x, lengths, y2, 2);
                ort1.Run();
                ort2.Run();
                double vsOrt = MaxDifferenceTimeMajor(y, ort1.Output, c.Batch, c.Steps, c.HiddenSize);
                double vsOrt2 = MaxDifferenceTimeMajor(y, ort2.Output, c.Batch, c.Steps, c.HiddenSize);
                double twoVsOne = MaxDifference(y, y2);
                bool ok = vsOrt <= 1e-4 && vsOrt2 <= 1e-4 && twoVsOne <= 1e-4;
                allCorrect &= ok;
                Console.WriteLine($"  {c.Title,-40} RnnGen vs ORT {vsOrt:E2} (ORT 2 threads {vsOrt2:E2}), RnnGen 2 threads vs 1 {twoVsOne:E2}  {(ok ? "ok" : "FAILED")}");

                for (int threads = 1; threads <= 2; threads++)
                {
                    OrtRunner ort = threads == 1 ? ort1 : ort2;
                    int t = threads;
                    var m = timing.Measure([() => model.Infer(x, lengths, y, t), ort.Run], interleave: threads == 1);
                    var result = new Result(c, threads, m[0].Median, m[0].Best, m[1].Median, m[1].Best, BatchOneTwoCores: threads > 1 && c.Batch == 1);
                    if (threads == 1 && c.Batch == 1)
                    {
                        ReadOnlyMemory<float> wHh = BenchmarkCases.AlignedCopy(model.Tensor("weight_hh_l0").ToArray());
                        float sink = 0;
                        result.ReadSeconds = timing.Measure([() => sink += BenchmarkCases.ReadPerStep(wHh, c.Steps)])[0].Median;
                        GC.KeepAlive(sink);
                    }
                    results.Add(result);
                }
            }
            else
            {
                float[] target = BenchmarkCases.Uniform(y.Length, 2), dy = new float[y.Length];
                // Training: one step on one thread and on two (DataParallel, 2 shards) from the same
                // parameters give the same loss; gradients are summed in shard order.
                NetworkModel other = c.Create();
                double loss1 = model.TrainStep(x, lengths, target, y, dy, 1);
                double loss2 = other.TrainStep(x, lengths, target, y2, dy, 2);
                bool ok = Math.Abs(loss1 - loss2) <= 1e-5 * Math.Abs(loss1);
                allCorrect &= ok;
                Console.WriteLine($"  {c.Title,-40} training loss, 1 thread {loss1:F6} vs 2 threads {loss2:F6}  {(ok ? "ok" : "FAILED")}");
                for (int threads = 1; threads <= 2; threads++)
                {
                    int t = threads;
                    var m = timing.Measure([() => model.TrainStep(x, lengths, target, y, dy, t)]);
                    results.Add(new Result(c, threads, m[0].Median, m[0].Best, double.NaN, double.NaN, false));
                }
            }
        }
        Console.WriteLine();

        // 2. PyTorch, in its own process, after the .NET measurements.
        string torchNote = skipPyTorch ? "PyTorch: skipped (--no-pytorch)" : RunPyTorch(python ?? "/usr/bin/python3", quick, results);
        Console.WriteLine(torchNote);
        Console.WriteLine($"load average at end: {BenchmarkCases.LoadAverage()}");
        Console.WriteLine();

        PrintTable(results, runtime);
        PrintFloor(results);
        PrintTrainingBound(results);
        PrintTargets(results);
        PrintWorkspace();
        return allCorrect ? 0 : 1;
    }

    private static void WarmUp(TimingSettings timing)
    {
        var sw = Stopwatch.StartNew();
        foreach (BenchmarkCase c in BenchmarkCases.All)
        {
            Func<int, Action> call = c.Call(c.Create());
            for (int threads = 1; threads <= 2; threads++)
            {
                Action run = call(threads);
                var once = Stopwatch.StartNew();
                for (int n = 0; n < 3 || once.Elapsed.TotalSeconds < timing.WarmupSeconds; n++) run();
            }
        }
        Console.WriteLine($"warm-up of every case: {sw.Elapsed.TotalSeconds:F1} s");
    }

    private static void PrintTable(List<Result> results, string runtime)
    {
        Console.WriteLine($"Results ({runtime}). GFLOP/s = FLOPs / time with FLOPs = 2·G·H·(I+H)·T·B (×3 for a training step); % of peak = GFLOP/s / (212 × threads);");
        Console.WriteLine("×ORT, ×PyTorch = their median time / RnnGen's (> 1: RnnGen is faster); 'best' = fastest sample, for a shared machine.");
        Console.WriteLine($"{"case",-40} {"thr",3} {"RnnGen ms",10} {"best",8} {"GFLOP/s",8} {"% peak",7} {"ORT ms",9} {"best",8} {"ORT GF/s",8} {"×ORT",6} {"PyTorch ms",10} {"best",8} {"×PyTorch",8}");
        foreach (Result r in results)
        {
            double gflops = r.Case.Flops / r.RnnGenSeconds * 1e-9;
            double peak = gflops / (BenchmarkCases.PeakGflopsPerCore * r.Threads) * 100;
            string note = r.BatchOneTwoCores ? "¹" : " ";
            Console.WriteLine($"{r.Case.Title,-40} {r.Threads,3} {r.RnnGenSeconds * 1e3,9:F3}{note} {Ms(r.RnnGenBest),8} {gflops,8:F1} {peak,6:F1}% " +
                              $"{Ms(r.OrtSeconds),9} {Ms(r.OrtBest),8} {(double.IsNaN(r.OrtSeconds) ? "—" : (r.Case.Flops / r.OrtSeconds * 1e-9).ToString("F1", CultureInfo.InvariantCulture)),8} {Ratio(r.OrtSeconds, r.RnnGenSeconds),6} " +
                              $"{Ms(r.TorchSeconds),10} {Ms(r.TorchBest),8} {Ratio(r.TorchSeconds, r.RnnGenSeconds),8}");
        }
        Console.WriteLine("¹ batch 1 on two threads: RecurrentThreads = 2, each core owns half of the hidden units (its rows of W_hh) and the two meet once per step.");
        Console.WriteLine();
        Console.WriteLine("Anchors from the issue (one thread, quiet machine) next to this run's one-thread times:");
        Console.WriteLine($"{"case",-40} {"ORT anchor",10} {"ORT here",9} {"PyTorch anchor",14} {"PyTorch here",12}");
        foreach (Result r in results.Where(r => r.Threads == 1))
            Console.WriteLine($"{r.Case.Title,-40} {(double.IsNaN(r.Case.OrtAnchorMs) ? "—" : r.Case.OrtAnchorMs.ToString("F3", CultureInfo.InvariantCulture)),10} {Ms(r.OrtSeconds),9} " +
                              $"{r.Case.TorchAnchorMs,14:F3} {(double.IsNaN(r.TorchSeconds) ? "not measured" : Ms(r.TorchSeconds)),12}");
        Console.WriteLine();
    }

    // Batch 1 on one thread: a forward must read W_hh once per step and compute the input projection,
    // so it cannot take less than (the time of a loop that only reads W_hh T times) + (the projection's
    // FLOPs at the core's peak). ORT's time over that floor is the largest ratio any implementation that
    // keeps float32 weights could reach in this run.
    private static void PrintFloor(List<Result> results)
    {
        Console.WriteLine("Batch 1 on one thread, the floor: W_hh read once per step (a loop that only reads it, timed in this run) + the input projection at peak.");
        Console.WriteLine($"{"case",-40} {"read W_hh ×T",12} {"proj @peak",10} {"floor ms",9} {"RnnGen ms",9} {"ORT ms",8} {"×ORT",6} {"floor ×ORT",10}");
        foreach (Result r in results.Where(r => !double.IsNaN(r.ReadSeconds)))
        {
            BenchmarkCase c = r.Case;
            double projection = 2.0 * c.Gates * c.HiddenSize * c.InputSize * c.Steps / (BenchmarkCases.PeakGflopsPerCore * 1e9);
            double floor = r.ReadSeconds + projection;
            Console.WriteLine($"{c.Title,-40} {r.ReadSeconds * 1e3,12:F3} {projection * 1e3,10:F3} {floor * 1e3,9:F3} {r.RnnGenSeconds * 1e3,9:F3} {r.OrtSeconds * 1e3,8:F3} " +
                              $"{r.OrtSeconds / r.RnnGenSeconds,6:F2} {r.OrtSeconds / floor,10:F2}");
        }
        Console.WriteLine("'floor ×ORT' = ORT's time / the floor: the most any float32 implementation could reach against ORT in this run.");
        Console.WriteLine();
    }

    // A training step on one thread cannot take less than its matrix products at the core's peak
    // (BenchmarkCase.TrainingProductFlops). PyTorch's time over that is the largest ratio an implementation that
    // computes them could reach against it in this run, with every other part of the step (cells, packing, copies,
    // Adam) free.
    private static void PrintTrainingBound(List<Result> results)
    {
        Console.WriteLine("Training on one thread, the bound: the step's matrix products (forward, backward through W_hh, weight gradients) at peak, everything else free.");
        Console.WriteLine($"{"case",-40} {"products GFLOP",14} {"@peak ms",9} {"RnnGen ms",9} {"% of bound",10} {"PyTorch ms",10} {"×PyTorch",8} {"bound ×PyTorch",14}");
        foreach (Result r in results.Where(r => r.Case.Training && r.Threads == 1))
        {
            double flops = r.Case.TrainingProductFlops;
            double boundSeconds = flops / (BenchmarkCases.PeakGflopsPerCore * 1e9);
            Console.WriteLine($"{r.Case.Title,-40} {flops * 1e-9,14:F3} {boundSeconds * 1e3,9:F2} {r.RnnGenSeconds * 1e3,9:F2} {boundSeconds / r.RnnGenSeconds * 100,9:F0}% " +
                              $"{Ms(r.TorchSeconds),10} {Ratio(r.TorchSeconds, r.RnnGenSeconds),8} {Ratio(r.TorchSeconds, boundSeconds),14}");
        }
        Console.WriteLine("'% of bound' = the bound / RnnGen's time; 'bound ×PyTorch' = PyTorch's time / the bound.");
        Console.WriteLine();
    }

    private static void PrintTargets(List<Result> results)
    {
        Console.WriteLine("Targets:");
        Result Find(string id, int threads) => results.Single(r => r.Case.Id == id && r.Threads == threads);
        void Line(bool? met, string text) => Console.WriteLine($"  [{(met is null ? "n/a" : met.Value ? "MET" : "MISSED")}] {text}");
        foreach (Result r in results.Where(r => !r.Case.Training && r.Case.Batch == 1))
            Line(r.OrtSeconds / r.RnnGenSeconds >= 1.5, $"batch 1 ≥ 1.5× ORT: {r.Case.Title}, {r.Threads} thread(s): {r.OrtSeconds / r.RnnGenSeconds:F2}× (best samples {r.OrtBest / r.RnnGenBest:F2}×)");
        foreach (Result r in results.Where(r => !r.Case.Training && r.Case.Batch >= 32))
        {
            double peak = r.Case.Flops / r.RnnGenSeconds * 1e-9 / (BenchmarkCases.PeakGflopsPerCore * r.Threads);
            double bestPeak = r.Case.Flops / r.RnnGenBest * 1e-9 / (BenchmarkCases.PeakGflopsPerCore * r.Threads);
            Line(r.OrtSeconds / r.RnnGenSeconds >= 1, $"batch 64 ≥ ORT: {r.Case.Title}, {r.Threads} thread(s): {r.OrtSeconds / r.RnnGenSeconds:F2}× (best samples {r.OrtBest / r.RnnGenBest:F2}×)");
            Line(peak >= 0.8, $"batch 64 ≥ 80% of peak: {r.Case.Title}, {r.Threads} thread(s): {peak * 100:F1}% (best sample {bestPeak * 100:F1}%)");
        }
        // The ceiling: PyTorch's time over the step's FLOPs (the issue's count, 3× the forward) at 100 % of the cores' peak.
        foreach (Result r in results.Where(r => r.Case.Training))
            Line(double.IsNaN(r.TorchSeconds) ? null : r.TorchSeconds / r.RnnGenSeconds >= 3,
                 $"training ≥ 3× PyTorch: {r.Case.Title}, {r.Threads} thread(s): {(double.IsNaN(r.TorchSeconds) ? "PyTorch not measured" : $"{r.TorchSeconds / r.RnnGenSeconds:F2}× (best samples {r.TorchBest / r.RnnGenBest:F2}×; at 100% of peak it would be {r.TorchSeconds / (r.Case.Flops * 1e-9 / (BenchmarkCases.PeakGflopsPerCore * r.Threads)):F2}×)")}");
        foreach (var group in results.GroupBy(r => r.Case.Id))
        {
            BenchmarkCase c = group.First().Case;
            double speedup = Find(c.Id, 1).RnnGenSeconds / Find(c.Id, 2).RnnGenSeconds;
            double bestSpeedup = Find(c.Id, 1).RnnGenBest / Find(c.Id, 2).RnnGenBest;
            if (c.Batch >= 32) Line(speedup >= 1.7, $"2 threads ≥ 1.7× one thread (batch ≥ 32): {c.Title}: {speedup:F2}× (best samples {bestSpeedup:F2}×)");
            else Line(speedup > 1.05, $"2 threads faster than one (batch 1): {c.Title}: {speedup:F2}×");
        }
        Console.WriteLine();
    }

    private static void PrintWorkspace()
    {
        // 'streaming' is one sequence fed one step at a time (State + Step): what batch-1 inference keeps besides the weights.
        Console.WriteLine("Workspace (X.WorkspaceBytes(batch, steps, training)); 'streaming' = WorkspaceBytes(1, 1, false), one step at a time:");
        Console.WriteLine($"{"case",-40} {"inference",12} {"training",12} {"streaming",12}");
        foreach (BenchmarkCase c in BenchmarkCases.All)
        {
            NetworkModel m = c.Create();
            Console.WriteLine($"{c.Title,-40} {Bytes(m.WorkspaceBytes(c.Batch, c.Steps, false)),12} {Bytes(m.WorkspaceBytes(c.Batch, c.Steps, true)),12} {Bytes(m.WorkspaceBytes(1, 1, false)),12}");
        }
        Console.WriteLine();
        Console.WriteLine("Training memory against T·B: WorkspaceBytes, and the bytes a fresh replica allocates in its first ForwardTraining + Backward;");
        Console.WriteLine("least-squares fit bytes = α·T·B + β·B + γ over the points, largest relative residual.");
        (int B, int T)[] points = [(16, 50), (32, 25), (32, 50), (32, 100), (64, 50), (8, 400)];
        foreach (BenchmarkCase c in BenchmarkCases.All.Where(c => c.Training))
        {
            NetworkModel m = c.Create();
            m.MeasureTrainingAllocation(2, 3); // first use of any per-thread kernel buffers
            var declared = points.Select(p => (double)m.WorkspaceBytes(p.B, p.T, true)).ToArray();
            var measured = points.Select(p => (double)m.MeasureTrainingAllocation(p.B, p.T)).ToArray();
            Console.WriteLine($"  {c.Title}");
            Console.WriteLine($"    {"B",4} {"T",4} {"T·B",6} {"WorkspaceBytes",15} {"allocated",12} {"allocated/(T·B)",16}");
            for (int i = 0; i < points.Length; i++)
                Console.WriteLine($"    {points[i].B,4} {points[i].T,4} {points[i].B * points[i].T,6} {declared[i],15:F0} {measured[i],12:F0} {measured[i] / (points[i].B * points[i].T),16:F1}");
            foreach ((string name, double[] bytes) in new[] { ("WorkspaceBytes", declared), ("allocated", measured) })
            {
                (double alpha, double beta, double gamma, double residual) = Fit(points, bytes);
                Console.WriteLine($"    {name,-15} α = {alpha:F1} B per T·B, β = {beta:F1} B per sequence, γ = {gamma:F0} B; largest residual {residual * 100:F3}% → {(residual < 0.01 ? "linear in T·B" : "NOT linear")}");
            }
        }
        Console.WriteLine();
    }

    // Least squares for bytes ≈ α·(T·B) + β·B + γ (3×3 normal equations, Gaussian elimination).
    private static (double Alpha, double Beta, double Gamma, double MaxRelativeResidual) Fit((int B, int T)[] points, double[] bytes)
    {
        var a = new double[3, 4];
        for (int i = 0; i < points.Length; i++)
        {
            double[] row = [(double)points[i].B * points[i].T, points[i].B, 1];
            for (int r = 0; r < 3; r++)
            {
                for (int k = 0; k < 3; k++) a[r, k] += row[r] * row[k];
                a[r, 3] += row[r] * bytes[i];
            }
        }
        for (int p = 0; p < 3; p++)
        {
            for (int r = p + 1; r < 3; r++)
            {
                double f = a[r, p] / a[p, p];
                for (int k = p; k < 4; k++) a[r, k] -= f * a[p, k];
            }
        }
        var s = new double[3];
        for (int r = 2; r >= 0; r--)
        {
            double v = a[r, 3];
            for (int k = r + 1; k < 3; k++) v -= a[r, k] * s[k];
            s[r] = v / a[r, r];
        }
        double worst = 0;
        for (int i = 0; i < points.Length; i++)
        {
            double predicted = s[0] * points[i].B * points[i].T + s[1] * points[i].B + s[2];
            worst = Math.Max(worst, Math.Abs(predicted - bytes[i]) / bytes[i]);
        }
        return (s[0], s[1], s[2], worst);
    }

    /// <summary>Runs pytorch_bench.py if <c>import torch</c> works, and fills in the PyTorch times.</summary>
    private static string RunPyTorch(string python, bool quick, List<Result> results)
    {
        string? script = FindScript();
        if (script is null) return "PyTorch: not measured (pytorch_bench.py not found next to the executable)";
        // Debian's python3-torch links libblas.so.3, which is the reference (netlib) BLAS unless an
        // optimized one is the system default. With Debian's OpenBLAS installed, PyTorch is run on it
        // (through LD_LIBRARY_PATH, for this process only) so that it is not measured on an
        // unoptimized BLAS: preferably the OpenMP build (libopenblas0-openmp), which shares PyTorch's
        // OpenMP threads; the pthread build (libopenblas0-pthread) starts threads of its own, and at
        // two threads the two pools oversubscribe the two cores. OPENBLAS_CORETYPE is passed on as it is.
        string? openBlas = new[] { "/usr/lib/x86_64-linux-gnu/openblas-openmp", "/usr/lib/x86_64-linux-gnu/openblas-pthread" }
            .FirstOrDefault(d => File.Exists(Path.Combine(d, "libblas.so.3")));
        bool useOpenBlas = openBlas is not null;
        var check = Exec(python, ["-c", "import torch; print(torch.__version__)"], useOpenBlas ? openBlas : null, TimeSpan.FromSeconds(60), echo: false);
        if (check.ExitCode != 0) return $"PyTorch: not measured (`{python} -c \"import torch\"` failed); the anchors are the issue's numbers";
        string blas = useOpenBlas
            ? $"OpenBLAS ({openBlas}, OPENBLAS_CORETYPE={Environment.GetEnvironmentVariable("OPENBLAS_CORETYPE") ?? "unset"})"
            : "the system libblas.so.3 (reference BLAS unless an optimized one is installed)";
        Console.WriteLine($"PyTorch {check.Output.Trim()} on {blas}: running {script} …");
        int filled = 0, failures = 0;
        // One process per thread count: OpenBLAS sizes its own thread pool from the environment at
        // load time, and torch.set_num_threads does not reach it.
        for (int threads = 1; threads <= 2; threads++)
        {
            List<string> arguments = [script, "--threads", threads.ToString(CultureInfo.InvariantCulture)];
            if (quick) arguments.Add("--quick");
            var run = Exec(python, arguments, useOpenBlas ? openBlas : null, TimeSpan.FromMinutes(quick ? 3 : 8), echo: true, threads);
            if (run.ExitCode != 0) failures++;
            foreach (string line in run.Output.Split('\n'))
            {
                string[] parts = line.Trim().Split(' ');
                if (parts.Length < 4 || parts[0] != "RESULT") continue;
                int t = int.Parse(parts[2], CultureInfo.InvariantCulture);
                double ms = double.Parse(parts[3], CultureInfo.InvariantCulture);
                Result? r = results.SingleOrDefault(r => r.Case.Id == parts[1] && r.Threads == t);
                if (r is null) continue;
                r.TorchSeconds = ms * 1e-3;
                if (parts.Length > 4) r.TorchBest = double.Parse(parts[4], CultureInfo.InvariantCulture) * 1e-3;
                filled++;
            }
        }
        return failures == 0
            ? $"PyTorch {check.Output.Trim()}: {filled} measurements ({blas}; OMP_NUM_THREADS and OPENBLAS_NUM_THREADS = the thread count)"
            : $"PyTorch: {failures} script run(s) failed; {filled} measurements";
    }

    private static string? FindScript()
    {
        foreach (string dir in new[] { AppContext.BaseDirectory, Directory.GetCurrentDirectory() })
        {
            string? d = dir;
            for (int up = 0; d is not null && up < 8; up++, d = Path.GetDirectoryName(d))
            {
                string candidate = Path.Combine(d, "pytorch_bench.py");
                if (File.Exists(candidate)) return candidate;
                candidate = Path.Combine(d, "tests", "RnnGen.Benchmarks", "pytorch_bench.py");
                if (File.Exists(candidate)) return candidate;
            }
        }
        return null;
    }

    private static (int ExitCode, string Output) Exec(string file, IEnumerable<string> arguments, string? libraryPath, TimeSpan timeout, bool echo, int threads = 1)
    {
        var info = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string a in arguments) info.ArgumentList.Add(a);
        if (libraryPath is not null) info.Environment["LD_LIBRARY_PATH"] = libraryPath;
        info.Environment["OMP_NUM_THREADS"] = threads.ToString(CultureInfo.InvariantCulture);
        info.Environment["OPENBLAS_NUM_THREADS"] = threads.ToString(CultureInfo.InvariantCulture);
        try
        {
            using var process = Process.Start(info)!;
            var output = new System.Text.StringBuilder();
            process.OutputDataReceived += (_, e) =>
            {
                if (e.Data is null) return;
                lock (output) output.AppendLine(e.Data);
                if (echo) Console.WriteLine($"  | {e.Data}");
            };
            process.ErrorDataReceived += (_, e) => { if (e.Data is not null && echo) Console.WriteLine($"  ! {e.Data}"); };
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            if (!process.WaitForExit(timeout))
            {
                process.Kill(entireProcessTree: true);
                return (-1, output.ToString());
            }
            process.WaitForExit();
            return (process.ExitCode, output.ToString());
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            return (-1, e.Message);
        }
    }

    private static float[] TimeMajor(float[] x, int batch, int steps, int size)
    {
        var result = new float[x.Length];
        for (int b = 0; b < batch; b++)
            for (int t = 0; t < steps; t++)
                x.AsSpan((b * steps + t) * size, size).CopyTo(result.AsSpan((t * batch + b) * size, size));
        return result;
    }

    // y [B, T, H] against ONNX Y [T, 1, B, H].
    private static double MaxDifferenceTimeMajor(float[] y, float[] onnx, int batch, int steps, int hidden)
    {
        double worst = 0;
        for (int b = 0; b < batch; b++)
            for (int t = 0; t < steps; t++)
                for (int j = 0; j < hidden; j++)
                    worst = Math.Max(worst, Math.Abs(y[(b * steps + t) * hidden + j] - onnx[(t * batch + b) * hidden + j]));
        return worst;
    }

    private static double MaxDifference(float[] a, float[] b)
    {
        double worst = 0;
        for (int i = 0; i < a.Length; i++) worst = Math.Max(worst, Math.Abs(a[i] - b[i]));
        return worst;
    }

    private static string Ms(double seconds) => double.IsNaN(seconds) ? "—" : (seconds * 1e3).ToString("F3", CultureInfo.InvariantCulture);

    private static string Ratio(double theirs, double ours) => double.IsNaN(theirs) ? "—" : (theirs / ours).ToString("F2", CultureInfo.InvariantCulture);

    private static string Bytes(long bytes) => bytes >= 1 << 20 ? $"{bytes / (double)(1 << 20):F2} MiB" : $"{bytes / 1024.0:F1} KiB";
}
