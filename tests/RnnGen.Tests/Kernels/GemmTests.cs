using System;
using System.Collections.Generic;
using RnnGen.Kernels;
using Xunit;

namespace RnnGen.Tests.Kernels;

// Every Gemm entry point against a scalar reference computed in double precision.
//
// Error bound. Each element of C is a float32 sum of k products (plus C itself when accumulating),
// evaluated in some order with fused or separate multiply-adds and rounded to float. Whatever the
// order, the classical bound (Higham, Accuracy and Stability of Numerical Algorithms, §3.1) is
//     |C − C_exact| ≤ γ · (Σ_p |op(A)[i,p]|·|op(B)[p,j]| + |C₀[i,j]|),   γ = (k + 2)·2⁻²⁴,
// with 2⁻²⁴ the unit roundoff of float32 (one rounding per addition, one for the final store, one
// for the initial C). The double-precision reference is exact to far below that. The bound is
// loose enough to hold for any correct summation order and tight enough that a wrong, missing or
// duplicated term (an error of order |a||b|, i.e. ~k times the bound) fails it.
public sealed class GemmTests
{
    public enum Op { ABt, AB, AtB }

    private static readonly int[] Dims = [1, 7, 33, 100, 128, 257];

    // -------------------------------------------------------------------------------------------
    // Cases
    // -------------------------------------------------------------------------------------------

    public static IEnumerable<object[]> AllShapes()
    {
        foreach (Op op in Enum.GetValues<Op>())
            foreach (int m in Dims)
                foreach (int n in Dims)
                    foreach (int k in Dims)
                        yield return [op, m, n, k];
    }

    // Shapes aimed at the seams of the implementation: the small-row paths (m ≤ 4) and the switch
    // to packing (m = 5), register-tile edges (MR = 8, NR = 32), the 64/16-column passes of the
    // small-row product, masked k tails (k mod 16), several reduction blocks (k > 256, uneven),
    // several row blocks (m > 144), and a second column block (n > 4096).
    public static IEnumerable<object[]> SeamShapes()
    {
        (int M, int N, int K)[] shapes =
        [
            (2, 1024, 256), (3, 65, 17), (4, 127, 31), (5, 33, 9), (8, 32, 8), (9, 31, 16), (16, 64, 15),
            (1, 80, 1), (2, 16, 1000), (4, 1, 5), (64, 1024, 256), (15, 513, 600), (300, 40, 300),
            (145, 96, 512), (33, 4100, 3), (3, 4100, 7), (1, 1, 1), (6, 5, 0), (3, 5, 0), (0, 5, 3), (5, 0, 3),
        ];
        foreach (Op op in Enum.GetValues<Op>())
            foreach (var (m, n, k) in shapes)
                yield return [op, m, n, k];
    }

    public static IEnumerable<object[]> NarrowIsaShapes()  // isa as int: GemmIsa is internal
    {
        int[] dims = [1, 4, 7, 33, 100];
        foreach (GemmIsa isa in new[] { GemmIsa.Scalar, GemmIsa.Vector256 })
            foreach (Op op in Enum.GetValues<Op>())
                foreach (int m in dims)
                    foreach (int n in dims)
                        yield return [(int)isa, op, m, n, m == 100 ? 257 : n];
    }

    // -------------------------------------------------------------------------------------------
    // Tests
    // -------------------------------------------------------------------------------------------

    [Theory]
    [MemberData(nameof(AllShapes))]
    public void MatchesReference_AllDimensionCombinations(Op op, int m, int n, int k)
    {
        CheckAgainstReference(op, m, n, k, accumulate: false, threads: 1);
        CheckAgainstReference(op, m, n, k, accumulate: true, threads: 1);
    }

    [Theory]
    [MemberData(nameof(SeamShapes))]
    public void MatchesReference_AtImplementationSeams(Op op, int m, int n, int k)
    {
        CheckAgainstReference(op, m, n, k, accumulate: false, threads: 1);
        CheckAgainstReference(op, m, n, k, accumulate: true, threads: 1);
    }

