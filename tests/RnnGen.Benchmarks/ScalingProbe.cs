using System;
using System.Diagnostics;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;

namespace RnnGen.Benchmarks;

/// <summary>
/// Does splitting a batch over two replicas scale? LSTM I=256 H=256 T=50 B=64: the whole batch on one
/// thread, one half alone, both halves at once (Parallel.Invoke, as the networks mode does, and a
/// dedicated thread with a barrier), and both halves one after the other. Samples alternate, so on a
/// shared machine the comparison holds even when the absolute times move.
/// </summary>
internal static class ScalingProbe
{
    public static void Run()
    {
        Console.WriteLine("Inference, LSTM I=256 H=256 T=50 B=64:");
        var net = new LstmI256H256(1);
        LstmI256H256 a = net.CreateReplica(), b = net.CreateReplica();
        const int B = 64, T = 50, I = 256, H = 256, half = B / 2;
        float[] x = BenchmarkCases.Uniform(B * T * I, 1), y = new float[B * T * H];
        int[] lengths = Enumerable.Repeat(T, B).ToArray();
        void A() => a.Forward(x.AsSpan(0, half * T * I), lengths.AsSpan(0, half), y.AsSpan(0, half * T * H));
        void Bh() => b.Forward(x.AsSpan(half * T * I), lengths.AsSpan(half), y.AsSpan(half * T * H));
        var go = new Barrier(2);
        var t2 = new Thread(() => { while (true) { go.SignalAndWait(); Bh(); go.SignalAndWait(); } }) { IsBackground = true };
        t2.Start();
        void Dedicated() { go.SignalAndWait(); A(); go.SignalAndWait(); }
        var timing = new TimingSettings(1.0, 21, 0.05);
        var m = timing.Measure([() => net.Forward(x, lengths, y), A, () => Parallel.Invoke(A, Bh), Dedicated, () => { A(); Bh(); }]);
        string[] names = ["whole batch, 1 thread", "one half alone", "halves, Parallel.Invoke", "halves, dedicated thread + barrier", "halves one after the other"];
        for (int i = 0; i < m.Length; i++) Console.WriteLine($"{names[i],-36} median {m[i].Median * 1e3,8:F3} ms  best {m[i].Best * 1e3,8:F3} ms");
        Console.WriteLine($"load {BenchmarkCases.LoadAverage()}");
        TrainingScalingProbe.Run();
    }
}

/// <summary>
/// The same question for a training step (forward + backward, no optimizer and no gradient reduction):
/// LSTM I=128 H=256 T=50 B=32, whole batch on one thread against two halves at once, which is what
/// DataParallel's shards cost before the reduction.
/// </summary>
internal static class TrainingScalingProbe
{
    public static void Run()
    {
        Console.WriteLine();
        Console.WriteLine("Training step (forward + backward, no optimizer, no reduction), LSTM I=128 H=256 T=50 B=32:");
        var net = new LstmI128H256(1);
        LstmI128H256 a = net.CreateReplica(), b = net.CreateReplica();
        const int B = 32, T = 50, I = 128, H = 256, half = B / 2;
        float[] x = BenchmarkCases.Uniform(B * T * I, 1), y = new float[B * T * H], dy = BenchmarkCases.Uniform(B * T * H, 2);
        int[] lengths = Enumerable.Repeat(T, B).ToArray();
        void Whole() { net.ForwardTraining(x, lengths, y); net.Backward(dy); }
        void A() { a.ForwardTraining(x.AsSpan(0, half * T * I), lengths.AsSpan(0, half), y.AsSpan(0, half * T * H)); a.Backward(dy.AsSpan(0, half * T * H)); }
        void Bh() { b.ForwardTraining(x.AsSpan(half * T * I), lengths.AsSpan(half), y.AsSpan(half * T * H)); b.Backward(dy.AsSpan(half * T * H)); }
        var timing = new TimingSettings(1.0, 21, 0.05);
        var m = timing.Measure([Whole, A, () => Parallel.Invoke(A, Bh), () => { A(); Bh(); }]);
        string[] names = ["whole batch, 1 thread", "one half alone", "halves, Parallel.Invoke", "halves one after the other"];
        for (int i = 0; i < m.Length; i++) Console.WriteLine($"{names[i],-36} median {m[i].Median * 1e3,8:F3} ms  best {m[i].Best * 1e3,8:F3} ms");
        Console.WriteLine($"load {BenchmarkCases.LoadAverage()}");
    }
}
