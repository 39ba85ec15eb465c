using System;
using RnnGen.Benchmarks;

// Timing harness. Modes:
//   gemm [--quick] [--passes N]   GFLOP/s of the Gemm products on the shapes a recurrent network
//                                 uses; each shape is timed N times over (default 3), best kept (docs/kernels.md).
//   networks [--quick] [--no-pytorch] [--python PATH]
//                        the generated networks against ONNX Runtime (same weights, in-process) and PyTorch
//                        (pytorch_bench.py), 1 and 2 threads; correctness, table, targets, workspace (docs/performance.md).
//   profile [--quick]    where a network's time goes: each phase of the generated forward/backward timed alone.
//   cells [--quick]      the fused cell kernels against their plain references, one step's rows at batch 64.
//   firstcalls           the first 400 calls of each case in a fresh process, one thread (what tiered compilation costs a short-lived caller).
//   repeat CASE [--seconds S] [--threads N]
//                        one case's call (an id from BenchmarkCases, e.g. train-gru-i128-h256-t50-b32) in a loop for S
//                        seconds (default 10), the median printed: a target for perf record (docs/performance.md).
//   scaling              two replicas on two threads: inference LSTM I=256 H=256 T=50 B=64 and a training step LSTM I=128 H=256 T=50 B=32, halves alone, together, in sequence.
string mode = args.Length > 0 ? args[0] : "gemm";
bool quick = Array.IndexOf(args, "--quick") >= 0;
int passesAt = Array.IndexOf(args, "--passes");
int passes = passesAt >= 0 && passesAt + 1 < args.Length && int.TryParse(args[passesAt + 1], out int p) && p > 0 ? p : 3;
int pythonAt = Array.IndexOf(args, "--python");
string? python = pythonAt >= 0 && pythonAt + 1 < args.Length ? args[pythonAt + 1] : null;
switch (mode)
{
    case "gemm":
        GemmBenchmark.Run(quick, passes);
        return 0;
    case "networks":
        return NetworkBenchmark.Run(quick, python, skipPyTorch: Array.IndexOf(args, "--no-pytorch") >= 0);
    case "scaling":
        ScalingProbe.Run();
        return 0;
    case "profile":
        ProfileBenchmark.Run(quick);
        return 0;
    case "cells":
        CellBenchmark.Run(quick);
        return 0;
    case "repeat":
        if (!TryOption("--seconds", 10, out double seconds) || !TryOption("--threads", 1, out double threads))
        {
            Console.Error.WriteLine("--seconds and --threads take numbers.");
            return 2;
        }
        return RepeatBenchmark.Run(args.Length > 1 ? args[1] : "", seconds, threads);
    case "firstcalls":
        return FirstCallsBenchmark.Run();
    case "firstcalls-child" when args.Length > 1:
        return FirstCallsBenchmark.Child(args[1]);
    default:
        Console.Error.WriteLine($"Unknown mode '{mode}'. Modes: gemm [--quick] [--passes N]; networks [--quick] [--no-pytorch] [--python PATH]; profile [--quick]; cells [--quick]; repeat CASE [--seconds S] [--threads N]; firstcalls; scaling.");
        return 2;
}

// The number after `name` on the command line (`fallback` when the option is absent); false when it is not a number.
bool TryOption(string name, double fallback, out double value)
{
    value = fallback;
    int at = Array.IndexOf(args, name);
    return at < 0 || (at + 1 < args.Length && double.TryParse(args[at + 1], System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out value));
}
