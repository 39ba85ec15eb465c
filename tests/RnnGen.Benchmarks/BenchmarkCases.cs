using System;
using System.Diagnostics;
using System.Linq;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace RnnGen.Benchmarks;

/// <summary>A shape of the side-by-side comparison, with the issue's reference times on this machine.</summary>
/// <param name="Id">Short name, shared with pytorch_bench.py.</param>
/// <param name="OrtAnchorMs">ONNX Runtime 1.31.1, one thread, as measured when the issue was written (NaN: no ORT training).</param>
/// <param name="TorchAnchorMs">PyTorch 1.13, one thread, as measured when the issue was written.</param>
internal sealed record BenchmarkCase(string Id, CellKind Cell, int InputSize, int HiddenSize, int Steps, int Batch, bool Training,
                                     double OrtAnchorMs, double TorchAnchorMs, Func<NetworkModel> Create)
{
    public int Gates => Cell == CellKind.Lstm ? 4 : 3;

    /// <summary>2·G·H·(I+H)·T·B for inference; three times that for a training step (forward, input/hidden gradients, weight gradients).</summary>
    public double Flops => 2.0 * Gates * HiddenSize * (InputSize + HiddenSize) * Steps * Batch * (Training ? 3 : 1);

    /// <summary>
    /// The FLOPs of a training step's matrix products as RnnGen computes them: per row, the forward's input projection
    /// (G·H·I) and recurrent product (G·H·H), the backward's product through W_hh (G·H·H) and the two weight gradients
    /// (G·H·I + G·H·H); ∂L/∂input is not asked for. 2·G·H·T·B·(2I + 3H) in all (step 0's products with h₀ = 0 are
    /// counted, as the generated code computes them).
    /// </summary>
    public double TrainingProductFlops => 2.0 * Gates * HiddenSize * Steps * Batch * (2.0 * InputSize + 3.0 * HiddenSize);

    /// <summary>
    /// The case's timed call on <paramref name="model"/>, by thread count, over fixed data (uniform inputs, every
    /// sequence full length, a target for the training loss): a training step, or inference.
    /// </summary>
    public Func<int, Action> Call(NetworkModel model)
    {
        float[] x = BenchmarkCases.Uniform(Batch * Steps * InputSize, 1);
        int[] lengths = Enumerable.Repeat(Steps, Batch).ToArray();
        float[] y = new float[Batch * Steps * HiddenSize], dy = new float[y.Length], target = BenchmarkCases.Uniform(y.Length, 2);
        return threads => Training ? () => model.TrainStep(x, lengths, target, y, dy, threads) : () => model.Infer(x, lengths, y, threads);
    }

    public string Title => $"{(Training ? "train " : "infer ")}{(Cell == CellKind.Lstm ? "LSTM" : "GRU")} I={InputSize} H={HiddenSize} T={Steps} B={Batch}";
}

internal static class BenchmarkCases
{
    /// <summary>Peak FMA throughput of one core of this machine (AVX-512, Zen 5), GFLOP/s, from the issue.</summary>
    public const double PeakGflopsPerCore = 212;

    private const ulong Seed = 2024;

