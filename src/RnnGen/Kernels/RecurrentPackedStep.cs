using System;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace RnnGen.Kernels;

// One time step of one recurrent layer for a single sequence (batch 1) over a packed copy of W_hh:
// the kernel of calls of several steps (RecurrentStep, which reads W_hh in place, serves the short
// ones). A block is L consecutive hidden units, L = the lanes of a vector (16 with AVX-512, 8 with
// AVX2), and Pack lays out block b as packed[b][k][g][L] = W_hh[g·H + b·L + j][k]: for each k, the G
// gates' weights of the block's units side by side. The recurrent product of a block is then, for
// every k, G vector multiply-adds of a run of G·L contiguous floats by h[k] broadcast, so
// - the step reads its weights as one sequential stream (what the hardware prefetchers follow best),
// - there is no horizontal reduction: the accumulators end as the gate pre-activations of L units,
//   and the cell update runs on them in the same registers.
// Measured on Zen 5 against the row form's dot products (8 rows and a reduction tree each), for
// W_hh of 256 KB to 1 MB: 1.6–1.9× faster per step, at 140–175 GB/s out of L2.
//
// Blocks run in ascending order on even steps and descending order on odd ones: the blocks a step
// reads last are the first the next step reads, while they are still in cache (a W_hh larger than
// L2 then streams only partly from L3). Each unit's arithmetic is the same whichever thread, block
// range or order computes it, so one and two threads give bitwise identical results.
//
// Even and odd k go to separate accumulators (four sets for the one-gate RNN) so that enough
// independent multiply-add chains are in flight; they are added at the end.
internal static unsafe class RecurrentPackedStep
{
    /// <summary>Units per block on this hardware: the lanes of the widest accelerated vector (16 or 8).</summary>
    internal static int Lanes => Vector512.IsHardwareAccelerated ? Vector512<float>.Count : Vector256<float>.Count;

    internal static int Blocks(int hidden, int lanes) => (hidden + lanes - 1) / lanes;

    /// <summary>Floats of the packed copy: whole blocks (units past H are zero rows).</summary>
    internal static long PackedLength(int gates, int hidden, int lanes) => (long)Blocks(hidden, lanes) * lanes * gates * hidden;

    /// <summary>Packs blocks [<paramref name="block0"/>, <paramref name="block1"/>) of W_hh [G·H × H] (PyTorch layout) into <paramref name="packed"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void Pack(float* packed, float* w, int gates, int hidden, int lanes, int block0, int block1)
    {
        nint h = hidden, run = (nint)gates * lanes; // floats from one k to the next inside a block
        for (int blk = block0; blk < block1; blk++)
        {
            int u = blk * lanes, valid = Math.Min(lanes, hidden - u);
            float* block = packed + blk * h * run;
            for (int g = 0; g < gates; g++)
            {
                float* rows = w + (g * h + u) * h;   // the block's rows of gate g, H floats apart
                float* dst = block + g * lanes;      // column k of those rows goes to dst + k·run
                int k = 0;
                if (valid == lanes)
                {
                    if (lanes == 16 && Avx512F.IsSupported)
                        for (; k + 16 <= hidden; k += 16) Transpose16(rows + k, h, dst + k * run, run);
                    else if (lanes == 8 && Avx.IsSupported)
                        for (; k + 8 <= hidden; k += 8) Transpose8(rows + k, h, dst + k * run, run);
                }
                for (; k < hidden; k++)
                    for (int j = 0; j < lanes; j++) dst[k * run + j] = j < valid ? rows[j * h + k] : 0f;
            }
        }
    }

