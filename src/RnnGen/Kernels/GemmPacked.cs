using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace RnnGen.Kernels;

/// <summary>Which SIMD width the matrix kernels use. Chosen once from the hardware; tests may lower it.</summary>
internal enum GemmIsa
{
    /// <summary>Plain scalar loops (no usable SIMD).</summary>
    Scalar = 0,
    /// <summary>Vector256 with FMA (AVX2-class hardware).</summary>
    Vector256 = 1,
    /// <summary>Vector512 (AVX-512 hardware).</summary>
    Vector512 = 2,
}

/// <summary>Instruction-set selection shared by all matrix kernels.</summary>
internal static class GemmDispatch
{
    /// <summary>The widest kernel family the hardware runs natively.</summary>
    internal static readonly GemmIsa Best =
        Vector512.IsHardwareAccelerated && Avx512F.IsSupported ? GemmIsa.Vector512
        : Vector256.IsHardwareAccelerated && Fma.IsSupported && Avx.IsSupported ? GemmIsa.Vector256
        : GemmIsa.Scalar;

    // 0 = no limit; otherwise (int)limit + 1. Thread-static so that tests running in parallel
    // on other threads are unaffected by a test that narrows the kernels on its own thread.
    [ThreadStatic] private static int t_limit;

    /// <summary>The kernel family for calls made on this thread.</summary>
    internal static GemmIsa Current
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get
        {
            int limit = t_limit;
            return limit == 0 || limit - 1 >= (int)Best ? Best : (GemmIsa)(limit - 1);
        }
    }

    /// <summary>Caps the kernel family for calls on the current thread (tests); null lifts the cap.</summary>
    internal static void LimitCurrentThread(GemmIsa? limit) => t_limit = limit is null ? 0 : (int)limit.Value + 1;
}

/// <summary>
/// Packing buffers for the blocked product, one pair per thread, grown on demand and then reused:
/// a steady-state call allocates nothing. The arrays live on the pinned object heap, so their
/// addresses (and the 64-byte alignment computed from them) never change.
/// </summary>
internal sealed unsafe class GemmWorkspace
{
    [ThreadStatic] private static GemmWorkspace? t_current;

    private float[] _a = [];
    private float[] _b = [];
    private float* _pa;
    private float* _pb;

    /// <summary>The calling thread's workspace.</summary>
    internal static GemmWorkspace Current => t_current ??= new GemmWorkspace();

    /// <summary>A 64-byte aligned buffer of at least <paramref name="length"/> floats for packed A.</summary>
    internal float* A(int length)
    {
        if (_a.Length - 16 < length) _pa = Grow(ref _a, length);
        return _pa;
    }

    /// <summary>A 64-byte aligned buffer of at least <paramref name="length"/> floats for packed B.</summary>
    internal float* B(int length)
    {
        if (_b.Length - 16 < length) _pb = Grow(ref _b, length);
        return _pb;
    }

    private static float* Grow(ref float[] array, int length)
    {
        array = GC.AllocateUninitializedArray<float>(length + 16, pinned: true);
        nuint address = (nuint)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(array));
        return (float*)((address + 63) & ~(nuint)63);
    }
}