    [Theory]
    [MemberData(nameof(NarrowIsaShapes))]
    public void MatchesReference_WithNarrowerKernels(int isa, Op op, int m, int n, int k)
    {
        GemmDispatch.LimitCurrentThread((GemmIsa)isa);
        try
        {
            CheckAgainstReference(op, m, n, k, accumulate: false, threads: 1);
            CheckAgainstReference(op, m, n, k, accumulate: true, threads: 1);
            CheckAgainstReference(op, m, n, k, accumulate: true, threads: 2);
        }
        finally
        {
            GemmDispatch.LimitCurrentThread(null);
        }
    }

    [Theory]
    [InlineData(Op.ABt, 1, 1024, 256)]
    [InlineData(Op.ABt, 64, 1000, 33)]
    [InlineData(Op.ABt, 3, 200, 100)]
    [InlineData(Op.AB, 1, 256, 1024)]
    [InlineData(Op.AB, 100, 257, 128)]
    [InlineData(Op.AtB, 257, 300, 100)]
    [InlineData(Op.AtB, 2, 130, 100)]
    public void TwoThreads_AreBitwiseIdenticalToOne(Op op, int m, int n, int k)
    {
        var rng = new Random(m * 31 + n * 7 + k);
        float[] a = Random(rng, m * k), b = Random(rng, n * k), c0 = Random(rng, m * n);
        foreach (bool accumulate in new[] { false, true })
        {
            float[] one = (float[])c0.Clone(), two = (float[])c0.Clone();
            Call(op, one, a, b, m, n, k, accumulate, threads: 1);
            Call(op, two, a, b, m, n, k, accumulate, threads: 2);
            for (int i = 0; i < one.Length; i++)
                Assert.True(BitConverter.SingleToInt32Bits(one[i]) == BitConverter.SingleToInt32Bits(two[i]),
                    $"{op} m={m} n={n} k={k} accumulate={accumulate}: element {i} is {one[i]:R} on one thread, {two[i]:R} on two.");
            CheckAgainstReference(op, m, n, k, accumulate, threads: 2);
        }
    }

    // Back-to-back parallel calls (the per-step pattern), from two threads at once: the helper
    // hand-over (poll, park, wake, take-back by the caller) must never lose, repeat or mix up a part.
    [Fact]
    public void ManyBackToBackParallelCalls_FromTwoThreads_AreAllExact()
    {
        const int m = 2, n = 384, k = 96, calls = 1500;
        var rng = new Random(23);
        float[] a = Random(rng, m * k), b = Random(rng, n * k);
        float[] expected = new float[m * n];
        Gemm.ABt(expected, a, b, m, n, k, false);
        int failures = 0;
        void Loop()
        {
            float[] c = new float[m * n];
            for (int call = 0; call < calls; call++)
            {
                Array.Fill(c, float.NaN);
                Gemm.ABt(c, a, b, m, n, k, false, threads: 2);
                for (int i = 0; i < c.Length; i++)
                    if (BitConverter.SingleToInt32Bits(c[i]) != BitConverter.SingleToInt32Bits(expected[i]))
                    {
                        System.Threading.Interlocked.Increment(ref failures);
                        break;
                    }
                if (call % 300 == 0) System.Threading.Thread.Sleep(1); // let the helper park now and then
            }
        }
        var other = new System.Threading.Thread(Loop);
        other.Start();
        Loop();
        other.Join();
        Assert.Equal(0, failures);
    }

    [Theory]
    [InlineData(Op.ABt, 1, 1024, 256)]
    [InlineData(Op.ABt, 64, 1024, 256)]
    [InlineData(Op.AB, 1, 256, 1024)]
    [InlineData(Op.AB, 300, 256, 300)]
    [InlineData(Op.AtB, 256, 256, 300)]
    public void SteadyStateCall_AllocatesNothing(Op op, int m, int n, int k)
    {
        float[] a = new float[m * k], b = new float[n * k], c = new float[m * n];
        // Warm both accumulate paths first: this thread's packing buffers grow, and any first-call
        // runtime work (type loading, class constructors) happens before the measured call.
        Call(op, c, a, b, m, n, k, false, threads: 1);
        Call(op, c, a, b, m, n, k, true, threads: 1);
        Assert.Equal(0, SteadyState.Allocated(() => Call(op, c, a, b, m, n, k, true, threads: 1)));
    }

