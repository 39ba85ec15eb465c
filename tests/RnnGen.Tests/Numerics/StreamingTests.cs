using System;
using System.Linq;
using RnnGen.Tests.Networks;
using Xunit;

namespace RnnGen.Tests.Numerics;

[RecurrentNetwork(CellKind.Lstm, InputSize = 6, HiddenSize = 9, Layers = 2, VocabularySize = 12, OutputSize = 12)]
public partial class StreamingLstm;

[RecurrentNetwork(CellKind.Gru, InputSize = 4, HiddenSize = 5, Layers = 2)]
public partial class StreamingGru;

/// <summary>The streaming API and truncated BPTT against the full-sequence passes.</summary>
public class StreamingTests
{
    [Fact]
    public void StepByStepEqualsFullSequenceForward()
    {
        var net = new StreamingLstm(4);
        const int batch = 3, steps = 10;
        var random = new SeededRandom(8);
        int[] tokens = Enumerable.Range(0, batch * steps).Select(_ => random.NextInt(12)).ToArray();
        var full = new float[batch * steps * 12];
        var finalH = new float[StreamingLstm.StateCount * batch * StreamingLstm.HiddenSize];
        net.Forward(tokens, [steps, steps, steps], full, finalH);

        var state = new StreamingLstm.State(batch);
        var stepOutput = new float[batch * 12];
        var chunk = new int[batch];
        for (int t = 0; t < steps; t++)
        {
            for (int b = 0; b < batch; b++) chunk[b] = tokens[b * steps + t];
            net.Step(chunk, state, stepOutput);
            for (int b = 0; b < batch; b++)
                AssertClose(full.AsSpan((b * steps + t) * 12, 12), stepOutput.AsSpan(b * 12, 12));
        }
        AssertClose(finalH, state.Hidden);

        // Chunks of 4 + 6 give the same as well; Reset starts over.
        state.Reset();
        var first = new float[batch * 4 * 12];
        net.Step(Slice(tokens, batch, steps, 0, 4), state, first);
        AssertClose(full.AsSpan(0, 4 * 12), first.AsSpan(0, 4 * 12));
        StreamingLstm.State copy = state.Clone();
        var rest = new float[batch * 6 * 12];
        net.Step(Slice(tokens, batch, steps, 4, 6), state, rest);
        AssertClose(finalH, state.Hidden);
        Assert.NotEqual(copy.Hidden, state.Hidden);
        Assert.Throws<ArgumentException>(() => net.Step(new int[4], state, rest));
    }

    [Fact]
    public void DenseStreamingMatchesForward()
    {
        var net = new StreamingGru(2);
        var inputs = new float[2 * 5 * 4];
        new SeededRandom(3).FillUniform(inputs, -1, 1);
        var full = new float[2 * 5 * 5];
        net.Forward(inputs, [5, 5], full);
        var state = new StreamingGru.State(2);
        var output = new float[2 * 5];
        var x = new float[2 * 4];
        for (int t = 0; t < 5; t++)
        {
            for (int b = 0; b < 2; b++) inputs.AsSpan((b * 5 + t) * 4, 4).CopyTo(x.AsSpan(b * 4));
            net.Step(x, state, output);
            for (int b = 0; b < 2; b++)
                AssertClose(full.AsSpan((b * 5 + t) * 5, 5), output.AsSpan(b * 5, 5));
        }
    }

    [Fact]
    public void TruncatedBpttWithOneChunkEqualsFullBptt()
    {
        const int batch = 2, steps = 7;
        var random = new SeededRandom(5);
        int[] tokens = Enumerable.Range(0, batch * steps).Select(_ => random.NextInt(12)).ToArray();
        int[] targets = Enumerable.Range(0, batch * steps).Select(_ => random.NextInt(12)).ToArray();
        var full = new StreamingLstm(1);
        var loss = full.ComputeLossAndGradients(tokens, [steps, steps], targets);
        var chunked = new StreamingLstm(1);
        var state = new StreamingLstm.State(batch);
        var chunkLoss = chunked.ComputeLossAndGradients(tokens, targets, state);
        Assert.Equal(loss.Sum, chunkLoss.Sum, 6);
        Assert.Equal(full.Gradients, chunked.Gradients);

        // The state moved to the end of the chunk: equal to a forward's final state.
        var finalH = new float[StreamingLstm.StateCount * batch * StreamingLstm.HiddenSize];
        full.Forward(tokens, [steps, steps], new float[batch * steps * 12], finalH);
        Assert.Equal(finalH, state.Hidden);
    }

    [Fact]
    public void TruncatedBpttStopsTheGradientAtTheChunkStart()
    {
        const int batch = 1, steps = 6;
        int[] tokens = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 0];
        int[] targets = [2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 0, 1];
        var net = new StreamingLstm(1);
        var state = new StreamingLstm.State(batch);
        net.ComputeLossAndGradients(tokens.AsSpan(0, steps), targets.AsSpan(0, steps), state);
        // Second chunk from the carried state: its gradient equals a fresh network's gradient on the
        // same chunk given the same initial state explicitly (no path back into chunk one).
        float[] carried = (float[])state.Hidden.Clone(), carriedCell = (float[])state.Cell.Clone();
        net.ZeroGradients();
        net.ComputeLossAndGradients(tokens.AsSpan(steps), targets.AsSpan(steps), state);
        var reference = new StreamingLstm(1);
        var output = new float[steps * 12];
        reference.ForwardTraining(tokens.AsSpan(steps), [steps], output, default, carried, default, carriedCell);
        var dOutput = new float[output.Length];
        RnnGen.Training.SequenceLoss.NegativeLogLikelihood(dOutput, output, targets.AsSpan(steps), [steps], steps, 12, RnnGen.Training.LossKind.PerStep);
        reference.Backward(dOutput);
        Assert.Equal(reference.Gradients, net.Gradients);
    }

    // Step-by-step runs the matrix products with fewer rows than the full pass, so the kernels may
    // sum in another order: equal up to float rounding.
    private static void AssertClose(ReadOnlySpan<float> expected, ReadOnlySpan<float> actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
            Assert.True(MathF.Abs(expected[i] - actual[i]) <= 1e-6f * MathF.Max(1f, MathF.Abs(expected[i])), $"index {i}: {expected[i]} vs {actual[i]}");
    }

    private static int[] Slice(int[] tokens, int batch, int steps, int start, int count)
    {
        var result = new int[batch * count];
        for (int b = 0; b < batch; b++) tokens.AsSpan(b * steps + start, count).CopyTo(result.AsSpan(b * count));
        return result;
    }
}
