using System;
using System.Linq;
using Xunit;

namespace RnnGen.Tests.Numerics;

/// <summary>
/// <c>WeightsFrozen</c>: batch-1 inference keeps the packed weights between calls. It must give the bits
/// of unfrozen calls, refresh when set again, and refuse training. (The networks are those of <see cref="RecurrentThreadsTests"/>.)
/// </summary>
public class FrozenWeightsTests
{
    private const int Steps = 23;

    // One network seen through what the tests do with it.
    private sealed record Subject(IRecurrentNetwork Net, Action<bool> Freeze, Func<bool> Frozen, Action<int> Threads, Func<float[]> Forward, Action Train);

    private static Subject Create(string name)
    {
        var random = new SeededRandom(5);
        var lengths = new[] { Steps };
        switch (name)
        {
            case "lstm-bi-2layers":
            {
                var n = new ThreadsLstmBi(3);
                var x = new float[Steps * ThreadsLstmBi.InputSize];
                random.FillUniform(x, -1, 1);
                float[] Forward()
                {
                    var y = new float[Steps * ThreadsLstmBi.StepOutputSize];
                    var h = new float[ThreadsLstmBi.StateCount * ThreadsLstmBi.HiddenSize];
                    var c = new float[h.Length];
                    n.Forward(x, lengths, y, h, default, c);
                    return [.. y, .. h, .. c];
                }
                return new Subject(n, f => n.WeightsFrozen = f, () => n.WeightsFrozen, t => n.RecurrentThreads = t, Forward,
                    () => n.ForwardTraining(x, lengths, new float[Steps * ThreadsLstmBi.StepOutputSize]));
            }
            case "gru-2layers-embedding-head":
            {
                var n = new ThreadsGruEmbHead(3);
                int[] tokens = Enumerable.Range(0, Steps).Select(_ => random.NextInt(ThreadsGruEmbHead.VocabularySize)).ToArray();
                float[] Forward()
                {
                    var y = new float[Steps * ThreadsGruEmbHead.StepOutputSize];
                    var h = new float[ThreadsGruEmbHead.StateCount * ThreadsGruEmbHead.HiddenSize];
                    n.Forward(tokens, lengths, y, h);
                    return [.. y, .. h];
                }
                return new Subject(n, f => n.WeightsFrozen = f, () => n.WeightsFrozen, t => n.RecurrentThreads = t, Forward,
                    () => n.ForwardTraining(tokens, lengths, new float[Steps * ThreadsGruEmbHead.StepOutputSize]));
            }
            default:
            {
                var n = new ThreadsRnnReluBi(3);
                var x = new float[Steps * ThreadsRnnReluBi.InputSize];
                random.FillUniform(x, -1, 1);
                float[] Forward()
                {
                    var y = new float[Steps * ThreadsRnnReluBi.StepOutputSize];
                    var h = new float[ThreadsRnnReluBi.StateCount * ThreadsRnnReluBi.HiddenSize];
                    n.Forward(x, lengths, y, h);
                    return [.. y, .. h];
                }
                return new Subject(n, f => n.WeightsFrozen = f, () => n.WeightsFrozen, t => n.RecurrentThreads = t, Forward,
                    () => n.ForwardTraining(x, lengths, new float[Steps * ThreadsRnnReluBi.StepOutputSize]));
            }
        }
    }

    public static TheoryData<string> Names => new("lstm-bi-2layers", "gru-2layers-embedding-head", "rnn-relu-bi");

