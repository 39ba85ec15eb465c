using System;

namespace RnnGen.Kernels;

/// <summary>
/// Plain triple-loop versions of the three <see cref="Gemm"/> products, kept beside the fast path as
/// its specification and for tests. Each element is summed in double precision and rounded once, so
/// the result is the correctly rounded product up to the double-precision summation error — far
/// below anything float32 can show. Slow: O(m·n·k) scalar operations, no blocking.
/// </summary>
public static class GemmReference
{
    // C[m×n] (+)= A[m×k] · B[n×k]ᵀ
    /// <summary>Reference for <see cref="Gemm.ABt(Span{float}, ReadOnlySpan{float}, ReadOnlySpan{float}, int, int, int, bool)"/>:
    /// C (m×n) = A (m×k) · Bᵀ with B n×k; adds to C when <paramref name="accumulate"/>.</summary>
    /// <param name="c">Output, m×n row-major.</param>
    /// <param name="a">m×k row-major.</param>
    /// <param name="b">n×k row-major.</param>
    /// <param name="m">Rows of C.</param>
    /// <param name="n">Columns of C.</param>
    /// <param name="k">Reduction length.</param>
    /// <param name="accumulate">Add the product to C instead of overwriting it.</param>
    public static void ABt(Span<float> c, ReadOnlySpan<float> a, ReadOnlySpan<float> b, int m, int n, int k, bool accumulate)
    {
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++)
            {
                double s = accumulate ? c[i * n + j] : 0.0;
                for (int p = 0; p < k; p++) s += (double)a[i * k + p] * b[j * k + p];
                c[i * n + j] = (float)s;
            }
    }

    // C[m×n] (+)= A[m×k] · B[k×n]
    /// <summary>Reference for <see cref="Gemm.AB(Span{float}, ReadOnlySpan{float}, ReadOnlySpan{float}, int, int, int, bool)"/>:
    /// C (m×n) = A (m×k) · B (k×n); adds to C when <paramref name="accumulate"/>.</summary>
    /// <param name="c">Output, m×n row-major.</param>
    /// <param name="a">m×k row-major.</param>
    /// <param name="b">k×n row-major.</param>
    /// <param name="m">Rows of C.</param>
    /// <param name="n">Columns of C.</param>
    /// <param name="k">Reduction length.</param>
    /// <param name="accumulate">Add the product to C instead of overwriting it.</param>
    public static void AB(Span<float> c, ReadOnlySpan<float> a, ReadOnlySpan<float> b, int m, int n, int k, bool accumulate)
    {
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++)
            {
                double s = accumulate ? c[i * n + j] : 0.0;
                for (int p = 0; p < k; p++) s += (double)a[i * k + p] * b[p * n + j];
                c[i * n + j] = (float)s;
            }
    }

    // C[m×n] (+)= A[k×m]ᵀ · B[k×n]
    /// <summary>Reference for <see cref="Gemm.AtB(Span{float}, ReadOnlySpan{float}, ReadOnlySpan{float}, int, int, int, bool)"/>:
    /// C (m×n) = Aᵀ · B with A k×m and B k×n; adds to C when <paramref name="accumulate"/>.</summary>
    /// <param name="c">Output, m×n row-major.</param>
    /// <param name="a">k×m row-major.</param>
    /// <param name="b">k×n row-major.</param>
    /// <param name="m">Rows of C.</param>
    /// <param name="n">Columns of C.</param>
    /// <param name="k">Reduction length.</param>
    /// <param name="accumulate">Add the product to C instead of overwriting it.</param>
    public static void AtB(Span<float> c, ReadOnlySpan<float> a, ReadOnlySpan<float> b, int m, int n, int k, bool accumulate)
    {
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++)
            {
                double s = accumulate ? c[i * n + j] : 0.0;
                for (int p = 0; p < k; p++) s += (double)a[p * m + i] * b[p * n + j];
                c[i * n + j] = (float)s;
            }
    }
}
