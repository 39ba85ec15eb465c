using System;
using System.Linq;
using RnnGen.Training;
using Xunit;

namespace RnnGen.Tests.CharLm;

/// <summary>Temperature and top-k sampling: reproducible, greedy limits, and the distributions drawn from.</summary>
public class TokenSamplerTests
{
    // A log-softmax over 12 classes with distinct values.
    private static float[] LogProbs(ulong seed, int classes = 12)
    {
        var random = new SeededRandom(seed);
        var logits = new float[classes];
        for (int i = 0; i < classes; i++) logits[i] = 3f * random.NextGaussian();
        float max = logits.Max();
        float log = MathF.Log(logits.Sum(x => MathF.Exp(x - max))) + max;
        return logits.Select(x => x - log).ToArray();
    }

    private static int[] Draw(TokenSampler sampler, float[] logProbs, int count) =>
        Enumerable.Range(0, count).Select(_ => sampler.Sample(logProbs)).ToArray();

    [Theory]
    [InlineData(1f, 0)]
    [InlineData(0.7f, 5)]
    [InlineData(2f, 3)]
    public void TheSameSeedGivesTheSameDraws(float temperature, int topK)
    {
        float[] logProbs = LogProbs(1);
        int[] first = Draw(new TokenSampler(42, temperature, topK), logProbs, 500);
        int[] second = Draw(new TokenSampler(42, temperature, topK), logProbs, 500);
        int[] other = Draw(new TokenSampler(43, temperature, topK), logProbs, 500);
        Assert.Equal(first, second);
        Assert.NotEqual(first, other);
        Assert.True(first.Distinct().Count() > 1);
    }

    [Theory]
    [InlineData(1f, 1)]
    [InlineData(5f, 1)]
    [InlineData(0f, 0)]
    [InlineData(0f, 4)]
    public void TopKOneAndTemperatureZeroAreArgmax(float temperature, int topK)
    {
        for (ulong seed = 0; seed < 20; seed++)
        {
            float[] logProbs = LogProbs(seed);
            int argmax = Array.IndexOf(logProbs, logProbs.Max());
            Assert.All(Draw(new TokenSampler(seed, temperature, topK), logProbs, 50), id => Assert.Equal(argmax, id));
            var p = new float[logProbs.Length];
            TokenSampler.GetDistribution(logProbs, temperature, topK, p);
            Assert.Equal(1f, p[argmax]);
            Assert.Equal(1f, p.Sum());
        }
    }

    [Fact]
    public void GreedyTiesGoToTheSmallestId()
    {
        float[] logProbs = [-3f, -1f, -2f, -1f];
        Assert.Equal(1, new TokenSampler(0, 0f).Sample(logProbs));
        Assert.Equal(1, new TokenSampler(0, 1f, topK: 1).Sample(logProbs));
        // Top-2 with a tie at the boundary keeps the smaller id among the tied.
        float[] tied = [-2f, -1f, -2f, -2f];
        var p = new float[4];
        TokenSampler.GetDistribution(tied, 1f, 2, p);
        Assert.True(p[0] > 0 && p[1] > 0);
        Assert.Equal(0f, p[2]);
        Assert.Equal(0f, p[3]);
    }

    [Fact]
    public void TemperatureOneIsTheModelDistribution()
    {
        float[] logProbs = LogProbs(3);
        var p = new float[logProbs.Length];
        TokenSampler.GetDistribution(logProbs, 1f, 0, p);
        for (int i = 0; i < p.Length; i++) Assert.Equal(MathF.Exp(logProbs[i]), p[i], 1e-6f);
    }

    [Theory]
    [InlineData(0.5f)]
    [InlineData(0.25f)]
    [InlineData(2f)]
    public void TemperatureRaisesTheProbabilitiesToOneOverT(float temperature)
    {
        float[] logProbs = LogProbs(4);
        var p = new float[logProbs.Length];
        TokenSampler.GetDistribution(logProbs, temperature, 0, p);
        double[] expected = logProbs.Select(l => Math.Pow(Math.Exp(l), 1 / temperature)).ToArray();
        double sum = expected.Sum();
        for (int i = 0; i < p.Length; i++) Assert.Equal(expected[i] / sum, p[i], 1e-6);
    }

