using System;
using RnnGen.Training;
using Xunit;
using Xunit.Abstractions;

namespace RnnGen.Tests.Seq2Seq;

/// <summary>The whole thing learns: reversing short token sequences, seeded, in a bounded number of steps.</summary>
public sealed class Seq2SeqLearningTests(ITestOutputHelper output)
{
    // Sources: 2…6 tokens from 3…9; targets: the source reversed, then the end token 2.
    private static void MakeBatch(SeededRandom random, int batch, int[] source, int[] sourceLengths, int[] target, int[] targetLengths, int maxSource)
    {
        Array.Clear(source);
        Array.Clear(target);
        for (int b = 0; b < batch; b++)
        {
            int length = 2 + random.NextInt(maxSource - 1);
            sourceLengths[b] = length;
            targetLengths[b] = length + 1;
            for (int t = 0; t < length; t++) source[b * maxSource + t] = 3 + random.NextInt(7);
            for (int t = 0; t < length; t++) target[b * (maxSource + 1) + t] = source[b * maxSource + length - 1 - t];
            target[b * (maxSource + 1) + length] = ReverseSeq.EndToken;
        }
    }

    [Fact]
    public void Learns_to_reverse_sequences()
    {
        const int batch = 32, maxSource = 6, steps = 500;
        var net = new ReverseSeq(1);
        var adam = new Adam(learningRate: 5e-3);
        var random = new SeededRandom(2);
        var source = new int[batch * maxSource];
        var sourceLengths = new int[batch];
        var target = new int[batch * (maxSource + 1)];
        var targetLengths = new int[batch];
        for (int step = 0; step < steps; step++)
        {
            MakeBatch(random, batch, source, sourceLengths, target, targetLengths, maxSource);
            net.ZeroGradients();
            LossSum loss = net.ForwardBackward(source, sourceLengths, target, targetLengths);
            // Mean loss per token, clipped.
            float scale = 1f / loss.Count;
            for (int i = 0; i < net.Gradients.Length; i++) net.Gradients[i] *= scale;
            GradientClipping.ClipByGlobalNorm(net, 1.0);
            adam.Step(net);
            if (step % 100 == 0 || step == steps - 1) output.WriteLine($"step {step}: loss {loss.Mean:F4}");
        }

        // Held-out sequences from another seed: greedy and beam search exact-match accuracy.
        var test = new SeededRandom(99);
        const int testBatch = 200;
        var testSource = new int[testBatch * maxSource];
        var testSourceLengths = new int[testBatch];
        var testTarget = new int[testBatch * (maxSource + 1)];
        var testTargetLengths = new int[testBatch];
        MakeBatch(test, testBatch, testSource, testSourceLengths, testTarget, testTargetLengths, maxSource);
        const int maxLength = maxSource + 3;
        var decoded = new int[testBatch * maxLength];
        var decodedLengths = new int[testBatch];
        foreach (int beam in new[] { 1, 4 })
        {
            if (beam == 1) net.Greedy(testSource, testSourceLengths, decoded, decodedLengths, maxLength);
            else net.BeamSearch(testSource, testSourceLengths, beam, decoded, decodedLengths, maxLength);
            int correct = 0;
            for (int b = 0; b < testBatch; b++)
            {
                if (decodedLengths[b] == testTargetLengths[b]
                    && decoded.AsSpan(b * maxLength, decodedLengths[b]).SequenceEqual(testTarget.AsSpan(b * (maxSource + 1), testTargetLengths[b])))
                    correct++;
            }
            double accuracy = correct / (double)testBatch;
            output.WriteLine($"beam {beam}: exact match {accuracy:P1}");
            Assert.True(accuracy >= 0.95, $"beam {beam}: exact-match accuracy {accuracy:P1}");
        }
    }
}
