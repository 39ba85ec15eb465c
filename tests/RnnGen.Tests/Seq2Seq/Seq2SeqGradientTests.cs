using System;
using RnnGen.Training;
using Xunit;
using Xunit.Abstractions;

namespace RnnGen.Tests.Seq2Seq;

/// <summary>
/// Gradients of the generated sequence-to-sequence networks against central finite differences of
/// the summed loss, tensor by tensor (encoder, bridge, decoder, attention, output), and masking:
/// a padded batch behaves exactly like its rows run one by one.
/// </summary>
public sealed class Seq2SeqGradientTests(ITestOutputHelper output)
{
    public static TheoryData<string> Networks()
    {
        var data = new TheoryData<string>();
        foreach (string name in Seq2SeqCases.Names) data.Add(name);
        return data;
    }

    private static double Loss(ISeq2Seq net)
        => net.ForwardBackward(Seq2SeqCases.Source, Seq2SeqCases.SourceLengths, Seq2SeqCases.Target, Seq2SeqCases.TargetLengths).Sum;

    // For every tensor, the directional derivative along two directions restricted to that tensor
    // (its gradient, and a fixed random one) must match the central difference of the loss.
    // float32 forward: ε = 1e-2 on a unit direction; |numeric − analytic| ≤ 1e-2·|g_tensor| + 5e-5
    // (the absolute term is a few times the rounding noise of the summed float loss). Every
    // tensor's gradient norm is asserted to be well above that term, so each check means something.
    [Theory]
    [MemberData(nameof(Networks))]
    public void Gradients_match_central_differences_for_every_tensor(string name)
    {
        ISeq2Seq net = Seq2SeqCases.Create(name);
        Sharpen(net);
        CheckGradients(name, net, () => Loss(net));
    }

    // Dropout on: every evaluation restarts the masks from one seed, so the loss is one function of
    // the parameters and the same checks apply (through the masks' backward too). RnnGruDeepSeq has a
    // two-layer bidirectional encoder and a two-layer GRU decoder with input feeding,
    // LstmIdentityBridgeSeq a two-layer LSTM decoder with input feeding and RnnDeepNoAttentionSeq a two-layer Elman
    // decoder without, so every kind of dropout acts; GruNoAttentionSeq has one decoder layer.
    [Theory]
    [InlineData(nameof(RnnGruDeepSeq), true, true)]
    [InlineData(nameof(LstmBahdanauSeq), true, false)]
    [InlineData(nameof(GruNoAttentionSeq), true, false)]
    [InlineData(nameof(RnnGruDeepSeq), false, true)]
    [InlineData(nameof(LstmIdentityBridgeSeq), false, true)]
    [InlineData(nameof(GruNoAttentionSeq), false, true)]
    [InlineData(nameof(RnnDeepNoAttentionSeq), false, true)]
    public void Gradients_match_central_differences_with_dropout(string name, bool encoder, bool decoder)
    {
        ISeq2Seq net = Seq2SeqCases.Create(name);
        Sharpen(net);
        if (encoder) { net.EncoderInputDropout = 0.3f; net.EncoderLayerDropout = 0.3f; }
        if (decoder) { net.DecoderInputDropout = 0.3f; net.DecoderLayerDropout = 0.3f; }
        CheckGradients(name, net, () =>
        {
            net.SeedDropout(42);
            return Loss(net);
        });
    }

