using System;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace RnnGen.Kernels;

// One time step of one recurrent layer for a single sequence (batch 1), restricted to a range of
// hidden units so that two threads can each own half of them, reading W_hh in place: the kernel of
// short calls (a streaming step; RecurrentPackedStep, over a packed copy, serves calls of several
// steps, where the copy pays for itself). The recurrent product h·W_hhᵀ is a GEMV, done as dot
// products of rows of W_hh [G·H × H]: the rows of gate g for units [u, u+8) are 8 contiguous rows.
//
// Per block of 8 units: for each gate, 8 rows × H reduced with 8 independent accumulators (one per
// row, a Vector512 or Vector256 each, sharing one load of h per chunk of k), then a transpose-add
// tree turns the 8 accumulators into one Vector256 of the 8 row sums; the cell update follows in
// registers (bias add, gate activations, cell and hidden state), and h' goes to the next step's
// buffer and to the output row. Each unit's arithmetic does not depend on which thread or block
// range computes it, so one and two threads give bitwise identical results.
//
// Shapes: H hidden units, G gates (LSTM 4: i, f, g, o; GRU 3: r, z, n; RNN 1); x = the step's row of
// the input projection x·W_ihᵀ + b_ih [G·H]; hCur [H] (read), hNext [≥ ⌈H/8⌉·8] (written);
// c [H] the LSTM cell state, updated in place; output [H] the step's output row.
internal static unsafe class RecurrentStep
{
    /// <summary>Units per block (the width of the epilogue's Vector256).</summary>
    internal const int Block = 8;

    /// <summary>Whether the SIMD step is available; otherwise callers keep the generic path.</summary>
    internal static bool IsSupported => Vector256.IsHardwareAccelerated;

    internal static int Blocks(int hidden) => (hidden + Block - 1) / Block;

    internal enum Cell { Rnn, RnnRelu, Lstm, Gru }

    /// <summary>Computes blocks [<paramref name="block0"/>, <paramref name="block1"/>) of one step; <paramref name="w"/> is W_hh in PyTorch layout.</summary>
    internal static void Run(Cell cell, float* w, float* bias, float* x, float* hCur, float* hNext, float* c, float* output, int hidden, int block0, int block1)
    {
        if (Vector512.IsHardwareAccelerated) Run<V512>(cell, w, bias, x, hCur, hNext, c, output, hidden, block0, block1);
        else Run<V256>(cell, w, bias, x, hCur, hNext, c, output, hidden, block0, block1);
    }

    // Fully optimized at the first call (no tier-0 phase: a benchmark's or a short program's first
    // hundreds of steps would otherwise run unoptimized vector code, many times slower).
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Run<TV>(Cell cell, float* w, float* bias, float* x, float* hCur, float* hNext, float* c, float* output, int hidden, int block0, int block1)
        where TV : struct, IDotVector<TV>
    {
        int gates = cell == Cell.Lstm ? 4 : cell == Cell.Gru ? 3 : 1;
        nint gateRows = (nint)hidden * hidden; // floats between the gates' rows of a block
        for (int blk = block0; blk < block1; blk++)
        {
            int u = blk * Block;
            int valid = Math.Min(Block, hidden - u);
            float* wu = w + (nint)u * hidden;
            switch (cell)
            {
                case Cell.Lstm:
                {
                    Vector256<float> i = Dot8<TV>(wu, hidden, hCur, valid) + Part(bias + u, valid) + Part(x + u, valid);
                    Vector256<float> f = Dot8<TV>(wu + gateRows, hidden, hCur, valid) + Part(bias + hidden + u, valid) + Part(x + hidden + u, valid);
                    Vector256<float> g = Dot8<TV>(wu + 2 * gateRows, hidden, hCur, valid) + Part(bias + 2 * hidden + u, valid) + Part(x + 2 * hidden + u, valid);
                    Vector256<float> o = Dot8<TV>(wu + 3 * gateRows, hidden, hCur, valid) + Part(bias + 3 * hidden + u, valid) + Part(x + 3 * hidden + u, valid);
                    Vector256<float> cNew = Sigmoid(f) * Part(c + u, valid) + Sigmoid(i) * Tanh(g);
                    Vector256<float> hNew = Sigmoid(o) * Tanh(cNew);
                    Store(cNew, c + u, valid);
                    Finish(hNew, hNext + u, output + u, valid);
                    break;
                }
                case Cell.Gru:
                {
                    Vector256<float> r = Sigmoid(Dot8<TV>(wu, hidden, hCur, valid) + Part(bias + u, valid) + Part(x + u, valid));
                    Vector256<float> z = Sigmoid(Dot8<TV>(wu + gateRows, hidden, hCur, valid) + Part(bias + hidden + u, valid) + Part(x + hidden + u, valid));
                    Vector256<float> hn = Dot8<TV>(wu + 2 * gateRows, hidden, hCur, valid) + Part(bias + 2 * hidden + u, valid);
                    Vector256<float> n = Tanh(Part(x + 2 * hidden + u, valid) + r * hn);
                    Finish((Vector256<float>.One - z) * n + z * Part(hCur + u, valid), hNext + u, output + u, valid);
                    break;
                }
                default:
                {
                    Vector256<float> pre = Dot8<TV>(wu, hidden, hCur, valid) + Part(bias + u, valid) + Part(x + u, valid);
                    Finish(cell == Cell.RnnRelu ? Vector256.Max(pre, Vector256<float>.Zero) : Tanh(pre), hNext + u, output + u, valid);
                    break;
                }
            }
        }
    }

