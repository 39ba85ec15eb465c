using System;
using System.Linq;
using RnnGen.Kernels;
using RnnGen.Tests.Networks;
using RnnGen.Tests.Reference;
using Xunit;

namespace RnnGen.Tests.Numerics;

// Hidden sizes of several 8-unit blocks, not multiples of 8, so that the two threads' halves differ in size.
[RecurrentNetwork(CellKind.Lstm, InputSize = 5, HiddenSize = 37, Layers = 2, Direction = Direction.Bidirectional)]
public partial class ThreadsLstmBi;

[RecurrentNetwork(CellKind.Gru, InputSize = 6, HiddenSize = 40, Layers = 2, VocabularySize = 9, OutputSize = 5)]
public partial class ThreadsGruEmbHead;

[RecurrentNetwork(CellKind.Rnn, InputSize = 4, HiddenSize = 33, Nonlinearity = Nonlinearity.Relu, Direction = Direction.Bidirectional)]
public partial class ThreadsRnnReluBi;

[RecurrentNetwork(CellKind.Lstm, InputSize = 3, HiddenSize = 24, Layers = 2, OutputSize = 4)]
public partial class ThreadsLstmStream;

/// <summary><c>RecurrentThreads = 2</c> (batch 1 on two cores) against one thread and against the scalar reference.</summary>
public class RecurrentThreadsTests
{
    private sealed record Case(string Name, NetworkConfig Config, Func<IRecurrentNetwork> Create, ForwardCall Forward);

    private static ForwardCall Call<T>(T net, ForwardDense<T> dense) => (inputs, tokens, lengths, output, fh, ih, fc, ic, training) => dense(net, inputs, tokens, lengths, output, fh, ih, fc, ic);

    private delegate void ForwardDense<T>(T net, ReadOnlySpan<float> inputs, ReadOnlySpan<int> tokens, ReadOnlySpan<int> lengths, Span<float> output,
        Span<float> finalHidden, ReadOnlySpan<float> initialHidden, Span<float> finalCell, ReadOnlySpan<float> initialCell);

    private static (NetworkConfig, IRecurrentNetwork, ForwardCall, Action<int>, Action) Create(string name, ulong seed)
    {
        switch (name)
        {
            case "lstm-bi-2layers":
            {
                var n = new ThreadsLstmBi(seed);
                return (new NetworkConfig(CellKind.Lstm, 5, 37, 2, true, false, 0, 0), n,
                    Call(n, (m, x, _, l, o, fh, ih, fc, ic) => m.Forward(x, l, o, fh, ih, fc, ic)), t => n.RecurrentThreads = t, () => n.RecurrentThreads = 1);
            }
            case "gru-2layers-embedding-head":
            {
                var n = new ThreadsGruEmbHead(seed);
                return (new NetworkConfig(CellKind.Gru, 6, 40, 2, false, false, 9, 5), n,
                    Call(n, (m, _, tk, l, o, fh, ih, _, _) => m.Forward(tk, l, o, fh, ih)), t => n.RecurrentThreads = t, () => n.RecurrentThreads = 1);
            }
            default:
            {
                var n = new ThreadsRnnReluBi(seed);
                return (new NetworkConfig(CellKind.Rnn, 4, 33, 1, true, true, 0, 0), n,
                    Call(n, (m, x, _, l, o, fh, ih, _, _) => m.Forward(x, l, o, fh, ih)), t => n.RecurrentThreads = t, () => n.RecurrentThreads = 1);
            }
        }
    }

    // The network's batch-1 runner (a private field of the generated class), for the tests' hooks.
    private static RecurrentRunner RunnerOf(IRecurrentNetwork net) =>
        (RecurrentRunner)net.GetType().GetField("_recurrent", System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Instance)!.GetValue(net)!;

    public static TheoryData<string> Names => new("lstm-bi-2layers", "gru-2layers-embedding-head", "rnn-relu-bi");

    private sealed record Result(float[] Output, float[] FinalH, float[] FinalC);

    private static Result Forward(NetworkConfig cfg, ForwardCall forward, TestBatch data, float[] h0, float[] c0)
    {
        int stateLength = cfg.StateCount * data.Batch * cfg.HiddenSize;
        var r = new Result(new float[data.Batch * data.Steps * cfg.StepOutputSize], new float[stateLength], new float[cfg.Cell == CellKind.Lstm ? stateLength : 0]);
        forward(data.Inputs, data.Tokens, data.Lengths, r.Output, r.FinalH, h0, r.FinalC, c0, false);
        return r;
    }

