using System;
using System.Threading;
using RnnGen.Kernels;
using Xunit;

namespace RnnGen.Tests.Kernels;

/// <summary>The batch-1 recurrent kernel against its scalar reference, and its two-thread mode against one thread.</summary>
public class RecurrentRunnerTests
{
    public enum Kind { Rnn, RnnRelu, Lstm, Gru }

    private static int Gates(Kind kind) => kind switch { Kind.Lstm => 4, Kind.Gru => 3, _ => 1 };

    private sealed class Layer
    {
        public required Kind Kind;
        public required int Hidden, Length, Stride;
        public required bool Reverse;
        public required float[] W, Bias, X, H0, C0;
    }

    private static Layer Make(Kind kind, int hidden, int length, bool reverse, ulong seed)
    {
        int g = Gates(kind);
        var random = new SeededRandom(seed);
        float bound = 1f / MathF.Sqrt(hidden);
        var layer = new Layer
        {
            Kind = kind, Hidden = hidden, Length = length, Stride = 2 * hidden + 3, Reverse = reverse,
            W = new float[g * hidden * hidden], Bias = new float[g * hidden], X = new float[length * g * hidden],
            H0 = new float[hidden], C0 = new float[hidden],
        };
        random.FillUniform(layer.W, -bound, bound);
        random.FillUniform(layer.Bias, -bound, bound);
        random.FillUniform(layer.X, -1.5f, 1.5f);
        random.FillUniform(layer.H0, -1f, 1f);
        random.FillUniform(layer.C0, -1f, 1f);
        return layer;
    }

    // Runs the layer; returns (output, final h, final c). Output cells between the strided rows must stay untouched (NaN).
    // `kept`: the packed weights the runner keeps between calls (null: it packs per call).
    private static (float[] Output, float[] H, float[] C) Run(Layer l, RecurrentRunner? runner, PackedWeights? kept = null)
    {
        var output = new float[(l.Length - 1) * l.Stride + l.Hidden + 5];
        Array.Fill(output, float.NaN);
        float[] h = (float[])l.H0.Clone(), c = (float[])l.C0.Clone();
        switch (l.Kind)
        {
            case Kind.Lstm:
                if (runner is null) RecurrentReference.Lstm(l.W, l.Bias, l.X, h, c, output, l.Stride, l.Length, l.Reverse);
                else runner.Lstm(l.W, l.Bias, l.X, h, c, output, l.Stride, l.Length, l.Reverse, kept);
                break;
            case Kind.Gru:
                if (runner is null) RecurrentReference.Gru(l.W, l.Bias, l.X, h, output, l.Stride, l.Length, l.Reverse);
                else runner.Gru(l.W, l.Bias, l.X, h, output, l.Stride, l.Length, l.Reverse, kept);
                break;
            default:
                bool relu = l.Kind == Kind.RnnRelu;
                if (runner is null) RecurrentReference.Rnn(l.W, l.Bias, l.X, h, output, l.Stride, l.Length, l.Reverse, relu);
                else runner.Rnn(l.W, l.Bias, l.X, h, output, l.Stride, l.Length, l.Reverse, relu, kept);
                break;
        }
        return (output, h, c);
    }