    private void CheckGradients(string name, ISeq2Seq net, Func<double> loss)
    {
        net.ZeroGradients();
        loss();
        float[] gradients = (float[])net.Gradients.Clone();
        var random = new SeededRandom(5);
        const double epsilon = 1e-2;
        double worst = 0;
        foreach (TensorDescriptor tensor in net.Tensors)
        {
            Span<float> g = tensor.Slice(gradients);
            double gNorm = Math.Sqrt(Dot(g, g));
            for (int which = 0; which < 2; which++)
            {
                var direction = new double[tensor.Length];
                for (int i = 0; i < direction.Length; i++) direction[i] = which == 0 ? g[i] : random.NextGaussian();
                double norm = Math.Sqrt(Dot(direction, direction));
                if (which == 0) Assert.True(gNorm > 2e-3, $"{name} {tensor.Name}: gradient norm {gNorm} is too small for a meaningful check");
                if (norm == 0) continue; // a tensor with no gradient at all (checked below for embeddings)
                for (int i = 0; i < direction.Length; i++) direction[i] /= norm;
                double analytic = 0;
                for (int i = 0; i < direction.Length; i++) analytic += g[i] * direction[i];
                float[] saved = tensor.Slice(net.Parameters).ToArray();
                Span<float> p = tensor.Slice(net.Parameters);
                for (int i = 0; i < p.Length; i++) p[i] = (float)(saved[i] + epsilon * direction[i]);
                double plus = loss();
                for (int i = 0; i < p.Length; i++) p[i] = (float)(saved[i] - epsilon * direction[i]);
                double minus = loss();
                saved.CopyTo(p);
                double numeric = (plus - minus) / (2 * epsilon);
                double error = Math.Abs(numeric - analytic);
                double tolerance = 1e-2 * gNorm + 5e-5;
                worst = Math.Max(worst, error / tolerance);
                output.WriteLine($"{tensor.Name,-36} {(which == 0 ? "grad" : "rand")} analytic {analytic,12:G6} numeric {numeric,12:G6} error {error:E2}");
                Assert.True(error <= tolerance, $"{name} {tensor.Name} ({(which == 0 ? "gradient" : "random")} direction): analytic {analytic}, numeric {numeric}");
            }
        }
        output.WriteLine($"worst error / tolerance: {worst:F3}");
    }

    // Dropout acts in ForwardBackward only: Score (and decoding) match the network without it, the
    // training loss moves, equal seeds repeat it, and bad probabilities are refused by name.
    [Fact]
    public void Encoder_dropout_acts_in_training_only()
    {
        ISeq2Seq plain = Seq2SeqCases.Create(nameof(RnnGruDeepSeq)), dropped = Seq2SeqCases.Create(nameof(RnnGruDeepSeq));
        dropped.EncoderInputDropout = 0.5f;
        dropped.EncoderLayerDropout = 0.5f;
        float[] a = new float[3], b = new float[3];
        plain.Score(Seq2SeqCases.Source, Seq2SeqCases.SourceLengths, Seq2SeqCases.Target, Seq2SeqCases.TargetLengths, a);
        dropped.Score(Seq2SeqCases.Source, Seq2SeqCases.SourceLengths, Seq2SeqCases.Target, Seq2SeqCases.TargetLengths, b);
        Assert.Equal(a, b);

        double without = Loss(plain);
        dropped.SeedDropout(7);
        double first = Loss(dropped);
        dropped.SeedDropout(7);
        double again = Loss(dropped);
        dropped.SeedDropout(8);
        double other = Loss(dropped);
        Assert.NotEqual(without, first);
        Assert.Equal(first, again);
        Assert.NotEqual(first, other);

        dropped.EncoderInputDropout = 0f;
        dropped.EncoderLayerDropout = 0f;
        Assert.Equal(without, Loss(dropped));

        AssertRefused(() => dropped.EncoderInputDropout = 1f, "EncoderInputDropout");
        AssertRefused(() => dropped.EncoderLayerDropout = -0.1f, "EncoderLayerDropout");
    }

    // A probability outside [0, 1) is refused, naming the property.
    private static void AssertRefused(Action set, string property) =>
        Assert.Equal(property, Assert.Throws<ArgumentOutOfRangeException>(set).ParamName);

