using System.Globalization;
using System.Numerics.Tensors;
using PackageConsumer.Models;
using RnnGen;
using RnnGen.Training;

namespace PackageConsumer;

/// <summary>8 features per step, an LSTM of 16 units, 3 classes read at each sequence's last step.</summary>
[RecurrentNetwork(CellKind.Lstm, InputSize = 8, HiddenSize = 16, OutputSize = 3)]
public partial class SequenceClassifier;

/// <summary>
/// Trains <see cref="SequenceClassifier"/> with Adam on a small synthetic task, runs inference with
/// all three networks and prints one line that the package tests parse (JIT and NativeAOT alike).
/// </summary>
internal static class Program
{
    private const int Batch = 24, Steps = 6, TrainingSteps = 30;
    private const int Row = Steps * SequenceClassifier.InputSize;

    private static int Main()
    {
        var net = new SequenceClassifier(seed: 42);
        var adam = new Adam(learningRate: 1e-2);
        var random = new SeededRandom(7);

        // A sequence's class is the feature (0, 1 or 2) raised at its first step; the rest is
        // noise, and sequences have 3 to 6 steps (padding past a length is ignored).
        float[] inputs = new float[Batch * Row];
        int[] lengths = new int[Batch], targets = new int[Batch];
        for (int b = 0; b < Batch; b++)
        {
            targets[b] = b % SequenceClassifier.OutputSize;
            lengths[b] = 3 + random.NextInt(Steps - 2);
            for (int i = 0; i < Row; i++)
            {
                inputs[(b * Row) + i] = 0.3f * random.NextGaussian();
            }
            inputs[(b * Row) + targets[b]] += 2f;
        }

        double firstLoss = double.NaN, lastLoss = double.NaN;
        for (int step = 0; step < TrainingSteps; step++)
        {
            net.ZeroGradients();
            LossSum loss = net.ComputeLossAndGradients(inputs, lengths, targets, LossKind.LastStep);
            GradientClipping.ClipByGlobalNorm(net, 1.0);
            adam.Step(net);
            if (step == 0)
            {
                firstLoss = loss.Mean;
            }
            lastLoss = loss.Mean;
        }

        float[] logProbs = new float[Batch * Steps * SequenceClassifier.StepOutputSize];
        net.Forward(inputs, lengths, logProbs);
        int correct = 0;
        for (int b = 0; b < Batch; b++)
        {
            int last = (b * Steps) + lengths[b] - 1;
            ReadOnlySpan<float> scores = logProbs.AsSpan(last * SequenceClassifier.OutputSize, SequenceClassifier.OutputSize);
            if (TensorPrimitives.IndexOfMax(scores) == targets[b])
            {
                correct++;
            }
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"RNNGEN-CONSUMER parameters={SequenceClassifier.ParameterCount} firstLoss={firstLoss:R} lastLoss={lastLoss:R} accuracy={correct}/{Batch} tagger={RunTagger():R} encoder={RunEncoder():R}"));
        return lastLoss < firstLoss ? 0 : 1;
    }

    // Inference only: the sum of the tagger's probabilities is one per real step (2 sequences, 5 + 3 steps).
    private static double RunTagger()
    {
        var tagger = new Zoo.Tagger(seed: 3);
        int[] tokens = [1, 5, 19, 0, 7, 2, 2, 11, 0, 0];
        int[] lengths = [5, 3];
        float[] logProbs = new float[tokens.Length * Zoo.Tagger.StepOutputSize];
        tagger.Forward(tokens, lengths, logProbs);
        double total = 0;
        for (int b = 0; b < lengths.Length; b++)
        {
            for (int t = 0; t < lengths[b]; t++)
            {
                foreach (float lp in logProbs.AsSpan(((b * 5) + t) * Zoo.Tagger.OutputSize, Zoo.Tagger.OutputSize))
                {
                    total += Math.Exp(lp);
                }
            }
        }
        return total;
    }

    // Inference only: the sum of the encoder's hidden states over one sequence of 4 steps.
    private static double RunEncoder()
    {
        var encoder = new Zoo.Encoder(seed: 5);
        float[] inputs = new float[4 * Zoo.Encoder.InputSize];
        for (int i = 0; i < inputs.Length; i++)
        {
            inputs[i] = (i % 5) - 2;
        }
        float[] hidden = new float[4 * Zoo.Encoder.StepOutputSize];
        encoder.Forward(inputs, [4], hidden);
        return TensorPrimitives.Sum(hidden);
    }
}
