using System;
using System.Collections.Generic;
using System.Linq;
using RnnGen.Data;
using RnnGen.Tests.Networks;
using RnnGen.Training;
using Xunit;

namespace RnnGen.Tests.Learning;

[RecurrentNetwork(CellKind.Gru, InputSize = 8, HiddenSize = 16, Direction = Direction.Bidirectional, VocabularySize = 6, OutputSize = 6)]
public partial class EchoTagger;

/// <summary>Enough parameters (3·128·(64 + 128) + 2·384 = 74 496) that DataParallel shares the gradient reduction between threads.</summary>
[RecurrentNetwork(CellKind.Gru, InputSize = 64, HiddenSize = 128)]
public partial class WideGru;

/// <summary>The training loop helper, data-parallel determinism and dropout.</summary>
public class TrainingLoopAndParallelTests
{
    // A tagging task: the tag of each token is the token of the previous position (0 at the start).
    private static (int[][] Tokens, int[][] Tags) Task(int count, ulong seed)
    {
        var random = new SeededRandom(seed);
        var tokens = new int[count][];
        var tags = new int[count][];
        for (int i = 0; i < count; i++)
        {
            int length = 3 + random.NextInt(10);
            tokens[i] = Enumerable.Range(0, length).Select(_ => random.NextInt(6)).ToArray();
            tags[i] = Enumerable.Range(0, length).Select(t => t == 0 ? 0 : tokens[i][t - 1]).ToArray();
        }
        return (tokens, tags);
    }

    private static LossSum RunBatch(EchoTagger net, int[][] tokens, int[][] tags, ReadOnlySpan<int> batch, float scale)
    {
        PaddedBatch x = PaddedBatch.Pack(tokens, batch);
        PaddedBatch y = PaddedBatch.Pack(tags, batch);
        return net.ComputeLossAndGradients(x.Values, x.Lengths, y.Values, LossKind.PerStep, scale);
    }

    private static double Accuracy(EchoTagger net, int[][] tokens, int[][] tags)
    {
        int[] all = Enumerable.Range(0, tokens.Length).ToArray();
        PaddedBatch x = PaddedBatch.Pack(tokens, all);
        var output = new float[x.Values.Length * EchoTagger.OutputSize];
        net.Forward(x.Values, x.Lengths, output);
        int correct = 0, total = 0;
        for (int b = 0; b < tokens.Length; b++)
            for (int t = 0; t < tokens[b].Length; t++, total++)
                if (System.Numerics.Tensors.TensorPrimitives.IndexOfMax(output.AsSpan((b * x.TimeSteps + t) * EchoTagger.OutputSize, EchoTagger.OutputSize)) == tags[b][t]) correct++;
        return (double)correct / total;
    }

    [Fact]
    public void LoopTrainsReportsProgressAndKeepsTheBestEpoch()
    {
        var (tokens, tags) = Task(400, 1);
        var (devTokens, devTags) = Task(100, 2);
        var net = new EchoTagger(5);
        var reports = new List<TrainingProgress>();
        var loop = new TrainingLoop(net, new TrainingStep(new Adam(1e-2)) { MaxGradientNorm = 5 })
        {
            Epochs = 8,
            Progress = new SynchronousProgress(reports.Add),
            Evaluate = _ => Accuracy(net, devTokens, devTags),
            Patience = 3,
        };
        TrainingResult result = loop.Run(new BucketedBatcher(tokens.Select(t => t.Length).ToArray(), maxSentencesPerBatch: 16),
            batch => RunBatch(net, tokens, tags, batch, float.NaN));
        Assert.True(result.BestEvaluation >= 0.95, $"dev accuracy {result.BestEvaluation:P1}");
        Assert.Equal(result.BestEvaluation!.Value, Accuracy(net, devTokens, devTags), 6);
        Assert.Contains(reports, r => r.Evaluation is not null);
        Assert.True(reports.First().MeanLoss > reports.Last(r => r.Evaluation is not null).MeanLoss);
        Assert.All(reports, r => Assert.InRange(r.Batch, 1, r.BatchCount));
    }