    private static (float[] H0, float[] C0) InitialState(NetworkConfig cfg, int batch, bool given)
    {
        int stateLength = cfg.StateCount * batch * cfg.HiddenSize;
        float[] h0 = new float[given ? stateLength : 0], c0 = new float[given && cfg.Cell == CellKind.Lstm ? stateLength : 0];
        new SeededRandom(11).FillUniform(h0, -1, 1);
        new SeededRandom(12).FillUniform(c0, -1, 1);
        return (h0, c0);
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void Batch1_TwoThreadsEqualOneThreadBitwise_AndTheReference(string name)
    {
        var (cfg, net, forward, setThreads, dispose) = Create(name, 21);
        try
        {
            foreach (bool given in new[] { false, true })
            {
                TestBatch data = TestBatch.Create(cfg, 1, 23, seed: 31);
                var (h0, c0) = InitialState(cfg, 1, given);
                setThreads(1);
                Result one = Forward(cfg, forward, data, h0, c0);

                double[] p = net.Parameters.Select(v => (double)v).ToArray();
                var expected = ScalarReference.Run(cfg, net.Tensors, p, data.InputsAsDouble(cfg), data.Tokens, data.Lengths, data.Steps,
                    given ? h0.Select(v => (double)v).ToArray() : null, c0.Length > 0 ? c0.Select(v => (double)v).ToArray() : null);
                Assert.True(Compare.MaxRelativeError(one.Output, expected.Output) <= 1e-5, $"output vs reference: {Compare.MaxRelativeError(one.Output, expected.Output)}");
                Assert.True(Compare.MaxRelativeError(one.FinalH, expected.FinalHidden) <= 1e-5, "final hidden vs reference");
                if (one.FinalC.Length > 0) Assert.True(Compare.MaxRelativeError(one.FinalC, expected.FinalCell) <= 1e-5, "final cell vs reference");

                // The helper may join a call or not (it takes a moment to wake): every call gives the same bits.
                // The first calls wait for it, so that the two-thread path surely runs.
                setThreads(2);
                RecurrentRunner runner = RunnerOf(net);
                int helperSteps = 0;
                runner.StepHook = (thread, _) => { if (thread == 1) System.Threading.Interlocked.Increment(ref helperSteps); };
                for (int i = 0; i < 25; i++)
                {
                    runner.WaitForHelper = i < 5;
                    Result two = Forward(cfg, forward, data, h0, c0);
                    Assert.Equal(one.Output, two.Output);
                    Assert.Equal(one.FinalH, two.FinalH);
                    Assert.Equal(one.FinalC, two.FinalC);
                }
                Assert.True(helperSteps >= 5 * data.Steps * cfg.StateCount, $"the helper ran {helperSteps} steps");
                runner.StepHook = null;
            }
        }
        finally
        {
            dispose();
        }
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void VariableLengthBatch_TwoThreadsEqualOneThread_AndEachSequenceAlone(string name)
    {
        var (cfg, _, forward, setThreads, dispose) = Create(name, 22);
        try
        {
            TestBatch data = TestBatch.Create(cfg, 3, 9, seed: 41); // lengths 9 and two random ones
            var (h0, c0) = InitialState(cfg, 3, given: true);
            setThreads(1);
            Result one = Forward(cfg, forward, data, h0, c0);
            setThreads(2);
            Result two = Forward(cfg, forward, data, h0, c0);
            Assert.Equal(one.Output, two.Output);
            Assert.Equal(one.FinalH, two.FinalH);
            Assert.Equal(one.FinalC, two.FinalC);

            // Each sequence alone (batch 1: the two-thread path) matches its row of the batch.
            int per = cfg.InputSize, outW = cfg.StepOutputSize, h = cfg.HiddenSize;
            for (int b = 0; b < 3; b++)
            {
                int length = data.Lengths[b];
                var single = new TestBatch
                {
                    Lengths = [length], Steps = length,
                    Inputs = data.Inputs.AsSpan(b * 9 * per, length * per).ToArray(),
                    Tokens = data.Tokens.AsSpan(b * 9, length).ToArray(),
                };
                float[] sh0 = Enumerable.Range(0, cfg.StateCount).SelectMany(s => h0.AsSpan((s * 3 + b) * h, h).ToArray()).ToArray();
                float[] sc0 = c0.Length == 0 ? [] : Enumerable.Range(0, cfg.StateCount).SelectMany(s => c0.AsSpan((s * 3 + b) * h, h).ToArray()).ToArray();
                Result alone = Forward(cfg, forward, single, sh0, sc0);
                double[] row = two.Output.AsSpan(b * 9 * outW, length * outW).ToArray().Select(v => (double)v).ToArray();
                Assert.True(Compare.MaxRelativeError(alone.Output, row) <= 1e-5, $"sequence {b}: {Compare.MaxRelativeError(alone.Output, row)}");
                for (int s = 0; s < cfg.StateCount; s++)
                {
                    double[] fh = two.FinalH.AsSpan((s * 3 + b) * h, h).ToArray().Select(v => (double)v).ToArray();
                    Assert.True(Compare.MaxRelativeError(alone.FinalH.AsSpan(s * h, h), fh) <= 1e-5, $"sequence {b}, state {s}");
                }
            }
        }
        finally
        {
            dispose();
        }
    }

    [Fact]
    public void Streaming_OneStreamOnTwoThreads_EqualsForwardOnOne()
    {
        const int steps = 12;
        var reference = new ThreadsLstmStream(5);
        var net = new ThreadsLstmStream(5) { RecurrentThreads = 2 };
        var inputs = new float[steps * ThreadsLstmStream.InputSize];
        new SeededRandom(9).FillUniform(inputs, -1, 1);
        var full = new float[steps * ThreadsLstmStream.StepOutputSize];
        var finalH = new float[ThreadsLstmStream.StateCount * ThreadsLstmStream.HiddenSize];
        reference.Forward(inputs, [steps], full, finalH);

        var state = new ThreadsLstmStream.State();
        var output = new float[ThreadsLstmStream.StepOutputSize * 5];
        int t = 0;
        foreach (int chunk in new[] { 1, 1, 5, 1, 4 })
        {
            net.Step(inputs.AsSpan(t * ThreadsLstmStream.InputSize, chunk * ThreadsLstmStream.InputSize), state, output.AsSpan(0, chunk * ThreadsLstmStream.StepOutputSize));
            double[] expected = full.AsSpan(t * ThreadsLstmStream.StepOutputSize, chunk * ThreadsLstmStream.StepOutputSize).ToArray().Select(v => (double)v).ToArray();
            Assert.True(Compare.MaxRelativeError(output.AsSpan(0, chunk * ThreadsLstmStream.StepOutputSize), expected) <= 1e-6, $"chunk at step {t}");
            t += chunk;
        }
        Assert.True(Compare.MaxRelativeError(state.Hidden, finalH.Select(v => (double)v).ToArray()) <= 1e-6);
        net.RecurrentThreads = 1;
    }

    [Fact]
    public void Batch1OnTwoThreads_SecondCallAllocatesNothing()
    {
        var net = new ThreadsLstmBi(1) { RecurrentThreads = 2 };
        var inputs = new float[10 * ThreadsLstmBi.InputSize];
        var output = new float[10 * ThreadsLstmBi.StepOutputSize];
        var finalH = new float[ThreadsLstmBi.StateCount * ThreadsLstmBi.HiddenSize];
        net.Forward(inputs, [10], output, finalH);
        net.Forward(inputs, [10], output, finalH);
        Assert.Equal(0, SteadyState.Allocated(() => net.Forward(inputs, [10], output, finalH)));
        net.RecurrentThreads = 1;
    }

    [Fact]
    public void RecurrentThreads_IsValidated_AndSettingOneStopsTheHelper()
    {
        var net = new ThreadsRnnReluBi(2);
        Assert.Equal(1, net.RecurrentThreads);
        Assert.Throws<ArgumentOutOfRangeException>(() => net.RecurrentThreads = 0);
        Assert.Throws<ArgumentOutOfRangeException>(() => net.RecurrentThreads = 3);
        net.RecurrentThreads = 2;
        Assert.Equal(1, net.CreateReplica().RecurrentThreads);
        RecurrentRunner runner = RunnerOf(net);
        runner.WaitForHelper = true;
        System.Threading.Thread? helper = null;
        runner.StepHook = (thread, _) => { if (thread == 1) helper = System.Threading.Thread.CurrentThread; };
        var inputs = new float[6 * ThreadsRnnReluBi.InputSize];
        new SeededRandom(3).FillUniform(inputs, -1, 1);
        var a = new float[6 * ThreadsRnnReluBi.StepOutputSize];
        var b = new float[a.Length];
        net.Forward(inputs, [6], a);
        Assert.NotNull(helper);
        net.RecurrentThreads = 1;
        Assert.False(helper!.IsAlive);
        net.Forward(inputs, [6], b);
        Assert.Equal(a, b);
        net.RecurrentThreads = 2; // a new helper
        net.Forward(inputs, [6], b);
        Assert.Equal(a, b);
        net.RecurrentThreads = 1;
    }
}
