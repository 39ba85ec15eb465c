using System;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace RnnGen.Kernels;

/// <summary>A compile-time integer: generic code specialised over such a struct folds it to a constant.</summary>
internal interface IConstant
{
    /// <summary>The constant.</summary>
    static abstract int Value { get; }
}

internal readonly struct One : IConstant { public static int Value => 1; }
internal readonly struct Two : IConstant { public static int Value => 2; }
internal readonly struct Three : IConstant { public static int Value => 3; }
internal readonly struct Four : IConstant { public static int Value => 4; }

/// <summary>
/// Products with at most <see cref="MaxRows"/> rows of C (the per-step recurrent product at small
/// batch, a GEMV at batch 1). Packing would cost as much as the product, so these read the operands
/// in place and stream the weight exactly once:
/// <list type="bullet">
/// <item><see cref="Dot"/>: C[i,j] (+)= A row i · B row j, both contiguous along k (<c>ABt</c>).</item>
/// <item><see cref="Axpy"/>: C row i (+)= Σ_p op(A)[i,p] · B row p, B contiguous along n (<c>AB</c>, <c>AtB</c>).</item>
/// </list>
/// The row count is a type argument so that the JIT specialises the loops for 1, 2, 3 and 4 rows.
/// </summary>
internal static unsafe class GemmSmall
{
    /// <summary>The largest m handled here.</summary>
    internal const int MaxRows = 4;

    // C[m×n] (+)= A[m×k] · B[n×k]ᵀ, rows of A at stride lda, rows of B at stride ldb.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void Dot(float* c, nint ldc, float* a, nint lda, float* b, nint ldb, int m, int n, int k, bool add, GemmIsa isa)
    {
        switch (isa, m)
        {
            case (GemmIsa.Vector512, 1): Gemv512(c, a, b, ldb, n, k, add); break;
            case (GemmIsa.Vector512, 2): Dot512<Two>(c, ldc, a, lda, b, ldb, n, k, add); break;
            case (GemmIsa.Vector512, 3): Dot512<Three>(c, ldc, a, lda, b, ldb, n, k, add); break;
            case (GemmIsa.Vector512, 4): Dot512<Four>(c, ldc, a, lda, b, ldb, n, k, add); break;
            case (GemmIsa.Vector256, 1): Dot256<One>(c, ldc, a, lda, b, ldb, n, k, add); break;
            case (GemmIsa.Vector256, 2): Dot256<Two>(c, ldc, a, lda, b, ldb, n, k, add); break;
            case (GemmIsa.Vector256, 3): Dot256<Three>(c, ldc, a, lda, b, ldb, n, k, add); break;
            case (GemmIsa.Vector256, 4): Dot256<Four>(c, ldc, a, lda, b, ldb, n, k, add); break;
            default: DotScalar(c, ldc, a, lda, b, ldb, m, n, k, add); break;
        }
    }

    // C[m×n] (+)= op(A)[m×k] · B[k×n], op(A)[i,p] = a[i·rsA + p·csA], rows of B at stride ldb.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void Axpy(float* c, nint ldc, float* a, nint rsA, nint csA, float* b, nint ldb, int m, int n, int k, bool add, GemmIsa isa)
    {
        switch (isa, m)
        {
            case (GemmIsa.Vector512, 1): Axpy512Row(c, a, csA, b, ldb, n, k, add); break;
            case (GemmIsa.Vector512, 2): Axpy512<Two>(c, ldc, a, rsA, csA, b, ldb, n, k, add); break;
            case (GemmIsa.Vector512, 3): Axpy512<Three>(c, ldc, a, rsA, csA, b, ldb, n, k, add); break;
            case (GemmIsa.Vector512, 4): Axpy512<Four>(c, ldc, a, rsA, csA, b, ldb, n, k, add); break;
            case (GemmIsa.Vector256, 1): Axpy256<One>(c, ldc, a, rsA, csA, b, ldb, n, k, add); break;
            case (GemmIsa.Vector256, 2): Axpy256<Two>(c, ldc, a, rsA, csA, b, ldb, n, k, add); break;
            case (GemmIsa.Vector256, 3): Axpy256<Three>(c, ldc, a, rsA, csA, b, ldb, n, k, add); break;
            case (GemmIsa.Vector256, 4): Axpy256<Four>(c, ldc, a, rsA, csA, b, ldb, n, k, add); break;
            default: AxpyScalar(c, ldc, a, rsA, csA, b, ldb, m, n, k, add); break;
        }
    }

    // C[m×n] (+)= A[m×k] · P[:, j0 : j0+n], P packed once by GemmPacked.PackWhole (Vector512 or Vector256).
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void Panels(float* c, nint ldc, float* a, nint lda, float* packed, nint paddedColumns, int j0, int m, int n, int k, bool add, GemmIsa isa)
    {
        if (isa == GemmIsa.Vector256)
        {
            for (int r = 0; r < m; r += 2)
            {
                if (m - r >= 2) Panels256<Two>(c + r * ldc, ldc, a + r * lda, lda, packed, paddedColumns, j0, n, k, add);
                else Panels256<One>(c + r * ldc, ldc, a + r * lda, lda, packed, paddedColumns, j0, n, k, add);
            }
            return;
        }
        switch (m)
        {
            case 1: Panels512<One>(c, ldc, a, lda, packed, paddedColumns, j0, n, k, add); break;
            case 2: Panels512<Two>(c, ldc, a, lda, packed, paddedColumns, j0, n, k, add); break;
            case 3: Panels512<Three>(c, ldc, a, lda, packed, paddedColumns, j0, n, k, add); break;
            default: Panels512<Four>(c, ldc, a, lda, packed, paddedColumns, j0, n, k, add); break;
        }
    }

