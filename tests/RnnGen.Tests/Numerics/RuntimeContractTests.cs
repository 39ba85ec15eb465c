using System;
using RnnGen.Tests.Networks;
using Xunit;

namespace RnnGen.Tests.Numerics;

/// <summary>Allocation and argument-checking promises of the generated inference and training calls.</summary>
public class RuntimeContractTests
{
    [Fact]
    public void SecondForwardCallAllocatesNothing()
    {
        var net = new LstmI5H7L2BiEmbHead(1);
        int[] tokens = [1, 2, 3, 4, 5, 6, 0, 0];
        int[] lengths = [4, 2];
        var output = new float[2 * 4 * LstmI5H7L2BiEmbHead.StepOutputSize];
        var finalH = new float[LstmI5H7L2BiEmbHead.StateCount * 2 * LstmI5H7L2BiEmbHead.HiddenSize];
        net.Forward(tokens, lengths, output, finalH);
        Assert.Equal(0, SteadyState.Allocated(() => net.Forward(tokens, lengths, output, finalH)));
    }

    [Fact]
    public void SecondTrainingStepAllocatesNothing()
    {
        var net = new GruI5H7L2BiDenseHead(1);
        var inputs = new float[3 * 6 * GruI5H7L2BiDenseHead.InputSize];
        new SeededRandom(1).FillUniform(inputs, -1, 1);
        int[] lengths = [6, 3, 5];
        int[] targets = new int[3 * 6];
        net.ComputeLossAndGradients(inputs, lengths, targets);
        Assert.Equal(0, SteadyState.Allocated(() => net.ComputeLossAndGradients(inputs, lengths, targets)));
    }

    [Fact]
    public void BadArgumentsThrowBeforeAnythingIsWritten()
    {
        var net = new LstmI5H7L1FwEmbHead(1);
        int steps = 3;
        var output = new float[2 * steps * LstmI5H7L1FwEmbHead.StepOutputSize];
        output.AsSpan().Fill(42f);
        int[] tokens = [1, 2, 3, 4, 5, 6];

        var e1 = Assert.ThrowsAny<ArgumentException>(() => net.Forward(tokens, [3, 4], output));
        Assert.Equal("lengths", e1.ParamName);
        Assert.Contains("between 1 and the padded step count 3", e1.Message);
        var e2 = Assert.ThrowsAny<ArgumentException>(() => net.Forward(tokens, [3, 0], output));
        Assert.Equal("lengths", e2.ParamName);
        var e3 = Assert.ThrowsAny<ArgumentException>(() => net.Forward(tokens, [], output));
        Assert.Contains("batch is empty", e3.Message);
        var e4 = Assert.ThrowsAny<ArgumentException>(() => net.Forward([1, 2, 13, 4, 5, 6], [3, 3], output));
        Assert.Equal("tokens", e4.ParamName);
        Assert.Contains("[0, 13)", e4.Message);
        var e5 = Assert.ThrowsAny<ArgumentException>(() => net.Forward(tokens, [3, 3], output.AsSpan(1)));
        Assert.Equal("output", e5.ParamName);
        Assert.Contains("36", e5.Message);
        var e6 = Assert.ThrowsAny<ArgumentException>(() => net.Forward(tokens, [3, 3], output, new float[5]));
        Assert.Equal("finalHidden", e6.ParamName);
        var e7 = Assert.ThrowsAny<ArgumentException>(() => net.Forward(tokens, [3, 3], output, default, new float[3]));
        Assert.Equal("initialHidden", e7.ParamName);
        var e8 = Assert.ThrowsAny<ArgumentException>(() => net.Forward(tokens.AsSpan(0, 5), [2, 2], output));
        Assert.Equal("tokens", e8.ParamName);
        Assert.All(output, v => Assert.Equal(42f, v));

        // A padded position may hold anything, even an invalid id.
        net.Forward([1, 2, -1, 4, 5, 6], [2, 3], output);
        Assert.Throws<ArgumentOutOfRangeException>(() => net.InputDropout = 1f);
    }

    [Fact]
    public void BackwardWithoutTrainingForwardIsRefused()
    {
        var net = new RnnI5H7L1FwDense(1);
        var output = new float[RnnI5H7L1FwDense.StepOutputSize];
        net.Forward(new float[RnnI5H7L1FwDense.InputSize], [1], output);
        var e = Assert.Throws<InvalidOperationException>(() => net.Backward(output));
        Assert.Contains("ForwardTraining", e.Message);
    }

    // Backward consumes the training state only once its arguments are accepted: a call refused for a
    // wrong gradient length leaves the state for the correct call, which then consumes it.
    [Fact]
    public void BackwardRefusedForItsArgumentsKeepsTheTrainingState()
    {
        var net = new LstmI5H7L1FwDense(1);
        var output = new float[2 * LstmI5H7L1FwDense.StepOutputSize];
        net.ForwardTraining(new float[2 * LstmI5H7L1FwDense.InputSize], [2], output);
        Assert.Throws<ArgumentException>(() => net.Backward(new float[output.Length + 1]));
        net.Backward(output);
        Assert.Contains(net.Gradients, v => v != 0f);
        var e = Assert.Throws<InvalidOperationException>(() => net.Backward(output));
        Assert.Contains("each ForwardTraining serves one Backward", e.Message);
    }