    [Fact]
    public void OneAndTwoThreadsGiveTheSameParameters()
    {
        var (tokens, tags) = Task(64, 3);
        int[] batch = Enumerable.Range(0, 64).ToArray();
        int count = tags.Sum(t => t.Length);
        float[] RunWith(int threads)
        {
            var net = new EchoTagger(9);
            var parallel = new DataParallel<EchoTagger>(net, n => n.CreateReplica(), threads, shardCount: 2);
            var adam = new Adam(1e-2);
            for (int step = 0; step < 3; step++)
            {
                net.ZeroGradients();
                parallel.Run(batch.Length, (replica, start, n) => RunBatch(replica, tokens, tags, batch.AsSpan(start, n), 1f / count));
                adam.Step(net);
            }
            return net.Parameters;
        }
        float[] one = RunWith(1), two = RunWith(2);
        for (int i = 0; i < one.Length; i++)
            Assert.True(Math.Abs(one[i] - two[i]) <= 1e-6 * Math.Max(1, Math.Abs(one[i])), $"parameter {i}: {one[i]} vs {two[i]}");
    }

    [Fact]
    public void ReductionOnTwoThreadsIsTheSerialSumBitwise()
    {
        const int Batch = 6, Steps = 4, Shard = Batch / 2;
        var random = new SeededRandom(11);
        float[] x = Enumerable.Range(0, Batch * Steps * WideGru.InputSize).Select(_ => random.NextSingle() * 2 - 1).ToArray();
        float[] dy = Enumerable.Range(0, Batch * Steps * WideGru.HiddenSize).Select(_ => random.NextSingle() * 2 - 1).ToArray();
        int[] lengths = [4, 3, 4, 2, 4, 1];
        const int In = Steps * WideGru.InputSize, Out = Steps * WideGru.HiddenSize;

        // Each shard's gradients alone, and what the reduction must give: (start + shard 0) + shard 1, per element.
        float[] ShardGradients(int start)
        {
            var net = new WideGru(5);
            net.ForwardTraining(x.AsSpan(start * In, Shard * In), lengths.AsSpan(start, Shard), new float[Shard * Out]);
            net.Backward(dy.AsSpan(start * Out, Shard * Out));
            return net.Gradients.ToArray();
        }
        float[] g0 = ShardGradients(0), g1 = ShardGradients(Shard);
        Assert.True(g0.Length >= DataParallel<WideGru>.ParallelReductionMinimum, "the network must be large enough for the shared reduction");
        float[] expected = new float[g0.Length];
        for (int i = 0; i < expected.Length; i++) expected[i] = (0.25f + g0[i]) + g1[i];

        foreach (int threads in new[] { 1, 2, 3 })
        {
            var primary = new WideGru(5);
            Array.Fill(primary.Gradients, 0.25f); // Run adds to what is there
            new DataParallel<WideGru>(primary, n => n.CreateReplica(), threads, shardCount: 2).Run(Batch, (replica, start, count) =>
            {
                replica.ForwardTraining(x.AsSpan(start * In, count * In), lengths.AsSpan(start, count), new float[count * Out]);
                replica.Backward(dy.AsSpan(start * Out, count * Out));
                return new LossSum(0, count);
            });
            // Bit patterns, not values: Assert.Equal on floats would let +0 pass for −0.
            Assert.Equal(Array.ConvertAll(expected, BitConverter.SingleToInt32Bits), Array.ConvertAll(primary.Gradients, BitConverter.SingleToInt32Bits));
        }
    }

    // A network that is only parameters and gradients, to hand DataParallel replicas it must refuse.
    private sealed class Bare(float[] parameters, float[] gradients) : IRecurrentNetwork
    {
        public string Signature => "bare";
        public float[] Parameters { get; } = parameters;
        public float[] Gradients { get; } = gradients;
        public IReadOnlyList<TensorDescriptor> Tensors => [];
    }