    // [8] = W[8 × n] · h[n], rows n floats apart; rows past `valid` repeat the first row (their sums
    // are computed and never stored). Not inlined: one copy keeps its 8 accumulators in registers,
    // where several inlined copies in one method can exhaust the JIT's tracked locals and spill them.
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static Vector256<float> Dot8<TV>(float* w, int n, float* h, int valid) where TV : struct, IDotVector<TV>
    {
        nint s = n;
        float* r0 = w;
        float* r1 = w + (valid > 1 ? s : 0);
        float* r2 = w + (valid > 2 ? 2 * s : 0);
        float* r3 = w + (valid > 3 ? 3 * s : 0);
        float* r4 = w + (valid > 4 ? 4 * s : 0);
        float* r5 = w + (valid > 5 ? 5 * s : 0);
        float* r6 = w + (valid > 6 ? 6 * s : 0);
        float* r7 = w + (valid > 7 ? 7 * s : 0);
        TV a0 = default, a1 = default, a2 = default, a3 = default, a4 = default, a5 = default, a6 = default, a7 = default;
        int k = 0;
        for (; k <= n - TV.Count; k += TV.Count)
        {
            TV hk = TV.Load(h + k);
            a0 = TV.MultiplyAdd(TV.Load(r0 + k), hk, a0);
            a1 = TV.MultiplyAdd(TV.Load(r1 + k), hk, a1);
            a2 = TV.MultiplyAdd(TV.Load(r2 + k), hk, a2);
            a3 = TV.MultiplyAdd(TV.Load(r3 + k), hk, a3);
            a4 = TV.MultiplyAdd(TV.Load(r4 + k), hk, a4);
            a5 = TV.MultiplyAdd(TV.Load(r5 + k), hk, a5);
            a6 = TV.MultiplyAdd(TV.Load(r6 + k), hk, a6);
            a7 = TV.MultiplyAdd(TV.Load(r7 + k), hk, a7);
        }
        Vector256<float> sum = TV.Reduce8(a0, a1, a2, a3, a4, a5, a6, a7);
        return k < n ? sum + Tail(r0, r1, r2, r3, r4, r5, r6, r7, h, k, n) : sum;
    }

    // The columns [k, n) that do not fill a vector, one row at a time.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static Vector256<float> Tail(float* r0, float* r1, float* r2, float* r3, float* r4, float* r5, float* r6, float* r7, float* h, int k, int n)
    {
        float s0 = 0, s1 = 0, s2 = 0, s3 = 0, s4 = 0, s5 = 0, s6 = 0, s7 = 0;
        for (; k < n; k++)
        {
            float hk = h[k];
            s0 = MathF.FusedMultiplyAdd(r0[k], hk, s0);
            s1 = MathF.FusedMultiplyAdd(r1[k], hk, s1);
            s2 = MathF.FusedMultiplyAdd(r2[k], hk, s2);
            s3 = MathF.FusedMultiplyAdd(r3[k], hk, s3);
            s4 = MathF.FusedMultiplyAdd(r4[k], hk, s4);
            s5 = MathF.FusedMultiplyAdd(r5[k], hk, s5);
            s6 = MathF.FusedMultiplyAdd(r6[k], hk, s6);
            s7 = MathF.FusedMultiplyAdd(r7[k], hk, s7);
        }
        return Vector256.Create(s0, s1, s2, s3, s4, s5, s6, s7);
    }

    // The shared block I/O and activations (UnitBlock, CellMath), at this kernel's width of 8 units.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> Part(float* p, int valid) => UnitBlock.Part<Float256, Vector256<float>>(p, valid);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store(Vector256<float> v, float* p, int valid) => UnitBlock.Store<Float256, Vector256<float>>(v, p, valid);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Finish(Vector256<float> h, float* hNext, float* output, int valid) => UnitBlock.Finish<Float256, Vector256<float>>(h, hNext, output, valid);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> Sigmoid(Vector256<float> x) => CellMath.Sigmoid<Float256, Vector256<float>>(x);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> Tanh(Vector256<float> x) => CellMath.Tanh<Float256, Vector256<float>>(x);
}

