using System;
using System.Linq;
using RnnGen.Data;
using RnnGen.Training;
using Xunit;
using Xunit.Abstractions;

namespace RnnGen.Tests.CharLm;

/// <summary>A character language model like samples/CharLm, small enough for a unit test.</summary>
[RecurrentNetwork(CellKind.Lstm, InputSize = 16, HiddenSize = 48, Layers = 2, VocabularySize = 80, OutputSize = 80)]
public partial class TinyCharLm;

/// <summary>
/// Truncated BPTT over parallel streams of Tiny Shakespeare, as the CharLm sample trains: the loss
/// falls within a few dozen chunks, and the two-shard data-parallel step equals one network on all
/// streams.
/// </summary>
public class CharLmTrainingTests(ITestOutputHelper output)
{
    private static readonly Lazy<(int[] Train, int[] Validation)> s_text = new(() =>
    {
        string text = DataFiles.ReadAllText(RepositoryPaths.Combine("samples/CharLm/data/tinyshakespeare.txt.gz"))[..60_000];
        var vocabulary = Vocabulary.FromTokens(text.Select(c => c.ToString()), maxCount: 80);
        int[] ids = text.Select(c => vocabulary.GetId(c.ToString())).ToArray();
        return (ids[..50_000], ids[50_000..]);
    });

    [Fact]
    public void TrainingOnAFewChunksReducesTheLoss()
    {
        (int[] train, int[] validation) = s_text.Value;
        const int streams = 8, steps = 32;
        var net = new TinyCharLm(seed: 1);
        var adam = new Adam(learningRate: 1e-2);
        var batcher = new StreamBatcher(train, streams, steps);
        var state = new TinyCharLm.State(streams);
        var inputs = new int[streams * steps];
        var targets = new int[streams * steps];
        double before = ValidationLoss(net, validation);
        double first = 0, last = 0;
        const int chunks = 150;
        for (int chunk = 0; chunk < chunks; chunk++)
        {
            int n = batcher.GetChunk(chunk, inputs, targets) * streams;
            net.ZeroGradients();
            LossSum loss = net.ComputeLossAndGradients(inputs.AsSpan(0, n), targets.AsSpan(0, n), state);
            GradientClipping.ClipByGlobalNorm(net, 5.0);
            adam.Step(net);
            if (chunk < 5) first += loss.Mean / 5;
            if (chunk >= chunks - 5) last += loss.Mean / 5;
        }
        double after = ValidationLoss(net, validation);
        output.WriteLine($"train loss {first:0.000} → {last:0.000}; validation {before:0.000} → {after:0.000} nats/char");
        Assert.True(before > 4.0, $"an untrained model is near uniform over 80 ids (ln 80 = 4.38), got {before}");
        Assert.True(last < first - 1.0, $"train loss {first} → {last}");
        Assert.True(after < 2.9, $"validation loss after {chunks} chunks is {after}; a unigram model of the text gets about 3.3");
    }

    [Fact]
    public void TwoShardsWithTheirOwnStatesEqualOneNetworkOnAllStreams()
    {
        (int[] train, _) = s_text.Value;
        const int streams = 6, steps = 20;
        var batcher = new StreamBatcher(train, streams, steps);
        var whole = new TinyCharLm(seed: 4);
        var wholeState = new TinyCharLm.State(streams);
        var primary = new TinyCharLm(seed: 4);
        var parallel = new DataParallel<TinyCharLm>(primary, n => n.CreateReplica(), threads: 2);
        var states = new[] { new TinyCharLm.State(3), new TinyCharLm.State(3) };
        var inputs = new int[streams * steps];
        var targets = new int[streams * steps];
        for (int chunk = 0; chunk < 3; chunk++)
        {
            int n = batcher.GetChunk(chunk, inputs, targets);
            float scale = 1f / (streams * n);
            whole.ZeroGradients();
            LossSum expected = whole.ComputeLossAndGradients(inputs.AsSpan(0, streams * n), targets.AsSpan(0, streams * n), wholeState, scale);

            primary.ZeroGradients();
            LossSum actual = parallel.Run(streams, (replica, start, count) =>
            {
                var x = new int[count * n];
                var y = new int[count * n];
                batcher.GetChunk(chunk, start, count, x, y);
                return replica.ComputeLossAndGradients(x, y, states[start / 3], scale);
            });
            Assert.Equal(expected.Count, actual.Count);
            Assert.Equal(expected.Sum, actual.Sum, 1e-3);
            AssertClose(whole.Gradients, primary.Gradients, 1e-5f);
            for (int s = 0; s < 2; s++)
                for (int l = 0; l < TinyCharLm.StateCount; l++)
                {
                    // State layout [layer, stream, hidden]: shard s owns streams 3s … 3s + 2 of each layer.
                    AssertClose(wholeState.Hidden.AsSpan((l * streams + 3 * s) * TinyCharLm.HiddenSize, 3 * TinyCharLm.HiddenSize),
                                states[s].Hidden.AsSpan(l * 3 * TinyCharLm.HiddenSize, 3 * TinyCharLm.HiddenSize), 1e-5f);
                }
            // Same update on both, so the next chunk starts from equal parameters.
            primary.Gradients.AsSpan().CopyTo(whole.Gradients);
            new Sgd(0.5).Step(whole);
            new Sgd(0.5).Step(primary);
        }
    }

    [Fact]
    public void EvaluatingChunkByChunkEqualsOneForwardPerStream()
    {
        (_, int[] validation) = s_text.Value;
        var net = new TinyCharLm(seed: 2);
        int[] text = validation[..801];
        // One forward over each of 4 streams of 200 steps…
        var batcher = new StreamBatcher(text, 4, 64);
        var tokens = new int[4 * 200];
        for (int s = 0; s < 4; s++) text.AsSpan(s * 200, 200).CopyTo(tokens.AsSpan(s * 200));
        var logProbs = new float[4 * 200 * 80];
        net.Forward(tokens, [200, 200, 200, 200], logProbs);
        double expected = 0;
        for (int s = 0; s < 4; s++)
            for (int t = 0; t < 200; t++) expected -= logProbs[(s * 200 + t) * 80 + text[s * 200 + t + 1]];
        // …equals streaming the same streams in chunks of 64 with the state carried.
        Assert.Equal(expected / 800, ValidationLoss(net, text, streams: 4, steps: 64), 4);
        Assert.Equal(4, batcher.ChunkCount);
    }

    private static double ValidationLoss(TinyCharLm net, int[] tokens, int streams = 8, int steps = 100)
    {
        var batcher = new StreamBatcher(tokens, streams, steps);
        var state = new TinyCharLm.State(streams);
        var inputs = new int[streams * steps];
        var targets = new int[streams * steps];
        var logProbs = new float[streams * steps * 80];
        double sum = 0;
        for (int chunk = 0; chunk < batcher.ChunkCount; chunk++)
        {
            int n = batcher.GetChunk(chunk, inputs, targets) * streams;
            net.Step(inputs.AsSpan(0, n), state, logProbs.AsSpan(0, n * 80));
            for (int i = 0; i < n; i++) sum -= logProbs[i * 80 + targets[i]];
        }
        return sum / batcher.TargetCount;
    }

    private static void AssertClose(ReadOnlySpan<float> expected, ReadOnlySpan<float> actual, float tolerance)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
            Assert.True(MathF.Abs(expected[i] - actual[i]) <= tolerance * MathF.Max(1f, MathF.Abs(expected[i])), $"index {i}: {expected[i]} vs {actual[i]}");
    }
}
