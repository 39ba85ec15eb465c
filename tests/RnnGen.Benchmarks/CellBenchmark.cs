using System;
using System.Collections.Generic;
using System.Runtime.CompilerServices;
using RnnGen.Kernels;

namespace RnnGen.Benchmarks;

/// <summary>
/// The cell kernels alone: each fused step (Cells.cs) against its plain reference, on the rows of
/// one time step at batch 64 (hidden size 256), samples alternating. Rows live in L2, so this
/// measures the kernels' arithmetic, not memory; the profile shows them inside a network.
/// </summary>
internal static class CellBenchmark
{
    public static void Run(bool quick)
    {
        TimingSettings timing = quick ? TimingSettings.Quick : TimingSettings.Full;
        const int H = 256, B = 64;
        Console.WriteLine($"RnnGen cell kernels ({(RuntimeFeature.IsDynamicCodeSupported ? "JIT" : "NativeAOT")}), one thread, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC; load average {BenchmarkCases.LoadAverage()}");
        Console.WriteLine($"H = {H}, {B} rows per call (one step at batch {B}); ns per row, median (best) of the samples.");
        Console.WriteLine();

        float[] pre = Scaled(BenchmarkCases.Uniform(B * 4 * H, 1), 3f), hProj = Scaled(BenchmarkCases.Uniform(B * 4 * H, 2), 3f);
        float[] saved = BenchmarkCases.Uniform(B * 4 * H, 3), c = BenchmarkCases.Uniform(B * H, 4), cPrev = BenchmarkCases.Uniform(B * H, 5);
        for (int i = 0; i < saved.Length; i++) saved[i] = 0.5f + 0.4f * saved[i];  // activations in (0.1, 0.9)
        float[] bias = BenchmarkCases.Uniform(4 * H, 6), peep = BenchmarkCases.Uniform(3 * H, 7), dPeep = new float[3 * H];
        float[] gates = new float[B * 4 * H], h = new float[B * H], cs = new float[B * H], hn = new float[B * H], rh = new float[B * H];
        float[] dh = BenchmarkCases.Uniform(B * H, 8), dc = new float[B * H], dg = new float[B * 4 * H], dhp = new float[B * 4 * H], dDirect = new float[B * H];

        Span<float> Row(float[] a, int b, int width) => a.AsSpan(b * width, width);
        var cases = new List<(string Name, Action Reference, Action Fast)>
        {
            ("LSTM forward", () => { for (int b = 0; b < B; b++) LstmCell.ForwardReference(Row(h, b, H), Row(cs, b, H), Row(gates, b, 4 * H), Row(pre, b, 4 * H), Row(hProj, b, 4 * H), Row(cPrev, b, H)); },
                             () => { for (int b = 0; b < B; b++) LstmCell.Forward(Row(h, b, H), Row(cs, b, H), Row(gates, b, 4 * H), Row(pre, b, 4 * H), Row(hProj, b, 4 * H), Row(cPrev, b, H)); }),
            ("LSTM forward + both biases (fast only)", () => { }, () => { for (int b = 0; b < B; b++) LstmCell.Forward(Row(h, b, H), Row(cs, b, H), Row(gates, b, 4 * H), Row(pre, b, 4 * H), Row(hProj, b, 4 * H), Row(cPrev, b, H), bias, bias); }),
            ("LSTM backward", () => { for (int b = 0; b < B; b++) LstmCell.BackwardReference(Row(dg, b, 4 * H), Row(dc, b, H), Row(dh, b, H), Row(saved, b, 4 * H), Row(c, b, H), Row(cPrev, b, H)); },
                              () => { for (int b = 0; b < B; b++) LstmCell.Backward(Row(dg, b, 4 * H), Row(dc, b, H), Row(dh, b, H), Row(saved, b, 4 * H), Row(c, b, H), Row(cPrev, b, H)); }),
            ("LSTM peephole forward", () => { for (int b = 0; b < B; b++) LstmCell.ForwardPeepholeReference(Row(h, b, H), Row(cs, b, H), Row(gates, b, 4 * H), Row(pre, b, 4 * H), Row(hProj, b, 4 * H), Row(cPrev, b, H), peep); },
                                      () => { for (int b = 0; b < B; b++) LstmCell.ForwardPeephole(Row(h, b, H), Row(cs, b, H), Row(gates, b, 4 * H), Row(pre, b, 4 * H), Row(hProj, b, 4 * H), Row(cPrev, b, H), peep); }),
            ("LSTM peephole backward", () => { for (int b = 0; b < B; b++) LstmCell.BackwardPeepholeReference(Row(dg, b, 4 * H), Row(dc, b, H), dPeep, Row(dh, b, H), Row(saved, b, 4 * H), Row(c, b, H), Row(cPrev, b, H), peep); },
                                       () => { for (int b = 0; b < B; b++) LstmCell.BackwardPeephole(Row(dg, b, 4 * H), Row(dc, b, H), dPeep, Row(dh, b, H), Row(saved, b, 4 * H), Row(c, b, H), Row(cPrev, b, H), peep); }),
            ("GRU forward", () => { for (int b = 0; b < B; b++) GruCell.ForwardReference(Row(h, b, H), Row(gates, b, 3 * H), Row(hn, b, H), Row(pre, b, 3 * H), Row(hProj, b, 3 * H), Row(cPrev, b, H)); },
                            () => { for (int b = 0; b < B; b++) GruCell.Forward(Row(h, b, H), Row(gates, b, 3 * H), Row(hn, b, H), Row(pre, b, 3 * H), Row(hProj, b, 3 * H), Row(cPrev, b, H)); }),
            ("GRU backward", () => { for (int b = 0; b < B; b++) GruCell.BackwardReference(Row(dg, b, 3 * H), Row(dhp, b, 3 * H), Row(dDirect, b, H), Row(dh, b, H), Row(saved, b, 3 * H), Row(c, b, H), Row(cPrev, b, H)); },
                             () => { for (int b = 0; b < B; b++) GruCell.Backward(Row(dg, b, 3 * H), Row(dhp, b, 3 * H), Row(dDirect, b, H), Row(dh, b, H), Row(saved, b, 3 * H), Row(c, b, H), Row(cPrev, b, H)); }),
            ("GRU reset-first forward (2 halves)", () => { for (int b = 0; b < B; b++) { GruResetFirstCell.ForwardGatesReference(Row(gates, b, 3 * H), Row(rh, b, H), Row(pre, b, 3 * H), Row(hProj, b, 2 * H), Row(cPrev, b, H)); GruResetFirstCell.ForwardCandidateReference(Row(h, b, H), Row(gates, b, 3 * H), Row(pre, b, 3 * H), Row(hn, b, H), Row(cPrev, b, H)); } },
                                                   () => { for (int b = 0; b < B; b++) { GruResetFirstCell.ForwardGates(Row(gates, b, 3 * H), Row(rh, b, H), Row(pre, b, 3 * H), Row(hProj, b, 2 * H), Row(cPrev, b, H)); GruResetFirstCell.ForwardCandidate(Row(h, b, H), Row(gates, b, 3 * H), Row(pre, b, 3 * H), Row(hn, b, H), Row(cPrev, b, H)); } }),
            ("GRU reset-first backward (2 halves)", () => { for (int b = 0; b < B; b++) { GruResetFirstCell.BackwardCandidateReference(Row(dg, b, 3 * H), Row(hn, b, H), Row(dDirect, b, H), Row(dh, b, H), Row(saved, b, 3 * H), Row(cPrev, b, H)); GruResetFirstCell.BackwardResetReference(Row(dg, b, 3 * H), Row(dhp, b, 2 * H), Row(dDirect, b, H), Row(dh, b, H), Row(saved, b, 3 * H), Row(cPrev, b, H)); } },
                                                    () => { for (int b = 0; b < B; b++) { GruResetFirstCell.BackwardCandidate(Row(dg, b, 3 * H), Row(hn, b, H), Row(dDirect, b, H), Row(dh, b, H), Row(saved, b, 3 * H), Row(cPrev, b, H)); GruResetFirstCell.BackwardReset(Row(dg, b, 3 * H), Row(dhp, b, 2 * H), Row(dDirect, b, H), Row(dh, b, H), Row(saved, b, 3 * H), Row(cPrev, b, H)); } }),
            ("RNN tanh forward", () => { for (int b = 0; b < B; b++) RnnCell.ForwardReference(Row(h, b, H), Row(pre, b, H), Row(hProj, b, H), relu: false); },
                                 () => { for (int b = 0; b < B; b++) RnnCell.Forward(Row(h, b, H), Row(pre, b, H), Row(hProj, b, H), relu: false); }),
            ("RNN tanh backward", () => { for (int b = 0; b < B; b++) RnnCell.BackwardReference(Row(dg, b, H), Row(dh, b, H), Row(saved, b, H), relu: false); },
                                  () => { for (int b = 0; b < B; b++) RnnCell.Backward(Row(dg, b, H), Row(dh, b, H), Row(saved, b, H), relu: false); }),
        };

        // Every kernel is called often enough to be recompiled at full optimization before any is
        // timed (otherwise the first cases can be measured in tier-0 code on a busy machine).
        for (int i = 0; i < 200; i++)
            foreach (var (_, reference, fast) in cases) { reference(); fast(); }
        System.Threading.Thread.Sleep(200);

        Console.WriteLine($"  {"kernel",-40} {"reference",18} {"fused",18} {"speed-up",9}");
        foreach (var (name, reference, fast) in cases)
        {
            var t = timing.Measure([reference, fast]);
            string Ns((double Median, double Best) x) => $"{x.Median / B * 1e9,8:F0} ({x.Best / B * 1e9,6:F0})";
            bool hasReference = !name.EndsWith("(fast only)", StringComparison.Ordinal);
            Console.WriteLine($"  {name,-40} {(hasReference ? Ns(t[0]) : "—"),18} {Ns(t[1]),18} {(hasReference ? $"{t[0].Median / t[1].Median,8:F1}×" : ""),9}");
        }
        Console.WriteLine();
        Console.WriteLine($"load average at end: {BenchmarkCases.LoadAverage()}");
    }

    private static float[] Scaled(float[] a, float s)
    {
        for (int i = 0; i < a.Length; i++) a[i] *= s;
        return a;
    }
}
