using System;
using RnnGen.Benchmarks;

// Timing harness for the runtime kernels. Modes:
//   gemm [--quick]   GFLOP/s of Gemm.ABt / AB / AtB on the shapes a recurrent network uses.
string mode = args.Length > 0 ? args[0] : "gemm";
bool quick = Array.IndexOf(args, "--quick") >= 0;
switch (mode)
{
    case "gemm":
        GemmBenchmark.Run(quick);
        return 0;
    default:
        Console.Error.WriteLine($"Unknown mode '{mode}'. Modes: gemm [--quick].");
        return 2;
}
