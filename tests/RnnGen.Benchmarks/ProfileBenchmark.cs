using System;
using System.Collections.Generic;
using System.Linq;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.InteropServices;
using RnnGen.Kernels;
using RnnGen.Training;

namespace RnnGen.Benchmarks;

/// <summary>
/// Where the time of a generated network goes. Each phase of the generated forward and backward
/// (see the emitted <c>ForwardL0</c>/<c>BackwardL0</c>) is replayed alone with the same runtime
/// kernels, the same shapes and the same call pattern, and timed; the whole call is timed through the
/// generated class; "rest" is the difference (copies, clears, argument checks, loop overhead).
/// One thread (batch 1 also shows its recurrent loop on two). One difference on purpose: the replayed
/// backward cell writes the gate gradients to a buffer of their own, where the generated backward writes
/// them over the gate activations, so that every repetition reads the same activations.
/// </summary>
internal static class ProfileBenchmark
{
    public static void Run(bool quick)
    {
        TimingSettings timing = quick ? TimingSettings.Quick : TimingSettings.Full;
        Console.WriteLine($"RnnGen profile ({(RuntimeFeature.IsDynamicCodeSupported ? "JIT" : "NativeAOT")}), one thread, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC; load average {BenchmarkCases.LoadAverage()}");
        Console.WriteLine("Each phase replayed alone with the generated code's kernels and shapes; median per call.");
        Console.WriteLine();
        foreach (BenchmarkCase c in BenchmarkCases.All) Profile(c, timing);
        Console.WriteLine($"load average at end: {BenchmarkCases.LoadAverage()}");
    }