    [Fact]
    public void DataParallelRefusesReplicasThatWouldCorruptTheReduction()
    {
        var primary = new Bare(new float[8], new float[8]);
        var sharesGradients = Assert.Throws<ArgumentException>(() => new DataParallel<Bare>(primary, p => p, threads: 2));
        Assert.Contains("own Gradients", sharesGradients.Message);
        var shared = new float[8];
        var sharesWithOther = Assert.Throws<ArgumentException>(() => new DataParallel<Bare>(primary, p => new Bare(p.Parameters, shared), threads: 2));
        Assert.Contains("own Gradients", sharesWithOther.Message);
        var shorter = Assert.Throws<ArgumentException>(() => new DataParallel<Bare>(primary, p => new Bare(p.Parameters, new float[7]), threads: 2));
        Assert.Contains("7 gradients", shorter.Message);
        var ownParameters = Assert.Throws<ArgumentException>(() => new DataParallel<Bare>(primary, p => new Bare(new float[8], new float[8]), threads: 2));
        Assert.Contains("shares the primary's Parameters", ownParameters.Message);
        Assert.Equal(2, new DataParallel<Bare>(primary, p => new Bare(p.Parameters, new float[8]), threads: 2).ShardCount);
    }

    // The reduction's ranges cover every element once, in order, for lengths that are not multiples of 16
    // (the last range ends at the length, not at a multiple of 16) and for any number of parts.
    [Fact]
    public void ReductionRangesCoverEveryElementOnce()
    {
        foreach (int length in new[] { 0, 1, 15, 16, 17, 100, 65_536, 65_551, 74_496, 75_465, 1_000_003 })
            for (int parts = 1; parts <= 9; parts++)
            {
                Assert.Equal(0, DataParallel<WideGru>.RangeStart(length, 0, parts));
                Assert.Equal(length, DataParallel<WideGru>.RangeStart(length, parts, parts));
                for (int part = 0; part < parts; part++)
                {
                    int start = DataParallel<WideGru>.RangeStart(length, part, parts), end = DataParallel<WideGru>.RangeStart(length, part + 1, parts);
                    Assert.True(start <= end, $"length {length}, part {part} of {parts}: [{start}, {end})");
                    Assert.Equal(0, start % 16);
                }
            }
    }

    [Fact]
    public void ShardedGradientEqualsWholeBatchGradient()
    {
        var (tokens, tags) = Task(10, 4);
        int[] batch = Enumerable.Range(0, 10).ToArray();
        int count = tags.Sum(t => t.Length);
        var whole = new EchoTagger(2);
        RunBatch(whole, tokens, tags, batch, 1f / count);
        var sharded = new EchoTagger(2);
        new DataParallel<EchoTagger>(sharded, n => n.CreateReplica(), threads: 2, shardCount: 3)
            .Run(10, (replica, start, n) => RunBatch(replica, tokens, tags, batch.AsSpan(start, n), 1f / count));
        for (int i = 0; i < whole.Gradients.Length; i++)
            Assert.True(Math.Abs(whole.Gradients[i] - sharded.Gradients[i]) <= 1e-5 * Math.Max(1e-2, Math.Abs(whole.Gradients[i])), $"gradient {i}");
    }