    public static IEnumerable<object[]> PackedShapes()
    {
        (int M, int N, int K)[] shapes =
        [
            (1, 1024, 256), (2, 100, 33), (3, 65, 300), (4, 7, 1), (1, 33, 7), (5, 257, 128),
            (64, 1024, 256), (33, 100, 257), (8, 64, 520), (100, 7, 33), (4, 96, 0), (0, 40, 5), (3, 0, 5),
        ];
        foreach (Op op in new[] { Op.ABt, Op.AB })
            foreach (var (m, n, k) in shapes)
                yield return [op, m, n, k];
    }

    // APackedB with B packed by PackBt (for ABt) or PackB (for AB): against the reference, bitwise
    // equal to the unpacked product when m > 4, and independent of the thread count.
    [Theory]
    [MemberData(nameof(PackedShapes))]
    public void PrepackedOperand_MatchesReferenceAndUnpackedProduct(Op op, int m, int n, int k) => CheckPrepacked(op, m, n, k);

    [Theory]
    [InlineData(0, Op.ABt, 1, 70, 300)]
    [InlineData(0, Op.AB, 9, 33, 40)]
    [InlineData(1, Op.ABt, 1, 70, 300)]
    [InlineData(1, Op.ABt, 2, 33, 7)]
    [InlineData(1, Op.AB, 3, 100, 257)]
    [InlineData(1, Op.AB, 4, 64, 40)]
    [InlineData(1, Op.ABt, 9, 70, 33)]
    public void PrepackedOperand_WithNarrowerKernels(int isa, Op op, int m, int n, int k)
    {
        GemmDispatch.LimitCurrentThread((GemmIsa)isa);
        try
        {
            CheckPrepacked(op, m, n, k);
        }
        finally
        {
            GemmDispatch.LimitCurrentThread(null);
        }
    }

    private static void CheckPrepacked(Op op, int m, int n, int k)
    {
        var rng = new Random(m * 7919 + n * 31 + k);
        const int guard = 40;
        float[] a = Random(rng, m * k + guard), b = Random(rng, n * k + guard);
        float[] packed = new float[Gemm.PackedLength(n, k) + guard];
        Array.Fill(packed, float.NaN);
        if (op == Op.ABt) Gemm.PackBt(packed, b, n, k); else Gemm.PackB(packed, b, k, n);
        for (int i = Gemm.PackedLength(n, k); i < packed.Length; i++)
            Assert.True(float.IsNaN(packed[i]), $"PackB wrote past PackedLength at {i}.");

        foreach (bool accumulate in new[] { false, true })
            foreach (int threads in new[] { 1, 2 })
            {
                float[] c = Random(new Random(3), m * n + guard);
                for (int i = m * n; i < c.Length; i++) c[i] = float.NaN;
                float[] c0 = (float[])c.Clone();
                float[] unpacked = (float[])c.Clone();
                Gemm.APackedB(c, a, packed, m, n, k, accumulate, threads);
                Call(op, unpacked, a, b, m, n, k, accumulate, threads: 1);

                string? violation = Violation(op, c, a, b, accumulate ? c0 : null, m, n, k);
                Assert.True(violation is null, $"APackedB ({op}) m={m} n={n} k={k} accumulate={accumulate} threads={threads}: {violation}");
                for (int i = m * n; i < c.Length; i++) Assert.True(float.IsNaN(c[i]), $"wrote past the end of C at {i}.");
                if (m > GemmSmall.MaxRows)
                    for (int i = 0; i < m * n; i++)
                        Assert.True(BitConverter.SingleToInt32Bits(c[i]) == BitConverter.SingleToInt32Bits(unpacked[i]),
                            $"APackedB ({op}) m={m} n={n} k={k}: element {i} is {c[i]:R}, unpacked {unpacked[i]:R}.");
            }
    }