    private static void Profile(BenchmarkCase c, TimingSettings timing)
    {
        int I = c.InputSize, H = c.HiddenSize, G = c.Gates, GH = G * H, T = c.Steps, B = c.Batch, rows = B * T;
        NetworkModel model = c.Create();
        ReadOnlySpan<float> wIhSpan = model.Tensor("weight_ih_l0");
        float[] wIh = wIhSpan.ToArray(), wHh = model.Tensor("weight_hh_l0").ToArray();
        ReadOnlyMemory<float> wHhAligned = BenchmarkCases.AlignedCopy(wHh);
        float[] bIh = model.Tensor("bias_ih_l0").ToArray(), bHh = model.Tensor("bias_hh_l0").ToArray();
        float[] input = BenchmarkCases.Uniform(rows * I, 1);
        float[] gates = BenchmarkCases.Uniform(rows * GH, 3), gatesWork = new float[rows * GH];
        float[] h = BenchmarkCases.Uniform(B * H, 4), cState = BenchmarkCases.Uniform(B * H, 5);
        float[] hProj = new float[B * GH], output = new float[rows * H], hn = new float[rows * H];
        int[] lengths = Enumerable.Repeat(T, B).ToArray();

        bool batchOne = !c.Training && B == 1;
        // The generated loops pack W_hh once per call into the product's layout (forward: W_hhᵀ, backward: W_hh).
        float[] packedHh = new float[Math.Max(Gemm.PackedLength(GH, H), Gemm.PackedLength(H, GH))];
        var phases = new List<(string Name, Action Call, double Flops)>();
        // Batch 1 at inference: the generated code runs the input projection (with b_ih) and the time
        // loop (product and fused cell per step) in RecurrentRunner; on two threads with
        // RecurrentThreads = 2. The per-step GEMM the loop replaced is shown aside, and so is the floor
        // of the loop on one thread: W_hh read once per step with no arithmetic (a forward sum).
        if (batchOne)
        {
            var one = new RecurrentRunner();
            var two = new RecurrentRunner { Threads = 2 };
            // The whole forward runs with frozen weights (see NetworkModel.Infer), so the phases keep the packed weights too
            // (the packed layout does not depend on the thread split: one copy serves both runners); the unfrozen calls, which
            // pack per call, are shown aside.
            PackedWeights kept = new();
            void Loop(RecurrentRunner r, PackedWeights? kept)
            {
                if (c.Cell == CellKind.Lstm) r.Lstm(wHh, bHh, gates, h, cState, output, H, T, reverse: false, kept);
                else r.Gru(wHh, bHh, gates, h, output, H, T, reverse: false, kept);
            }
            float sink = 0;
            phases.Add(("input projection (runner's Project: GEMM + b_ih, W_ih kept packed)", () => one.Project(gatesWork, input, wIh, bIh, rows, I, H, kept), 2.0 * rows * GH * I));
            // 2²²: RecurrentRunner.TwoThreadProjectionMinimum, below which a projection stays on the caller.
            phases.Add(((long)rows * GH * I < 1L << 22 ? "  (the same on 2 threads: too small to share, one thread)" : "  (the same on 2 threads)", () => two.Project(gatesWork, input, wIh, bIh, rows, I, H, kept), -2.0 * rows * GH * I));
            phases.Add(("  (unfrozen: W_ih packed on every call)", () => one.Project(gatesWork, input, wIh, bIh, rows, I, H), -2.0 * rows * GH * I));
            phases.Add(("recurrent loop (runner: W_hh kept packed, product + cell)", () => Loop(one, kept), 2.0 * rows * GH * H));
            phases.Add(("  (the same on 2 threads, RecurrentThreads = 2)", () => Loop(two, kept), -2.0 * rows * GH * H));
            phases.Add(("  (unfrozen: W_hh packed on every call)", () => Loop(one, null), -2.0 * rows * GH * H));
            phases.Add(("  (floor: W_hh read T times, no arithmetic)", () => sink += BenchmarkCases.ReadPerStep(wHhAligned, T), -2.0 * rows * GH * H));
            GC.KeepAlive(sink);
            phases.Add(("  (before: T per-step Gemm.ABt, m = 1, no cell)", () =>
            {
                for (int s = 0; s < T; s++)
                {
                    Rows.SetBias(hProj, bHh, B);
                    Gemm.ABt(hProj, h, wHh, B, GH, H, accumulate: true);
                }
            }, -2.0 * rows * GH * H));
        }
        else phases.AddRange(
        [
            ("input projection GEMM", () => Gemm.ABt(gatesWork, input, wIh, rows, GH, I, accumulate: false), 2.0 * rows * GH * I),
            ("recurrent product (W_hh packed once, T per-step GEMMs)", () =>
            {
                Gemm.PackBt(packedHh, wHh, GH, H);
                for (int s = 0; s < T; s++) Gemm.APackedB(hProj, h, packedHh, B, GH, H, accumulate: false);
            }, 2.0 * rows * GH * H),
            ("cell: biases, gate activations, state update", () =>
            {
                gates.AsSpan().CopyTo(gatesWork);
                for (int s = 0; s < T; s++)
                    for (int b = 0; b < B; b++)
                    {
                        int row = b * T + s;
                        Span<float> hb = h.AsSpan(b * H, H), g = gatesWork.AsSpan(row * GH, GH);
                        if (c.Cell == CellKind.Lstm) LstmCell.Forward(hb, cState.AsSpan(b * H, H), g, g, hProj.AsSpan(b * GH, GH), cState.AsSpan(b * H, H), bIh, bHh);
                        else GruCell.Forward(hb, g, hn.AsSpan(row * H, H), g, hProj.AsSpan(b * GH, GH), hb, bIh, bHh);
                        hb.CopyTo(output.AsSpan(row * H, H));
                    }
            }, 0),
        ]);

        float[] dGates = BenchmarkCases.Uniform(rows * GH, 6), dStep = new float[B * GH], dhPrev = new float[B * H];
        float[] dh = BenchmarkCases.Uniform(B * H, 7), dc = new float[B * H], dOutput = BenchmarkCases.Uniform(rows * H, 8);
        float[] cells = BenchmarkCases.Uniform(rows * H, 9), hPrev = BenchmarkCases.Uniform(rows * H, 10);
        float[] dWih = new float[wIh.Length], dWhh = new float[wHh.Length], dbIh = new float[GH], dbHh = new float[GH];
        float[] dHProj = new float[rows * GH], dhDirect = new float[B * H];
        for (int i = 0; i < gates.Length; i++) gates[i] = 0.5f + 0.4f * gates[i]; // activations in (0.1, 0.9)
        if (c.Training)
        {
            float[] parameters = model.Network.Parameters.ToArray(), gradients = BenchmarkCases.Uniform(parameters.Length, 11);
            var adam = new Adam();
            phases.AddRange(
            [
                ("backward cell (T·B fused steps)", () =>
                {
                    for (int s = T - 1; s >= 0; s--)
                        for (int b = 0; b < B; b++)
                        {
                            int row = b * T + s;
                            Span<float> dhb = dh.AsSpan(b * H, H);
                            TensorPrimitives.Add(dhb, dOutput.AsSpan(row * H, H), dhb);
                            Span<float> dg = dGates.AsSpan(row * GH, GH);
                            if (c.Cell == CellKind.Lstm)
                            {
                                LstmCell.Backward(dg, dc.AsSpan(b * H, H), dhb, gates.AsSpan(row * GH, GH), cells.AsSpan(row * H, H), hPrev.AsSpan(row * H, H));
                                dg.CopyTo(dStep.AsSpan(b * GH, GH));
                            }
                            else
                            {
                                Span<float> dhp = dHProj.AsSpan(row * GH, GH);
                                GruCell.Backward(dg, dhp, dhDirect.AsSpan(b * H, H), dhb, gates.AsSpan(row * GH, GH), hn.AsSpan(row * H, H), hPrev.AsSpan(row * H, H));
                                dhp.CopyTo(dStep.AsSpan(b * GH, GH));
                            }
                            TensorPrimitives.Multiply(dhb, 0.5f, dhb); // keep values bounded across repetitions
                        }
                }, 0),
                ("backward recurrent product (W_hh packed once, T per-step GEMMs)", () =>
                {
                    Gemm.PackB(packedHh, wHh, GH, H);
                    for (int s = 0; s < T; s++) Gemm.APackedB(dhPrev, dStep, packedHh, B, H, GH, accumulate: false);
                }, 2.0 * rows * GH * H),
                ("weight gradients (2 GEMMs over all steps)", () =>
                {
                    Gemm.AtB(dWih, dGates, input, GH, I, rows, accumulate: true);
                    Gemm.AtB(dWhh, dGates, hPrev, GH, H, rows, accumulate: true);
                }, 2.0 * rows * GH * (I + H)),
                // No input-gradient GEMM: the generated backward computes ∂L/∂input only when asked for, and a training step is not.
                ("bias gradients (column sums)", () =>
                {
                    Rows.AccumulateColumnSums(dbIh, dGates, rows);
                    Rows.AccumulateColumnSums(dbHh, dGates, rows);
                }, 0),
                ("Adam step", () => adam.Step(parameters, gradients), 0),
            ]);
        }

        float[] x = BenchmarkCases.Uniform(rows * I, 1), y = new float[rows * H], target = BenchmarkCases.Uniform(rows * H, 2), dy = new float[rows * H];
        Action whole = c.Training ? () => model.TrainStep(x, lengths, target, y, dy, 1) : () => model.Infer(x, lengths, y, 1);
        // The whole call and the phases alternate sample by sample, so the shares compare like with like.
        double[] all = timing.Median([whole, .. phases.Select(p => p.Call)]);
        double total = all[0];
        double[] times = all[1..];

        Console.WriteLine($"{c.Title}: whole {(c.Training ? "training step" : "forward")} {total * 1e3:F3} ms = {c.Flops / total * 1e-9:F1} GFLOP/s");
        Console.WriteLine($"  {"phase",-56} {"ms",8} {"share",6} {"GFLOP/s",8} {"µs/step",8}");
        double sum = 0;
        for (int i = 0; i < phases.Count; i++)
        {
            bool aside = phases[i].Flops < 0;
            if (!aside) sum += times[i];
            double flops = Math.Abs(phases[i].Flops);
            Console.WriteLine($"  {phases[i].Name,-56} {times[i] * 1e3,8:F3} {(aside ? "" : $"{times[i] / total * 100:F0}%"),6} {(flops > 0 ? (flops / times[i] * 1e-9).ToString("F1", System.Globalization.CultureInfo.InvariantCulture) : ""),8} {times[i] / T * 1e6,8:F2}");
        }
        Console.WriteLine($"  {"rest (copies, clears, checks, loop overhead)",-48} {(total - sum) * 1e3,8:F3} {(total - sum) / total * 100,5:F0}%");
        if (batchOne)
        {
            // A stream fed one step per Step call: unfrozen, a short call reads W_hh and W_ih in place; frozen, it runs
            // the packed kernels on the copies kept since its first step.
            double[] stream = timing.Median([model.StreamStep(frozen: false, threads: 1), model.StreamStep(frozen: true, threads: 1), model.StreamStep(frozen: true, threads: 2)]);
            Console.WriteLine($"  streaming, one step per Step call: {stream[0] * 1e6:F2} µs unfrozen, {stream[1] * 1e6:F2} µs frozen ({stream[0] / stream[1]:F2}×), {stream[2] * 1e6:F2} µs frozen on 2 threads");
        }
        Console.WriteLine();
    }

}