    [Fact]
    public void LowTemperatureSharpensAndHighTemperatureFlattens()
    {
        float[] logProbs = LogProbs(5);
        double previous = -1;
        foreach (float t in new[] { 0.1f, 0.5f, 1f, 2f, 10f, 1000f })
        {
            var p = new float[logProbs.Length];
            TokenSampler.GetDistribution(logProbs, t, 0, p);
            double entropy = -p.Where(x => x > 0).Sum(x => x * Math.Log(x));
            Assert.True(entropy > previous, $"entropy at T={t} is {entropy}, not above {previous}");
            previous = entropy;
        }
        Assert.Equal(Math.Log(logProbs.Length), previous, 2); // nearly uniform at T = 1000
        var sharp = new float[logProbs.Length];
        TokenSampler.GetDistribution(logProbs, 0.01f, 0, sharp);
        Assert.True(sharp.Max() > 0.999f);
    }

    [Theory]
    [InlineData(3, 1f)]
    [InlineData(5, 0.8f)]
    [InlineData(12, 1f)]
    [InlineData(50, 1f)]
    public void TopKKeepsTheKMostLikelyClassesInProportion(int topK, float temperature)
    {
        float[] logProbs = LogProbs(6);
        var p = new float[logProbs.Length];
        TokenSampler.GetDistribution(logProbs, temperature, topK, p);
        int[] top = Enumerable.Range(0, logProbs.Length).OrderByDescending(i => logProbs[i]).Take(topK).ToArray();
        double norm = top.Sum(i => Math.Exp(logProbs[i] / temperature));
        for (int i = 0; i < p.Length; i++)
        {
            double expected = top.Contains(i) ? Math.Exp(logProbs[i] / temperature) / norm : 0;
            Assert.Equal(expected, p[i], 1e-6);
        }
        var sampler = new TokenSampler(9, temperature, topK);
        Assert.All(Draw(sampler, logProbs, 2000), id => Assert.Contains(id, top));
    }

    [Theory]
    [InlineData(1f, 0)]
    [InlineData(0.6f, 0)]
    [InlineData(1.5f, 4)]
    public void DrawFrequenciesMatchTheDistribution(float temperature, int topK)
    {
        float[] logProbs = LogProbs(7, classes: 8);
        var p = new float[logProbs.Length];
        TokenSampler.GetDistribution(logProbs, temperature, topK, p);
        const int n = 200_000;
        var counts = new int[logProbs.Length];
        var sampler = new TokenSampler(11, temperature, topK);
        for (int i = 0; i < n; i++) counts[sampler.Sample(logProbs)]++;
        for (int i = 0; i < p.Length; i++)
        {
            double sigma = Math.Sqrt(n * p[i] * (1 - p[i]));
            Assert.True(Math.Abs(counts[i] - n * p[i]) <= 5 * sigma + 1, $"class {i}: {counts[i]} draws, expected {n * p[i]:0} ± {sigma:0}");
        }
    }

    [Fact]
    public void MaskedClassesAreNeverDrawn()
    {
        float[] logProbs = LogProbs(8);
        logProbs[0] = logProbs[3] = float.NegativeInfinity;
        logProbs[5] = float.NegativeInfinity;
        var sampler = new TokenSampler(1, 5f);
        Assert.All(Draw(sampler, logProbs, 5000), id => Assert.True(id is not (0 or 3 or 5)));
        // Top-k larger than the classes left: the masked ones still get nothing.
        var p = new float[logProbs.Length];
        TokenSampler.GetDistribution(logProbs, 1f, 11, p);
        Assert.Equal(0f, p[0] + p[3] + p[5]);
        Assert.Equal(1f, p.Sum(), 1e-5f);
    }

    [Fact]
    public void BadArgumentsAreRejected()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new TokenSampler(0, -0.1f));
        Assert.Throws<ArgumentOutOfRangeException>(() => new TokenSampler(0, float.NaN));
        Assert.Throws<ArgumentOutOfRangeException>(() => new TokenSampler(0, float.PositiveInfinity));
        Assert.Throws<ArgumentOutOfRangeException>(() => new TokenSampler(0, 1f, -1));
        var sampler = new TokenSampler(0);
        Assert.Throws<ArgumentException>(() => sampler.Sample([]));
        Assert.Throws<ArgumentException>(() => sampler.Sample([float.NegativeInfinity, float.NegativeInfinity]));
        Assert.Throws<ArgumentException>(() => sampler.Sample([0f, float.NaN]));
        Assert.Throws<ArgumentException>(() => TokenSampler.GetDistribution([0f, -1f], 1f, 0, new float[3]));
    }

    [Fact]
    public void SamplingAllocatesNothingInSteadyState()
    {
        float[] logProbs = LogProbs(9, classes: 80);
        var sampler = new TokenSampler(3, 0.8f, 10);
        sampler.Sample(logProbs);
        Assert.Equal(0, SteadyState.Allocated(() => { for (int i = 0; i < 1000; i++) sampler.Sample(logProbs); }));
    }
}
