using System;
using System.IO;
using System.Linq;
using RnnGen.IO;
using RnnGen.Tests.Networks;
using RnnGen.Training;
using RnnGen.Data;
using Xunit;
using Xunit.Abstractions;

namespace RnnGen.Tests.Numerics;

/// <summary>
/// <c>Layout = SequenceLayout.TimeMajor</c>: a time-major network and its batch-first twin (same
/// shape, same parameters) compute the same thing on the same batch, transposed by the test. The
/// matrix's *TimeMajor entries also run the scalar reference (<see cref="ForwardTests"/>), finite
/// differences (<see cref="GradientCheckTests"/>) and ONNX Runtime (OnnxTests) through adapters
/// that transpose.
/// </summary>
public class LayoutTests(ITestOutputHelper log)
{
    // Rows are computed in another order (the GEMMs over all rows sum the weight gradients in
    // another order), so the two layouts agree to rounding, not bit for bit.
    private const double Tolerance = 1e-5;

    public static TheoryData<string> TimeMajorCases =>
        new(NetworkMatrix.All.Where(c => c.Config.Layout == SequenceLayout.TimeMajor).Select(c => c.Name));

    [Fact]
    public void TheMatrixHasTimeMajorTwinsOfEveryCellBidirectionalEmbeddingHeadAndTwoLayers()
    {
        NetworkConfig[] tm = NetworkMatrix.All.Where(c => c.Config.Layout == SequenceLayout.TimeMajor).Select(c => c.Config).ToArray();
        Assert.Equal([CellKind.Rnn, CellKind.Lstm, CellKind.Gru], tm.Select(c => c.Cell).Distinct().Order());
        Assert.Contains(tm, c => c.Bidirectional && c.Layers == 2 && c.HasEmbedding && c.OutputSize > 0);
        Assert.Contains(tm, c => !c.Bidirectional && c.HasEmbedding && c.OutputSize > 0);
        Assert.Contains(tm, c => !c.Bidirectional && !c.HasEmbedding);
        Assert.Contains(tm, c => !c.LinearBeforeReset);
        Assert.Contains(tm, c => c.Peepholes);
    }

    [Theory]
    [MemberData(nameof(TimeMajorCases))]
    public void TimeMajorNetwork_GivesItsBatchFirstTwinsOutputsStatesAndGradients(string name)
    {
        NetworkCase tmCase = NetworkMatrix.All.Single(c => c.Name == name);
        NetworkCase bfCase = NetworkMatrix.All.Single(c => c.Name == name[..^"TimeMajor".Length]);
        Assert.Equal(tmCase.Config with { Layout = SequenceLayout.BatchFirst }, bfCase.Config);
        NetworkConfig cfg = bfCase.Config;
        NetworkAdapter tm = tmCase.Create(5), bf = bfCase.Create(5);
        Assert.Equal(SequenceLayout.TimeMajor, tm.Network.Layout);
        Assert.Equal(SequenceLayout.BatchFirst, bf.Network.Layout);
        Assert.Equal(bf.Network.Parameters, tm.Network.Parameters);

        const int batch = 5, steps = 7;
        TestBatch data = TestBatch.Create(cfg, batch, steps, seed: 77);
        Assert.True(data.Lengths.Distinct().Count() >= 3, "the batch should be ragged: the layouts place padded steps differently");
        bool lstm = cfg.Cell == CellKind.Lstm;
        int stateLength = cfg.StateCount * batch * cfg.HiddenSize;
        var random = new SeededRandom(3);
        float[] h0 = new float[stateLength], c0 = new float[lstm ? stateLength : 0];
        float[] dOutput = new float[batch * steps * cfg.StepOutputSize], dFinalH = new float[stateLength], dFinalC = new float[c0.Length];
        random.FillUniform(h0, -1, 1); random.FillUniform(c0, -1, 1);
        random.FillUniform(dOutput, -1, 1); random.FillUniform(dFinalH, -1, 1); random.FillUniform(dFinalC, -1, 1);

        (float[] Output, float[] FinalH, float[] FinalC, float[] Gradients, float[] DInputs, float[] DH0, float[] DC0) Run(NetworkAdapter net)
        {
            var output = new float[dOutput.Length];
            float[] finalH = new float[stateLength], finalC = new float[c0.Length];
            net.Forward(data.Inputs, data.Tokens, data.Lengths, output, finalH, h0, finalC, c0, true);
            float[] dInputs = new float[cfg.HasEmbedding ? 0 : data.Inputs.Length], dH0 = new float[stateLength], dC0 = new float[c0.Length];
            Array.Clear(net.Network.Gradients);
            net.Backward(dOutput, dInputs, dFinalH, dH0, dFinalC, dC0);
            return (output, finalH, finalC, (float[])net.Network.Gradients.Clone(), dInputs, dH0, dC0);
        }

        var a = Run(tm);
        var b = Run(bf);
        Assert.Contains(b.Output, v => v != 0f);
        Assert.Contains(b.Gradients, v => v != 0f);
        foreach ((string what, float[] x, float[] y) in new[]
                 {
                     ("output", a.Output, b.Output), ("final hidden", a.FinalH, b.FinalH), ("final cell", a.FinalC, b.FinalC),
                     ("parameter gradients", a.Gradients, b.Gradients), ("input gradient", a.DInputs, b.DInputs),
                     ("initial hidden gradient", a.DH0, b.DH0), ("initial cell gradient", a.DC0, b.DC0),
                 })
        {
            double error = Compare.MaxRelativeError(x, y.Select(v => (double)v).ToArray());
            log.WriteLine($"{name} {what}: max relative difference {error:E2}");
            Assert.True(error <= Tolerance, $"{what} differs by {error:E2} between the layouts");
        }
    }