    // The decoder's dropout likewise: each kind alone moves the training loss (the input's on a one-layer
    // decoder too, the layers' only where there are two), Score, greedy decoding and beam search do
    // not see it, equal seeds repeat it (with the teacher-forcing draws too), and 0 gives back the plain loss.
    [Theory]
    [InlineData(nameof(RnnGruDeepSeq))]
    [InlineData(nameof(LstmIdentityBridgeSeq))]
    [InlineData(nameof(RnnDeepNoAttentionSeq))]
    [InlineData(nameof(GruNoAttentionSeq))]
    public void Decoder_dropout_acts_in_training_only(string name)
    {
        ISeq2Seq plain = Seq2SeqCases.Create(name), dropped = Seq2SeqCases.Create(name);
        bool layered = name != nameof(GruNoAttentionSeq);
        double without = Loss(plain);

        dropped.DecoderInputDropout = 0.5f;
        dropped.SeedDropout(7);
        double input = Loss(dropped);
        dropped.SeedDropout(7);
        Assert.Equal(input, Loss(dropped));
        dropped.SeedDropout(8);
        Assert.NotEqual(input, Loss(dropped));
        Assert.NotEqual(without, input);

        dropped.DecoderInputDropout = 0f;
        dropped.DecoderLayerDropout = 0.5f;
        dropped.SeedDropout(7);
        double layers = Loss(dropped);
        if (layered) Assert.NotEqual(without, layers);
        else Assert.Equal(without, layers); // one decoder layer: nothing between layers to drop

        dropped.DecoderInputDropout = 0.5f;
        for (int repeat = 0; repeat < 2; repeat++)
        {
            dropped.SeedDropout(9);
            double sampled = dropped.ForwardBackward(Seq2SeqCases.Source, Seq2SeqCases.SourceLengths, Seq2SeqCases.Target, Seq2SeqCases.TargetLengths, 0.5f, 3).Sum;
            if (repeat == 0) input = sampled;
            else Assert.Equal(input, sampled);
        }

        // Score, Greedy and BeamSearch (outputs, scores and attention weights) as without dropout.
        int batch = Seq2SeqCases.SourceLengths.Length, sourceSteps = Seq2SeqCases.Source.Length / batch;
        float[] a = new float[batch], b = new float[batch];
        plain.Score(Seq2SeqCases.Source, Seq2SeqCases.SourceLengths, Seq2SeqCases.Target, Seq2SeqCases.TargetLengths, a);
        dropped.Score(Seq2SeqCases.Source, Seq2SeqCases.SourceLengths, Seq2SeqCases.Target, Seq2SeqCases.TargetLengths, b);
        Assert.Equal(a, b);
        int[] outA = new int[batch * 5], outB = new int[batch * 5], lengthsA = new int[batch], lengthsB = new int[batch];
        float[] attentionA = new float[batch * 5 * sourceSteps], attentionB = new float[attentionA.Length];
        plain.Greedy(Seq2SeqCases.Source, Seq2SeqCases.SourceLengths, outA, lengthsA, 5, attentionA);
        dropped.Greedy(Seq2SeqCases.Source, Seq2SeqCases.SourceLengths, outB, lengthsB, 5, attentionB);
        Assert.Equal(outA, outB);
        Assert.Equal(lengthsA, lengthsB);
        Assert.Equal(attentionA, attentionB);
        plain.BeamSearch(Seq2SeqCases.Source, Seq2SeqCases.SourceLengths, 2, outA, lengthsA, 5, 1f, attentionA, a);
        dropped.BeamSearch(Seq2SeqCases.Source, Seq2SeqCases.SourceLengths, 2, outB, lengthsB, 5, 1f, attentionB, b);
        Assert.Equal(outA, outB);
        Assert.Equal(lengthsA, lengthsB);
        Assert.Equal(attentionA, attentionB);
        Assert.Equal(a, b);

        dropped.DecoderInputDropout = 0f;
        dropped.DecoderLayerDropout = 0f;
        Assert.Equal(without, Loss(dropped));

        AssertRefused(() => dropped.DecoderInputDropout = 1f, "DecoderInputDropout");
        AssertRefused(() => dropped.DecoderLayerDropout = float.NaN, "DecoderLayerDropout");
    }