    // ∂L/∂input of a feature-fed network is computed only when Backward is given somewhere to put it:
    // skipping it leaves every parameter gradient bitwise the same, and when given it matches central
    // differences (input dropout on, masks fixed by the seed; both directions of layer 0 add to it).
    [Fact]
    public void InputGradientIsComputedOnlyWhenAskedAndSkippingItChangesNothingElse()
    {
        var net = new GruI5H7L2BiDense(4) { InputDropout = 0.3f, LayerDropout = 0.2f };
        var inputs = new float[2 * 4 * 5];
        new SeededRandom(5).FillUniform(inputs, -1, 1);
        int[] lengths = [4, 3];
        var r = new float[2 * 4 * 14];
        new SeededRandom(6).FillUniform(r, -1, 1);
        void Train() { net.SeedDropout(9); net.ForwardTraining(inputs, lengths, new float[r.Length]); }

        Train();
        net.ZeroGradients();
        net.Backward(r);
        float[] without = (float[])net.Gradients.Clone();
        Train();
        net.ZeroGradients();
        var dx = new float[inputs.Length];
        Array.Fill(dx, float.NaN); // every element must be written, padded steps with zeros
        net.Backward(r, dx);
        Assert.Equal(without, net.Gradients);
        Assert.All(dx.AsSpan(1 * 4 * 5 + 3 * 5, 5).ToArray(), v => Assert.Equal(0f, v)); // padded step of sequence 1

        double Loss()
        {
            var o = new float[r.Length];
            net.SeedDropout(9);
            net.ForwardTraining(inputs, lengths, o);
            double sum = 0;
            for (int i = 0; i < o.Length; i++) sum += r[i] * o[i];
            return sum;
        }
        var (error, norm) = CentralDifferences(inputs, [0, 3, 7, 12, 19, 21, 26, 30, 33], Loss, i => dx[i]); // real steps of both sequences
        Assert.True(norm > 1e-4, "the checked inputs must matter");
        Assert.True(error < 0.02, $"relative error {error:E2}");
    }

    [Fact]
    public void DropoutIsTrainingOnlySeededAndItsGradientIsConsistent()
    {
        var net = new GruI5H7L2BiDense(3) { InputDropout = 0.3f, LayerDropout = 0.4f };
        var inputs = new float[2 * 4 * 5];
        new SeededRandom(1).FillUniform(inputs, -1, 1);
        int[] lengths = [4, 3];
        var plain = new float[2 * 4 * 14];
        var plain2 = new float[plain.Length];
        net.Forward(inputs, lengths, plain);
        net.Forward(inputs, lengths, plain2);
        Assert.Equal(plain, plain2);
        float[] Train(ulong seed)
        {
            var o = new float[plain.Length];
            net.SeedDropout(seed);
            net.ForwardTraining(inputs, lengths, o);
            return o;
        }
        float[] a = Train(7), b = Train(7), c = Train(8);
        Assert.Equal(a, b);
        Assert.NotEqual(a, c);
        Assert.NotEqual(plain, a);

        // With the masks fixed by the seed, the loss Σ r⊙output is a smooth function of the
        // parameters: backward must agree with central differences (float32, step 1e-2, 2% tolerance).
        var r = new float[plain.Length];
        new SeededRandom(2).FillUniform(r, -1, 1);
        double Loss() { float[] o = Train(7); double s = 0; for (int i = 0; i < o.Length; i++) s += r[i] * o[i]; return s; }
        Train(7);
        net.ZeroGradients();
        net.Backward(r);
        var pick = new SeededRandom(3);
        int[] picked = Enumerable.Range(0, 40).Select(_ => pick.NextInt(net.Parameters.Length)).ToArray();
        var (error, _) = CentralDifferences(net.Parameters, picked, Loss, i => net.Gradients[i]);
        Assert.True(error < 0.02, $"relative error {error:E2}");
    }

    // Relative error ‖numeric − analytic‖ / ‖numeric‖ over the picked entries of `values`, numeric = central
    // differences of `loss` (step 1e-2; float32 forward), and ‖numeric‖ so that a caller can check the entries matter.
    private static (double Error, double Norm) CentralDifferences(float[] values, IEnumerable<int> picked, Func<double> loss, Func<int, float> analytic)
    {
        double diff = 0, norm = 0;
        foreach (int i in picked)
        {
            float keep = values[i];
            values[i] = keep + 1e-2f; double plus = loss();
            values[i] = keep - 1e-2f; double minus = loss();
            values[i] = keep;
            double numeric = (plus - minus) / 2e-2;
            diff += Math.Pow(numeric - analytic(i), 2);
            norm += numeric * numeric;
        }
        return (Math.Sqrt(diff / norm), norm);
    }

    private sealed class SynchronousProgress(Action<TrainingProgress> report) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value) => report(value);
    }
}