/// <summary>
/// Cache-blocked, packed single-precision product C (+)= op(A)·op(B) in the BLIS/GotoBLAS shape.
/// Operands are described by strides, so one driver serves all three transpositions:
/// op(A)[i,p] = a[i·rsA + p·csA] and op(B)[p,j] = b[p·rsB + j·csB]; C is row-major with row stride ldc.
/// <para>
/// Loops, outermost first: jc over columns of C in blocks of <see cref="NC"/>; pc over the
/// reduction in blocks of at most <see cref="KC"/> (pack op(B)[pc, jc] into NR-wide panels, kept in
/// L2/L3); ic over rows in blocks of at most <see cref="MC"/> (pack op(A)[ic, pc] into MR-high panels,
/// kept in L2); jr over NR-wide panels (one stays in L1); ir over MR-high panels: the micro-kernel
/// adds an MR×NR tile held in registers. Partial tiles at the right and bottom edges are computed
/// into a scratch tile from zero-padded panels and then added to C element by element.
/// </para>
/// </summary>
internal static unsafe class GemmPacked
{
    /// <summary>Rows of the register tile (height of a packed A panel).</summary>
    internal const int MR = 8;
    /// <summary>Columns of the register tile (width of a packed B panel): two Vector512.</summary>
    internal const int NR = 32;
    /// <summary>Largest reduction block: an NR-wide B panel of KC rows (32 KiB) stays in L1.</summary>
    internal const int KC = 256;
    /// <summary>Largest row block: an MC×KC block of packed A (144 KiB) stays in L2.</summary>
    internal const int MC = 144;
    /// <summary>Largest column block: a KC×NC block of packed B (4 MiB) stays in L3.</summary>
    internal const int NC = 4096;

    /// <summary>C (+)= op(A)·op(B) for the described operands (see the type remarks).</summary>
    internal static void Multiply(float* c, nint ldc, float* a, nint rsA, nint csA, float* b, nint rsB, nint csB,
                                  int m, int n, int k, bool accumulate, GemmIsa isa) =>
        Multiply(c, ldc, a, rsA, csA, b, rsB, csB, null, 0, 0, m, n, k, accumulate, isa);

    /// <summary>
    /// C (+)= op(A)·op(B)[:, j0 : j0+n] where op(B) was packed once by <see cref="PackWhole"/> into
    /// <paramref name="packed"/>; <paramref name="paddedColumns"/> is its ⌈columns/NR⌉·NR and
    /// <paramref name="j0"/>, the first column used, is a multiple of <see cref="NR"/>.
    /// </summary>
    internal static void MultiplyPrepacked(float* c, nint ldc, float* a, nint rsA, nint csA, float* packed, nint paddedColumns, int j0,
                                           int m, int n, int k, bool accumulate, GemmIsa isa) =>
        Multiply(c, ldc, a, rsA, csA, null, 0, 0, packed, paddedColumns, j0, m, n, k, accumulate, isa);

    /// <summary>Floats that <see cref="PackWhole"/> writes for op(B) of k×n.</summary>
    internal static long PackedLength(int n, int k) => (long)RoundUp(n, NR) * k;

    /// <summary>
    /// Packs all of op(B)[k×n] once, for <see cref="MultiplyPrepacked"/>: reduction blocks of
    /// <see cref="KcStep"/> rows one after the other, each as ⌈n/NR⌉ panels of NR columns (the layout
    /// <see cref="Multiply(float*, nint, float*, nint, nint, float*, nint, nint, int, int, int, bool, GemmIsa)"/>
    /// builds per call). The layout does not depend on the instruction set.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void PackWhole(float* dst, float* b, nint rsB, nint csB, int k, int n, GemmIsa isa)
    {
        if (k == 0 || n == 0) return;
        int kcStep = KcStep(k);
        nint paddedColumns = RoundUp(n, NR);
        for (int pc = 0; pc < k; pc += kcStep)
            PackB(dst + pc * paddedColumns, b + pc * rsB, rsB, csB, Math.Min(kcStep, k - pc), n, isa);
    }