    [Fact]
    public void LossAndGradients_TakeTimeMajorTokensAndTargets()
    {
        var tm = new LstmI5H7L1FwEmbHeadTimeMajor(9);
        var bf = new LstmI5H7L1FwEmbHead(9);
        const int batch = 4, steps = 6;
        TestBatch data = TestBatch.Create(NetworkMatrix.All.Single(c => c.Name == "LstmI5H7L1FwEmbHead").Config, batch, steps, seed: 12);
        var random = new SeededRandom(4);
        int[] targets = Enumerable.Range(0, batch * steps).Select(_ => random.NextInt(6)).ToArray();
        // A padded position must not matter in either layout: a target there is out of range.
        Assert.True(data.Lengths[1] < steps);
        targets[1 * steps + steps - 1] = -3;
        int[] tokensTm = Transpose.ToTimeMajor<int>(data.Tokens, batch, steps, 1), targetsTm = Transpose.ToTimeMajor<int>(targets, batch, steps, 1);
        Assert.Equal(-3, targetsTm[(steps - 1) * batch + 1]);

        LossSum lossTm = tm.ComputeLossAndGradients(tokensTm, data.Lengths, targetsTm);
        LossSum lossBf = bf.ComputeLossAndGradients(data.Tokens, data.Lengths, targets);
        Assert.Equal(lossBf.Count, lossTm.Count);
        Assert.Equal(lossBf.Sum, lossTm.Sum, 5);
        Assert.Contains(bf.Gradients, v => v != 0f);
        Assert.True(Compare.MaxRelativeError(tm.Gradients, bf.Gradients.Select(v => (double)v).ToArray()) <= Tolerance);
    }

