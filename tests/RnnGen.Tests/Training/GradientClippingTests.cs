using System;
using System.Linq;
using RnnGen;
using RnnGen.Training;
using Xunit;

namespace RnnGen.Tests.Training;

public class GradientClippingTests
{
    private static float[] Random(int n, ulong seed, float scale = 1f)
    {
        var x = new float[n];
        new SeededRandom(seed).FillUniform(x, -scale, scale);
        return x;
    }

    private static double NormReference(float[] x) => Math.Sqrt(x.Sum(v => (double)v * v));

    [Fact]
    public void GlobalNorm_is_the_L2_norm_in_double_for_every_length()
    {
        for (int n = 0; n <= 70; n++)
        {
            float[] x = Random(n, (ulong)n + 1);
            double expected = NormReference(x);
            Assert.True(Math.Abs(GradientClipping.GlobalNorm(x) - expected) <= 1e-12 * Math.Max(1, expected), $"length {n}");
        }
        // 3-4-5, and values whose squares overflow float but not double.
        Assert.Equal(5.0, GradientClipping.GlobalNorm([3f, 4f]), 12);
        double big = GradientClipping.GlobalNorm([3e30f, 0f, 4e30f]);
        Assert.Equal(Math.Sqrt((double)3e30f * 3e30f + (double)4e30f * 4e30f), big, 1e16);
        Assert.Equal(5e30, big, 1e23);
        // Many small values: a float accumulator would drift; double stays exact to ~1e-12.
        float[] many = Enumerable.Repeat(1e-3f, 1_000_003).ToArray();
        Assert.Equal(Math.Sqrt(1_000_003) * (double)1e-3f, GradientClipping.GlobalNorm(many), 9);
    }

    [Fact]
    public void ClipByGlobalNorm_scales_to_the_maximum_and_returns_the_norm_before()
    {
        float[] g = Random(53, 9, scale: 4f);
        float[] original = (float[])g.Clone();
        double norm = NormReference(original);
        Assert.True(norm > 1.0);

        double returned = GradientClipping.ClipByGlobalNorm(g, maxNorm: 1.0);

        Assert.Equal(norm, returned, 9);
        double scale = 1.0 / (norm + 1e-6);   // torch: max_norm / (total_norm + 1e-6)
        for (int i = 0; i < g.Length; i++) Assert.Equal(original[i] * scale, g[i], 6);
        Assert.Equal(1.0, GradientClipping.GlobalNorm(g), 5);
        Assert.True(GradientClipping.GlobalNorm(g) <= 1.0 + 1e-6);

        // PyTorch's 1e-6 in the denominator shows with tiny norms: |g| = 1e-5, max 1e-6 → scale 1e-6 / 1.1e-5.
        float[] tiny = [6e-6f, 8e-6f];
        GradientClipping.ClipByGlobalNorm(tiny, 1e-6);
        double tinyNorm = Math.Sqrt((double)6e-6f * 6e-6f + (double)8e-6f * 8e-6f);
        Assert.Equal(6e-6f * 1e-6 / (tinyNorm + 1e-6), tiny[0], 12);
        Assert.Equal(8e-6f * 1e-6 / (tinyNorm + 1e-6), tiny[1], 12);
    }

    [Fact]
    public void ClipByGlobalNorm_leaves_small_or_non_finite_gradients_alone()
    {
        float[] g = Random(20, 4, scale: 0.01f);
        float[] before = (float[])g.Clone();
        double norm = GradientClipping.ClipByGlobalNorm(g, maxNorm: 5.0);
        Assert.Equal(NormReference(before), norm, 12);
        Assert.Equal(before, g);

        float[] bad = Random(20, 5, scale: 100f);
        bad[17] = float.NaN;
        float[] badBefore = (float[])bad.Clone();
        Assert.True(double.IsNaN(GradientClipping.ClipByGlobalNorm(bad, 1.0)));
        Assert.Equal(badBefore, bad);
        bad[17] = float.NegativeInfinity;
        Assert.True(double.IsPositiveInfinity(GradientClipping.ClipByGlobalNorm(bad, 1.0)));
    }

    [Fact]
    public void ClipByGlobalNorm_on_a_network_clips_its_gradients()
    {
        FakeNetwork net = FakeNetwork.SmallRnn();
        net.FakeBackward(new SeededRandom(1), scale: 10f);
        double norm = GradientClipping.ClipByGlobalNorm(net, 0.5);
        Assert.True(norm > 0.5);
        Assert.Equal(0.5, GradientClipping.GlobalNorm(net.Gradients), 5);
    }

    [Fact]
    public void ClipByValue_clamps_each_gradient()
    {
        float[] g = [-3f, -0.5f, 0f, 0.25f, 2f, 0.5f, -0.75f, 9f, -1e30f, 1e-30f, 0.1f];
        GradientClipping.ClipByValue(g, 0.5f);
        Assert.Equal([-0.5f, -0.5f, 0f, 0.25f, 0.5f, 0.5f, -0.5f, 0.5f, -0.5f, 1e-30f, 0.1f], g);

        FakeNetwork net = FakeNetwork.SmallRnn();
        net.FakeBackward(new SeededRandom(2), scale: 3f);
        GradientClipping.ClipByValue(net, 1f);
        Assert.All(net.Gradients, x => Assert.InRange(x, -1f, 1f));
        Assert.Contains(net.Gradients, x => x == 1f || x == -1f);
    }

    [Fact]
    public void Clipping_arguments_are_checked()
    {
        float[] g = [1f];
        foreach (double bad in new[] { 0, -1, double.NaN, double.PositiveInfinity })
            Assert.Contains("maxNorm", Assert.Throws<ArgumentOutOfRangeException>(() => GradientClipping.ClipByGlobalNorm(g, bad)).Message);
        foreach (float bad in new[] { 0f, -1f, float.NaN, float.PositiveInfinity })
            Assert.Contains("clipValue", Assert.Throws<ArgumentOutOfRangeException>(() => GradientClipping.ClipByValue(g, bad)).Message);
        Assert.Throws<ArgumentNullException>(() => GradientClipping.ClipByGlobalNorm((IRecurrentNetwork)null!, 1));
    }

    [Fact]
    public void FiniteCheck_finds_the_first_NaN_or_infinity_anywhere()
    {
        foreach (float bad in new[] { float.NaN, float.PositiveInfinity, float.NegativeInfinity })
        {
            for (int n = 1; n <= 41; n++)
            {
                for (int at = 0; at < n; at++)
                {
                    float[] x = Random(n, 3, scale: 1e30f);
                    x[at] = bad;
                    if (at + 2 < n) x[at + 2] = float.NaN;   // a later one must not win
                    Assert.Equal(at, FiniteCheck.IndexOfNonFinite(x));
                    Assert.False(FiniteCheck.AllFinite(x));
                    Assert.False(FiniteCheck.IsFinite(0f, x));
                }
            }
        }
        float[] ok = [float.MaxValue, float.MinValue, float.Epsilon, -0f, 0f, 1f, 2f, 3f, 4f, 5f];
        Assert.Equal(-1, FiniteCheck.IndexOfNonFinite(ok));
        Assert.True(FiniteCheck.AllFinite(ok));
        Assert.True(FiniteCheck.AllFinite([]));
        Assert.True(FiniteCheck.IsFinite(1.5f, ok));
        Assert.False(FiniteCheck.IsFinite(float.NaN, ok));
        Assert.False(FiniteCheck.IsFinite(float.PositiveInfinity, ok));
    }
}