    /// <summary>Rows per reduction block for reduction length k: the blocks are balanced (k = 257
    /// gives 136 + 121 rather than 256 + 1) and a multiple of 8, which keeps the transposing pack on
    /// its 8×8 path.</summary>
    internal static int KcStep(int k)
    {
        int kBlocks = (k + KC - 1) / KC;
        return RoundUp((k + kBlocks - 1) / kBlocks, 8);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Multiply(float* c, nint ldc, float* a, nint rsA, nint csA, float* b, nint rsB, nint csB,
                                 float* prepacked, nint paddedColumns, int j0, int m, int n, int k, bool accumulate, GemmIsa isa)
    {
        if (m == 0 || n == 0) return;
        if (k == 0)
        {
            if (!accumulate) for (int i = 0; i < m; i++) new Span<float>(c + i * ldc, n).Clear();
            return;
        }

        int kcStep = KcStep(k);
        int mBlocks = (m + MC - 1) / MC;
        int mcStep = RoundUp((m + mBlocks - 1) / mBlocks, MR);
        int ncStep = Math.Min(RoundUp(n, NR), NC);

        GemmWorkspace ws = GemmWorkspace.Current;
        float* packA = ws.A(mcStep * kcStep);
        float* packB = prepacked == null ? ws.B(ncStep * kcStep) : null;
        float* tile = stackalloc float[MR * NR + 16];
        tile = (float*)(((nuint)tile + 63) & ~(nuint)63);

        for (int jc = 0; jc < n; jc += ncStep)
        {
            int nc = Math.Min(ncStep, n - jc);
            for (int pc = 0; pc < k; pc += kcStep)
            {
                int kc = Math.Min(kcStep, k - pc);
                bool add = accumulate || pc != 0;
                if (prepacked == null) PackB(packB, b + pc * rsB + jc * csB, rsB, csB, kc, nc, isa);
                else packB = prepacked + pc * paddedColumns + (j0 + jc) * kc;
                for (int ic = 0; ic < m; ic += mcStep)
                {
                    int mc = Math.Min(mcStep, m - ic);
                    PackA(packA, a + ic * rsA + pc * csA, rsA, csA, mc, kc, isa);
                    for (int jr = 0; jr < nc; jr += NR)
                    {
                        int nr = Math.Min(NR, nc - jr);
                        float* pb = packB + jr * kc;
                        for (int ir = 0; ir < mc; ir += MR)
                        {
                            int mr = Math.Min(MR, mc - ir);
                            float* pa = packA + ir * kc;
                            float* ct = c + (ic + ir) * ldc + jc + jr;
                            if (mr == MR && nr == NR)
                            {
                                Tile(isa, kc, pa, pb, ct, ldc, add);
                            }
                            else
                            {
                                Tile(isa, kc, pa, pb, tile, NR, false);
                                for (int r = 0; r < mr; r++)
                                {
                                    float* src = tile + r * NR;
                                    float* dst = ct + r * ldc;
                                    if (add) for (int j = 0; j < nr; j++) dst[j] += src[j];
                                    else for (int j = 0; j < nr; j++) dst[j] = src[j];
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int RoundUp(int value, int multiple) => (value + multiple - 1) / multiple * multiple;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Tile(GemmIsa isa, int kc, float* pa, float* pb, float* c, nint ldc, bool add)
    {
        if (isa == GemmIsa.Vector512) Kernel512(kc, pa, pb, c, ldc, add);
        else if (isa == GemmIsa.Vector256) Kernel256(kc, pa, pb, c, ldc, add);
        else KernelScalar(kc, pa, pb, c, ldc, add);
    }

    // ---------------------------------------------------------------------------------------
    // Packing. Packed A: panels of MR rows; panel q holds element (r, p) at q·MR·kc + p·MR + r.
    // Packed B: panels of NR columns; panel q holds element (p, j) at q·NR·kc + p·NR + j.
    // Rows (columns) beyond the matrix edge are zero, so edge tiles need no special kernel.
    // ---------------------------------------------------------------------------------------

    // dst[⌈mc/MR⌉·MR × kc] ← op(A)[mc × kc], op(A)[i,p] = a[i·rsA + p·csA]
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void PackA(float* dst, float* a, nint rsA, nint csA, int mc, int kc, GemmIsa isa)
    {
        int fullPanels = isa == GemmIsa.Scalar ? 0 : mc / MR;
        nint panel = (nint)MR * kc;
        if (rsA == 1 && fullPanels > 0)
        {
            // op(A) columns are contiguous along i (AtB): read each p's row segment once, front to
            // back, and deal it out eight floats per panel. (Panel by panel would walk down a column
            // of A, one cache line and often one page per p.)
            for (int p = 0; p < kc; p++)
            {
                float* s = a + p * csA;
                float* d = dst + p * MR;
                for (int q = 0; q < fullPanels; q++, s += MR, d += panel) Vector256.Store(Vector256.Load(s), d);
            }
        }
        else if (csA == 1 && fullPanels > 0)
        {
            // op(A) rows are contiguous along p (ABt, AB): transpose 8×8 blocks.
            for (int q = 0; q < fullPanels; q++)
            {
                float* s = a + q * MR * rsA;
                float* d = dst + q * panel;
                int p = 0;
                for (; p + 8 <= kc; p += 8) Transpose8x8(s + p, rsA, d + p * MR, MR);
                for (; p < kc; p++)
                    for (int r = 0; r < MR; r++) d[p * MR + r] = s[r * rsA + p];
            }
        }
        else
        {
            fullPanels = 0;
        }

        // Panels not done above (the partial last one, or all of them on the scalar path).
        for (int i0 = fullPanels * MR; i0 < mc; i0 += MR)
        {
            int mr = Math.Min(MR, mc - i0);
            float* src = a + i0 * rsA;
            float* d0 = dst + (i0 / MR) * panel;
            for (int p = 0; p < kc; p++)
            {
                float* d = d0 + p * MR;
                float* s = src + p * csA;
                int r = 0;
                for (; r < mr; r++) d[r] = s[r * rsA];
                for (; r < MR; r++) d[r] = 0f;
            }
        }
    }

    // dst[kc × ⌈nc/NR⌉·NR] ← op(B)[kc × nc], op(B)[p,j] = b[p·rsB + j·csB]
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void PackB(float* dst, float* b, nint rsB, nint csB, int kc, int nc, GemmIsa isa)
    {
        int fullPanels = isa == GemmIsa.Scalar ? 0 : nc / NR;
        nint panel = (nint)NR * kc;
        if (csB == 1 && fullPanels > 0)
        {
            // Rows of B are contiguous along j (AB, AtB): read each row segment once, front to back,
            // and deal it out 32 floats per panel.
            for (int p = 0; p < kc; p++)
            {
                float* s = b + p * rsB;
                float* d = dst + p * NR;
                if (isa == GemmIsa.Vector512)
                {
                    for (int q = 0; q < fullPanels; q++, s += NR, d += panel)
                    {
                        Vector512.Store(Vector512.Load(s), d);
                        Vector512.Store(Vector512.Load(s + 16), d + 16);
                    }
                }
                else
                {
                    for (int q = 0; q < fullPanels; q++, s += NR, d += panel)
                    {
                        Vector256.Store(Vector256.Load(s), d);
                        Vector256.Store(Vector256.Load(s + 8), d + 8);
                        Vector256.Store(Vector256.Load(s + 16), d + 16);
                        Vector256.Store(Vector256.Load(s + 24), d + 24);
                    }
                }
            }
        }
        else if (rsB == 1 && fullPanels > 0)
        {
            // Columns of op(B) — rows of the stored matrix (ABt) — are contiguous along p:
            // transpose 8×8 blocks, eight columns at a time.
            for (int q = 0; q < fullPanels; q++)
            {
                for (int j = 0; j < NR; j += 8)
                {
                    float* s = b + (q * NR + j) * csB;
                    float* d = dst + q * panel + j;
                    int p = 0;
                    for (; p + 8 <= kc; p += 8) Transpose8x8(s + p, csB, d + p * NR, NR);
                    for (; p < kc; p++)
                        for (int jj = 0; jj < 8; jj++) d[p * NR + jj] = s[jj * csB + p];
                }
            }
        }
        else
        {
            fullPanels = 0;
        }

        // Panels not done above (the partial last one, or all of them on the scalar path).
        for (int j0 = fullPanels * NR; j0 < nc; j0 += NR)
        {
            int nr = Math.Min(NR, nc - j0);
            float* src = b + j0 * csB;
            float* d0 = dst + (j0 / NR) * panel;
            for (int p = 0; p < kc; p++)
            {
                float* d = d0 + p * NR;
                float* s = src + p * rsB;
                int j = 0;
                for (; j < nr; j++) d[j] = s[j * csB];
                for (; j < NR; j++) d[j] = 0f;
            }
        }
    }

    // dst[c·ldd + r] = src[r·lds + c] for r, c < 8 (x86 AVX shuffles).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Transpose8x8(float* src, nint lds, float* dst, nint ldd)
    {
        Vector256<float> r0 = Avx.LoadVector256(src);
        Vector256<float> r1 = Avx.LoadVector256(src + lds);
        Vector256<float> r2 = Avx.LoadVector256(src + 2 * lds);
        Vector256<float> r3 = Avx.LoadVector256(src + 3 * lds);
        Vector256<float> r4 = Avx.LoadVector256(src + 4 * lds);
        Vector256<float> r5 = Avx.LoadVector256(src + 5 * lds);
        Vector256<float> r6 = Avx.LoadVector256(src + 6 * lds);
        Vector256<float> r7 = Avx.LoadVector256(src + 7 * lds);

        // Interleave pairs of rows: t0 = a0 b0 a1 b1 | a4 b4 a5 b5, t1 = a2 b2 a3 b3 | a6 b6 a7 b7 ...
        Vector256<float> t0 = Avx.UnpackLow(r0, r1), t1 = Avx.UnpackHigh(r0, r1);
        Vector256<float> t2 = Avx.UnpackLow(r2, r3), t3 = Avx.UnpackHigh(r2, r3);
        Vector256<float> t4 = Avx.UnpackLow(r4, r5), t5 = Avx.UnpackHigh(r4, r5);
        Vector256<float> t6 = Avx.UnpackLow(r6, r7), t7 = Avx.UnpackHigh(r6, r7);

        // Gather quads: u0 = a0 b0 c0 d0 | a4 b4 c4 d4 ...
        Vector256<float> u0 = Avx.Shuffle(t0, t2, 0x44), u1 = Avx.Shuffle(t0, t2, 0xEE);
        Vector256<float> u2 = Avx.Shuffle(t1, t3, 0x44), u3 = Avx.Shuffle(t1, t3, 0xEE);
        Vector256<float> u4 = Avx.Shuffle(t4, t6, 0x44), u5 = Avx.Shuffle(t4, t6, 0xEE);
        Vector256<float> u6 = Avx.Shuffle(t5, t7, 0x44), u7 = Avx.Shuffle(t5, t7, 0xEE);

        // Join 128-bit halves of rows 0–3 and 4–7.
        Avx.Store(dst, Avx.Permute2x128(u0, u4, 0x20));
        Avx.Store(dst + ldd, Avx.Permute2x128(u1, u5, 0x20));
        Avx.Store(dst + 2 * ldd, Avx.Permute2x128(u2, u6, 0x20));
        Avx.Store(dst + 3 * ldd, Avx.Permute2x128(u3, u7, 0x20));
        Avx.Store(dst + 4 * ldd, Avx.Permute2x128(u0, u4, 0x31));
        Avx.Store(dst + 5 * ldd, Avx.Permute2x128(u1, u5, 0x31));
        Avx.Store(dst + 6 * ldd, Avx.Permute2x128(u2, u6, 0x31));
        Avx.Store(dst + 7 * ldd, Avx.Permute2x128(u3, u7, 0x31));
    }

    // ---------------------------------------------------------------------------------------
    // Micro-kernels: C[MR×NR] (+)= Apanel[kc × MR]ᵀ · Bpanel[kc × NR], both panels packed.
    // ---------------------------------------------------------------------------------------

    // 8×32 tile in 16 zmm accumulators; per p: two B loads, eight broadcasts, sixteen FMAs.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Kernel512(int kc, float* pa, float* pb, float* c, nint ldc, bool add)
    {
        // The C tile is read only after the loop: start fetching it now (it is usually in L2 or L3).
        if (Sse.IsSupported)
        {
            for (int r = 0; r < MR; r++)
            {
                Sse.Prefetch0(c + r * ldc);
                Sse.Prefetch0(c + r * ldc + 16);
            }
        }
        Vector512<float> c00 = default, c01 = default, c10 = default, c11 = default;
        Vector512<float> c20 = default, c21 = default, c30 = default, c31 = default;
        Vector512<float> c40 = default, c41 = default, c50 = default, c51 = default;
        Vector512<float> c60 = default, c61 = default, c70 = default, c71 = default;

        for (int p = 0; p < kc; p++)
        {
            Vector512<float> b0 = Vector512.Load(pb);
            Vector512<float> b1 = Vector512.Load(pb + 16);
            Vector512<float> av = Vector512.Create(pa[0]);
            c00 = Vector512.FusedMultiplyAdd(av, b0, c00);
            c01 = Vector512.FusedMultiplyAdd(av, b1, c01);
            av = Vector512.Create(pa[1]);
            c10 = Vector512.FusedMultiplyAdd(av, b0, c10);
            c11 = Vector512.FusedMultiplyAdd(av, b1, c11);
            av = Vector512.Create(pa[2]);
            c20 = Vector512.FusedMultiplyAdd(av, b0, c20);
            c21 = Vector512.FusedMultiplyAdd(av, b1, c21);
            av = Vector512.Create(pa[3]);
            c30 = Vector512.FusedMultiplyAdd(av, b0, c30);
            c31 = Vector512.FusedMultiplyAdd(av, b1, c31);
            av = Vector512.Create(pa[4]);
            c40 = Vector512.FusedMultiplyAdd(av, b0, c40);
            c41 = Vector512.FusedMultiplyAdd(av, b1, c41);
            av = Vector512.Create(pa[5]);
            c50 = Vector512.FusedMultiplyAdd(av, b0, c50);
            c51 = Vector512.FusedMultiplyAdd(av, b1, c51);
            av = Vector512.Create(pa[6]);
            c60 = Vector512.FusedMultiplyAdd(av, b0, c60);
            c61 = Vector512.FusedMultiplyAdd(av, b1, c61);
            av = Vector512.Create(pa[7]);
            c70 = Vector512.FusedMultiplyAdd(av, b0, c70);
            c71 = Vector512.FusedMultiplyAdd(av, b1, c71);
            pa += MR;
            pb += NR;
        }

        if (add)
        {
            c00 += Vector512.Load(c); c01 += Vector512.Load(c + 16); c += ldc;
            c10 += Vector512.Load(c); c11 += Vector512.Load(c + 16); c += ldc;
            c20 += Vector512.Load(c); c21 += Vector512.Load(c + 16); c += ldc;
            c30 += Vector512.Load(c); c31 += Vector512.Load(c + 16); c += ldc;
            c40 += Vector512.Load(c); c41 += Vector512.Load(c + 16); c += ldc;
            c50 += Vector512.Load(c); c51 += Vector512.Load(c + 16); c += ldc;
            c60 += Vector512.Load(c); c61 += Vector512.Load(c + 16); c += ldc;
            c70 += Vector512.Load(c); c71 += Vector512.Load(c + 16);
            c -= 7 * ldc;
        }
        Vector512.Store(c00, c); Vector512.Store(c01, c + 16); c += ldc;
        Vector512.Store(c10, c); Vector512.Store(c11, c + 16); c += ldc;
        Vector512.Store(c20, c); Vector512.Store(c21, c + 16); c += ldc;
        Vector512.Store(c30, c); Vector512.Store(c31, c + 16); c += ldc;
        Vector512.Store(c40, c); Vector512.Store(c41, c + 16); c += ldc;
        Vector512.Store(c50, c); Vector512.Store(c51, c + 16); c += ldc;
        Vector512.Store(c60, c); Vector512.Store(c61, c + 16); c += ldc;
        Vector512.Store(c70, c); Vector512.Store(c71, c + 16);
    }

    // 16 ymm registers cannot hold an 8×32 tile: do it as four 4×16 sub-tiles (8 accumulators each)
    // over the same packed panels.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Kernel256(int kc, float* pa, float* pb, float* c, nint ldc, bool add)
    {
        Kernel256Quarter(kc, pa, pb, c, ldc, add);
        Kernel256Quarter(kc, pa, pb + 16, c + 16, ldc, add);
        Kernel256Quarter(kc, pa + 4, pb, c + 4 * ldc, ldc, add);
        Kernel256Quarter(kc, pa + 4, pb + 16, c + 4 * ldc + 16, ldc, add);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Kernel256Quarter(int kc, float* pa, float* pb, float* c, nint ldc, bool add)
    {
        Vector256<float> c00 = default, c01 = default, c10 = default, c11 = default;
        Vector256<float> c20 = default, c21 = default, c30 = default, c31 = default;
        for (int p = 0; p < kc; p++)
        {
            Vector256<float> b0 = Vector256.Load(pb);
            Vector256<float> b1 = Vector256.Load(pb + 8);
            Vector256<float> av = Vector256.Create(pa[0]);
            c00 = Fma.MultiplyAdd(av, b0, c00);
            c01 = Fma.MultiplyAdd(av, b1, c01);
            av = Vector256.Create(pa[1]);
            c10 = Fma.MultiplyAdd(av, b0, c10);
            c11 = Fma.MultiplyAdd(av, b1, c11);
            av = Vector256.Create(pa[2]);
            c20 = Fma.MultiplyAdd(av, b0, c20);
            c21 = Fma.MultiplyAdd(av, b1, c21);
            av = Vector256.Create(pa[3]);
            c30 = Fma.MultiplyAdd(av, b0, c30);
            c31 = Fma.MultiplyAdd(av, b1, c31);
            pa += MR;
            pb += NR;
        }
        if (add)
        {
            c00 += Vector256.Load(c); c01 += Vector256.Load(c + 8);
            c10 += Vector256.Load(c + ldc); c11 += Vector256.Load(c + ldc + 8);
            c20 += Vector256.Load(c + 2 * ldc); c21 += Vector256.Load(c + 2 * ldc + 8);
            c30 += Vector256.Load(c + 3 * ldc); c31 += Vector256.Load(c + 3 * ldc + 8);
        }
        Vector256.Store(c00, c); Vector256.Store(c01, c + 8);
        Vector256.Store(c10, c + ldc); Vector256.Store(c11, c + ldc + 8);
        Vector256.Store(c20, c + 2 * ldc); Vector256.Store(c21, c + 2 * ldc + 8);
        Vector256.Store(c30, c + 3 * ldc); Vector256.Store(c31, c + 3 * ldc + 8);
    }

    // Reference micro-kernel for hardware without SIMD: same packed layout, scalar loops.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void KernelScalar(int kc, float* pa, float* pb, float* c, nint ldc, bool add)
    {
        float* acc = stackalloc float[MR * NR];
        new Span<float>(acc, MR * NR).Clear();
        for (int p = 0; p < kc; p++, pa += MR, pb += NR)
            for (int r = 0; r < MR; r++)
            {
                float ar = pa[r];
                float* accRow = acc + r * NR;
                for (int j = 0; j < NR; j++) accRow[j] = MathF.FusedMultiplyAdd(ar, pb[j], accRow[j]);
            }
        for (int r = 0; r < MR; r++)
        {
            float* dst = c + r * ldc;
            float* src = acc + r * NR;
            if (add) for (int j = 0; j < NR; j++) dst[j] += src[j];
            else for (int j = 0; j < NR; j++) dst[j] = src[j];
        }
    }
}