    [Fact]
    public void Batchers_FeedATimeMajorNetworkDirectly_AndGiveItsBatchFirstTwinsLossAndGradients()
    {
        var tm = new LstmI5H7L1FwEmbHeadTimeMajor(31);
        var bf = new LstmI5H7L1FwEmbHead(31);
        var random = new SeededRandom(5);
        // Sentences of 1–6 tokens (ids 2–12) with a tag (0–5) per token, padded by PaddedBatch.
        int[][] sentences = Enumerable.Range(0, 5).Select(_ => Enumerable.Range(0, 1 + random.NextInt(6)).Select(_ => 2 + random.NextInt(11)).ToArray()).ToArray();
        int[][] tags = sentences.Select(s => s.Select(_ => random.NextInt(6)).ToArray()).ToArray();
        int[] indices = [4, 0, 3, 1, 2];
        var tokensTm = PaddedBatch.Pack(sentences, indices, layout: SequenceLayout.TimeMajor);
        var tagsTm = PaddedBatch.Pack(tags, indices, paddingValue: -1, layout: SequenceLayout.TimeMajor);
        var tokensBf = PaddedBatch.Pack(sentences, indices);
        var tagsBf = PaddedBatch.Pack(tags, indices, paddingValue: -1);
        Assert.Equal(tokensBf.Lengths, tokensTm.Lengths);
        LossSum lossTm = tm.ComputeLossAndGradients(tokensTm.Values, tokensTm.Lengths, tagsTm.Values);
        LossSum lossBf = bf.ComputeLossAndGradients(tokensBf.Values, tokensBf.Lengths, tagsBf.Values);
        Assert.Equal(sentences.Sum(s => s.Length), lossTm.Count);
        Assert.Equal(lossBf.Sum, lossTm.Sum, 5);
        Assert.True(Compare.MaxRelativeError(tm.Gradients, bf.Gradients.Select(v => (double)v).ToArray()) <= Tolerance);

        // StreamBatcher chunks in the network's layout: truncated BPTT over the same text, same losses and states.
        int[] text = Enumerable.Range(0, 200).Select(_ => random.NextInt(13)).ToArray();
        var batcher = new StreamBatcher(text, streams: 3, steps: 7);
        var stateTm = new LstmI5H7L1FwEmbHeadTimeMajor.State(3);
        var stateBf = new LstmI5H7L1FwEmbHead.State(3);
        int[] x = new int[21], y = new int[21], xTm = new int[21], yTm = new int[21];
        for (int chunk = 0; chunk < batcher.ChunkCount; chunk++)
        {
            int n = batcher.GetChunk(chunk, x, y);
            batcher.GetChunk(chunk, xTm, yTm, SequenceLayout.TimeMajor);
            // targets are token ids here; the head has 6 classes, so fold them into range
            for (int i = 0; i < 3 * n; i++) { y[i] %= 6; yTm[i] %= 6; }
            LossSum a = tm.ComputeLossAndGradients(xTm.AsSpan(0, 3 * n), yTm.AsSpan(0, 3 * n), stateTm);
            LossSum c = bf.ComputeLossAndGradients(x.AsSpan(0, 3 * n), y.AsSpan(0, 3 * n), stateBf);
            Assert.Equal(c.Sum, a.Sum, 5);
            Assert.True(Compare.MaxRelativeError(stateTm.Hidden, stateBf.Hidden.Select(v => (double)v).ToArray()) <= Tolerance);
        }
    }

    [Fact]
    public void Streaming_TakesTimeMajorChunks_AndTruncatedBpttMatchesTheBatchFirstTwin()
    {
        var tm = new LstmI5H7L1FwEmbHeadTimeMajor(21);
        var bf = new LstmI5H7L1FwEmbHead(21);
        const int streams = 3, steps = 8, chunk = 3;
        var random = new SeededRandom(8);
        int[] tokens = Enumerable.Range(0, streams * steps).Select(_ => random.NextInt(13)).ToArray(); // [steps, streams]
        int[] targets = Enumerable.Range(0, streams * steps).Select(_ => random.NextInt(6)).ToArray();

        // Step by step over chunks of [chunk, streams] gives the rows of one Forward over [steps, streams].
        var whole = new float[steps * streams * 6];
        tm.Forward(tokens, Enumerable.Repeat(steps, streams).ToArray(), whole);
        var state = new LstmI5H7L1FwEmbHeadTimeMajor.State(streams);
        for (int start = 0; start < steps; start += chunk)
        {
            int n = Math.Min(chunk, steps - start);
            var output = new float[n * streams * 6];
            tm.Step(tokens.AsSpan(start * streams, n * streams), state, output);
            for (int i = 0; i < output.Length; i++) Assert.Equal(whole[start * streams * 6 + i], output[i], 5);
        }

        // Truncated BPTT on time-major chunks equals the twin's on the same chunks batch-first.
        var stateTm = new LstmI5H7L1FwEmbHeadTimeMajor.State(streams);
        var stateBf = new LstmI5H7L1FwEmbHead.State(streams);
        for (int start = 0; start < steps; start += chunk)
        {
            int n = Math.Min(chunk, steps - start);
            ReadOnlySpan<int> x = tokens.AsSpan(start * streams, n * streams), y = targets.AsSpan(start * streams, n * streams);
            LossSum a = tm.ComputeLossAndGradients(x, y, stateTm);
            LossSum b = bf.ComputeLossAndGradients(Transpose.ToBatchFirst(x, streams, n, 1), Transpose.ToBatchFirst(y, streams, n, 1), stateBf);
            Assert.Equal(b.Sum, a.Sum, 5);
            Assert.True(Compare.MaxRelativeError(stateTm.Hidden, stateBf.Hidden.Select(v => (double)v).ToArray()) <= Tolerance);
            Assert.True(Compare.MaxRelativeError(stateTm.Cell, stateBf.Cell.Select(v => (double)v).ToArray()) <= Tolerance);
        }
        Assert.True(Compare.MaxRelativeError(tm.Gradients, bf.Gradients.Select(v => (double)v).ToArray()) <= Tolerance);
    }