    // The packed layout does not depend on the kernels: pack on one instruction set, use on another.
    [Theory]
    [InlineData(0, 2)]
    [InlineData(2, 0)]
    [InlineData(1, 2)]
    [InlineData(2, 1)]
    [InlineData(1, 1)]
    [InlineData(0, 0)]
    public void PackedLayout_IsTheSameForEveryInstructionSet(int packIsa, int useIsa)
    {
        const int m = 9, n = 70, k = 300;
        var rng = new Random(17);
        float[] a = Random(rng, m * k), b = Random(rng, n * k), c = new float[m * n];
        float[] packed = new float[Gemm.PackedLength(n, k)];
        try
        {
            GemmDispatch.LimitCurrentThread((GemmIsa)packIsa);
            Gemm.PackBt(packed, b, n, k);
            GemmDispatch.LimitCurrentThread((GemmIsa)useIsa);
            Gemm.APackedB(c, a, packed, m, n, k, false);
            Gemm.APackedB(c.AsSpan(0, 3 * n), a, packed, 3, n, k, false);       // m ≤ 4: the panel-streaming path
            Gemm.APackedB(c.AsSpan(3 * n, n), a.AsSpan(3 * k), packed, 1, n, k, false);
        }
        finally
        {
            GemmDispatch.LimitCurrentThread(null);
        }
        Assert.Null(Violation(Op.ABt, c, a, b, null, m, n, k));
    }

    [Fact]
    public void Reference_IsTheDoubleSumRoundedOnce()
    {
        var rng = new Random(5);
        const int m = 7, n = 9, k = 33;
        float[] a = Random(rng, m * k), b = Random(rng, n * k), c = new float[m * n];
        foreach (Op op in Enum.GetValues<Op>())
        {
            (double[] exact, _) = Exact(op, a, b, null, m, n, k);
            switch (op)
            {
                case Op.ABt: GemmReference.ABt(c, a, b, m, n, k, false); break;
                case Op.AB: GemmReference.AB(c, a, b, m, n, k, false); break;
                default: GemmReference.AtB(c, a, b, m, n, k, false); break;
            }
            for (int i = 0; i < c.Length; i++) Assert.Equal((float)exact[i], c[i]);
        }
    }

    // The checker must be able to fail: a product that drops one term of the reduction, or uses
    // the wrong transposition on a square problem, is rejected.
    [Fact]
    public void Checker_RejectsWrongProducts()
    {
        var rng = new Random(11);
        const int s = 33;
        float[] a = Random(rng, s * s), b = Random(rng, s * s);
        float[] c = new float[s * s];

        Gemm.ABt(c, a, b, s, s, s, false);
        Assert.Null(Violation(Op.ABt, c, a, b, null, s, s, s));   // sanity: the right product passes

        Gemm.AB(c, a, b, s, s, s, false);                          // wrong transposition
        Assert.NotNull(Violation(Op.ABt, c, a, b, null, s, s, s));

        Gemm.ABt(c, a, b, s, s, s, false);
        c[5 * s + 7] += 4e-4f * MathF.Abs(c[5 * s + 7]) + 1e-3f;   // one element off by far less than one term
        Assert.NotNull(Violation(Op.ABt, c, a, b, null, s, s, s));
    }

    [Fact]
    public void RejectsTooShortSpansAndNegativeSizes()
    {
        float[] x = new float[12];
        Assert.Throws<ArgumentException>(() => Gemm.ABt(x, x, new float[11], 3, 4, 3, false));
        Assert.Throws<ArgumentException>(() => Gemm.AB(new float[11], x, x, 3, 4, 3, false));
        Assert.Throws<ArgumentException>(() => Gemm.AtB(x, new float[8], x, 3, 4, 3, false));
        Assert.Throws<ArgumentOutOfRangeException>(() => Gemm.ABt(x, x, x, -1, 4, 3, false));
        Assert.Throws<ArgumentOutOfRangeException>(() => Gemm.ABt(x, x, x, 3, 4, 3, false, threads: 0));
    }

