using System;
using System.IO;
using System.Linq;
using RnnGen.IO;
using RnnGen.Training;
using Xunit;

namespace RnnGen.Tests.Seq2Seq;

/// <summary>The runtime's generic code (optimizers, clipping, checkpoints, safetensors) works on a sequence-to-sequence network unchanged.</summary>
public sealed class Seq2SeqRuntimeTests
{
    [Fact]
    public void Tensor_table_covers_the_flat_array_with_pytorch_style_names()
    {
        IRecurrentNetwork net = new GruBahdanauSeq(1);
        int offset = 0;
        foreach (TensorDescriptor t in net.Tensors)
        {
            Assert.Equal(offset, t.Offset);
            offset += t.Length;
        }
        Assert.Equal(GruBahdanauSeq.ParameterCount, offset);
        string[] names = net.Tensors.Select(t => t.Name).ToArray();
        Assert.Contains("encoder.embedding.weight", names);
        Assert.Contains("encoder.weight_ih_l0_reverse", names);
        Assert.Contains("bridge.weight_l0", names);
        Assert.Contains("decoder.attention.w_q", names);
        Assert.Contains("decoder.attention.v", names);
        Assert.Contains("decoder.out.weight", names);
        Assert.Equal(GruBahdanauSeq.EncoderParameterCount, net.Tensors.First(t => t.Name == "bridge.weight_l0").Offset);
        // Equal seeds, equal parameters; another seed, others.
        Assert.Equal(net.Parameters, new GruBahdanauSeq(1).Parameters);
        Assert.NotEqual(net.Parameters, new GruBahdanauSeq(2).Parameters);
    }

    [Fact]
    public void Checkpoint_and_safetensors_round_trip_and_the_optimizer_steps()
    {
        var net = new LstmGeneralSeq(3);
        var adam = new Adam(1e-2);
        net.ZeroGradients();
        net.ForwardBackward(Seq2SeqCases.Source, Seq2SeqCases.SourceLengths, Seq2SeqCases.Target, Seq2SeqCases.TargetLengths);
        GradientClipping.ClipByGlobalNorm(net, 1.0);
        float[] before = (float[])net.Parameters.Clone();
        adam.Step(net);
        Assert.NotEqual(before, net.Parameters);

        using var checkpoint = new MemoryStream();
        Checkpoint.Save(checkpoint, net, adam);
        checkpoint.Position = 0;
        var restored = new LstmGeneralSeq(99);
        Checkpoint.Load(checkpoint, restored, new Adam(1e-2));
        Assert.Equal(net.Parameters, restored.Parameters);

        using var safetensors = new MemoryStream();
        SafeTensorsFile.Save(net, safetensors);
        safetensors.Position = 0;
        var loaded = new LstmGeneralSeq(7);
        SafeTensorsFile.LoadInto(loaded, safetensors);
        Assert.Equal(net.Parameters, loaded.Parameters);

        // The restored network decodes exactly like the original.
        int batch = Seq2SeqCases.SourceLengths.Length;
        var a = new int[batch * 5];
        var b = new int[batch * 5];
        var la = new int[batch];
        var lb = new int[batch];
        net.BeamSearch(Seq2SeqCases.Source, Seq2SeqCases.SourceLengths, 3, a, la, 5);
        loaded.BeamSearch(Seq2SeqCases.Source, Seq2SeqCases.SourceLengths, 3, b, lb, 5);
        Assert.Equal(a, b);
        Assert.Equal(la, lb);
    }

    [Fact]
    public void Invalid_arguments_throw_before_anything_is_written()
    {
        var net = new GruDotSeq(1);
        var output = new int[3 * 4];
        var lengths = new int[3];
        Assert.Throws<ArgumentOutOfRangeException>(() => net.Greedy([0, 7, 1, 1, 1, 1], [2, 2, 2], output, lengths, 4)); // token 7 ≥ source vocabulary
        Assert.Throws<ArgumentException>(() => net.Greedy([0, 1, 2, 3, 4, 5], [2, 2, 2], output.AsSpan(0, 5), lengths, 4));
        Assert.Throws<ArgumentException>(() => net.ForwardBackward([0, 1, 2, 3, 4, 5], [2, 2, 2], [2, 2], [1, 1]));
        Assert.Throws<ArgumentOutOfRangeException>(() => net.ForwardBackward([0, 1], [2], [6], [1])); // target token 6 ≥ target vocabulary
        Assert.Throws<ArgumentOutOfRangeException>(() => net.ForwardBackward([0, 1], [2], [2], [1], teacherForcingRatio: 1.5f));
        Assert.Throws<ArgumentOutOfRangeException>(() => net.BeamSearch([0, 1], [2], 0, output.AsSpan(0, 4), lengths.AsSpan(0, 1), 4));
        Assert.All(output, v => Assert.Equal(0, v));
    }
}
