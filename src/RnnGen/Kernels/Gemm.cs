using System;
using System.Numerics.Tensors;

namespace RnnGen.Kernels;

/// <summary>
/// Single-precision matrix products on row-major, contiguous matrices. The three shapes are the
/// only ones a recurrent network needs: <see cref="ABt"/> (activations times a PyTorch-layout
/// weight, forward), <see cref="AB"/> (gradient flowing back through a weight) and
/// <see cref="AtB"/> (weight gradient, one product over all time steps).
/// </summary>
public static class Gemm
{
    // C[m×n] (+)= A[m×k] · B[n×k]ᵀ
    /// <summary>C (m×n) = A (m×k) · Bᵀ where B is n×k; adds to C when <paramref name="accumulate"/>.</summary>
    public static void ABt(Span<float> c, ReadOnlySpan<float> a, ReadOnlySpan<float> b, int m, int n, int k, bool accumulate)
    {
        CheckSizes(c, a, b, m, n, k);
        for (int i = 0; i < m; i++)
        {
            ReadOnlySpan<float> ai = a.Slice(i * k, k);
            Span<float> ci = c.Slice(i * n, n);
            for (int j = 0; j < n; j++)
            {
                float dot = TensorPrimitives.Dot(ai, b.Slice(j * k, k));
                ci[j] = accumulate ? ci[j] + dot : dot;
            }
        }
    }

    // C[m×n] (+)= A[m×k] · B[k×n]
    /// <summary>C (m×n) = A (m×k) · B (k×n); adds to C when <paramref name="accumulate"/>.</summary>
    public static void AB(Span<float> c, ReadOnlySpan<float> a, ReadOnlySpan<float> b, int m, int n, int k, bool accumulate)
    {
        CheckSizes(c, a, b, m, n, k);
        for (int i = 0; i < m; i++)
        {
            Span<float> ci = c.Slice(i * n, n);
            if (!accumulate) ci.Clear();
            ReadOnlySpan<float> ai = a.Slice(i * k, k);
            for (int p = 0; p < k; p++)
            {
                float aip = ai[p];
                if (aip != 0f) TensorPrimitives.MultiplyAdd(b.Slice(p * n, n), aip, ci, ci);
            }
        }
    }

    // C[m×n] (+)= A[k×m]ᵀ · B[k×n]
    /// <summary>C (m×n) = Aᵀ · B where A is k×m and B is k×n; adds to C when <paramref name="accumulate"/>.</summary>
    public static void AtB(Span<float> c, ReadOnlySpan<float> a, ReadOnlySpan<float> b, int m, int n, int k, bool accumulate)
    {
        CheckSizes(c, a, b, m, n, k);
        if (!accumulate) c.Slice(0, m * n).Clear();
        for (int p = 0; p < k; p++)
        {
            ReadOnlySpan<float> ap = a.Slice(p * m, m);
            ReadOnlySpan<float> bp = b.Slice(p * n, n);
            for (int i = 0; i < m; i++)
            {
                float api = ap[i];
                if (api != 0f)
                {
                    Span<float> ci = c.Slice(i * n, n);
                    TensorPrimitives.MultiplyAdd(bp, api, ci, ci);
                }
            }
        }
    }

    private static void CheckSizes(Span<float> c, ReadOnlySpan<float> a, ReadOnlySpan<float> b, int m, int n, int k)
    {
        if (m < 0 || n < 0 || k < 0) throw new ArgumentOutOfRangeException(nameof(m), $"Matrix sizes must not be negative (m={m}, n={n}, k={k}).");
        if (a.Length < (long)m * k) throw new ArgumentException($"A holds {a.Length} elements; {m}×{k} = {(long)m * k} are needed.", nameof(a));
        if (b.Length < (long)k * n) throw new ArgumentException($"B holds {b.Length} elements; {k}×{n} = {(long)k * n} are needed.", nameof(b));
        if (c.Length < (long)m * n) throw new ArgumentException($"C holds {c.Length} elements; {m}×{n} = {(long)m * n} are needed.", nameof(c));
    }
}