    [Fact]
    public void DenseStreaming_TakesTimeMajorChunks()
    {
        var net = new GruI5H7L1FwDenseTimeMajor(2);
        const int streams = 2, steps = 5;
        var inputs = new float[steps * streams * 5];
        new SeededRandom(1).FillUniform(inputs, -1, 1);
        var whole = new float[steps * streams * 7];
        net.Forward(inputs, [steps, steps], whole);
        var state = new GruI5H7L1FwDenseTimeMajor.State(streams);
        var output = new float[streams * 7];
        for (int t = 0; t < steps; t++)
        {
            net.Step(inputs.AsSpan(t * streams * 5, streams * 5), state, output);
            for (int i = 0; i < output.Length; i++) Assert.Equal(whole[t * streams * 7 + i], output[i], 5);
        }
    }

    /// <summary>The layout is not part of the parameters: checkpoints and safetensors move between the twins.</summary>
    [Fact]
    public void ParametersAndSignature_DoNotDependOnTheLayout()
    {
        var bf = new GruI5H7L2BiEmbHead(31);
        var tm = new GruI5H7L2BiEmbHeadTimeMajor(32);
        Assert.Equal(GruI5H7L2BiEmbHead.ShapeSignature, GruI5H7L2BiEmbHeadTimeMajor.ShapeSignature);
        Assert.Equal(((IRecurrentNetwork)bf).Signature, ((IRecurrentNetwork)tm).Signature);
        Assert.Equal(GruI5H7L2BiEmbHead.TensorTable.Select(t => (t.Name, t.Offset, t.Length)), GruI5H7L2BiEmbHeadTimeMajor.TensorTable.Select(t => (t.Name, t.Offset, t.Length)));
        Assert.NotEqual(bf.Parameters, tm.Parameters);

        var checkpoint = new MemoryStream();
        Checkpoint.Save(checkpoint, bf);
        checkpoint.Position = 0;
        Checkpoint.Load(checkpoint, tm);
        Assert.Equal(bf.Parameters, tm.Parameters);

        var other = new GruI5H7L2BiEmbHead(33);
        var safetensors = new MemoryStream();
        SafeTensorsFile.Save(tm, safetensors);
        safetensors.Position = 0;
        SafeTensorsFile.LoadInto(other, safetensors);
        Assert.Equal(tm.Parameters, other.Parameters);
    }

    [Fact]
    public void ArgumentErrors_SayTimeMajorShapes()
    {
        var net = new LstmI5H7L1FwEmbHeadTimeMajor(1);
        var e = Assert.Throws<ArgumentException>(() => net.Forward(new int[7], [2, 3], new float[42]));
        Assert.Contains("[steps, batch, 1]", e.Message);
        int[] tokens = new int[3 * 2]; // [3 steps, 2 sequences]
        tokens[2 * 2 + 1] = 99;        // step 2 of sequence 1
        var range = Assert.Throws<ArgumentOutOfRangeException>(() => net.Forward(tokens, [3, 3], new float[36]));
        Assert.Contains("tokens[2, 1] (step 2 of sequence 1) is 99", range.Message);
        net.Forward(tokens, [3, 2], new float[36]); // a padded position is not read
        var output = Assert.Throws<ArgumentException>(() => net.Forward(tokens, [3, 2], new float[35]));
        Assert.Contains("[steps, batch, StepOutputSize]", output.Message);
        var targets = Assert.Throws<ArgumentException>(() => net.ComputeLossAndGradients(tokens, [3, 2], new int[5]));
        Assert.Contains("[steps, batch]", targets.Message);
        var state = new LstmI5H7L1FwEmbHeadTimeMajor.State(4);
        var chunk = Assert.Throws<ArgumentException>(() => net.Step(new int[6], state, new float[36]));
        Assert.Contains("[steps, streams, 1]", chunk.Message);
    }
}