    // A loss call refused for its targets changes nothing: in particular it does not grow (and so clear) the
    // workspace that a pending Backward of an earlier ForwardTraining reads.
    [Fact]
    public void RefusedLossCall_LeavesAPendingBackwardIntact()
    {
        const int I = GruI5H7L2BiDenseHead.InputSize, V = GruI5H7L2BiDenseHead.OutputSize;
        var refused = new GruI5H7L2BiDenseHead(1);
        var plain = new GruI5H7L2BiDenseHead(1);
        var inputs = new float[2 * 3 * I];
        new SeededRandom(4).FillUniform(inputs, -1, 1);
        int[] lengths = [3, 2];
        var dOutput = new float[2 * 3 * V];
        new SeededRandom(5).FillUniform(dOutput, -1, 1);
        refused.ForwardTraining(inputs, lengths, new float[dOutput.Length]);
        plain.ForwardTraining(inputs, lengths, new float[dOutput.Length]);

        int[] badTargets = new int[4 * 6];
        Array.Fill(badTargets, V); // out of range
        Assert.ThrowsAny<ArgumentException>(() => refused.ComputeLossAndGradients(new float[4 * 6 * I], [6, 6, 6, 6], badTargets));

        refused.Backward(dOutput);
        plain.Backward(dOutput);
        Assert.Contains(plain.Gradients, v => v != 0f);
        Assert.Equal(plain.Gradients, refused.Gradients);
    }

    // Inference at batch 1 keeps O(H) state besides the weights when a stream is fed one step at a time
    // (State + Step): a one-step call's workspace depends on the sizes, not on how long the stream runs,
    // and 2 000 steps allocate nothing after the first. A whole-sequence call holds O(T·H) by contrast.
    [Fact]
    public void StreamingOneStepAtATime_KeepsStateOfOrderH()
    {
        const int H = LstmI32H256L1FwEmbHead.HiddenSize;
        long oneStep = LstmI32H256L1FwEmbHead.WorkspaceBytes(1, 1, training: false);
        // Per hidden unit at most: h, c, the output, the four gates and their recurrent projection (11 floats);
        // plus the step's input and the head's log-probabilities.
        long bound = sizeof(float) * (11L * H + LstmI32H256L1FwEmbHead.InputSize + LstmI32H256L1FwEmbHead.OutputSize) + 64;
        Assert.True(oneStep <= bound, $"a one-step call needs {oneStep} bytes; O(H) allows {bound}");
        Assert.True(LstmI32H256L1FwEmbHead.WorkspaceBytes(1, 2000, training: false) >= 2000L * sizeof(float) * H); // at least h of every step

        var net = new LstmI32H256L1FwEmbHead(1);
        var state = new LstmI32H256L1FwEmbHead.State(1);
        var output = new float[LstmI32H256L1FwEmbHead.OutputSize];
        net.Step([3], state, output);
        int[] token = [0];
        Assert.Equal(0, SteadyState.Allocated(() =>
        {
            for (int t = 0; t < 2000; t++)
            {
                token[0] = t % LstmI32H256L1FwEmbHead.VocabularySize;
                net.Step(token, state, output);
            }
        }));
        Assert.All(output, v => Assert.True(float.IsFinite(v) && v <= 0f)); // log-probabilities of the last step
    }

    // Inference works on the caller's spans, so its workspace holds no copy of the inputs or of the last
    // layer's output: a fresh network's first Forward allocates WorkspaceBytes(…, training: false) (plus array
    // headers and the lengths), and only a call whose output shares memory with its inputs adds the copies.
    [Fact]
    public void InferenceAllocatesItsWorkspace_AndTheCopiesOnlyWhenSpansShareMemory()
    {
        const int batch = 5, steps = 6, I = LstmI5H7L2BiDense.InputSize, W = LstmI5H7L2BiDense.StepOutputSize;
        var net = new LstmI5H7L2BiDense(1);
        var inputs = new float[batch * steps * I];
        new SeededRandom(2).FillUniform(inputs, -1, 1);
        int[] lengths = [6, 3, 5, 1, 6];
        var output = new float[batch * steps * W];
        long workspace = LstmI5H7L2BiDense.WorkspaceBytes(batch, steps, training: false);
        new LstmI5H7L2BiDense(2).Forward(inputs, lengths, new float[output.Length]); // the kernels' per-thread packing buffers

        long before = GC.GetAllocatedBytesForCurrentThread();
        net.Forward(inputs, lengths, output);
        Assert.InRange(GC.GetAllocatedBytesForCurrentThread() - before, workspace, workspace + 512); // + array headers and the lengths

        // Only the copies are added: rows × (I + W) floats (the buffers already there are kept).
        long copies = (long)batch * steps * (I + W) * sizeof(float);
        var shared = new float[Math.Max(inputs.Length, output.Length)];
        inputs.CopyTo(shared, 0);
        before = GC.GetAllocatedBytesForCurrentThread();
        net.Forward(shared.AsSpan(0, inputs.Length), lengths, shared.AsSpan(0, output.Length));
        Assert.InRange(GC.GetAllocatedBytesForCurrentThread() - before, copies, copies + 512);
        Assert.Equal(output, shared.AsSpan(0, output.Length).ToArray());
    }

    [Fact]
    public void WorkspaceBytesGrowLinearlyInStepsAndBatch()
    {
        long a = LstmI32H256L1FwEmbHead.WorkspaceBytes(8, 50, training: true);
        long b = LstmI32H256L1FwEmbHead.WorkspaceBytes(8, 100, training: true);
        long c = LstmI32H256L1FwEmbHead.WorkspaceBytes(8, 150, training: true);
        Assert.Equal(b - a, c - b);
        Assert.True(LstmI32H256L1FwEmbHead.WorkspaceBytes(8, 50, training: false) < a);
    }
}