    /// <summary>
    /// A copy of <paramref name="source"/> at a 64-byte aligned address that does not move (pinned), as the
    /// runner's packed copy is: a misaligned array would make every vector load of the floor loop span two
    /// cache lines and the floor too slow.
    /// </summary>
    public static unsafe ReadOnlyMemory<float> AlignedCopy(float[] source)
    {
        float[] pinned = GC.AllocateArray<float>(source.Length + 16, pinned: true);
        nint address = (nint)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(pinned));
        int offset = (int)((64 - (address & 63)) & 63) / sizeof(float);
        source.CopyTo(pinned, offset);
        return new ReadOnlyMemory<float>(pinned, offset, source.Length);
    }

    /// <summary>The floor loop of batch 1: <see cref="Sweep"/> over W_hh (an <see cref="AlignedCopy"/>) once per step for <paramref name="steps"/> steps, alternating direction.</summary>
    public static float ReadPerStep(ReadOnlyMemory<float> weightHh, int steps)
    {
        float sink = 0;
        for (int s = 0; s < steps; s++) sink += Sweep(weightHh.Span, descending: (s & 1) == 1);
        return sink;
    }

    /// <summary>
    /// Reads every float of <paramref name="data"/> once, with eight independent sums (so that the read,
    /// not the adds, sets the pace), front to back or back to front as the batch-1 runner alternates its
    /// blocks per step: the floor of a time loop that must read W_hh once per step.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static float Sweep(ReadOnlySpan<float> data, bool descending)
    {
        ReadOnlySpan<Vector512<float>> v = MemoryMarshal.Cast<float, Vector512<float>>(data);
        ref Vector512<float> r = ref MemoryMarshal.GetReference(v);
        Vector512<float> a0 = default, a1 = default, a2 = default, a3 = default, a4 = default, a5 = default, a6 = default, a7 = default;
        nint n = v.Length / 8 * 8, step = descending ? -8 : 8;
        for (nint i = descending ? n - 8 : 0, left = n / 8; left > 0; left--, i += step)
        {
            ref Vector512<float> q = ref Unsafe.Add(ref r, i);
            a0 += q; a1 += Unsafe.Add(ref q, 1); a2 += Unsafe.Add(ref q, 2); a3 += Unsafe.Add(ref q, 3);
            a4 += Unsafe.Add(ref q, 4); a5 += Unsafe.Add(ref q, 5); a6 += Unsafe.Add(ref q, 6); a7 += Unsafe.Add(ref q, 7);
        }
        return Vector512.Sum(((a0 + a1) + (a2 + a3)) + ((a4 + a5) + (a6 + a7)));
    }

    public static readonly BenchmarkCase[] All =
    [
        new("lstm-i64-h128-t50-b1", CellKind.Lstm, 64, 128, 50, 1, false, 0.180, 2.17,
            () => NetworkModel.Create(new LstmI64H128(Seed), n => n.CreateReplica(), (n, x, l, y) => n.Forward(x, l, y),
                                      (n, x, l, y) => n.ForwardTraining(x, l, y), (n, dy) => n.Backward(dy), LstmI64H128.WorkspaceBytes,
                                      (n, t, frozen) => { n.RecurrentThreads = t; n.WeightsFrozen = frozen; },
                                      n => Streamer(n, (r, x, st, y) => r.Step(x, st, y), new LstmI64H128.State(), LstmI64H128.InputSize, LstmI64H128.StepOutputSize))),
        new("lstm-i256-h256-t150-b1", CellKind.Lstm, 256, 256, 150, 1, false, 2.65, 16.8, CreateLstm256),
        new("gru-i256-h256-t100-b1", CellKind.Gru, 256, 256, 100, 1, false, 1.16, 9.55,
            () => NetworkModel.Create(new GruI256H256(Seed), n => n.CreateReplica(), (n, x, l, y) => n.Forward(x, l, y),
                                      (n, x, l, y) => n.ForwardTraining(x, l, y), (n, dy) => n.Backward(dy), GruI256H256.WorkspaceBytes,
                                      (n, t, frozen) => { n.RecurrentThreads = t; n.WeightsFrozen = frozen; },
                                      n => Streamer(n, (r, x, st, y) => r.Step(x, st, y), new GruI256H256.State(), GruI256H256.InputSize, GruI256H256.StepOutputSize))),
        new("lstm-i256-h256-t50-b64", CellKind.Lstm, 256, 256, 50, 64, false, 21.0, 33.8, CreateLstm256),
        new("train-lstm-i128-h256-t50-b32", CellKind.Lstm, 128, 256, 50, 32, true, double.NaN, 50.0,
            () => NetworkModel.Create(new LstmI128H256(Seed), n => n.CreateReplica(), (n, x, l, y) => n.Forward(x, l, y),
                                      (n, x, l, y) => n.ForwardTraining(x, l, y), (n, dy) => n.Backward(dy), LstmI128H256.WorkspaceBytes,
                                      (n, t, frozen) => { n.RecurrentThreads = t; n.WeightsFrozen = frozen; },
                                      n => Streamer(n, (r, x, st, y) => r.Step(x, st, y), new LstmI128H256.State(), LstmI128H256.InputSize, LstmI128H256.StepOutputSize))),
        new("train-gru-i128-h256-t50-b32", CellKind.Gru, 128, 256, 50, 32, true, double.NaN, 42.1,
            () => NetworkModel.Create(new GruI128H256(Seed), n => n.CreateReplica(), (n, x, l, y) => n.Forward(x, l, y),
                                      (n, x, l, y) => n.ForwardTraining(x, l, y), (n, dy) => n.Backward(dy), GruI128H256.WorkspaceBytes,
                                      (n, t, frozen) => { n.RecurrentThreads = t; n.WeightsFrozen = frozen; },
                                      n => Streamer(n, (r, x, st, y) => r.Step(x, st, y), new GruI128H256.State(), GruI128H256.InputSize, GruI128H256.StepOutputSize))),
    ];

    // One streaming step per call on a stream of its own: what a token-at-a-time caller runs.
    private static Action Streamer<TNet, TState>(TNet net, Action<TNet, float[], TState, float[]> step, TState state, int inputSize, int outputSize)
    {
        float[] x = Uniform(inputSize, 7), y = new float[outputSize];
        return () => step(net, x, state, y);
    }

    private static NetworkModel CreateLstm256() =>
        NetworkModel.Create(new LstmI256H256(Seed), n => n.CreateReplica(), (n, x, l, y) => n.Forward(x, l, y),
                            (n, x, l, y) => n.ForwardTraining(x, l, y), (n, dy) => n.Backward(dy), LstmI256H256.WorkspaceBytes,
                                      (n, t, frozen) => { n.RecurrentThreads = t; n.WeightsFrozen = frozen; },
                                      n => Streamer(n, (r, x, st, y) => r.Step(x, st, y), new LstmI256H256.State(), LstmI256H256.InputSize, LstmI256H256.StepOutputSize));

    public static float[] Uniform(int length, int seed)
    {
        var random = new Random(seed);
        var x = new float[length];
        for (int i = 0; i < x.Length; i++) x[i] = (float)(random.NextDouble() * 2 - 1);
        return x;
    }

    public static string LoadAverage()
    {
        try { return string.Join(' ', System.IO.File.ReadAllText("/proc/loadavg").Split(' ', 4)[..3]); }
        catch (System.IO.IOException) { return "unknown"; }
        catch (UnauthorizedAccessException) { return "unknown"; }
    }

    public static string CpuModel()
    {
        try
        {
            foreach (string line in System.IO.File.ReadLines("/proc/cpuinfo"))
                if (line.StartsWith("model name", StringComparison.Ordinal)) return line[(line.IndexOf(':') + 1)..].Trim();
        }
        catch (System.IO.IOException) { }
        catch (UnauthorizedAccessException) { }
        return "unknown CPU";
    }
}

