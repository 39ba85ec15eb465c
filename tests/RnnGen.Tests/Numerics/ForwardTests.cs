using System;
using System.Linq;
using RnnGen.Tests.Networks;
using RnnGen.Tests.Reference;
using Xunit;

namespace RnnGen.Tests.Numerics;

/// <summary>Every generated network against the scalar double-precision reference.</summary>
public class ForwardTests
{
    public static TheoryData<string> Cases => new(NetworkMatrix.All.Select(c => c.Name));

    private static NetworkCase Find(string name) => NetworkMatrix.All.Single(c => c.Name == name);

    [Theory]
    [MemberData(nameof(Cases))]
    public void MatchesReference_Batch1_And_Batch5WithDifferentLengths(string name)
    {
        NetworkCase c = Find(name);
        foreach ((int batch, int steps) in new[] { (1, 6), (5, 6) })
        {
            foreach (bool withInitialState in new[] { false, true })
            {
                NetworkAdapter net = c.Create(42);
                NetworkConfig cfg = c.Config;
                TestBatch data = TestBatch.Create(cfg, batch, steps, seed: (ulong)(batch * 10 + steps));
                int stateLength = cfg.StateCount * batch * cfg.HiddenSize;
                float[] h0 = new float[withInitialState ? stateLength : 0], c0 = new float[withInitialState && cfg.Cell == CellKind.Lstm ? stateLength : 0];
                new SeededRandom(5).FillUniform(h0, -1, 1);
                new SeededRandom(6).FillUniform(c0, -1, 1);
                var output = new float[batch * steps * cfg.StepOutputSize];
                var finalH = new float[stateLength];
                var finalC = new float[cfg.Cell == CellKind.Lstm ? stateLength : 0];
                net.Forward(data.Inputs, data.Tokens, data.Lengths, output, finalH, h0, finalC, c0, false);

                double[] p = net.Network.Parameters.Select(v => (double)v).ToArray();
                var expected = ScalarReference.Run(cfg, net.Network.Tensors, p, data.InputsAsDouble(cfg), data.Tokens, data.Lengths, steps,
                    withInitialState ? h0.Select(v => (double)v).ToArray() : null,
                    c0.Length > 0 ? c0.Select(v => (double)v).ToArray() : null);

                Assert.True(Compare.MaxRelativeError(output, expected.Output) <= 1e-5, $"output differs (batch {batch}, initial state {withInitialState}): {Compare.MaxRelativeError(output, expected.Output)}");
                Assert.True(Compare.MaxRelativeError(finalH, expected.FinalHidden) <= 1e-5, $"final hidden differs: {Compare.MaxRelativeError(finalH, expected.FinalHidden)}");
                if (finalC.Length > 0)
                    Assert.True(Compare.MaxRelativeError(finalC, expected.FinalCell) <= 1e-5, $"final cell differs: {Compare.MaxRelativeError(finalC, expected.FinalCell)}");
            }
        }
    }