    // -------------------------------------------------------------------------------------------
    // Checking
    // -------------------------------------------------------------------------------------------

    private static void CheckAgainstReference(Op op, int m, int n, int k, bool accumulate, int threads)
    {
        var rng = new Random((((int)op * 1009 + m) * 1013 + n) * 1019 + k * 2 + (accumulate ? 1 : 0));
        // Operands sit inside larger buffers: the kernels must neither read nor write past m·n of C.
        const int guard = 40;
        float[] a = Random(rng, m * k + guard), b = Random(rng, n * k + guard);
        float[] c = Random(rng, m * n + guard);
        for (int i = m * n; i < c.Length; i++) c[i] = float.NaN;
        float[]? c0 = accumulate ? (float[])c.Clone() : null;
        if (!accumulate) Array.Fill(c, 12345f, 0, m * n); // stale values must be overwritten

        Call(op, c, a, b, m, n, k, accumulate, threads);

        string? violation = Violation(op, c, a, b, c0, m, n, k);
        Assert.True(violation is null, $"{op} m={m} n={n} k={k} accumulate={accumulate} threads={threads} isa={GemmDispatch.Current}: {violation}");
        for (int i = m * n; i < c.Length; i++)
            Assert.True(float.IsNaN(c[i]), $"{op} m={m} n={n} k={k}: wrote past the end of C at {i}.");
    }

    // Null if every element of c is within the bound of the exact product, else a description.
    private static string? Violation(Op op, float[] c, float[] a, float[] b, float[]? c0, int m, int n, int k)
    {
        (double[] exact, double[] magnitude) = Exact(op, a, b, c0, m, n, k);
        double gamma = (k + 2) * Math.Pow(2, -24);
        for (int i = 0; i < m * n; i++)
        {
            double error = Math.Abs(c[i] - exact[i]);
            double bound = gamma * magnitude[i];
            if (!(error <= bound))
                return $"element ({i / n}, {i % n}) = {c[i]:R}, exact {exact[i]:R}, error {error:E3} > bound {bound:E3}";
        }
        return null;
    }

    // Exact product in double and Σ|op(A)||op(B)| (+|C₀|) per element.
    private static (double[] Exact, double[] Magnitude) Exact(Op op, float[] a, float[] b, float[]? c0, int m, int n, int k)
    {
        var exact = new double[m * n];
        var magnitude = new double[m * n];
        // op(A)[i,p] = a[i·ai + p·ap], op(B)[p,j] = b[p·bp + j·bj]
        (int ai, int ap) = op == Op.AtB ? (1, m) : (k, 1);
        (int bp, int bj) = op == Op.ABt ? (1, k) : (n, 1);
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++)
            {
                double s = c0 is null ? 0 : c0[i * n + j];
                double mag = Math.Abs(s);
                int x = i * ai, y = j * bj;
                for (int p = 0; p < k; p++, x += ap, y += bp)
                {
                    double xy = (double)a[x] * b[y];
                    s += xy;
                    mag += Math.Abs(xy);
                }
                exact[i * n + j] = s;
                magnitude[i * n + j] = mag;
            }
        return (exact, magnitude);
    }

    private static void Call(Op op, float[] c, float[] a, float[] b, int m, int n, int k, bool accumulate, int threads)
    {
        switch (op)
        {
            case Op.ABt:
                if (threads == 1) Gemm.ABt(c, a, b, m, n, k, accumulate); else Gemm.ABt(c, a, b, m, n, k, accumulate, threads);
                break;
            case Op.AB:
                if (threads == 1) Gemm.AB(c, a, b, m, n, k, accumulate); else Gemm.AB(c, a, b, m, n, k, accumulate, threads);
                break;
            default:
                if (threads == 1) Gemm.AtB(c, a, b, m, n, k, accumulate); else Gemm.AtB(c, a, b, m, n, k, accumulate, threads);
                break;
        }
    }

    private static float[] Random(Random rng, int length)
    {
        float[] x = new float[length];
        for (int i = 0; i < x.Length; i++) x[i] = (float)(rng.NextDouble() * 2 - 1);
        return x;
    }
}