    private static Span<float> Tensor(IRecurrentNetwork net, string name)
    {
        TensorDescriptor t = net.Tensors.Single(d => d.Name == name);
        return net.Parameters.AsSpan(t.Offset, t.Length);
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void Frozen_GivesTheBitsOfUnfrozenCalls_OnOneAndTwoThreads(string name)
    {
        Subject s = Create(name);
        try
        {
            float[] unfrozen = s.Forward();
            s.Freeze(true);
            Assert.True(s.Frozen());
            foreach (int threads in new[] { 1, 2, 1 })
            {
                s.Threads(threads);
                for (int call = 0; call < 3; call++) // the first frozen call packs, the others reuse the copies
                    Assert.Equal(unfrozen, s.Forward());
            }
        }
        finally
        {
            s.Threads(1);
        }
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void WeightChangesWhileFrozen_AreNotSeen_UntilFrozenAgain(string name)
    {
        Subject s = Create(name);
        float[] before = s.Forward();
        s.Freeze(true);
        s.Forward(); // packs
        // The contract: the layers' weight matrices (W_hh in the loop, W_ih in the projection) are read from the packed copies.
        void Scale(string tensor, float factor)
        {
            Span<float> w = Tensor(s.Net, tensor);
            for (int i = 0; i < w.Length; i++) w[i] *= factor;
        }
        Scale(s.Net.Tensors.Any(t => t.Name == "weight_hh_l1") ? "weight_hh_l1" : "weight_hh_l0", 0.5f);
        Scale("weight_ih_l0", 0.75f);
        Assert.Equal(before, s.Forward());

        s.Freeze(false);
        float[] changed = s.Forward();
        Assert.NotEqual(before, changed);
        s.Freeze(true); // frozen again: the next call packs the new weights
        Assert.Equal(changed, s.Forward());

        // Setting it again while frozen repacks too.
        float[] saved = Tensor(s.Net, "weight_hh_l0").ToArray();
        Scale("weight_hh_l0", 1.25f);
        s.Freeze(false);
        float[] changedAgain = s.Forward();
        Assert.NotEqual(changed, changedAgain);
        saved.CopyTo(Tensor(s.Net, "weight_hh_l0")); // back to the weights of `changed`
        s.Freeze(true);
        Assert.Equal(changed, s.Forward());
        Scale("weight_hh_l0", 1.25f); // the weights of `changedAgain`: not seen while frozen
        Assert.Equal(changed, s.Forward());
        s.Freeze(true);
        Assert.Equal(changedAgain, s.Forward());
    }

    [Fact]
    public void ResetParameters_OfAFrozenNetwork_IsSeen()
    {
        var frozen = new ThreadsLstmBi(1) { WeightsFrozen = true };
        var fresh = new ThreadsLstmBi(2);
        var x = new float[9 * ThreadsLstmBi.InputSize];
        new SeededRandom(4).FillUniform(x, -1, 1);
        float[] Run(ThreadsLstmBi n)
        {
            var y = new float[9 * ThreadsLstmBi.StepOutputSize];
            n.Forward(x, [9], y);
            return y;
        }
        float[] old = Run(frozen);
        frozen.ResetParameters(2);
        Assert.True(frozen.WeightsFrozen);
        float[] expected = Run(fresh);
        Assert.NotEqual(old, expected);
        Assert.Equal(expected, Run(frozen));
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void ForwardTraining_IsRefusedWhileFrozen(string name)
    {
        Subject s = Create(name);
        s.Freeze(true);
        var e = Assert.Throws<InvalidOperationException>(s.Train);
        Assert.Contains("WeightsFrozen", e.Message);
        s.Freeze(false);
        Assert.False(s.Frozen());
        s.Train();
    }

    [Fact]
    public void Replicas_StartUnfrozen()
    {
        var net = new ThreadsLstmBi(1) { WeightsFrozen = true };
        Assert.True(net.WeightsFrozen);
        Assert.False(net.CreateReplica().WeightsFrozen);
    }

    // Streaming with frozen weights: every step, even a one-step chunk, runs the packed kernel from the kept copies.
    [Fact]
    public void FrozenStreaming_MatchesForward_IsThreadIndependent_AndAllocatesNothing()
    {
        const int steps = 12;
        var reference = new ThreadsLstmStream(5);
        var inputs = new float[steps * ThreadsLstmStream.InputSize];
        new SeededRandom(9).FillUniform(inputs, -1, 1);
        var full = new float[steps * ThreadsLstmStream.StepOutputSize];
        reference.Forward(inputs, [steps], full);

        float[] Stream(int threads)
        {
            var net = new ThreadsLstmStream(5) { WeightsFrozen = true, RecurrentThreads = threads };
            var state = new ThreadsLstmStream.State();
            var all = new float[full.Length];
            int t = 0;
            foreach (int chunk in new[] { 1, 1, 5, 1, 4 })
            {
                net.Step(inputs.AsSpan(t * ThreadsLstmStream.InputSize, chunk * ThreadsLstmStream.InputSize), state,
                    all.AsSpan(t * ThreadsLstmStream.StepOutputSize, chunk * ThreadsLstmStream.StepOutputSize));
                t += chunk;
            }
            var one = new float[ThreadsLstmStream.StepOutputSize];
            Assert.Equal(0, SteadyState.Allocated(() => net.Step(inputs.AsSpan(0, ThreadsLstmStream.InputSize), state, one)));
            net.RecurrentThreads = 1;
            return all;
        }
        float[] oneThread = Stream(1);
        Assert.True(Compare.MaxRelativeError(oneThread, full.Select(v => (double)v).ToArray()) <= 1e-6);
        Assert.Equal(oneThread, Stream(2));
    }
}