    // Masking: a padded batch's loss and gradients are the sums of its rows run alone without padding,
    // so nothing at a padded source or target position contributes.
    [Theory]
    [MemberData(nameof(Networks))]
    public void Padded_batch_equals_the_sum_of_its_rows(string name)
    {
        ISeq2Seq batchNet = Seq2SeqCases.Create(name);
        batchNet.ZeroGradients();
        LossSum batchLoss = Loss(batchNet) is var _ ? batchNet.ForwardBackward(Seq2SeqCases.Source, Seq2SeqCases.SourceLengths, Seq2SeqCases.Target, Seq2SeqCases.TargetLengths) : default;
        batchNet.ZeroGradients();
        batchLoss = batchNet.ForwardBackward(Seq2SeqCases.Source, Seq2SeqCases.SourceLengths, Seq2SeqCases.Target, Seq2SeqCases.TargetLengths);

        ISeq2Seq rowNet = Seq2SeqCases.Create(name);
        rowNet.ZeroGradients();
        double sum = 0;
        int count = 0;
        for (int b = 0; b < Seq2SeqCases.SourceLengths.Length; b++)
        {
            var (source, sourceLengths) = Seq2SeqCases.Row(Seq2SeqCases.Source, Seq2SeqCases.SourceLengths, b);
            var (target, targetLengths) = Seq2SeqCases.Row(Seq2SeqCases.Target, Seq2SeqCases.TargetLengths, b);
            LossSum row = rowNet.ForwardBackward(source, sourceLengths, target, targetLengths);
            sum += row.Sum;
            count += row.Count;
        }
        Assert.Equal(count, batchLoss.Count);
        Assert.Equal(8, batchLoss.Count);
        Assert.Equal(sum, batchLoss.Sum, 4);
        for (int i = 0; i < batchNet.Gradients.Length; i++)
            Assert.True(Math.Abs(batchNet.Gradients[i] - rowNet.Gradients[i]) <= 1e-5 + 1e-4 * Math.Abs(rowNet.Gradients[i]), $"{name} gradient {i}: batch {batchNet.Gradients[i]}, rows {rowNet.Gradients[i]}");

        // Tokens that occur only in padding (source 6, target 5) get no embedding gradient.
        foreach (TensorDescriptor t in batchNet.Tensors)
        {
            if (t.Name == "encoder.embedding.weight")
                Assert.All(t.Slice(batchNet.Gradients).Slice(6 * t.Shape[1], t.Shape[1]).ToArray(), v => Assert.Equal(0f, v));
            if (t.Name == "decoder.embedding.weight")
                Assert.All(t.Slice(batchNet.Gradients).Slice(5 * t.Shape[1], t.Shape[1]).ToArray(), v => Assert.Equal(0f, v));
        }
    }

    // At PyTorch's initialization the attention is nearly uniform and its score tensors get tiny
    // gradients; larger score weights make the attention peaked, so their gradients are measurable.
    internal static void Sharpen(ISeq2Seq net)
    {
        foreach (TensorDescriptor t in net.Tensors)
        {
            // Larger encoder weights give larger encoder outputs (memory) to attend to.
            if (t.Name.StartsWith("encoder.weight_", StringComparison.Ordinal))
            {
                Span<float> w = t.Slice(net.Parameters);
                for (int i = 0; i < w.Length; i++) w[i] *= 2.5f;
            }
            if (t.Name.StartsWith("decoder.attention.", StringComparison.Ordinal) && !t.Name.Contains("combine", StringComparison.Ordinal))
            {
                Span<float> p = t.Slice(net.Parameters);
                // W_a multiplies encoder outputs, which are small for an LSTM encoder: more for it.
                float factor = t.Name == "decoder.attention.weight" ? 24f : 8f;
                for (int i = 0; i < p.Length; i++) p[i] *= factor;
            }
        }
    }

    private static double Dot(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        double s = 0;
        for (int i = 0; i < a.Length; i++) s += (double)a[i] * b[i];
        return s;
    }

    private static double Dot(double[] a, double[] b)
    {
        double s = 0;
        for (int i = 0; i < a.Length; i++) s += a[i] * b[i];
        return s;
    }
}