// The few vector operations the dot products need, over Vector512 and Vector256, so that one
// generic Dot8 serves both (the JIT specializes it per struct; the wrappers vanish).
internal unsafe interface IDotVector<TSelf> where TSelf : struct, IDotVector<TSelf>
{
    static abstract int Count { get; }
    static abstract TSelf Load(float* p);
    static abstract TSelf MultiplyAdd(TSelf a, TSelf b, TSelf c);

    // [8]: element r is the sum of all lanes of a_r.
    static abstract Vector256<float> Reduce8(TSelf a0, TSelf a1, TSelf a2, TSelf a3, TSelf a4, TSelf a5, TSelf a6, TSelf a7);
}

internal readonly unsafe struct V512 : IDotVector<V512>
{
    private readonly Vector512<float> _v;
    private V512(Vector512<float> v) => _v = v;
    public static int Count => Vector512<float>.Count;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static V512 Load(float* p) => new(Vector512.Load(p));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static V512 MultiplyAdd(V512 a, V512 b, V512 c) => new(Vector512.FusedMultiplyAdd(a._v, b._v, c._v));

    // Three rounds of "pair two vectors": lanes with bit d set take y, the others x, then each lane
    // adds its partner lane j^d of the mirrored blend. After d = 1, 2, 4 lane j holds a partial sum of
    // row j mod 8; the two 256-bit halves are then added.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Reduce8(V512 a0, V512 a1, V512 a2, V512 a3, V512 a4, V512 a5, V512 a6, V512 a7)
    {
        Vector512<float> b0 = Pair1(a0._v, a1._v), b1 = Pair1(a2._v, a3._v), b2 = Pair1(a4._v, a5._v), b3 = Pair1(a6._v, a7._v);
        Vector512<float> c0 = Pair2(b0, b1), c1 = Pair2(b2, b3);
        Vector512<float> d = Pair4(c0, c1);
        return d.GetLower() + d.GetUpper();
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> Pair1(Vector512<float> x, Vector512<float> y) =>
        Pair(x, y, Vector512.Create(0, -1, 0, -1, 0, -1, 0, -1, 0, -1, 0, -1, 0, -1, 0, -1), Vector512.Create(1, 0, 3, 2, 5, 4, 7, 6, 9, 8, 11, 10, 13, 12, 15, 14));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> Pair2(Vector512<float> x, Vector512<float> y) =>
        Pair(x, y, Vector512.Create(0, 0, -1, -1, 0, 0, -1, -1, 0, 0, -1, -1, 0, 0, -1, -1), Vector512.Create(2, 3, 0, 1, 6, 7, 4, 5, 10, 11, 8, 9, 14, 15, 12, 13));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> Pair4(Vector512<float> x, Vector512<float> y) =>
        Pair(x, y, Vector512.Create(0, 0, 0, 0, -1, -1, -1, -1, 0, 0, 0, 0, -1, -1, -1, -1), Vector512.Create(4, 5, 6, 7, 0, 1, 2, 3, 12, 13, 14, 15, 8, 9, 10, 11));

    // Lanes where `mask` is set take y, the others x; each lane then adds lane `partner` of the mirrored blend.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> Pair(Vector512<float> x, Vector512<float> y, Vector512<int> mask, Vector512<int> partner)
    {
        Vector512<float> m = mask.AsSingle();
        return Vector512.ConditionalSelect(m, y, x) + Vector512.Shuffle(Vector512.ConditionalSelect(m, x, y), partner);
    }
}

internal readonly unsafe struct V256 : IDotVector<V256>
{
    private readonly Vector256<float> _v;
    private V256(Vector256<float> v) => _v = v;
    public static int Count => Vector256<float>.Count;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static V256 Load(float* p) => new(Vector256.Load(p));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static V256 MultiplyAdd(V256 a, V256 b, V256 c) => new(Vector256.FusedMultiplyAdd(a._v, b._v, c._v));

    // As V512.Reduce8, on one 256-bit vector: after d = 1, 2, 4 lane j holds the whole sum of row j.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Reduce8(V256 a0, V256 a1, V256 a2, V256 a3, V256 a4, V256 a5, V256 a6, V256 a7)
    {
        Vector256<float> b0 = Pair(a0._v, a1._v, 1), b1 = Pair(a2._v, a3._v, 1), b2 = Pair(a4._v, a5._v, 1), b3 = Pair(a6._v, a7._v, 1);
        Vector256<float> c0 = Pair(b0, b1, 2), c1 = Pair(b2, b3, 2);
        return Pair(c0, c1, 4);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> Pair(Vector256<float> x, Vector256<float> y, int d)
    {
        Vector256<int> lane = Vector256.Create(0, 1, 2, 3, 4, 5, 6, 7);
        Vector256<float> m = Vector256.Equals(lane & Vector256.Create(d), Vector256.Create(d)).AsSingle();
        return Vector256.ConditionalSelect(m, y, x) + Vector256.Shuffle(Vector256.ConditionalSelect(m, x, y), lane ^ Vector256.Create(d));
    }
}
