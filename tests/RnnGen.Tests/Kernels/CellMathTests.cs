using System;
using System.Collections.Generic;
using System.Runtime.Intrinsics;
using RnnGen.Kernels;
using Xunit;

namespace RnnGen.Tests.Kernels;

// The cell kernels' sigmoid and tanh (CellMath) against double-precision math, at every vector
// width and one float at a time. Error is measured in ulp of the float nearest the exact value;
// below 2⁻¹²⁰ (where results are near the denormal range and the flush to zero applies) in
// absolute terms. The inputs sweep |x| from 10⁻³⁰ to 10⁴ geometrically, both signs, densely around
// the branch point of tanh (0.625) and the saturation points, plus the special values. Measured
// maxima: tanh 1.5 ulp, sigmoid 2.3 ulp (its e = exp(−|x|) carries < 0.9 ulp, then two roundings).
public sealed class CellMathTests(Xunit.Abstractions.ITestOutputHelper log)
{
    public static IEnumerable<object[]> Widths()
    {
        yield return [1];
        if (Vector128.IsHardwareAccelerated) yield return [4];
        if (Vector256.IsHardwareAccelerated) yield return [8];
        if (Vector512.IsHardwareAccelerated) yield return [16];
    }

    private static float[] Inputs()
    {
        var xs = new List<float> { 0f, -0f, float.Epsilon, -float.Epsilon, 1e-38f, -1e-38f, 0.625f, -0.625f, 86f, -86f, 87f, -87f, 9f, -9f };
        for (double a = 1e-30; a < 1e4; a *= 1.0007)
        {
            xs.Add((float)a);
            xs.Add((float)-a);
        }
        var rng = new Random(5);
        for (int i = 0; i < 20000; i++)
        {
            xs.Add((float)(rng.NextDouble() * 16 - 8));
            xs.Add((float)(0.625 + (rng.NextDouble() - 0.5) * 1e-3));
        }
        while (xs.Count % 16 != 0) xs.Add(1f);
        return xs.ToArray();
    }

    private static float[] Apply(int width, float[] x, bool tanh)
    {
        var y = new float[x.Length];
        switch (width)
        {
            case 16: Map<Float512, Vector512<float>>(x, y, tanh); break;
            case 8: Map<Float256, Vector256<float>>(x, y, tanh); break;
            case 4: Map<Float128, Vector128<float>>(x, y, tanh); break;
            default: Map<Float1, float>(x, y, tanh); break;
        }
        return y;
    }

    private static void Map<TOps, TVec>(float[] x, float[] y, bool tanh) where TOps : IFloatOps<TVec> where TVec : struct
    {
        for (int j = 0; j + TOps.Count <= x.Length; j += TOps.Count)
        {
            TVec v = TOps.Load(in x[j], 0);
            TOps.Store(tanh ? CellMath.Tanh<TOps, TVec>(v) : CellMath.Sigmoid<TOps, TVec>(v), ref y[j], 0);
        }
    }

    // Error of y against the exact value in ulp of float (absolute, in units of 2⁻¹⁴⁹·2²⁹ ≈ 2⁻¹²⁰, for tiny exact values).
    private static double UlpError(float y, double exact)
    {
        float nearest = (float)exact;
        if (Math.Abs(exact) < Math.Pow(2, -120)) return Math.Abs(y - exact) / Math.Pow(2, -120);
        double ulp = MathF.BitIncrement(MathF.Abs(nearest)) - MathF.Abs(nearest);
        return Math.Abs(y - exact) / ulp;
    }

    private static (double Max, float At) MaxError(int width, bool tanh)
    {
        float[] x = Inputs();
        float[] y = Apply(width, x, tanh);
        double max = 0;
        float at = 0;
        for (int i = 0; i < x.Length; i++)
        {
            double exact = tanh ? Math.Tanh(x[i]) : 1.0 / (1.0 + Math.Exp(-(double)x[i]));
            double e = UlpError(y[i], exact);
            if (!(e <= max)) { max = e; at = x[i]; }
        }
        return (max, at);
    }

    [Theory]
    [MemberData(nameof(Widths))]
    public void Tanh_is_within_two_ulp(int width)
    {
        var (max, at) = MaxError(width, tanh: true);
        log.WriteLine($"tanh, width {width}: max {max:F3} ulp at x = {at:R}");
        Assert.True(max <= 2.0, $"tanh: {max:F2} ulp at x = {at:R}");
    }

    [Theory]
    [MemberData(nameof(Widths))]
    public void Sigmoid_is_within_two_and_a_half_ulp(int width)
    {
        var (max, at) = MaxError(width, tanh: false);
        log.WriteLine($"sigmoid, width {width}: max {max:F3} ulp at x = {at:R}");
        Assert.True(max <= 2.5, $"sigmoid: {max:F2} ulp at x = {at:R}");
    }

    [Theory]
    [MemberData(nameof(Widths))]
    public void Saturation_signed_zero_and_NaN(int width)
    {
        float[] x = [20f, -20f, 1e30f, -1e30f, float.PositiveInfinity, float.NegativeInfinity, float.NaN, -0f,
            100f, -100f, float.MaxValue, float.MinValue, 0f, 88.8f, -88.8f, -float.NaN];
        float[] t = Apply(width, x, tanh: true), s = Apply(width, x, tanh: false);
        float[] tanh = [1f, -1f, 1f, -1f, 1f, -1f, float.NaN, -0f, 1f, -1f, 1f, -1f, 0f, 1f, -1f, float.NaN];
        float[] sigmoid = [1f, 2.0611537e-09f, 1f, 0f, 1f, 0f, float.NaN, 0.5f, 1f, 0f, 1f, 0f, 0.5f, 1f, 0f, float.NaN];
        for (int i = 0; i < x.Length; i++)
        {
            Assert.True(tanh[i].Equals(t[i]) && (tanh[i] != 0 || float.IsNegative(tanh[i]) == float.IsNegative(t[i])), $"tanh({x[i]}) = {t[i]:R}, expected {tanh[i]:R}");
            Assert.True(sigmoid[i] == s[i] || (float.IsNaN(sigmoid[i]) && float.IsNaN(s[i])) || UlpError(s[i], sigmoid[i]) <= 2, $"sigmoid({x[i]}) = {s[i]:R}, expected {sigmoid[i]:R}");
        }
    }

    [Fact]
    public void All_widths_agree_with_the_scalar_path_to_one_ulp()
    {
        float[] x = Inputs();
        foreach (bool tanh in new[] { true, false })
        {
            float[] scalar = Apply(1, x, tanh);
            foreach (object[] w in Widths())
            {
                float[] y = Apply((int)w[0], x, tanh);
                for (int i = 0; i < x.Length; i++)
                    Assert.True(y[i].Equals(scalar[i]) || Math.Abs(y[i] - scalar[i]) <= MathF.BitIncrement(MathF.Abs(scalar[i])) - MathF.Abs(scalar[i]),
                        $"{(tanh ? "tanh" : "sigmoid")}({x[i]:R}) width {w[0]}: {y[i]:R} vs scalar {scalar[i]:R}");
            }
        }
    }
}