    // Inference reads the caller's inputs and writes the caller's output without copies of its own: NaN at
    // padded input positions must not reach any output, every padded output position must be written as
    // zero (the output starts as NaN), and an output that shares memory with the inputs must still give
    // the same bits as separate arrays.
    [Theory]
    [MemberData(nameof(Cases))]
    public void Inference_IgnoresPaddedInputs_ZeroesPaddedOutputs_AndAllowsSharedMemory(string name)
    {
        NetworkCase c = Find(name);
        NetworkConfig cfg = c.Config;
        NetworkAdapter net = c.Create(11);
        foreach (int batch in new[] { 1, 5 })
        {
            TestBatch data = TestBatch.Create(cfg, batch, 6, seed: (ulong)(31 + batch));
            if (batch == 1) data.Lengths[0] = 4; // a single sequence shorter than its padded steps
            int outputLength = batch * 6 * cfg.StepOutputSize;
            var zeroPadded = (float[])data.Inputs.Clone();
            var nanPadded = (float[])data.Inputs.Clone();
            for (int b = 0; b < batch; b++)
                for (int t = data.Lengths[b]; t < 6; t++)
                {
                    zeroPadded.AsSpan((b * 6 + t) * cfg.InputSize, cfg.InputSize).Clear();
                    nanPadded.AsSpan((b * 6 + t) * cfg.InputSize, cfg.InputSize).Fill(float.NaN);
                }

            var expected = new float[outputLength];
            net.Forward(zeroPadded, data.Tokens, data.Lengths, expected, default, default, default, default, false);
            var output = new float[outputLength];
            output.AsSpan().Fill(float.NaN);
            net.Forward(nanPadded, data.Tokens, data.Lengths, output, default, default, default, default, false);
            Assert.Equal(expected.Select(BitConverter.SingleToInt32Bits), output.Select(BitConverter.SingleToInt32Bits));
            for (int b = 0; b < batch; b++)
                for (int t = data.Lengths[b]; t < 6; t++)
                    Assert.All(output.AsSpan((b * 6 + t) * cfg.StepOutputSize, cfg.StepOutputSize).ToArray(), v => Assert.Equal(0f, v));

            // An initial state that shares memory with the output must be read before the output is written.
            int stateLength = cfg.StateCount * batch * cfg.HiddenSize;
            var h0 = new float[stateLength];
            new SeededRandom(7).FillUniform(h0, -1, 1);
            var withState = new float[outputLength];
            var finalH = new float[stateLength];
            net.Forward(zeroPadded, data.Tokens, data.Lengths, withState, finalH, h0, default, default, false);
            var outputAndState = new float[Math.Max(outputLength, stateLength)];
            h0.CopyTo(outputAndState, 0);
            net.Forward(zeroPadded, data.Tokens, data.Lengths, outputAndState.AsSpan(0, outputLength), default, outputAndState.AsSpan(0, stateLength), default, default, false);
            Assert.Equal(withState.Select(BitConverter.SingleToInt32Bits), outputAndState.Take(outputLength).Select(BitConverter.SingleToInt32Bits));

            // A final state that shares memory with the output: the output is written last, as with the copies.
            var outputOverState = new float[Math.Max(outputLength, stateLength)];
            net.Forward(zeroPadded, data.Tokens, data.Lengths, outputOverState.AsSpan(0, outputLength), outputOverState.AsSpan(0, stateLength), h0, default, default, false);
            Assert.Equal(withState.Select(BitConverter.SingleToInt32Bits), outputOverState.Take(outputLength).Select(BitConverter.SingleToInt32Bits));

            if (cfg.HasEmbedding) continue; // token ids and float outputs cannot share memory
            var shared = new float[Math.Max(zeroPadded.Length, outputLength)];
            zeroPadded.CopyTo(shared, 0);
            net.Forward(shared.AsSpan(0, zeroPadded.Length), data.Tokens, data.Lengths, shared.AsSpan(0, outputLength), default, default, default, default, false);
            Assert.Equal(expected.Select(BitConverter.SingleToInt32Bits), shared.Take(outputLength).Select(BitConverter.SingleToInt32Bits));

            // A final state written over the inputs must not be read back as input (the reverse direction of a
            // bidirectional layer reads the inputs after the forward direction has written its final state).
            var inputsAndState = new float[Math.Max(zeroPadded.Length, stateLength)];
            zeroPadded.CopyTo(inputsAndState, 0);
            var afterShared = new float[outputLength];
            net.Forward(inputsAndState.AsSpan(0, zeroPadded.Length), data.Tokens, data.Lengths, afterShared, inputsAndState.AsSpan(0, stateLength), h0, default, default, false);
            Assert.Equal(withState.Select(BitConverter.SingleToInt32Bits), afterShared.Select(BitConverter.SingleToInt32Bits));
            Assert.Equal(finalH.Select(BitConverter.SingleToInt32Bits), inputsAndState.Take(stateLength).Select(BitConverter.SingleToInt32Bits));
        }
    }