    // dst + c·dstStride ← column c of the 16 × 16 tile whose rows start `stride` floats apart:
    // interleave pairs of rows (32-bit, then 64-bit, within 128-bit lanes), which leaves in
    // Quad(q)'s vector m, 128-bit lane i, rows 4q … 4q+3 of column 4i + m; then gather the 128-bit
    // lanes of the four row groups.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Transpose16(float* src, nint stride, float* dst, nint dstStride)
    {
        Quad(src, stride, out Vector512<float> a0, out Vector512<float> a1, out Vector512<float> a2, out Vector512<float> a3);
        Quad(src + 4 * stride, stride, out Vector512<float> b0, out Vector512<float> b1, out Vector512<float> b2, out Vector512<float> b3);
        Quad(src + 8 * stride, stride, out Vector512<float> c0, out Vector512<float> c1, out Vector512<float> c2, out Vector512<float> c3);
        Quad(src + 12 * stride, stride, out Vector512<float> d0, out Vector512<float> d1, out Vector512<float> d2, out Vector512<float> d3);
        Columns(a0, b0, c0, d0, dst, dstStride);
        Columns(a1, b1, c1, d1, dst + dstStride, dstStride);
        Columns(a2, b2, c2, d2, dst + 2 * dstStride, dstStride);
        Columns(a3, b3, c3, d3, dst + 3 * dstStride, dstStride);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Quad(float* src, nint stride, out Vector512<float> m0, out Vector512<float> m1, out Vector512<float> m2, out Vector512<float> m3)
    {
        Vector512<float> r0 = Vector512.Load(src), r1 = Vector512.Load(src + stride), r2 = Vector512.Load(src + 2 * stride), r3 = Vector512.Load(src + 3 * stride);
        Vector512<float> t0 = Avx512F.UnpackLow(r0, r1), t1 = Avx512F.UnpackHigh(r0, r1);
        Vector512<float> t2 = Avx512F.UnpackLow(r2, r3), t3 = Avx512F.UnpackHigh(r2, r3);
        m0 = Avx512F.Shuffle(t0, t2, 0x44);
        m1 = Avx512F.Shuffle(t0, t2, 0xEE);
        m2 = Avx512F.Shuffle(t1, t3, 0x44);
        m3 = Avx512F.Shuffle(t1, t3, 0xEE);
    }

    // Columns m, 4 + m, 8 + m, 12 + m from vector m of the four row groups (dst points at column m).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Columns(Vector512<float> a, Vector512<float> b, Vector512<float> c, Vector512<float> d, float* dst, nint dstStride)
    {
        Vector512<float> low = Avx512F.Shuffle4x128(a, b, 0x44), lowCd = Avx512F.Shuffle4x128(c, d, 0x44);
        Vector512<float> high = Avx512F.Shuffle4x128(a, b, 0xEE), highCd = Avx512F.Shuffle4x128(c, d, 0xEE);
        Avx512F.Shuffle4x128(low, lowCd, 0x88).Store(dst);
        Avx512F.Shuffle4x128(low, lowCd, 0xDD).Store(dst + 4 * dstStride);
        Avx512F.Shuffle4x128(high, highCd, 0x88).Store(dst + 8 * dstStride);
        Avx512F.Shuffle4x128(high, highCd, 0xDD).Store(dst + 12 * dstStride);
    }

    // The same for an 8 × 8 tile.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Transpose8(float* src, nint stride, float* dst, nint dstStride)
    {
        Vector256<float> t0 = Avx.UnpackLow(Vector256.Load(src), Vector256.Load(src + stride));
        Vector256<float> t1 = Avx.UnpackHigh(Vector256.Load(src), Vector256.Load(src + stride));
        Vector256<float> t2 = Avx.UnpackLow(Vector256.Load(src + 2 * stride), Vector256.Load(src + 3 * stride));
        Vector256<float> t3 = Avx.UnpackHigh(Vector256.Load(src + 2 * stride), Vector256.Load(src + 3 * stride));
        Vector256<float> t4 = Avx.UnpackLow(Vector256.Load(src + 4 * stride), Vector256.Load(src + 5 * stride));
        Vector256<float> t5 = Avx.UnpackHigh(Vector256.Load(src + 4 * stride), Vector256.Load(src + 5 * stride));
        Vector256<float> t6 = Avx.UnpackLow(Vector256.Load(src + 6 * stride), Vector256.Load(src + 7 * stride));
        Vector256<float> t7 = Avx.UnpackHigh(Vector256.Load(src + 6 * stride), Vector256.Load(src + 7 * stride));
        Vector256<float> s0 = Avx.Shuffle(t0, t2, 0x44), s1 = Avx.Shuffle(t0, t2, 0xEE), s2 = Avx.Shuffle(t1, t3, 0x44), s3 = Avx.Shuffle(t1, t3, 0xEE);
        Vector256<float> s4 = Avx.Shuffle(t4, t6, 0x44), s5 = Avx.Shuffle(t4, t6, 0xEE), s6 = Avx.Shuffle(t5, t7, 0x44), s7 = Avx.Shuffle(t5, t7, 0xEE);
        Avx.Permute2x128(s0, s4, 0x20).Store(dst);
        Avx.Permute2x128(s1, s5, 0x20).Store(dst + dstStride);
        Avx.Permute2x128(s2, s6, 0x20).Store(dst + 2 * dstStride);
        Avx.Permute2x128(s3, s7, 0x20).Store(dst + 3 * dstStride);
        Avx.Permute2x128(s0, s4, 0x31).Store(dst + 4 * dstStride);
        Avx.Permute2x128(s1, s5, 0x31).Store(dst + 5 * dstStride);
        Avx.Permute2x128(s2, s6, 0x31).Store(dst + 6 * dstStride);
        Avx.Permute2x128(s3, s7, 0x31).Store(dst + 7 * dstStride);
    }

    /// <summary>
    /// Computes blocks [<paramref name="block0"/>, <paramref name="block1"/>) of one step, in
    /// descending block order when <paramref name="descending"/>. <paramref name="lanes"/> must be the
    /// lanes the weights were packed for: 16 (needs AVX-512) or 8.
    /// </summary>
    /// <remarks>Shapes as in <see cref="RecurrentStep"/>; hNext holds whole blocks.</remarks>
    internal static void Run(RecurrentStep.Cell cell, int lanes, float* packed, float* bias, float* x, float* hCur, float* hNext, float* c, float* output,
        int hidden, int block0, int block1, bool descending)
    {
        if (lanes == 16) Run<Float512, Vector512<float>>(cell, packed, bias, x, hCur, hNext, c, output, hidden, block0, block1, descending);
        else Run<Float256, Vector256<float>>(cell, packed, bias, x, hCur, hNext, c, output, hidden, block0, block1, descending);
    }

    // Fully optimized at the first call (a short program's first steps would otherwise run tier-0 vector code).
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Run<TOps, TVec>(RecurrentStep.Cell cell, float* packed, float* bias, float* x, float* hCur, float* hNext, float* c, float* output,
        int hidden, int block0, int block1, bool descending) where TOps : IFloatOps<TVec> where TVec : struct
    {
        int lanes = TOps.Count;
        int gates = cell == RecurrentStep.Cell.Lstm ? 4 : cell == RecurrentStep.Cell.Gru ? 3 : 1;
        nint blockFloats = (nint)hidden * gates * lanes;
        for (int i = block0; i < block1; i++)
        {
            int blk = descending ? block0 + block1 - 1 - i : i;
            int u = blk * lanes, valid = Math.Min(lanes, hidden - u);
            float* p = packed + blk * blockFloats;
            switch (cell)
            {
                case RecurrentStep.Cell.Lstm:
                {
                    Accumulate4<TOps, TVec>(p, hCur, hidden, out TVec di, out TVec df, out TVec dg, out TVec dO);
                    TVec ig = CellMath.Sigmoid<TOps, TVec>(UnitBlock.Pre<TOps, TVec>(di, bias + u, x + u, valid));
                    TVec fg = CellMath.Sigmoid<TOps, TVec>(UnitBlock.Pre<TOps, TVec>(df, bias + hidden + u, x + hidden + u, valid));
                    TVec gg = CellMath.Tanh<TOps, TVec>(UnitBlock.Pre<TOps, TVec>(dg, bias + 2 * hidden + u, x + 2 * hidden + u, valid));
                    TVec og = CellMath.Sigmoid<TOps, TVec>(UnitBlock.Pre<TOps, TVec>(dO, bias + 3 * hidden + u, x + 3 * hidden + u, valid));
                    TVec cNew = TOps.Add(TOps.Multiply(fg, UnitBlock.Part<TOps, TVec>(c + u, valid)), TOps.Multiply(ig, gg));
                    UnitBlock.Store<TOps, TVec>(cNew, c + u, valid);
                    UnitBlock.Finish<TOps, TVec>(TOps.Multiply(og, CellMath.Tanh<TOps, TVec>(cNew)), hNext + u, output + u, valid);
                    break;
                }
                case RecurrentStep.Cell.Gru:
                {
                    Accumulate3<TOps, TVec>(p, hCur, hidden, out TVec dr, out TVec dz, out TVec dn);
                    TVec r = CellMath.Sigmoid<TOps, TVec>(UnitBlock.Pre<TOps, TVec>(dr, bias + u, x + u, valid));
                    TVec z = CellMath.Sigmoid<TOps, TVec>(UnitBlock.Pre<TOps, TVec>(dz, bias + hidden + u, x + hidden + u, valid));
                    TVec hn = TOps.Add(dn, UnitBlock.Part<TOps, TVec>(bias + 2 * hidden + u, valid));
                    TVec n = CellMath.Tanh<TOps, TVec>(TOps.Add(UnitBlock.Part<TOps, TVec>(x + 2 * hidden + u, valid), TOps.Multiply(r, hn)));
                    TVec h = TOps.Add(TOps.Multiply(TOps.Subtract(TOps.Broadcast(1f), z), n), TOps.Multiply(z, UnitBlock.Part<TOps, TVec>(hCur + u, valid)));
                    UnitBlock.Finish<TOps, TVec>(h, hNext + u, output + u, valid);
                    break;
                }
                default:
                {
                    TVec pre = UnitBlock.Pre<TOps, TVec>(Accumulate1<TOps, TVec>(p, hCur, hidden), bias + u, x + u, valid);
                    TVec h = cell == RecurrentStep.Cell.RnnRelu ? TOps.Max(pre, TOps.Broadcast(0f)) : CellMath.Tanh<TOps, TVec>(pre);
                    UnitBlock.Finish<TOps, TVec>(h, hNext + u, output + u, valid);
                    break;
                }
            }
        }
    }

    // The recurrent products of one block, G = 4: packed run per k is [i | f | g | o] × lanes.
    // Not inlined: one copy keeps its accumulators in registers.
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static void Accumulate4<TOps, TVec>(float* p, float* h, int hidden, out TVec i, out TVec f, out TVec g, out TVec o)
        where TOps : IFloatOps<TVec> where TVec : struct
    {
        int l = TOps.Count;
        TVec i0 = default, f0 = default, g0 = default, o0 = default, i1 = default, f1 = default, g1 = default, o1 = default;
        int k = 0;
        for (; k + 2 <= hidden; k += 2, p += 8 * l)
        {
            TVec a = TOps.Broadcast(h[k]), b = TOps.Broadcast(h[k + 1]);
            i0 = TOps.MultiplyAdd(TOps.Load(ref *p, 0), a, i0);
            f0 = TOps.MultiplyAdd(TOps.Load(ref *p, l), a, f0);
            g0 = TOps.MultiplyAdd(TOps.Load(ref *p, 2 * l), a, g0);
            o0 = TOps.MultiplyAdd(TOps.Load(ref *p, 3 * l), a, o0);
            i1 = TOps.MultiplyAdd(TOps.Load(ref *p, 4 * l), b, i1);
            f1 = TOps.MultiplyAdd(TOps.Load(ref *p, 5 * l), b, f1);
            g1 = TOps.MultiplyAdd(TOps.Load(ref *p, 6 * l), b, g1);
            o1 = TOps.MultiplyAdd(TOps.Load(ref *p, 7 * l), b, o1);
        }
        if (k < hidden)
        {
            TVec a = TOps.Broadcast(h[k]);
            i0 = TOps.MultiplyAdd(TOps.Load(ref *p, 0), a, i0);
            f0 = TOps.MultiplyAdd(TOps.Load(ref *p, l), a, f0);
            g0 = TOps.MultiplyAdd(TOps.Load(ref *p, 2 * l), a, g0);
            o0 = TOps.MultiplyAdd(TOps.Load(ref *p, 3 * l), a, o0);
        }
        i = TOps.Add(i0, i1);
        f = TOps.Add(f0, f1);
        g = TOps.Add(g0, g1);
        o = TOps.Add(o0, o1);
    }

    // G = 3: [r | z | n] × lanes per k.
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static void Accumulate3<TOps, TVec>(float* p, float* h, int hidden, out TVec r, out TVec z, out TVec n)
        where TOps : IFloatOps<TVec> where TVec : struct
    {
        int l = TOps.Count;
        TVec r0 = default, z0 = default, n0 = default, r1 = default, z1 = default, n1 = default;
        int k = 0;
        for (; k + 2 <= hidden; k += 2, p += 6 * l)
        {
            TVec a = TOps.Broadcast(h[k]), b = TOps.Broadcast(h[k + 1]);
            r0 = TOps.MultiplyAdd(TOps.Load(ref *p, 0), a, r0);
            z0 = TOps.MultiplyAdd(TOps.Load(ref *p, l), a, z0);
            n0 = TOps.MultiplyAdd(TOps.Load(ref *p, 2 * l), a, n0);
            r1 = TOps.MultiplyAdd(TOps.Load(ref *p, 3 * l), b, r1);
            z1 = TOps.MultiplyAdd(TOps.Load(ref *p, 4 * l), b, z1);
            n1 = TOps.MultiplyAdd(TOps.Load(ref *p, 5 * l), b, n1);
        }
        if (k < hidden)
        {
            TVec a = TOps.Broadcast(h[k]);
            r0 = TOps.MultiplyAdd(TOps.Load(ref *p, 0), a, r0);
            z0 = TOps.MultiplyAdd(TOps.Load(ref *p, l), a, z0);
            n0 = TOps.MultiplyAdd(TOps.Load(ref *p, 2 * l), a, n0);
        }
        r = TOps.Add(r0, r1);
        z = TOps.Add(z0, z1);
        n = TOps.Add(n0, n1);
    }

    // G = 1: four accumulators over k mod 4.
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static TVec Accumulate1<TOps, TVec>(float* p, float* h, int hidden) where TOps : IFloatOps<TVec> where TVec : struct
    {
        int l = TOps.Count;
        TVec a0 = default, a1 = default, a2 = default, a3 = default;
        int k = 0;
        for (; k + 4 <= hidden; k += 4, p += 4 * l)
        {
            a0 = TOps.MultiplyAdd(TOps.Load(ref *p, 0), TOps.Broadcast(h[k]), a0);
            a1 = TOps.MultiplyAdd(TOps.Load(ref *p, l), TOps.Broadcast(h[k + 1]), a1);
            a2 = TOps.MultiplyAdd(TOps.Load(ref *p, 2 * l), TOps.Broadcast(h[k + 2]), a2);
            a3 = TOps.MultiplyAdd(TOps.Load(ref *p, 3 * l), TOps.Broadcast(h[k + 3]), a3);
        }
        for (; k < hidden; k++, p += l) a0 = TOps.MultiplyAdd(TOps.Load(ref *p, 0), TOps.Broadcast(h[k]), a0);
        return TOps.Add(TOps.Add(a0, a1), TOps.Add(a2, a3));
    }
}
