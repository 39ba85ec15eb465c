using System;
using RnnGen.Benchmarks;

// Timing harness for the runtime kernels. Modes:
//   gemm [--quick] [--passes N]   GFLOP/s of the Gemm products on the shapes a recurrent network
//                                 uses; each shape is timed N times over (default 3), best kept.
string mode = args.Length > 0 ? args[0] : "gemm";
bool quick = Array.IndexOf(args, "--quick") >= 0;
int passesAt = Array.IndexOf(args, "--passes");
int passes = passesAt >= 0 && passesAt + 1 < args.Length && int.TryParse(args[passesAt + 1], out int p) && p > 0 ? p : 3;
switch (mode)
{
    case "gemm":
        GemmBenchmark.Run(quick, passes);
        return 0;
    default:
        Console.Error.WriteLine($"Unknown mode '{mode}'. Modes: gemm [--quick] [--passes N].");
        return 2;
}