    private static void AssertClose(float[] expected, float[] actual, double tolerance, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            if (float.IsNaN(expected[i])) { Assert.True(float.IsNaN(actual[i]), $"{what}[{i}] was written: {actual[i]}"); continue; }
            double error = Math.Abs(expected[i] - actual[i]) / Math.Max(1.0, Math.Abs(expected[i]));
            Assert.True(error <= tolerance, $"{what}[{i}]: expected {expected[i]}, got {actual[i]} (error {error:E2})");
        }
    }

    public static TheoryData<Kind, int> Shapes()
    {
        var data = new TheoryData<Kind, int>();
        foreach (Kind kind in Enum.GetValues<Kind>())
            foreach (int hidden in new[] { 1, 7, 8, 9, 16, 17, 33, 40, 100, 129 })
                data.Add(kind, hidden);
        return data;
    }

    // The packed form's widths this machine can run: 8 (AVX2 kernel) always, 16 with AVX-512.
    private static int[] PackedWidths() => System.Runtime.Intrinsics.Vector512.IsHardwareAccelerated ? [16, 8] : [8];

    [Theory]
    [MemberData(nameof(Shapes))]
    public void MatchesReference_OneAndTwoThreads_Bitwise(Kind kind, int hidden)
    {
        if (!RecurrentRunner.IsSupported) return;
        // length 9: W_hh packed (at each width this machine runs); length 3: read in place.
        foreach (int length in new[] { 9, 3 })
            foreach (int lanes in length >= RecurrentRunner.PackedMinimumSteps ? PackedWidths() : [RecurrentStep.Block])
                foreach (bool reverse in new[] { false, true })
                {
                    Layer layer = Make(kind, hidden, length, reverse, seed: (ulong)(hidden * 10 + (int)kind));
                    var expected = Run(layer, null);
                    using var one = new RecurrentRunner { PackedLanes = lanes };
                    using var two = new RecurrentRunner { Threads = 2, WaitForHelper = true, PackedLanes = lanes };
                    using var twoMayTakeBack = new RecurrentRunner { Threads = 2, PackedLanes = lanes };
                    bool helperRan = false;
                    two.StepHook = (thread, _) => { if (thread == 1) helperRan = true; };
                    var a = Run(layer, one);
                    var b = Run(layer, two);
                    var b2 = Run(layer, twoMayTakeBack);
                    string what = $"length {length}, {lanes} lanes, reverse {reverse}: ";
                    Assert.True(helperRan == hidden > lanes, what + "the helper runs exactly when there are two blocks");
                    AssertClose(expected.Output, a.Output, 2e-5, what + "output");
                    AssertClose(expected.H, a.H, 2e-5, what + "final h");
                    if (kind == Kind.Lstm) AssertClose(expected.C, a.C, 2e-5, what + "final c");
                    Assert.Equal(a.Output, b.Output);
                    Assert.Equal(a.H, b.H);
                    Assert.Equal(a.C, b.C);
                    Assert.Equal(a.Output, b2.Output);
                    Assert.Equal(a.C, b2.C);
                }
    }

    [Theory]
    [InlineData(4, 37, 16)]
    [InlineData(3, 48, 16)]
    [InlineData(1, 130, 16)]
    [InlineData(4, 37, 8)]
    [InlineData(3, 24, 8)]
    [InlineData(1, 13, 8)]
    public unsafe void Pack_LaysOutEveryBlockAsColumnsOfItsGateRows(int gates, int hidden, int lanes)
    {
        if (lanes == 16 && !System.Runtime.Intrinsics.Vector512.IsHardwareAccelerated) return;
        var w = new float[gates * hidden * hidden];
        for (int i = 0; i < w.Length; i++) w[i] = i + 1; // every value distinct, none zero
        int blocks = RecurrentPackedStep.Blocks(hidden, lanes);
        var packed = new float[RecurrentPackedStep.PackedLength(gates, hidden, lanes)];
        Array.Fill(packed, float.NaN);
        fixed (float* pw = w, pp = packed)
        {
            // in two ranges, as two threads would
            RecurrentPackedStep.Pack(pp, pw, gates, hidden, lanes, 0, blocks / 2);
            RecurrentPackedStep.Pack(pp, pw, gates, hidden, lanes, blocks / 2, blocks);
        }
        for (int b = 0; b < blocks; b++)
            for (int k = 0; k < hidden; k++)
                for (int g = 0; g < gates; g++)
                    for (int j = 0; j < lanes; j++)
                    {
                        int unit = b * lanes + j;
                        float expected = unit < hidden ? w[(g * hidden + unit) * hidden + k] : 0f;
                        Assert.Equal(expected, packed[(((long)b * hidden + k) * gates + g) * lanes + j]);
                    }
    }

    [Theory]
    [InlineData(Kind.Lstm, 40)]  // three blocks of 16: the caller packs two, the helper one
    [InlineData(Kind.Gru, 129)]
    [InlineData(Kind.Rnn, 33)]
    [InlineData(Kind.RnnRelu, 16)]
    public void KeptPackedWeights_GiveTheBitsOfPackingPerCall_UntilCleared(Kind kind, int hidden)
    {
        if (!RecurrentRunner.IsSupported) return;
        Layer layer = Make(kind, hidden, length: 9, reverse: true, seed: 7);
        using var one = new RecurrentRunner();
        using var two = new RecurrentRunner { Threads = 2, WaitForHelper = true };
        var expected = Run(layer, one);

        // Other weights, the rest unchanged.
        Layer changed = Make(kind, hidden, length: 9, reverse: true, seed: 7);
        new SeededRandom(8).FillUniform(changed.W, -0.3f, 0.3f);
        var expectedChanged = Run(changed, one);
        Assert.NotEqual(expected.Output, expectedChanged.Output);

        foreach (RecurrentRunner runner in new[] { one, two })
        {
            var kept = new PackedWeights();
            for (int call = 0; call < 3; call++) // the first call packs, the others reuse the copy
            {
                var actual = Run(layer, runner, kept);
                Assert.Equal(expected.Output, actual.Output);
                Assert.Equal(expected.H, actual.H);
                Assert.Equal(expected.C, actual.C);
            }
            // The runner trusts the copy: other weights of the same shape are not looked at until Clear.
            Assert.Equal(expected.Output, Run(changed, runner, kept).Output);
            kept.Clear();
            Assert.Equal(expectedChanged.Output, Run(changed, runner, kept).Output);
            // Another shape repacks.
            Layer other = Make(kind, hidden + 5, length: 6, reverse: false, seed: 9);
            Assert.Equal(Run(other, one).Output, Run(other, runner, kept).Output);
        }
    }

    // A short call with a kept copy runs the packed kernel: its steps are bitwise those of a long call's first steps.
    [Theory]
    [InlineData(Kind.Lstm)]
    [InlineData(Kind.Gru)]
    [InlineData(Kind.Rnn)]
    public void ShortCallWithKeptWeights_RunsTheLongCallsKernel(Kind kind)
    {
        if (!RecurrentRunner.IsSupported) return;
        Layer longCall = Make(kind, 37, length: 9, reverse: false, seed: 10);
        Layer shortCall = Make(kind, 37, length: 2, reverse: false, seed: 10);
        shortCall.X = longCall.X.AsSpan(0, 2 * Gates(kind) * 37).ToArray();
        shortCall.H0 = longCall.H0;
        shortCall.C0 = longCall.C0;
        using var one = new RecurrentRunner();
        using var two = new RecurrentRunner { Threads = 2, WaitForHelper = true };
        var expected = Run(longCall, one).Output.AsSpan(0, longCall.Stride + 37).ToArray(); // positions 0 and 1
        foreach (RecurrentRunner runner in new[] { one, two })
        {
            var kept = new PackedWeights();
            for (int call = 0; call < 2; call++)
                Assert.Equal(expected, Run(shortCall, runner, kept).Output.AsSpan(0, shortCall.Stride + 37).ToArray());
        }
        // Without a kept copy a short call reads W_hh in place: close to the long call, not its bits.
        AssertClose(expected, Run(shortCall, one).Output.AsSpan(0, shortCall.Stride + 37).ToArray(), 2e-5, "in place");
    }

    // A call that fails after packing part of W_hh must not leave the copy marked ready: on one thread, or on two
    // with the fault on either side.
    [Theory]
    [InlineData(1, 0)]
    [InlineData(2, 0)]
    [InlineData(2, 1)]
    public void FailedCall_DoesNotKeepAPartialCopy(int threads, int faultyThread)
    {
        if (!RecurrentRunner.IsSupported) return;
        Layer first = Make(Kind.Lstm, 48, length: 12, reverse: false, seed: 11);
        Layer second = Make(Kind.Lstm, 48, length: 12, reverse: false, seed: 12);
        using var one = new RecurrentRunner();
        using var runner = new RecurrentRunner { Threads = threads, WaitForHelper = true };
        var kept = new PackedWeights();
        runner.StepHook = (thread, step) => { if (thread == faultyThread && step == 0) throw new TimeoutException("fault"); };
        Assert.Throws<TimeoutException>(() => Run(first, runner, kept));
        runner.StepHook = null;
        Assert.Equal(Run(second, one).Output, Run(second, runner, kept).Output);
    }

    [Fact]
    public void RepeatedCallsOnTwoThreads_AndOneStepCalls_GiveTheSameBits()
    {
        if (!RecurrentRunner.IsSupported) return;
        Layer layer = Make(Kind.Lstm, 50, length: 1, reverse: false, seed: 3);
        using var one = new RecurrentRunner();
        using var two = new RecurrentRunner { Threads = 2, WaitForHelper = true };
        var expected = Run(layer, one);
        for (int i = 0; i < 200; i++)
        {
            var actual = Run(layer, two);
            Assert.Equal(expected.Output, actual.Output);
            Assert.Equal(expected.C, actual.C);
        }
    }

    [Fact]
    public void FaultInTheHelper_SurfacesOnTheCaller_AndTheNextCallWorks()
    {
        if (!RecurrentRunner.IsSupported) return;
        Layer layer = Make(Kind.Gru, 160, length: 40, reverse: false, seed: 4);
        using var one = new RecurrentRunner();
        using var two = new RecurrentRunner { Threads = 2, WaitForHelper = true };
        var expected = Run(layer, one);
        int helperSteps = 0;
        two.StepHook = (thread, step) =>
        {
            if (thread != 1) return;
            Interlocked.Increment(ref helperSteps);
            if (step == 5) throw new InvalidOperationException("helper fault");
        };
        // The helper may not have started when the caller finishes its first step (it then takes the call back):
        // repeat until the helper ran and failed.
        for (int attempt = 0; attempt < 50 && Volatile.Read(ref helperSteps) == 0; attempt++)
        {
            try { Run(layer, two); }
            catch (InvalidOperationException e) { Assert.Equal("helper fault", e.Message); break; }
        }
        Assert.True(Volatile.Read(ref helperSteps) > 0, "the helper never ran a step");
        two.StepHook = null;
        var after = Run(layer, two);
        Assert.Equal(expected.Output, after.Output);
        Assert.Equal(expected.H, after.H);
    }

    [Fact]
    public void FaultInTheCaller_BetweenSteps_DoesNotDeadlock_AndTheNextCallWorks()
    {
        if (!RecurrentRunner.IsSupported) return;
        Layer layer = Make(Kind.Lstm, 48, length: 30, reverse: true, seed: 5);
        using var one = new RecurrentRunner();
        using var two = new RecurrentRunner { Threads = 2, WaitForHelper = true };
        var expected = Run(layer, one);
        two.StepHook = (thread, step) => { if (thread == 0 && step == 7) throw new TimeoutException("caller fault"); };
        for (int i = 0; i < 20; i++)
            Assert.Throws<TimeoutException>(() => Run(layer, two));
        two.StepHook = null;
        var after = Run(layer, two);
        Assert.Equal(expected.Output, after.Output);
        Assert.Equal(expected.C, after.C);
    }

    [Fact]
    public void Dispose_StopsTheHelper_AndLaterCallsRunOnOneThread()
    {
        if (!RecurrentRunner.IsSupported) return;
        Layer layer = Make(Kind.Rnn, 256, length: 60, reverse: false, seed: 6);
        var two = new RecurrentRunner { Threads = 2, WaitForHelper = true };
        Thread? helper = null;
        two.StepHook = (thread, step) => { if (thread == 1) helper = Thread.CurrentThread; };
        for (int attempt = 0; attempt < 50 && helper is null; attempt++) Run(layer, two);
        Assert.NotNull(helper);
        Assert.True(helper!.IsBackground);
        two.Dispose();
        Assert.False(helper.IsAlive);
        Assert.Equal(1, two.Threads);
        Assert.Throws<ObjectDisposedException>(() => two.Threads = 2);
        using var one = new RecurrentRunner();
        Assert.Equal(Run(layer, one).Output, Run(layer, two).Output);
    }

    [Theory]
    [InlineData(50, 64, 512, 128)]  // LSTM H=128: per gate, units [0, 64) on the caller, [64, 128) on the helper (with the threshold lowered)
    [InlineData(9, 40, 768, 256)]   // GRU H=256: per gate, [0, 128) and [128, 256)
    [InlineData(7, 33, 200, 40)]    // H not a multiple of 64: the columns split at 128 of 200
    [InlineData(5, 17, 192, 192)]   // one gate of 192: units [0, 96) is no multiple of 64, so columns [0, 128) and [128, 192)
    [InlineData(3, 5, 96, 24)]      // too small to share: one thread either way
    [InlineData(1, 256, 768, 256)]  // a streaming step of the GRU H=256: one row, shared by default (2¹⁶ multiply-adds or more)
    public void Project_EqualsGemmPlusBias_OnOneAndTwoThreads_Bitwise(int rows, int inputSize, int n, int hidden)
    {
        var random = new SeededRandom((ulong)(rows + n));
        float[] input = new float[rows * inputSize], w = new float[n * inputSize], bias = new float[n];
        random.FillUniform(input, -1, 1);
        random.FillUniform(w, -0.5f, 0.5f);
        random.FillUniform(bias, -0.5f, 0.5f);
        var expected = new float[rows * n];
        Gemm.ABt(expected, input, w, rows, n, inputSize, accumulate: false);
        Rows.AddBias(expected, bias, rows);

        using var one = new RecurrentRunner();
        // These shapes are below the measured threshold for sharing a projection: lower it so that the split runs.
        using var two = new RecurrentRunner { Threads = 2, WaitForHelper = true, TwoThreadProjectionMinimum = GemmParallel.MinimumWork };
        using var twoByDefault = new RecurrentRunner { Threads = 2 };
        foreach (RecurrentRunner runner in new[] { one, two, twoByDefault })
            foreach (PackedWeights? kept in new[] { null, new PackedWeights() }) // W_ihᵀ packed per call, or once and kept
                for (int call = 0; call < 3; call++) // the helper serves projections and loops alike, call after call
                {
                    var actual = new float[rows * n + 3];
                    Array.Fill(actual, float.NaN);
                    runner.Project(actual, input, w, bias, rows, inputSize, hidden, kept);
                    // At most GemmSmall.MaxRows rows, the packed W_ihᵀ takes another small-product kernel than W_ih in place.
                    if (kept is not null && rows <= GemmSmall.MaxRows) AssertClose(expected, actual.AsSpan(0, rows * n).ToArray(), 1e-5, "kept, few rows");
                    else Assert.Equal(expected, actual.AsSpan(0, rows * n).ToArray());
                    Assert.All(actual.AsSpan(rows * n).ToArray(), v => Assert.True(float.IsNaN(v), "written past the projection"));
                }
    }

    [Fact]
    public void Project_WithKeptWeights_IgnoresChangedWeightsUntilCleared()
    {
        const int rows = 20, inputSize = 24, n = 96, hidden = 24;
        var random = new SeededRandom(13);
        float[] input = new float[rows * inputSize], w = new float[n * inputSize], w2 = new float[n * inputSize], bias = new float[n];
        random.FillUniform(input, -1, 1);
        random.FillUniform(w, -0.5f, 0.5f);
        random.FillUniform(w2, -0.5f, 0.5f);
        random.FillUniform(bias, -0.5f, 0.5f);
        float[] Project(RecurrentRunner r, float[] weights, PackedWeights? kept)
        {
            var result = new float[rows * n];
            r.Project(result, input, weights, bias, rows, inputSize, hidden, kept);
            return result;
        }
        using var runner = new RecurrentRunner();
        var packed = new PackedWeights();
        float[] first = Project(runner, w, packed), second = Project(runner, w2, null);
        Assert.NotEqual(first, second);
        Assert.Equal(first, Project(runner, w2, packed));
        packed.Clear();
        Assert.Equal(second, Project(runner, w2, packed));

        // Another shape repacks: W_ih of 48 columns (G·H with H = 24, G = 2) over the same input.
        var narrow = new float[rows * 48];
        var narrowExpected = new float[rows * 48];
        runner.Project(narrow, input, w.AsSpan(0, 48 * inputSize), bias.AsSpan(0, 48), rows, inputSize, hidden, packed);
        runner.Project(narrowExpected, input, w.AsSpan(0, 48 * inputSize), bias.AsSpan(0, 48), rows, inputSize, hidden);
        Assert.Equal(narrowExpected, narrow);
    }

    // The kernel choice is a per-thread setting: the helper must use the caller's, or the two halves
    // of a limited caller's projection would round differently from one thread.
    [Fact]
    public void Project_OnTwoThreads_UsesTheCallersKernelChoice()
    {
        const int rows = 3, inputSize = 64, n = 512, hidden = 128;
        var random = new SeededRandom(21);
        float[] input = new float[rows * inputSize], w = new float[n * inputSize], bias = new float[n];
        random.FillUniform(input, -1, 1);
        random.FillUniform(w, -0.5f, 0.5f);
        random.FillUniform(bias, -0.5f, 0.5f);
        GemmDispatch.LimitCurrentThread(GemmIsa.Scalar);
        try
        {
            using var one = new RecurrentRunner();
            using var two = new RecurrentRunner { Threads = 2, WaitForHelper = true };
            float[] a = new float[rows * n], b = new float[rows * n];
            one.Project(a, input, w, bias, rows, inputSize, hidden);
            two.Project(b, input, w, bias, rows, inputSize, hidden);
            Assert.Equal(a, b);
        }
        finally
        {
            GemmDispatch.LimitCurrentThread(null);
        }
    }

    [Fact]
    public void Project_RejectsBadArguments()
    {
        using var runner = new RecurrentRunner();
        float[] input = new float[4 * 3], w = new float[8 * 3], bias = new float[8], projection = new float[4 * 8];
        Assert.Throws<ArgumentOutOfRangeException>(() => runner.Project(projection, input, w, bias, 0, 3, 4));
        Assert.Throws<ArgumentOutOfRangeException>(() => runner.Project(projection, input, w, bias, 4, 0, 4));
        Assert.Throws<ArgumentOutOfRangeException>(() => runner.Project(projection, input, w, bias, 4, 3, 0));
        Assert.Throws<ArgumentException>(() => runner.Project(projection, input, w, bias, 4, 3, 3)); // 8 columns are not G·3
        Assert.Throws<ArgumentException>(() => runner.Project(projection, input, w, [], 4, 3, 4));
        Assert.Throws<ArgumentException>(() => runner.Project(projection, input, w.AsSpan(1), bias, 4, 3, 4));
        Assert.Throws<ArgumentException>(() => runner.Project(projection, input.AsSpan(1), w, bias, 4, 3, 4));
        Assert.Throws<ArgumentException>(() => runner.Project(projection.AsSpan(1), input, w, bias, 4, 3, 4));
    }

    [Fact]
    public void RejectsBadArguments()
    {
        using var runner = new RecurrentRunner();
        Assert.Throws<ArgumentOutOfRangeException>(() => runner.Threads = 3);
        Assert.Throws<ArgumentOutOfRangeException>(() => runner.Threads = 0);
        if (!RecurrentRunner.IsSupported) return;
        Layer l = Make(Kind.Lstm, 9, length: 3, reverse: false, seed: 7);
        var output = new float[3 * 9];
        Assert.Throws<ArgumentException>(() => runner.Lstm(l.W, l.Bias, l.X, l.H0, new float[8], output, 9, 3, false));
        Assert.Throws<ArgumentException>(() => runner.Lstm(l.W.AsSpan(1), l.Bias, l.X, l.H0, l.C0, output, 9, 3, false));
        Assert.Throws<ArgumentException>(() => runner.Lstm(l.W, l.Bias, l.X, l.H0, l.C0, output.AsSpan(1), 9, 3, false));
        Assert.Throws<ArgumentException>(() => runner.Lstm(l.W, l.Bias, l.X.AsSpan(1), l.H0, l.C0, output, 9, 3, false));
        Assert.Throws<ArgumentOutOfRangeException>(() => runner.Lstm(l.W, l.Bias, l.X, l.H0, l.C0, output, 8, 3, false));
    }
}