    // ---------------------------------------------------------------------------------------
    // Panels: the axpy scheme on a pre-packed weight. Two 32-column panels (64 columns of C) per
    // pass; within a reduction block each panel is one contiguous stream.
    // ---------------------------------------------------------------------------------------

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Panels512<TRows>(float* c, nint ldc, float* a, nint lda, float* packed, nint paddedColumns, int j0, int n, int k, bool add)
        where TRows : struct, IConstant
    {
        int kcStep = GemmPacked.KcStep(k);
        for (int pc = 0; pc < k; pc += kcStep)
        {
            int kc = Math.Min(kcStep, k - pc);
            bool addHere = add || pc != 0;
            float* block = packed + pc * paddedColumns;
            int j = 0;
            if (TRows.Value == 1)
            {
                // Batch 1: four panels per pass, eight FMA chains.
                for (; j + 128 <= n; j += 128)
                    PanelPass512Row(c + j, a + pc, block + (nint)(j0 + j) * kc, kc, addHere);
            }
            for (; j < n; j += 64)
            {
                int w = Math.Min(64, n - j);
                float* panel = block + (nint)(j0 + j) * kc;
                if (w > GemmPacked.NR) PanelPass512<TRows, Two>(c + j, ldc, a + pc, lda, panel, kc, w, addHere);
                else PanelPass512<TRows, One>(c + j, ldc, a + pc, lda, panel, kc, w, addHere);
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void PanelPass512Row(float* c, float* a, float* panel, int kc, bool add)
    {
        nint step = (nint)GemmPacked.NR * kc;
        float* p0 = panel, p1 = panel + step, p2 = panel + 2 * step, p3 = panel + 3 * step;
        Vector512<float> s0 = default, s1 = default, s2 = default, s3 = default;
        Vector512<float> s4 = default, s5 = default, s6 = default, s7 = default;
        for (int p = 0; p < kc; p++)
        {
            Vector512<float> y = Vector512.Create(a[p]);
            nint o = p * GemmPacked.NR;
            s0 = Vector512.FusedMultiplyAdd(y, Vector512.Load(p0 + o), s0);
            s1 = Vector512.FusedMultiplyAdd(y, Vector512.Load(p0 + o + 16), s1);
            s2 = Vector512.FusedMultiplyAdd(y, Vector512.Load(p1 + o), s2);
            s3 = Vector512.FusedMultiplyAdd(y, Vector512.Load(p1 + o + 16), s3);
            s4 = Vector512.FusedMultiplyAdd(y, Vector512.Load(p2 + o), s4);
            s5 = Vector512.FusedMultiplyAdd(y, Vector512.Load(p2 + o + 16), s5);
            s6 = Vector512.FusedMultiplyAdd(y, Vector512.Load(p3 + o), s6);
            s7 = Vector512.FusedMultiplyAdd(y, Vector512.Load(p3 + o + 16), s7);
        }
        Put64(c, s0, s1, s2, s3, add);
        Put64(c + 64, s4, s5, s6, s7, add);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void PanelPass512<TRows, TPanels>(float* c, nint ldc, float* a, nint lda, float* panel, int kc, int w, bool add)
        where TRows : struct, IConstant
        where TPanels : struct, IConstant
    {
        int rows = TRows.Value;
        bool two = TPanels.Value == 2;
        float* p0 = panel, p1 = panel + GemmPacked.NR * kc;
        float* a0 = a, a1 = a + lda, a2 = a + 2 * lda, a3 = a + 3 * lda;
        Vector512<float> s00 = default, s01 = default, s02 = default, s03 = default;
        Vector512<float> s10 = default, s11 = default, s12 = default, s13 = default;
        Vector512<float> s20 = default, s21 = default, s22 = default, s23 = default;
        Vector512<float> s30 = default, s31 = default, s32 = default, s33 = default;
        for (int p = 0; p < kc; p++, p0 += GemmPacked.NR, p1 += GemmPacked.NR)
        {
            Vector512<float> x0 = Vector512.Load(p0), x1 = Vector512.Load(p0 + 16);
            Vector512<float> x2 = two ? Vector512.Load(p1) : default, x3 = two ? Vector512.Load(p1 + 16) : default;
            Vector512<float> y = Vector512.Create(a0[p]);
            s00 = Vector512.FusedMultiplyAdd(y, x0, s00); s01 = Vector512.FusedMultiplyAdd(y, x1, s01);
            if (two) { s02 = Vector512.FusedMultiplyAdd(y, x2, s02); s03 = Vector512.FusedMultiplyAdd(y, x3, s03); }
            if (rows > 1)
            {
                y = Vector512.Create(a1[p]);
                s10 = Vector512.FusedMultiplyAdd(y, x0, s10); s11 = Vector512.FusedMultiplyAdd(y, x1, s11);
                if (two) { s12 = Vector512.FusedMultiplyAdd(y, x2, s12); s13 = Vector512.FusedMultiplyAdd(y, x3, s13); }
            }
            if (rows > 2)
            {
                y = Vector512.Create(a2[p]);
                s20 = Vector512.FusedMultiplyAdd(y, x0, s20); s21 = Vector512.FusedMultiplyAdd(y, x1, s21);
                if (two) { s22 = Vector512.FusedMultiplyAdd(y, x2, s22); s23 = Vector512.FusedMultiplyAdd(y, x3, s23); }
            }
            if (rows > 3)
            {
                y = Vector512.Create(a3[p]);
                s30 = Vector512.FusedMultiplyAdd(y, x0, s30); s31 = Vector512.FusedMultiplyAdd(y, x1, s31);
                if (two) { s32 = Vector512.FusedMultiplyAdd(y, x2, s32); s33 = Vector512.FusedMultiplyAdd(y, x3, s33); }
            }
        }
        PutRow(c, w, s00, s01, s02, s03, add);
        if (rows > 1) PutRow(c + ldc, w, s10, s11, s12, s13, add);
        if (rows > 2) PutRow(c + 2 * ldc, w, s20, s21, s22, s23, add);
        if (rows > 3) PutRow(c + 3 * ldc, w, s30, s31, s32, s33, add);
    }

    // Vector256: one 32-column panel (four ymm) for up to two rows per pass.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Panels256<TRows>(float* c, nint ldc, float* a, nint lda, float* packed, nint paddedColumns, int j0, int n, int k, bool add)
        where TRows : struct, IConstant
    {
        int rows = TRows.Value;
        int kcStep = GemmPacked.KcStep(k);
        for (int pc = 0; pc < k; pc += kcStep)
        {
            int kc = Math.Min(kcStep, k - pc);
            bool addHere = add || pc != 0;
            float* block = packed + pc * paddedColumns;
            for (int j = 0; j < n; j += GemmPacked.NR)
            {
                float* pp = block + (nint)(j0 + j) * kc;
                float* a0 = a + pc, a1 = a + lda + pc;
                Vector256<float> s00 = default, s01 = default, s02 = default, s03 = default;
                Vector256<float> s10 = default, s11 = default, s12 = default, s13 = default;
                for (int p = 0; p < kc; p++, pp += GemmPacked.NR)
                {
                    Vector256<float> x0 = Vector256.Load(pp), x1 = Vector256.Load(pp + 8);
                    Vector256<float> x2 = Vector256.Load(pp + 16), x3 = Vector256.Load(pp + 24);
                    Vector256<float> y = Vector256.Create(a0[p]);
                    s00 = Fma.MultiplyAdd(y, x0, s00); s01 = Fma.MultiplyAdd(y, x1, s01);
                    s02 = Fma.MultiplyAdd(y, x2, s02); s03 = Fma.MultiplyAdd(y, x3, s03);
                    if (rows > 1)
                    {
                        y = Vector256.Create(a1[p]);
                        s10 = Fma.MultiplyAdd(y, x0, s10); s11 = Fma.MultiplyAdd(y, x1, s11);
                        s12 = Fma.MultiplyAdd(y, x2, s12); s13 = Fma.MultiplyAdd(y, x3, s13);
                    }
                }
                int w = Math.Min(GemmPacked.NR, n - j);
                if (w == GemmPacked.NR)
                {
                    Put32(c + j, s00, s01, s02, s03, addHere);
                    if (rows > 1) Put32(c + ldc + j, s10, s11, s12, s13, addHere);
                }
                else
                {
                    PutMasked256(c + j, w, s00, s01, s02, s03, addHere);
                    if (rows > 1) PutMasked256(c + ldc + j, w, s10, s11, s12, s13, addHere);
                }
            }
        }
    }

    // Stores the first w (< 32) floats of v0..v3 to c.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void PutMasked256(float* c, int w, Vector256<float> v0, Vector256<float> v1, Vector256<float> v2, Vector256<float> v3, bool add)
    {
        Vector256<int> lanes = Vector256<int>.Indices;
        Vector256<float> m0 = Vector256.LessThan(lanes, Vector256.Create(w)).AsSingle();
        Vector256<float> m1 = Vector256.LessThan(lanes, Vector256.Create(w - 8)).AsSingle();
        Vector256<float> m2 = Vector256.LessThan(lanes, Vector256.Create(w - 16)).AsSingle();
        Vector256<float> m3 = Vector256.LessThan(lanes, Vector256.Create(w - 24)).AsSingle();
        if (add)
        {
            v0 += Avx.MaskLoad(c, m0); v1 += Avx.MaskLoad(c + 8, m1);
            v2 += Avx.MaskLoad(c + 16, m2); v3 += Avx.MaskLoad(c + 24, m3);
        }
        Avx.MaskStore(c, m0, v0); Avx.MaskStore(c + 8, m1, v1);
        Avx.MaskStore(c + 16, m2, v2); Avx.MaskStore(c + 24, m3, v3);
    }

    // Stores the first w (≤ 64) floats of v0..v3 to c.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void PutRow(float* c, int w, Vector512<float> v0, Vector512<float> v1, Vector512<float> v2, Vector512<float> v3, bool add)
    {
        if (w == 64)
        {
            Put64(c, v0, v1, v2, v3, add);
            return;
        }
        Vector512<int> lanes = Vector512<int>.Indices;
        PutMasked(c, v0, Vector512.LessThan(lanes, Vector512.Create(w)).AsSingle(), add);
        PutMasked(c + 16, v1, Vector512.LessThan(lanes, Vector512.Create(w - 16)).AsSingle(), add);
        PutMasked(c + 32, v2, Vector512.LessThan(lanes, Vector512.Create(w - 32)).AsSingle(), add);
        PutMasked(c + 48, v3, Vector512.LessThan(lanes, Vector512.Create(w - 48)).AsSingle(), add);
    }

    // ---------------------------------------------------------------------------------------
    // Dot: four rows of B at a time, one accumulator per (row of A, row of B) along k; the k tail
    // is read with masked loads (no reads past the end); four dot products are reduced together.
    // ---------------------------------------------------------------------------------------

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Dot512<TRows>(float* c, nint ldc, float* a, nint lda, float* b, nint ldb, int n, int k, bool add)
        where TRows : struct, IConstant
    {
        int rows = TRows.Value;
        int kFull = k & ~15;
        int rem = k - kFull;
        Vector512<float> tail = Vector512.LessThan(Vector512<int>.Indices, Vector512.Create(rem)).AsSingle();
        float* a0 = a, a1 = a + lda, a2 = a + 2 * lda, a3 = a + 3 * lda;

        int j = 0;
        for (; j + 4 <= n; j += 4)
        {
            float* b0 = b + j * ldb, b1 = b0 + ldb, b2 = b1 + ldb, b3 = b2 + ldb;
            Vector512<float> s00 = default, s01 = default, s02 = default, s03 = default;
            Vector512<float> s10 = default, s11 = default, s12 = default, s13 = default;
            Vector512<float> s20 = default, s21 = default, s22 = default, s23 = default;
            Vector512<float> s30 = default, s31 = default, s32 = default, s33 = default;
            int p = 0;
            for (; p < kFull; p += 16)
            {
                Vector512<float> x0 = Vector512.Load(b0 + p), x1 = Vector512.Load(b1 + p);
                Vector512<float> x2 = Vector512.Load(b2 + p), x3 = Vector512.Load(b3 + p);
                Vector512<float> y = Vector512.Load(a0 + p);
                s00 = Vector512.FusedMultiplyAdd(y, x0, s00); s01 = Vector512.FusedMultiplyAdd(y, x1, s01);
                s02 = Vector512.FusedMultiplyAdd(y, x2, s02); s03 = Vector512.FusedMultiplyAdd(y, x3, s03);
                if (rows > 1)
                {
                    y = Vector512.Load(a1 + p);
                    s10 = Vector512.FusedMultiplyAdd(y, x0, s10); s11 = Vector512.FusedMultiplyAdd(y, x1, s11);
                    s12 = Vector512.FusedMultiplyAdd(y, x2, s12); s13 = Vector512.FusedMultiplyAdd(y, x3, s13);
                }
                if (rows > 2)
                {
                    y = Vector512.Load(a2 + p);
                    s20 = Vector512.FusedMultiplyAdd(y, x0, s20); s21 = Vector512.FusedMultiplyAdd(y, x1, s21);
                    s22 = Vector512.FusedMultiplyAdd(y, x2, s22); s23 = Vector512.FusedMultiplyAdd(y, x3, s23);
                }
                if (rows > 3)
                {
                    y = Vector512.Load(a3 + p);
                    s30 = Vector512.FusedMultiplyAdd(y, x0, s30); s31 = Vector512.FusedMultiplyAdd(y, x1, s31);
                    s32 = Vector512.FusedMultiplyAdd(y, x2, s32); s33 = Vector512.FusedMultiplyAdd(y, x3, s33);
                }
            }
            if (rem != 0)
            {
                Vector512<float> x0 = Avx512F.MaskLoad(b0 + p, tail, default), x1 = Avx512F.MaskLoad(b1 + p, tail, default);
                Vector512<float> x2 = Avx512F.MaskLoad(b2 + p, tail, default), x3 = Avx512F.MaskLoad(b3 + p, tail, default);
                Vector512<float> y = Avx512F.MaskLoad(a0 + p, tail, default);
                s00 = Vector512.FusedMultiplyAdd(y, x0, s00); s01 = Vector512.FusedMultiplyAdd(y, x1, s01);
                s02 = Vector512.FusedMultiplyAdd(y, x2, s02); s03 = Vector512.FusedMultiplyAdd(y, x3, s03);
                if (rows > 1)
                {
                    y = Avx512F.MaskLoad(a1 + p, tail, default);
                    s10 = Vector512.FusedMultiplyAdd(y, x0, s10); s11 = Vector512.FusedMultiplyAdd(y, x1, s11);
                    s12 = Vector512.FusedMultiplyAdd(y, x2, s12); s13 = Vector512.FusedMultiplyAdd(y, x3, s13);
                }
                if (rows > 2)
                {
                    y = Avx512F.MaskLoad(a2 + p, tail, default);
                    s20 = Vector512.FusedMultiplyAdd(y, x0, s20); s21 = Vector512.FusedMultiplyAdd(y, x1, s21);
                    s22 = Vector512.FusedMultiplyAdd(y, x2, s22); s23 = Vector512.FusedMultiplyAdd(y, x3, s23);
                }
                if (rows > 3)
                {
                    y = Avx512F.MaskLoad(a3 + p, tail, default);
                    s30 = Vector512.FusedMultiplyAdd(y, x0, s30); s31 = Vector512.FusedMultiplyAdd(y, x1, s31);
                    s32 = Vector512.FusedMultiplyAdd(y, x2, s32); s33 = Vector512.FusedMultiplyAdd(y, x3, s33);
                }
            }
            Put4(c + j, Reduce4(s00, s01, s02, s03), add);
            if (rows > 1) Put4(c + ldc + j, Reduce4(s10, s11, s12, s13), add);
            if (rows > 2) Put4(c + 2 * ldc + j, Reduce4(s20, s21, s22, s23), add);
            if (rows > 3) Put4(c + 3 * ldc + j, Reduce4(s30, s31, s32, s33), add);
        }
        for (; j < n; j++)
        {
            float* b0 = b + j * ldb;
            Vector512<float> s0 = default, s1 = default, s2 = default, s3 = default;
            int p = 0;
            for (; p < kFull; p += 16)
            {
                Vector512<float> x0 = Vector512.Load(b0 + p);
                s0 = Vector512.FusedMultiplyAdd(Vector512.Load(a0 + p), x0, s0);
                if (rows > 1) s1 = Vector512.FusedMultiplyAdd(Vector512.Load(a1 + p), x0, s1);
                if (rows > 2) s2 = Vector512.FusedMultiplyAdd(Vector512.Load(a2 + p), x0, s2);
                if (rows > 3) s3 = Vector512.FusedMultiplyAdd(Vector512.Load(a3 + p), x0, s3);
            }
            if (rem != 0)
            {
                Vector512<float> x0 = Avx512F.MaskLoad(b0 + p, tail, default);
                s0 = Vector512.FusedMultiplyAdd(Avx512F.MaskLoad(a0 + p, tail, default), x0, s0);
                if (rows > 1) s1 = Vector512.FusedMultiplyAdd(Avx512F.MaskLoad(a1 + p, tail, default), x0, s1);
                if (rows > 2) s2 = Vector512.FusedMultiplyAdd(Avx512F.MaskLoad(a2 + p, tail, default), x0, s2);
                if (rows > 3) s3 = Vector512.FusedMultiplyAdd(Avx512F.MaskLoad(a3 + p, tail, default), x0, s3);
            }
            Put1(c + j, Vector512.Sum(s0), add);
            if (rows > 1) Put1(c + ldc + j, Vector512.Sum(s1), add);
            if (rows > 2) Put1(c + 2 * ldc + j, Vector512.Sum(s2), add);
            if (rows > 3) Put1(c + 3 * ldc + j, Vector512.Sum(s3), add);
        }
    }

    // One row (batch 1): eight rows of B per pass, so eight independent FMA chains hide the FMA
    // latency while the weight streams through once.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Gemv512(float* c, float* a, float* b, nint ldb, int n, int k, bool add)
    {
        int kFull = k & ~15;
        int rem = k - kFull;
        Vector512<float> tail = Vector512.LessThan(Vector512<int>.Indices, Vector512.Create(rem)).AsSingle();
        int j = 0;
        for (; j + 8 <= n; j += 8)
        {
            float* b0 = b + j * ldb, b1 = b0 + ldb, b2 = b1 + ldb, b3 = b2 + ldb;
            float* b4 = b3 + ldb, b5 = b4 + ldb, b6 = b5 + ldb, b7 = b6 + ldb;
            Vector512<float> s0 = default, s1 = default, s2 = default, s3 = default;
            Vector512<float> s4 = default, s5 = default, s6 = default, s7 = default;
            int p = 0;
            for (; p < kFull; p += 16)
            {
                Vector512<float> y = Vector512.Load(a + p);
                s0 = Vector512.FusedMultiplyAdd(y, Vector512.Load(b0 + p), s0);
                s1 = Vector512.FusedMultiplyAdd(y, Vector512.Load(b1 + p), s1);
                s2 = Vector512.FusedMultiplyAdd(y, Vector512.Load(b2 + p), s2);
                s3 = Vector512.FusedMultiplyAdd(y, Vector512.Load(b3 + p), s3);
                s4 = Vector512.FusedMultiplyAdd(y, Vector512.Load(b4 + p), s4);
                s5 = Vector512.FusedMultiplyAdd(y, Vector512.Load(b5 + p), s5);
                s6 = Vector512.FusedMultiplyAdd(y, Vector512.Load(b6 + p), s6);
                s7 = Vector512.FusedMultiplyAdd(y, Vector512.Load(b7 + p), s7);
            }
            if (rem != 0)
            {
                Vector512<float> y = Avx512F.MaskLoad(a + p, tail, default);
                s0 = Vector512.FusedMultiplyAdd(y, Avx512F.MaskLoad(b0 + p, tail, default), s0);
                s1 = Vector512.FusedMultiplyAdd(y, Avx512F.MaskLoad(b1 + p, tail, default), s1);
                s2 = Vector512.FusedMultiplyAdd(y, Avx512F.MaskLoad(b2 + p, tail, default), s2);
                s3 = Vector512.FusedMultiplyAdd(y, Avx512F.MaskLoad(b3 + p, tail, default), s3);
                s4 = Vector512.FusedMultiplyAdd(y, Avx512F.MaskLoad(b4 + p, tail, default), s4);
                s5 = Vector512.FusedMultiplyAdd(y, Avx512F.MaskLoad(b5 + p, tail, default), s5);
                s6 = Vector512.FusedMultiplyAdd(y, Avx512F.MaskLoad(b6 + p, tail, default), s6);
                s7 = Vector512.FusedMultiplyAdd(y, Avx512F.MaskLoad(b7 + p, tail, default), s7);
            }
            Put4(c + j, Reduce4(s0, s1, s2, s3), add);
            Put4(c + j + 4, Reduce4(s4, s5, s6, s7), add);
        }
        // The last n mod 8 columns: four, then one at a time.
        if (j < n) Dot512<One>(c + j, 0, a, 0, b + j * ldb, ldb, n - j, k, add);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Dot256<TRows>(float* c, nint ldc, float* a, nint lda, float* b, nint ldb, int n, int k, bool add)
        where TRows : struct, IConstant
    {
        // Same scheme as Dot512 with 8 lanes; 4×4 accumulators would not leave registers for the
        // operands, so two rows of A at a time.
        int rows = TRows.Value;
        for (int r = 0; r < rows; r += 2)
        {
            if (rows - r >= 2) Dot256Pair<Two>(c + r * ldc, ldc, a + r * lda, lda, b, ldb, n, k, add);
            else Dot256Pair<One>(c + r * ldc, ldc, a + r * lda, lda, b, ldb, n, k, add);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Dot256Pair<TRows>(float* c, nint ldc, float* a, nint lda, float* b, nint ldb, int n, int k, bool add)
        where TRows : struct, IConstant
    {
        int rows = TRows.Value;
        int kFull = k & ~7;
        int rem = k - kFull;
        Vector256<float> tail = Vector256.LessThan(Vector256<int>.Indices, Vector256.Create(rem)).AsSingle();
        float* a0 = a, a1 = a + lda;
        int j = 0;
        for (; j + 4 <= n; j += 4)
        {
            float* b0 = b + j * ldb, b1 = b0 + ldb, b2 = b1 + ldb, b3 = b2 + ldb;
            Vector256<float> s00 = default, s01 = default, s02 = default, s03 = default;
            Vector256<float> s10 = default, s11 = default, s12 = default, s13 = default;
            int p = 0;
            for (; p < kFull; p += 8)
            {
                Vector256<float> x0 = Vector256.Load(b0 + p), x1 = Vector256.Load(b1 + p);
                Vector256<float> x2 = Vector256.Load(b2 + p), x3 = Vector256.Load(b3 + p);
                Vector256<float> y = Vector256.Load(a0 + p);
                s00 = Fma.MultiplyAdd(y, x0, s00); s01 = Fma.MultiplyAdd(y, x1, s01);
                s02 = Fma.MultiplyAdd(y, x2, s02); s03 = Fma.MultiplyAdd(y, x3, s03);
                if (rows > 1)
                {
                    y = Vector256.Load(a1 + p);
                    s10 = Fma.MultiplyAdd(y, x0, s10); s11 = Fma.MultiplyAdd(y, x1, s11);
                    s12 = Fma.MultiplyAdd(y, x2, s12); s13 = Fma.MultiplyAdd(y, x3, s13);
                }
            }
            if (rem != 0)
            {
                Vector256<float> x0 = Avx.MaskLoad(b0 + p, tail), x1 = Avx.MaskLoad(b1 + p, tail);
                Vector256<float> x2 = Avx.MaskLoad(b2 + p, tail), x3 = Avx.MaskLoad(b3 + p, tail);
                Vector256<float> y = Avx.MaskLoad(a0 + p, tail);
                s00 = Fma.MultiplyAdd(y, x0, s00); s01 = Fma.MultiplyAdd(y, x1, s01);
                s02 = Fma.MultiplyAdd(y, x2, s02); s03 = Fma.MultiplyAdd(y, x3, s03);
                if (rows > 1)
                {
                    y = Avx.MaskLoad(a1 + p, tail);
                    s10 = Fma.MultiplyAdd(y, x0, s10); s11 = Fma.MultiplyAdd(y, x1, s11);
                    s12 = Fma.MultiplyAdd(y, x2, s12); s13 = Fma.MultiplyAdd(y, x3, s13);
                }
            }
            Put4(c + j, Reduce4(s00, s01, s02, s03), add);
            if (rows > 1) Put4(c + ldc + j, Reduce4(s10, s11, s12, s13), add);
        }
        for (; j < n; j++)
        {
            float* b0 = b + j * ldb;
            Vector256<float> s0 = default, s1 = default;
            int p = 0;
            for (; p < kFull; p += 8)
            {
                Vector256<float> x0 = Vector256.Load(b0 + p);
                s0 = Fma.MultiplyAdd(Vector256.Load(a0 + p), x0, s0);
                if (rows > 1) s1 = Fma.MultiplyAdd(Vector256.Load(a1 + p), x0, s1);
            }
            if (rem != 0)
            {
                Vector256<float> x0 = Avx.MaskLoad(b0 + p, tail);
                s0 = Fma.MultiplyAdd(Avx.MaskLoad(a0 + p, tail), x0, s0);
                if (rows > 1) s1 = Fma.MultiplyAdd(Avx.MaskLoad(a1 + p, tail), x0, s1);
            }
            Put1(c + j, Vector256.Sum(s0), add);
            if (rows > 1) Put1(c + ldc + j, Vector256.Sum(s1), add);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void DotScalar(float* c, nint ldc, float* a, nint lda, float* b, nint ldb, int m, int n, int k, bool add)
    {
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++)
            {
                float* ai = a + i * lda, bj = b + j * ldb;
                float s = 0f;
                for (int p = 0; p < k; p++) s = MathF.FusedMultiplyAdd(ai[p], bj[p], s);
                Put1(c + i * ldc + j, s, add);
            }
    }

    // Four horizontal sums at once: [Σv0, Σv1, Σv2, Σv3].
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<float> Reduce4(Vector512<float> v0, Vector512<float> v1, Vector512<float> v2, Vector512<float> v3) =>
        Reduce4(v0.GetLower() + v0.GetUpper(), v1.GetLower() + v1.GetUpper(),
                v2.GetLower() + v2.GetUpper(), v3.GetLower() + v3.GetUpper());

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<float> Reduce4(Vector256<float> v0, Vector256<float> v1, Vector256<float> v2, Vector256<float> v3)
    {
        // hadd(x, y) = [x0+x1, x2+x3, y0+y1, y2+y3 | same for the high 128 bits].
        Vector256<float> h = Avx.HorizontalAdd(Avx.HorizontalAdd(v0, v1), Avx.HorizontalAdd(v2, v3));
        return h.GetLower() + h.GetUpper();
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Put4(float* c, Vector128<float> v, bool add)
    {
        if (add) v += Vector128.Load(c);
        Vector128.Store(v, c);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Put1(float* c, float v, bool add) => *c = add ? *c + v : v;

    // ---------------------------------------------------------------------------------------
    // Axpy: 64 columns of C per pass held in registers for all rows; each p broadcasts op(A)[i,p]
    // and adds it times 64 floats of B row p. Narrower passes (16 columns, then a masked rest)
    // finish the row.
    // ---------------------------------------------------------------------------------------

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Axpy512<TRows>(float* c, nint ldc, float* a, nint rsA, nint csA, float* b, nint ldb, int n, int k, bool add)
        where TRows : struct, IConstant
    {
        int rows = TRows.Value;
        float* a0 = a, a1 = a + rsA, a2 = a + 2 * rsA, a3 = a + 3 * rsA;
        float* c0 = c, c1 = c + ldc, c2 = c + 2 * ldc, c3 = c + 3 * ldc;
        int j = 0;
        for (; j + 64 <= n; j += 64)
        {
            Vector512<float> s00 = default, s01 = default, s02 = default, s03 = default;
            Vector512<float> s10 = default, s11 = default, s12 = default, s13 = default;
            Vector512<float> s20 = default, s21 = default, s22 = default, s23 = default;
            Vector512<float> s30 = default, s31 = default, s32 = default, s33 = default;
            float* bp = b + j;
            for (int p = 0; p < k; p++, bp += ldb)
            {
                Vector512<float> x0 = Vector512.Load(bp), x1 = Vector512.Load(bp + 16);
                Vector512<float> x2 = Vector512.Load(bp + 32), x3 = Vector512.Load(bp + 48);
                nint o = p * csA;
                Vector512<float> y = Vector512.Create(a0[o]);
                s00 = Vector512.FusedMultiplyAdd(y, x0, s00); s01 = Vector512.FusedMultiplyAdd(y, x1, s01);
                s02 = Vector512.FusedMultiplyAdd(y, x2, s02); s03 = Vector512.FusedMultiplyAdd(y, x3, s03);
                if (rows > 1)
                {
                    y = Vector512.Create(a1[o]);
                    s10 = Vector512.FusedMultiplyAdd(y, x0, s10); s11 = Vector512.FusedMultiplyAdd(y, x1, s11);
                    s12 = Vector512.FusedMultiplyAdd(y, x2, s12); s13 = Vector512.FusedMultiplyAdd(y, x3, s13);
                }
                if (rows > 2)
                {
                    y = Vector512.Create(a2[o]);
                    s20 = Vector512.FusedMultiplyAdd(y, x0, s20); s21 = Vector512.FusedMultiplyAdd(y, x1, s21);
                    s22 = Vector512.FusedMultiplyAdd(y, x2, s22); s23 = Vector512.FusedMultiplyAdd(y, x3, s23);
                }
                if (rows > 3)
                {
                    y = Vector512.Create(a3[o]);
                    s30 = Vector512.FusedMultiplyAdd(y, x0, s30); s31 = Vector512.FusedMultiplyAdd(y, x1, s31);
                    s32 = Vector512.FusedMultiplyAdd(y, x2, s32); s33 = Vector512.FusedMultiplyAdd(y, x3, s33);
                }
            }
            Put64(c0 + j, s00, s01, s02, s03, add);
            if (rows > 1) Put64(c1 + j, s10, s11, s12, s13, add);
            if (rows > 2) Put64(c2 + j, s20, s21, s22, s23, add);
            if (rows > 3) Put64(c3 + j, s30, s31, s32, s33, add);
        }
        for (; j < n; j += 16)
        {
            int w = Math.Min(16, n - j);
            Vector512<float> mask = Vector512.LessThan(Vector512<int>.Indices, Vector512.Create(w)).AsSingle();
            Vector512<float> s0 = default, s1 = default, s2 = default, s3 = default;
            float* bp = b + j;
            for (int p = 0; p < k; p++, bp += ldb)
            {
                Vector512<float> x0 = Avx512F.MaskLoad(bp, mask, default);
                nint o = p * csA;
                s0 = Vector512.FusedMultiplyAdd(Vector512.Create(a0[o]), x0, s0);
                if (rows > 1) s1 = Vector512.FusedMultiplyAdd(Vector512.Create(a1[o]), x0, s1);
                if (rows > 2) s2 = Vector512.FusedMultiplyAdd(Vector512.Create(a2[o]), x0, s2);
                if (rows > 3) s3 = Vector512.FusedMultiplyAdd(Vector512.Create(a3[o]), x0, s3);
            }
            PutMasked(c0 + j, s0, mask, add);
            if (rows > 1) PutMasked(c1 + j, s1, mask, add);
            if (rows > 2) PutMasked(c2 + j, s2, mask, add);
            if (rows > 3) PutMasked(c3 + j, s3, mask, add);
        }
    }

    // One row (batch 1): 128 columns per pass in eight accumulators (eight FMA chains), then the
    // general routine for the rest.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Axpy512Row(float* c, float* a, nint csA, float* b, nint ldb, int n, int k, bool add)
    {
        int j = 0;
        for (; j + 128 <= n; j += 128)
        {
            Vector512<float> s0 = default, s1 = default, s2 = default, s3 = default;
            Vector512<float> s4 = default, s5 = default, s6 = default, s7 = default;
            float* bp = b + j;
            for (int p = 0; p < k; p++, bp += ldb)
            {
                Vector512<float> y = Vector512.Create(a[p * csA]);
                s0 = Vector512.FusedMultiplyAdd(y, Vector512.Load(bp), s0);
                s1 = Vector512.FusedMultiplyAdd(y, Vector512.Load(bp + 16), s1);
                s2 = Vector512.FusedMultiplyAdd(y, Vector512.Load(bp + 32), s2);
                s3 = Vector512.FusedMultiplyAdd(y, Vector512.Load(bp + 48), s3);
                s4 = Vector512.FusedMultiplyAdd(y, Vector512.Load(bp + 64), s4);
                s5 = Vector512.FusedMultiplyAdd(y, Vector512.Load(bp + 80), s5);
                s6 = Vector512.FusedMultiplyAdd(y, Vector512.Load(bp + 96), s6);
                s7 = Vector512.FusedMultiplyAdd(y, Vector512.Load(bp + 112), s7);
            }
            Put64(c + j, s0, s1, s2, s3, add);
            Put64(c + j + 64, s4, s5, s6, s7, add);
        }
        if (j < n) Axpy512<One>(c + j, 0, a, 0, csA, b + j, ldb, n - j, k, add);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Put64(float* c, Vector512<float> v0, Vector512<float> v1, Vector512<float> v2, Vector512<float> v3, bool add)
    {
        if (add)
        {
            v0 += Vector512.Load(c); v1 += Vector512.Load(c + 16);
            v2 += Vector512.Load(c + 32); v3 += Vector512.Load(c + 48);
        }
        Vector512.Store(v0, c); Vector512.Store(v1, c + 16);
        Vector512.Store(v2, c + 32); Vector512.Store(v3, c + 48);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void PutMasked(float* c, Vector512<float> v, Vector512<float> mask, bool add)
    {
        if (add) v += Avx512F.MaskLoad(c, mask, default);
        Avx512F.MaskStore(c, mask, v);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Axpy256<TRows>(float* c, nint ldc, float* a, nint rsA, nint csA, float* b, nint ldb, int n, int k, bool add)
        where TRows : struct, IConstant
    {
        // 32 columns per pass (4 ymm per row, 16 accumulators would leave no room): two rows at a time.
        int rows = TRows.Value;
        for (int r = 0; r < rows; r += 2)
        {
            if (rows - r >= 2) Axpy256Pair<Two>(c + r * ldc, ldc, a + r * rsA, rsA, csA, b, ldb, n, k, add);
            else Axpy256Pair<One>(c + r * ldc, ldc, a + r * rsA, rsA, csA, b, ldb, n, k, add);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Axpy256Pair<TRows>(float* c, nint ldc, float* a, nint rsA, nint csA, float* b, nint ldb, int n, int k, bool add)
        where TRows : struct, IConstant
    {
        int rows = TRows.Value;
        float* a0 = a, a1 = a + rsA;
        float* c0 = c, c1 = c + ldc;
        int j = 0;
        for (; j + 32 <= n; j += 32)
        {
            Vector256<float> s00 = default, s01 = default, s02 = default, s03 = default;
            Vector256<float> s10 = default, s11 = default, s12 = default, s13 = default;
            float* bp = b + j;
            for (int p = 0; p < k; p++, bp += ldb)
            {
                Vector256<float> x0 = Vector256.Load(bp), x1 = Vector256.Load(bp + 8);
                Vector256<float> x2 = Vector256.Load(bp + 16), x3 = Vector256.Load(bp + 24);
                nint o = p * csA;
                Vector256<float> y = Vector256.Create(a0[o]);
                s00 = Fma.MultiplyAdd(y, x0, s00); s01 = Fma.MultiplyAdd(y, x1, s01);
                s02 = Fma.MultiplyAdd(y, x2, s02); s03 = Fma.MultiplyAdd(y, x3, s03);
                if (rows > 1)
                {
                    y = Vector256.Create(a1[o]);
                    s10 = Fma.MultiplyAdd(y, x0, s10); s11 = Fma.MultiplyAdd(y, x1, s11);
                    s12 = Fma.MultiplyAdd(y, x2, s12); s13 = Fma.MultiplyAdd(y, x3, s13);
                }
            }
            Put32(c0 + j, s00, s01, s02, s03, add);
            if (rows > 1) Put32(c1 + j, s10, s11, s12, s13, add);
        }
        for (; j < n; j += 8)
        {
            int w = Math.Min(8, n - j);
            Vector256<float> mask = Vector256.LessThan(Vector256<int>.Indices, Vector256.Create(w)).AsSingle();
            Vector256<float> s0 = default, s1 = default;
            float* bp = b + j;
            for (int p = 0; p < k; p++, bp += ldb)
            {
                Vector256<float> x0 = Avx.MaskLoad(bp, mask);
                nint o = p * csA;
                s0 = Fma.MultiplyAdd(Vector256.Create(a0[o]), x0, s0);
                if (rows > 1) s1 = Fma.MultiplyAdd(Vector256.Create(a1[o]), x0, s1);
            }
            if (add) s0 += Avx.MaskLoad(c0 + j, mask);
            Avx.MaskStore(c0 + j, mask, s0);
            if (rows > 1)
            {
                if (add) s1 += Avx.MaskLoad(c1 + j, mask);
                Avx.MaskStore(c1 + j, mask, s1);
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Put32(float* c, Vector256<float> v0, Vector256<float> v1, Vector256<float> v2, Vector256<float> v3, bool add)
    {
        if (add)
        {
            v0 += Vector256.Load(c); v1 += Vector256.Load(c + 8);
            v2 += Vector256.Load(c + 16); v3 += Vector256.Load(c + 24);
        }
        Vector256.Store(v0, c); Vector256.Store(v1, c + 8);
        Vector256.Store(v2, c + 16); Vector256.Store(v3, c + 24);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void AxpyScalar(float* c, nint ldc, float* a, nint rsA, nint csA, float* b, nint ldb, int m, int n, int k, bool add)
    {
        for (int i = 0; i < m; i++)
        {
            float* ci = c + i * ldc;
            if (!add) new Span<float>(ci, n).Clear();
            for (int p = 0; p < k; p++)
            {
                float aip = a[i * rsA + p * csA];
                float* bp = b + p * ldb;
                for (int j = 0; j < n; j++) ci[j] = MathF.FusedMultiplyAdd(aip, bp[j], ci[j]);
            }
        }
    }
}