/// <summary>Timing settings: warm-up, then N samples of enough calls to last <see cref="SampleSeconds"/>; the median per-call time.</summary>
internal sealed record TimingSettings(double WarmupSeconds, int Samples, double SampleSeconds)
{
    public static readonly TimingSettings Quick = new(0.3, 11, 0.02);
    public static readonly TimingSettings Full = new(1.0, 31, 0.05);

    /// <summary>
    /// Median and best seconds per call of each contestant. With <paramref name="interleave"/>,
    /// samples alternate between the contestants, so a change of load on the shared machine hits all
    /// of them alike. Without it, each contestant's samples run in one block: needed with two
    /// threads, where ONNX Runtime's intra-op worker keeps spinning on the second core after
    /// <c>Run</c> returns and would slow the contestant that follows it.
    /// </summary>
    public (double Median, double Best)[] Measure(Action[] calls, bool interleave = true)
    {
        var sw = new Stopwatch();
        var perSample = new long[calls.Length];
        for (int c = 0; c < calls.Length; c++)
        {
            long n = 0;
            sw.Restart();
            while (sw.Elapsed.TotalSeconds < WarmupSeconds || n < 3) { calls[c](); n++; }
            perSample[c] = Math.Max(1, (long)(SampleSeconds / (sw.Elapsed.TotalSeconds / n)));
        }
        var times = new double[calls.Length][];
        for (int c = 0; c < calls.Length; c++) times[c] = new double[Samples];
        void Sample(int c, int s)
        {
            sw.Restart();
            for (long i = 0; i < perSample[c]; i++) calls[c]();
            times[c][s] = sw.Elapsed.TotalSeconds / perSample[c];
        }
        if (interleave)
        {
            for (int s = 0; s < Samples; s++)
                for (int c = 0; c < calls.Length; c++) Sample(c, s);
        }
        else
        {
            for (int c = 0; c < calls.Length; c++)
            {
                for (long i = 0; i < perSample[c]; i++) calls[c](); // warm again after the others ran
                for (int s = 0; s < Samples; s++) Sample(c, s);
            }
        }
        var result = new (double, double)[calls.Length];
        for (int c = 0; c < calls.Length; c++)
        {
            Array.Sort(times[c]);
            result[c] = (times[c][Samples / 2], times[c][0]);
        }
        return result;
    }

    /// <summary>Median seconds per call of each contestant (see <see cref="Measure"/>).</summary>
    public double[] Median(Action[] calls) => Array.ConvertAll(Measure(calls), m => m.Median);
}