    [Fact]
    public void PaddedStepsAreZero_AndDoNotChangeTheFinalState()
    {
        NetworkCase c = Find("LstmI5H7L2BiDense");
        NetworkConfig cfg = c.Config;
        NetworkAdapter net = c.Create(3);
        TestBatch data = TestBatch.Create(cfg, 3, 8, seed: 9);
        data.Lengths[1] = 3;
        var output = new float[3 * 8 * cfg.StepOutputSize];
        var finalH = new float[cfg.StateCount * 3 * cfg.HiddenSize];
        net.Forward(data.Inputs, data.Tokens, data.Lengths, output, finalH, default, default, default, false);

        // The same sequence alone, cut to its length, gives the same final state.
        var single = new float[3 * cfg.InputSize];
        data.Inputs.AsSpan(8 * cfg.InputSize, 3 * cfg.InputSize).CopyTo(single);
        var output1 = new float[3 * cfg.StepOutputSize];
        var finalH1 = new float[cfg.StateCount * cfg.HiddenSize];
        net.Forward(single, default, [3], output1, finalH1, default, default, default, false);
        for (int t = 3; t < 8; t++)
            Assert.All(output.AsSpan((8 + t) * cfg.StepOutputSize, cfg.StepOutputSize).ToArray(), v => Assert.Equal(0f, v));
        for (int s = 0; s < cfg.StateCount; s++)
            for (int j = 0; j < cfg.HiddenSize; j++)
                Assert.Equal(finalH1[s * cfg.HiddenSize + j], finalH[(s * 3 + 1) * cfg.HiddenSize + j], 5);
        float[] row = output.AsSpan(8 * cfg.StepOutputSize, 3 * cfg.StepOutputSize).ToArray();
        for (int i = 0; i < row.Length; i++) Assert.Equal(output1[i], row[i], 5);
    }

    [Fact]
    public void InitializationFollowsPyTorchBoundsAndIsReproducible()
    {
        var a = new LstmI5H7L2BiEmbHead(7);
        var b = new LstmI5H7L2BiEmbHead(7);
        var other = new LstmI5H7L2BiEmbHead(8);
        Assert.Equal(a.Parameters, b.Parameters);
        Assert.NotEqual(a.Parameters, other.Parameters);
        float bound = 1f / MathF.Sqrt(LstmI5H7L2BiEmbHead.HiddenSize);
        Assert.All(a.WeightHhL1Reverse.ToArray(), v => Assert.InRange(v, -bound, bound));
        float headBound = 1f / MathF.Sqrt(2 * LstmI5H7L2BiEmbHead.HiddenSize);
        Assert.All(a.HeadWeight.ToArray(), v => Assert.InRange(v, -headBound, headBound));
        // The embedding is N(0, 1): some values lie outside the recurrent bound.
        Assert.Contains(a.EmbeddingWeight.ToArray(), v => MathF.Abs(v) > 1f);
    }

    [Fact]
    public void TensorTableUsesPyTorchNamesShapesAndContiguousOffsets()
    {
        var table = LstmI5H7L2BiEmbHead.TensorTable;
        string[] expected =
        [
            "embedding.weight",
            "weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0",
            "weight_ih_l0_reverse", "weight_hh_l0_reverse", "bias_ih_l0_reverse", "bias_hh_l0_reverse",
            "weight_ih_l1", "weight_hh_l1", "bias_ih_l1", "bias_hh_l1",
            "weight_ih_l1_reverse", "weight_hh_l1_reverse", "bias_ih_l1_reverse", "bias_hh_l1_reverse",
            "head.weight", "head.bias",
        ];
        Assert.Equal(expected, table.Select(t => t.Name));
        Assert.Equal([28, 14], table.Single(t => t.Name == "weight_ih_l1").Shape);
        Assert.Equal([28, 5], table.Single(t => t.Name == "weight_ih_l0").Shape);
        int offset = 0;
        foreach (var t in table) { Assert.Equal(offset, t.Offset); offset += t.Length; }
        Assert.Equal(LstmI5H7L2BiEmbHead.ParameterCount, offset);
    }
}
