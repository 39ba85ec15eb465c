using System;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace RnnGen.Kernels;

// One forward/backward pair per cell kind, for one sequence row at one time step. The matrix
// products (x·W_ihᵀ for every step at once, h·W_hhᵀ per step) happen outside; these kernels fuse
// everything elementwise that follows them. Arguments: outputs first, gradients d-prefixed.
// Shapes: H = hidden size, G = gates per cell (RNN 1, GRU 3, LSTM 4).
//
// Each public step is one pass over the row (all gate blocks of element j at once, activations in
// registers), written once as a row kernel and run at every vector width (CellMath.cs). Beside
// each one, the plain reference (*Reference) computes the same equations the simple way; the tests
// compare the two on random rows of odd sizes. The public steps and the row kernels are compiled optimized at their
// first call (AggressiveOptimization): they run once per row and step, and tier-0 code would be several times slower.

/// <summary>Elman RNN cell: h' = act(x·W_ihᵀ + b_ih + h·W_hhᵀ + b_hh).</summary>
public static class RnnCell
{
    // h[H] = act(xProj[H] + hProj[H])
    /// <summary>Forward step, one fused pass. <paramref name="h"/> may be the same memory as <paramref name="hProj"/> or <paramref name="xProj"/>.</summary>
    public static void Forward(Span<float> h, ReadOnlySpan<float> xProj, ReadOnlySpan<float> hProj, bool relu) =>
        Forward(h, xProj, hProj, relu, default, default);

    // h[H] = act(xProj[H] + biasIh[H] + hProj[H] + biasHh[H])
    /// <summary>Forward step with the two biases added in the same pass (empty spans: no bias).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Forward(Span<float> h, ReadOnlySpan<float> xProj, ReadOnlySpan<float> hProj, bool relu, ReadOnlySpan<float> biasIh, ReadOnlySpan<float> biasHh)
    {
        int n = h.Length;
        RowKernel.Check(xProj.Length, n, nameof(xProj));
        RowKernel.Check(hProj.Length, n, nameof(hProj));
        RowKernel.CheckBiases(biasIh, biasHh, n);
        var kernel = new ForwardKernel(h, xProj, hProj, relu, biasIh, biasHh);
        RowKernel.Run(ref kernel);
    }

    // dPre[H] = dh[H] · act'(h[H])
    /// <summary>Backward step: gradient with respect to the pre-activation (shared by x- and h-projection); <paramref name="dPre"/> may be the same memory as <paramref name="h"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Backward(Span<float> dPre, ReadOnlySpan<float> dh, ReadOnlySpan<float> h, bool relu)
    {
        int n = dPre.Length;
        RowKernel.Check(dh.Length, n, nameof(dh));
        RowKernel.Check(h.Length, n, nameof(h));
        var kernel = new BackwardKernel(dPre, dh, h, relu);
        RowKernel.Run(ref kernel);
    }

    internal readonly ref struct ForwardKernel(Span<float> h, ReadOnlySpan<float> xProj, ReadOnlySpan<float> hProj, bool relu, ReadOnlySpan<float> biasIh, ReadOnlySpan<float> biasHh) : IRowKernel
    {
        private readonly Span<float> _h = h;
        private readonly ReadOnlySpan<float> _xProj = xProj, _hProj = hProj, _biasIh = biasIh, _biasHh = biasHh;
        private readonly bool _relu = relu;

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public int Run<TOps, TVec>(int j) where TOps : IFloatOps<TVec> where TVec : struct
        {
            int n = _h.Length;
            ref float h = ref MemoryMarshal.GetReference(_h);
            var pre = new PreActivation(_xProj, _hProj, _biasIh, _biasHh);
            if (_relu)
            {
                for (; j <= n - TOps.Count; j += TOps.Count)
                    TOps.Store(TOps.Max(pre.At<TOps, TVec>(j), TOps.Broadcast(0f)), ref h, j);
            }
            else
            {
                for (; j <= n - TOps.Count; j += TOps.Count)
                    TOps.Store(CellMath.Tanh<TOps, TVec>(pre.At<TOps, TVec>(j)), ref h, j);
            }
            return j;
        }
    }

    internal readonly ref struct BackwardKernel(Span<float> dPre, ReadOnlySpan<float> dh, ReadOnlySpan<float> h, bool relu) : IRowKernel
    {
        private readonly Span<float> _dPre = dPre;
        private readonly ReadOnlySpan<float> _dh = dh, _h = h;
        private readonly bool _relu = relu;

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public int Run<TOps, TVec>(int j) where TOps : IFloatOps<TVec> where TVec : struct
        {
            int n = _dPre.Length;
            ref float dPre = ref MemoryMarshal.GetReference(_dPre);
            ref readonly float dh = ref MemoryMarshal.GetReference(_dh), h = ref MemoryMarshal.GetReference(_h);
            TVec zero = TOps.Broadcast(0f), one = TOps.Broadcast(1f);
            if (_relu)
            {
                for (; j <= n - TOps.Count; j += TOps.Count)
                    TOps.Store(TOps.Select(TOps.GreaterThan(TOps.Load(in h, j), zero), TOps.Load(in dh, j), zero), ref dPre, j);
            }
            else
            {
                for (; j <= n - TOps.Count; j += TOps.Count)
                {
                    TVec hj = TOps.Load(in h, j);
                    TOps.Store(TOps.Multiply(TOps.Load(in dh, j), TOps.Subtract(one, TOps.Multiply(hj, hj))), ref dPre, j);
                }
            }
            return j;
        }
    }

    // ───── plain references: the equations as written, for the tests ─────

    // h[H] = act(xProj[H] + hProj[H])
    /// <summary>Plain reference of the fast path above. Forward step. <paramref name="h"/> may be the same memory as <paramref name="hProj"/>.</summary>
    public static void ForwardReference(Span<float> h, ReadOnlySpan<float> xProj, ReadOnlySpan<float> hProj, bool relu)
    {
        TensorPrimitives.Add(xProj, hProj, h);
        if (relu) TensorPrimitives.Max(h, 0f, h);
        else TensorPrimitives.Tanh(h, h);
    }

    // dPre[H] = dh[H] · act'(h[H])
    /// <summary>Plain reference of the fast path above. Backward step: gradient with respect to the pre-activation (shared by x- and h-projection).</summary>
    public static void BackwardReference(Span<float> dPre, ReadOnlySpan<float> dh, ReadOnlySpan<float> h, bool relu)
    {
        for (int j = 0; j < dPre.Length; j++)
        {
            float hj = h[j];
            dPre[j] = relu ? (hj > 0f ? dh[j] : 0f) : dh[j] * (1f - hj * hj);
        }
    }
}

/// <summary>LSTM cell, gates i, f, g, o (PyTorch order): c' = f⊙c + i⊙g, h' = o⊙tanh(c').</summary>
public static class LstmCell
{
    // gates[4H] = act(xProj[4H] + hProj[4H]); c[H] = f⊙cPrev + i⊙g; h[H] = o⊙tanh(c)
    /// <summary>
    /// Forward step, one fused pass over the row. <paramref name="c"/> may be the same memory as
    /// <paramref name="cPrev"/>, and <paramref name="gates"/> as <paramref name="xProj"/>.
    /// </summary>
    public static void Forward(Span<float> h, Span<float> c, Span<float> gates, ReadOnlySpan<float> xProj, ReadOnlySpan<float> hProj, ReadOnlySpan<float> cPrev) =>
        Forward(h, c, gates, xProj, hProj, cPrev, default, default);

    // As above with pre-activations xProj + biasIh + hProj + biasHh (biases [4H]; empty spans: no bias).
    /// <summary>
    /// Forward step with the two biases added in the same pass, optionally with peepholes (empty <paramref name="peephole"/>: none).
    /// An empty <paramref name="gates"/> keeps nothing for backward (inference): the pass then writes only h and c.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Forward(Span<float> h, Span<float> c, Span<float> gates, ReadOnlySpan<float> xProj, ReadOnlySpan<float> hProj, ReadOnlySpan<float> cPrev, ReadOnlySpan<float> biasIh, ReadOnlySpan<float> biasHh, ReadOnlySpan<float> peephole = default)
    {
        int n = h.Length;
        if (n == 0) return;
        if (!peephole.IsEmpty) RowKernel.Check(peephole.Length, 3 * n, nameof(peephole));
        RowKernel.Check(c.Length, n, nameof(c));
        if (!gates.IsEmpty) RowKernel.Check(gates.Length, 4 * n, nameof(gates));
        RowKernel.Check(xProj.Length, 4 * n, nameof(xProj));
        RowKernel.Check(hProj.Length, 4 * n, nameof(hProj));
        RowKernel.Check(cPrev.Length, n, nameof(cPrev));
        RowKernel.CheckBiases(biasIh, biasHh, 4 * n);
        var kernel = new ForwardKernel(h, c, gates, xProj, hProj, cPrev, peephole, biasIh, biasHh);
        RowKernel.Run(ref kernel);
    }

    // With peepholes p[3H] (blocks i, f, o): i, f also see p⊙cPrev, o sees p⊙c.
    /// <summary>Forward step with peephole connections, one fused pass. <paramref name="c"/> may be the same memory as <paramref name="cPrev"/>, and <paramref name="gates"/> as <paramref name="xProj"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void ForwardPeephole(Span<float> h, Span<float> c, Span<float> gates, ReadOnlySpan<float> xProj, ReadOnlySpan<float> hProj, ReadOnlySpan<float> cPrev, ReadOnlySpan<float> peephole)
    {
        RowKernel.Check(peephole.Length, 3 * h.Length, nameof(peephole));  // here an empty span is an error, not "no peepholes"
        Forward(h, c, gates, xProj, hProj, cPrev, default, default, peephole);
    }

    // dGates[4H] = ∂L/∂(pre-activations); dc[H]: in ∂L/∂c_t from later steps, out ∂L/∂c_{t−1}
    /// <summary>
    /// Backward step from the saved gate activations and cell states, one fused pass (tanh(c) recomputed).
    /// <paramref name="dGates"/> may be the same memory as <paramref name="gates"/> (each unit's gates are read before its gradients are stored).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Backward(Span<float> dGates, Span<float> dc, ReadOnlySpan<float> dh, ReadOnlySpan<float> gates, ReadOnlySpan<float> c, ReadOnlySpan<float> cPrev)
    {
        int n = dh.Length;
        CheckBackward(n, dGates, dc, gates, c, cPrev);
        var kernel = new BackwardKernel(dGates, dc, default, dh, gates, c, cPrev, default);
        RowKernel.Run(ref kernel);
    }

    /// <summary>Backward step with peepholes; adds the peephole gradient to <paramref name="dPeephole"/>. One fused pass; <paramref name="dGates"/> may be the same memory as <paramref name="gates"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void BackwardPeephole(Span<float> dGates, Span<float> dc, Span<float> dPeephole, ReadOnlySpan<float> dh, ReadOnlySpan<float> gates, ReadOnlySpan<float> c, ReadOnlySpan<float> cPrev, ReadOnlySpan<float> peephole)
    {
        int n = dh.Length;
        RowKernel.Check(peephole.Length, 3 * n, nameof(peephole));
        RowKernel.Check(dPeephole.Length, 3 * n, nameof(dPeephole));
        if (n == 0) return;
        CheckBackward(n, dGates, dc, gates, c, cPrev);
        var kernel = new BackwardKernel(dGates, dc, dPeephole, dh, gates, c, cPrev, peephole);
        RowKernel.Run(ref kernel);
    }

    private static void CheckBackward(int n, Span<float> dGates, Span<float> dc, ReadOnlySpan<float> gates, ReadOnlySpan<float> c, ReadOnlySpan<float> cPrev)
    {
        RowKernel.Check(dGates.Length, 4 * n, nameof(dGates));
        RowKernel.Check(dc.Length, n, nameof(dc));
        RowKernel.Check(gates.Length, 4 * n, nameof(gates));
        RowKernel.Check(c.Length, n, nameof(c));
        RowKernel.Check(cPrev.Length, n, nameof(cPrev));
    }

    // Both forms of the forward step; an empty peephole span means none (the JIT drops the dead branch per width).
    internal readonly ref struct ForwardKernel(Span<float> h, Span<float> c, Span<float> gates, ReadOnlySpan<float> xProj, ReadOnlySpan<float> hProj, ReadOnlySpan<float> cPrev, ReadOnlySpan<float> peephole, ReadOnlySpan<float> biasIh, ReadOnlySpan<float> biasHh) : IRowKernel
    {
        private readonly Span<float> _h = h, _c = c, _gates = gates;
        private readonly ReadOnlySpan<float> _xProj = xProj, _hProj = hProj, _cPrev = cPrev, _peephole = peephole, _biasIh = biasIh, _biasHh = biasHh;

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public int Run<TOps, TVec>(int j) where TOps : IFloatOps<TVec> where TVec : struct
        {
            int n = _h.Length;
            ref float h = ref MemoryMarshal.GetReference(_h), c = ref MemoryMarshal.GetReference(_c), g = ref MemoryMarshal.GetReference(_gates);
            ref readonly float cp = ref MemoryMarshal.GetReference(_cPrev), p = ref MemoryMarshal.GetReference(_peephole);
            var pre = new PreActivation(_xProj, _hProj, _biasIh, _biasHh);
            bool peep = !_peephole.IsEmpty, keep = !_gates.IsEmpty; // keep: the activations for backward
            for (; j <= n - TOps.Count; j += TOps.Count)
            {
                TVec cPrev = TOps.Load(in cp, j);
                TVec iPre = pre.At<TOps, TVec>(j), fPre = pre.At<TOps, TVec>(n + j), gPre = pre.At<TOps, TVec>(2 * n + j), oPre = pre.At<TOps, TVec>(3 * n + j);
                if (peep)
                {
                    iPre = TOps.MultiplyAdd(TOps.Load(in p, j), cPrev, iPre);
                    fPre = TOps.MultiplyAdd(TOps.Load(in p, n + j), cPrev, fPre);
                }
                TVec i = CellMath.Sigmoid<TOps, TVec>(iPre), f = CellMath.Sigmoid<TOps, TVec>(fPre), gg = CellMath.Tanh<TOps, TVec>(gPre);
                TVec cj = TOps.MultiplyAdd(f, cPrev, TOps.Multiply(i, gg));
                if (peep) oPre = TOps.MultiplyAdd(TOps.Load(in p, 2 * n + j), cj, oPre);
                TVec o = CellMath.Sigmoid<TOps, TVec>(oPre);
                if (keep)
                {
                    TOps.Store(i, ref g, j);
                    TOps.Store(f, ref g, n + j);
                    TOps.Store(gg, ref g, 2 * n + j);
                    TOps.Store(o, ref g, 3 * n + j);
                }
                TOps.Store(cj, ref c, j);
                TOps.Store(TOps.Multiply(o, CellMath.Tanh<TOps, TVec>(cj)), ref h, j);
            }
            return j;
        }
    }

    // Both forms of the backward step; an empty peephole span means none.
    internal readonly ref struct BackwardKernel(Span<float> dGates, Span<float> dc, Span<float> dPeephole, ReadOnlySpan<float> dh, ReadOnlySpan<float> gates, ReadOnlySpan<float> c, ReadOnlySpan<float> cPrev, ReadOnlySpan<float> peephole) : IRowKernel
    {
        private readonly Span<float> _dGates = dGates, _dc = dc, _dPeephole = dPeephole;
        private readonly ReadOnlySpan<float> _dh = dh, _gates = gates, _c = c, _cPrev = cPrev, _peephole = peephole;

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public int Run<TOps, TVec>(int j) where TOps : IFloatOps<TVec> where TVec : struct
        {
            int n = _dh.Length;
            ref float dg = ref MemoryMarshal.GetReference(_dGates), dc = ref MemoryMarshal.GetReference(_dc), dp = ref MemoryMarshal.GetReference(_dPeephole);
            ref readonly float dh = ref MemoryMarshal.GetReference(_dh), g = ref MemoryMarshal.GetReference(_gates);
            ref readonly float c = ref MemoryMarshal.GetReference(_c), cp = ref MemoryMarshal.GetReference(_cPrev), p = ref MemoryMarshal.GetReference(_peephole);
            bool peep = !_peephole.IsEmpty;
            TVec one = TOps.Broadcast(1f);
            for (; j <= n - TOps.Count; j += TOps.Count)
            {
                TVec i = TOps.Load(in g, j), f = TOps.Load(in g, n + j), gg = TOps.Load(in g, 2 * n + j), o = TOps.Load(in g, 3 * n + j);
                TVec cj = TOps.Load(in c, j), cPrev = TOps.Load(in cp, j), dhj = TOps.Load(in dh, j);
                TVec tc = CellMath.Tanh<TOps, TVec>(cj);
                TVec doPre = TOps.Multiply(TOps.Multiply(dhj, tc), TOps.Multiply(o, TOps.Subtract(one, o)));
                // dcj = dc + dh·o·(1 − tanh²c) (+ doPre·p_o with peepholes)
                TVec dcj = TOps.MultiplyAdd(TOps.Multiply(dhj, o), TOps.Subtract(one, TOps.Multiply(tc, tc)), TOps.Load(in dc, j));
                if (peep) dcj = TOps.MultiplyAdd(doPre, TOps.Load(in p, 2 * n + j), dcj);
                TVec diPre = TOps.Multiply(TOps.Multiply(dcj, gg), TOps.Multiply(i, TOps.Subtract(one, i)));
                TVec dfPre = TOps.Multiply(TOps.Multiply(dcj, cPrev), TOps.Multiply(f, TOps.Subtract(one, f)));
                TOps.Store(diPre, ref dg, j);
                TOps.Store(dfPre, ref dg, n + j);
                TOps.Store(TOps.Multiply(TOps.Multiply(dcj, i), TOps.Subtract(one, TOps.Multiply(gg, gg))), ref dg, 2 * n + j);
                TOps.Store(doPre, ref dg, 3 * n + j);
                TVec dcPrev = TOps.Multiply(dcj, f);
                if (peep)
                {
                    TOps.Store(TOps.MultiplyAdd(diPre, cPrev, TOps.Load(in dp, j)), ref dp, j);
                    TOps.Store(TOps.MultiplyAdd(dfPre, cPrev, TOps.Load(in dp, n + j)), ref dp, n + j);
                    TOps.Store(TOps.MultiplyAdd(doPre, cj, TOps.Load(in dp, 2 * n + j)), ref dp, 2 * n + j);
                    dcPrev = TOps.MultiplyAdd(diPre, TOps.Load(in p, j), dcPrev);
                    dcPrev = TOps.MultiplyAdd(dfPre, TOps.Load(in p, n + j), dcPrev);
                }
                TOps.Store(dcPrev, ref dc, j);
            }
            return j;
        }
    }

    // ───── plain references: the equations as written, for the tests ─────

    // gates[4H] = act(xProj[4H] + hProj[4H]); c[H] = f⊙cPrev + i⊙g; h[H] = o⊙tanh(c)
    /// <summary>Plain reference of the fast path above. Forward step. <paramref name="c"/> may be the same memory as <paramref name="cPrev"/>.</summary>
    public static void ForwardReference(Span<float> h, Span<float> c, Span<float> gates, ReadOnlySpan<float> xProj, ReadOnlySpan<float> hProj, ReadOnlySpan<float> cPrev)
    {
        int n = h.Length;
        TensorPrimitives.Add(xProj, hProj, gates);
        TensorPrimitives.Sigmoid(gates.Slice(0, 2 * n), gates.Slice(0, 2 * n));
        TensorPrimitives.Tanh(gates.Slice(2 * n, n), gates.Slice(2 * n, n));
        TensorPrimitives.Sigmoid(gates.Slice(3 * n, n), gates.Slice(3 * n, n));
        ReadOnlySpan<float> i = gates.Slice(0, n), f = gates.Slice(n, n), g = gates.Slice(2 * n, n), o = gates.Slice(3 * n, n);
        TensorPrimitives.Multiply(f, cPrev, c);
        TensorPrimitives.MultiplyAdd(i, g, c, c);
        TensorPrimitives.Tanh(c, h);
        TensorPrimitives.Multiply(h, o, h);
    }

    // With peepholes p[3H] (blocks i, f, o): i, f also see p⊙cPrev, o sees p⊙c.
    /// <summary>Plain reference of the fast path above. Forward step with peephole connections. <paramref name="c"/> may be the same memory as <paramref name="cPrev"/> only if <paramref name="cPrev"/> is not needed afterwards.</summary>
    public static void ForwardPeepholeReference(Span<float> h, Span<float> c, Span<float> gates, ReadOnlySpan<float> xProj, ReadOnlySpan<float> hProj, ReadOnlySpan<float> cPrev, ReadOnlySpan<float> peephole)
    {
        int n = h.Length;
        for (int j = 0; j < n; j++)
        {
            float cp = cPrev[j];
            float i = Sigmoid(xProj[j] + hProj[j] + peephole[j] * cp);
            float f = Sigmoid(xProj[n + j] + hProj[n + j] + peephole[n + j] * cp);
            float g = MathF.Tanh(xProj[2 * n + j] + hProj[2 * n + j]);
            float cj = f * cp + i * g;
            float o = Sigmoid(xProj[3 * n + j] + hProj[3 * n + j] + peephole[2 * n + j] * cj);
            gates[j] = i; gates[n + j] = f; gates[2 * n + j] = g; gates[3 * n + j] = o;
            c[j] = cj;
            h[j] = o * MathF.Tanh(cj);
        }
    }

    /// <summary>Plain reference of the fast path above. Backward step with peepholes; adds the peephole gradient to <paramref name="dPeephole"/>.</summary>
    public static void BackwardPeepholeReference(Span<float> dGates, Span<float> dc, Span<float> dPeephole, ReadOnlySpan<float> dh, ReadOnlySpan<float> gates, ReadOnlySpan<float> c, ReadOnlySpan<float> cPrev, ReadOnlySpan<float> peephole)
    {
        int n = dh.Length;
        for (int j = 0; j < n; j++)
        {
            float i = gates[j], f = gates[n + j], g = gates[2 * n + j], o = gates[3 * n + j];
            float tc = MathF.Tanh(c[j]);
            float doPre = dh[j] * tc * o * (1f - o);
            float dcj = dc[j] + dh[j] * o * (1f - tc * tc) + doPre * peephole[2 * n + j];
            float diPre = dcj * g * i * (1f - i);
            float dfPre = dcj * cPrev[j] * f * (1f - f);
            dGates[j] = diPre;
            dGates[n + j] = dfPre;
            dGates[2 * n + j] = dcj * i * (1f - g * g);
            dGates[3 * n + j] = doPre;
            dPeephole[j] += diPre * cPrev[j];
            dPeephole[n + j] += dfPre * cPrev[j];
            dPeephole[2 * n + j] += doPre * c[j];
            dc[j] = dcj * f + diPre * peephole[j] + dfPre * peephole[n + j];
        }
    }

    private static float Sigmoid(float x) => 1f / (1f + MathF.Exp(-x));

    // dGates[4H] = ∂L/∂(pre-activations); dc[H]: in ∂L/∂c_t from later steps, out ∂L/∂c_{t−1}
    /// <summary>Plain reference of the fast path above. Backward step from the saved gate activations and cell states.</summary>
    public static void BackwardReference(Span<float> dGates, Span<float> dc, ReadOnlySpan<float> dh, ReadOnlySpan<float> gates, ReadOnlySpan<float> c, ReadOnlySpan<float> cPrev)
    {
        int n = dh.Length;
        for (int j = 0; j < n; j++)
        {
            float i = gates[j], f = gates[n + j], g = gates[2 * n + j], o = gates[3 * n + j];
            float tc = MathF.Tanh(c[j]);
            float dcj = dc[j] + dh[j] * o * (1f - tc * tc);
            dGates[j] = dcj * g * i * (1f - i);
            dGates[n + j] = dcj * cPrev[j] * f * (1f - f);
            dGates[2 * n + j] = dcj * i * (1f - g * g);
            dGates[3 * n + j] = dh[j] * tc * o * (1f - o);
            dc[j] = dcj * f;
        }
    }
}

/// <summary>
/// GRU cell, gates r, z, n (PyTorch order), reset applied after the recurrent product
/// (ONNX linear_before_reset = 1): n = tanh(xₙ + r⊙hₙ), h' = (1−z)⊙n + z⊙h.
/// </summary>
public static class GruCell
{
    // gates[3H] = r, z, n; hn[H] = hProj's n-part (W_hn·h + b_hn), kept for backward;
    // h[H] = (1−z)⊙n + z⊙hPrev
    /// <summary>
    /// Forward step, one fused pass. <paramref name="h"/> may be the same memory as <paramref name="hPrev"/>,
    /// and <paramref name="gates"/> as <paramref name="xProj"/>.
    /// </summary>
    public static void Forward(Span<float> h, Span<float> gates, Span<float> hn, ReadOnlySpan<float> xProj, ReadOnlySpan<float> hProj, ReadOnlySpan<float> hPrev) =>
        Forward(h, gates, hn, xProj, hProj, hPrev, default, default);

    // As above with biases [3H]: r, z see xProj + biasIh + hProj + biasHh; hn = hProj_n + biasHh_n;
    // n = tanh(xProj_n + biasIh_n + r⊙hn). Empty spans: no bias.
    /// <summary>
    /// Forward step with the two biases added in the same pass. Empty <paramref name="gates"/> and
    /// <paramref name="hn"/> keep nothing for backward (inference): the pass then writes only h.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Forward(Span<float> h, Span<float> gates, Span<float> hn, ReadOnlySpan<float> xProj, ReadOnlySpan<float> hProj, ReadOnlySpan<float> hPrev, ReadOnlySpan<float> biasIh, ReadOnlySpan<float> biasHh)
    {
        int n = h.Length;
        if (gates.IsEmpty != hn.IsEmpty) throw new ArgumentException("The gates and hn are kept for backward together: give both, or neither for inference.", nameof(hn));
        if (!gates.IsEmpty)
        {
            RowKernel.Check(gates.Length, 3 * n, nameof(gates));
            RowKernel.Check(hn.Length, n, nameof(hn));
        }
        RowKernel.Check(xProj.Length, 3 * n, nameof(xProj));
        RowKernel.Check(hProj.Length, 3 * n, nameof(hProj));
        RowKernel.Check(hPrev.Length, n, nameof(hPrev));
        RowKernel.CheckBiases(biasIh, biasHh, 3 * n);
        var kernel = new ForwardKernel(h, gates, hn, xProj, hProj, hPrev, biasIh, biasHh);
        RowKernel.Run(ref kernel);
    }

    // dXProj[3H], dHProj[3H] = ∂L/∂ of the two projections; dhPrev[H] = the part of ∂L/∂h_{t−1}
    // that bypasses W_hh (z⊙dh); the caller adds dHProj·W_hh.
    /// <summary>Backward step from the saved gates and recurrent n-projection, one fused pass; <paramref name="dXProj"/> may be the same memory as <paramref name="gates"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Backward(Span<float> dXProj, Span<float> dHProj, Span<float> dhPrev, ReadOnlySpan<float> dh, ReadOnlySpan<float> gates, ReadOnlySpan<float> hn, ReadOnlySpan<float> hPrev)
    {
        int n = dh.Length;
        RowKernel.Check(dXProj.Length, 3 * n, nameof(dXProj));
        RowKernel.Check(dHProj.Length, 3 * n, nameof(dHProj));
        RowKernel.Check(dhPrev.Length, n, nameof(dhPrev));
        RowKernel.Check(gates.Length, 3 * n, nameof(gates));
        RowKernel.Check(hn.Length, n, nameof(hn));
        RowKernel.Check(hPrev.Length, n, nameof(hPrev));
        var kernel = new BackwardKernel(dXProj, dHProj, dhPrev, dh, gates, hn, hPrev);
        RowKernel.Run(ref kernel);
    }

    internal readonly ref struct ForwardKernel(Span<float> h, Span<float> gates, Span<float> hn, ReadOnlySpan<float> xProj, ReadOnlySpan<float> hProj, ReadOnlySpan<float> hPrev, ReadOnlySpan<float> biasIh, ReadOnlySpan<float> biasHh) : IRowKernel
    {
        private readonly Span<float> _h = h, _gates = gates, _hn = hn;
        private readonly ReadOnlySpan<float> _xProj = xProj, _hProj = hProj, _hPrev = hPrev, _biasIh = biasIh, _biasHh = biasHh;

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public int Run<TOps, TVec>(int j) where TOps : IFloatOps<TVec> where TVec : struct
        {
            int n = _h.Length;
            ref float h = ref MemoryMarshal.GetReference(_h), g = ref MemoryMarshal.GetReference(_gates), hn = ref MemoryMarshal.GetReference(_hn);
            ref readonly float hPrev = ref MemoryMarshal.GetReference(_hPrev);
            var pre = new PreActivation(_xProj, _hProj, _biasIh, _biasHh);
            bool keep = !_gates.IsEmpty; // the activations and hn for backward
            for (; j <= n - TOps.Count; j += TOps.Count)
            {
                TVec r = CellMath.Sigmoid<TOps, TVec>(pre.At<TOps, TVec>(j));
                TVec z = CellMath.Sigmoid<TOps, TVec>(pre.At<TOps, TVec>(n + j));
                TVec hnj = pre.Recurrent<TOps, TVec>(2 * n + j);
                TVec nn = CellMath.Tanh<TOps, TVec>(TOps.MultiplyAdd(r, hnj, pre.Input<TOps, TVec>(2 * n + j)));
                TVec hp0 = TOps.Load(in hPrev, j);
                if (keep)
                {
                    TOps.Store(r, ref g, j);
                    TOps.Store(z, ref g, n + j);
                    TOps.Store(nn, ref g, 2 * n + j);
                    TOps.Store(hnj, ref hn, j);
                }
                TOps.Store(TOps.MultiplyAdd(z, TOps.Subtract(hp0, nn), nn), ref h, j);  // (1−z)·n + z·hPrev
            }
            return j;
        }
    }

    internal readonly ref struct BackwardKernel(Span<float> dXProj, Span<float> dHProj, Span<float> dhPrev, ReadOnlySpan<float> dh, ReadOnlySpan<float> gates, ReadOnlySpan<float> hn, ReadOnlySpan<float> hPrev) : IRowKernel
    {
        private readonly Span<float> _dXProj = dXProj, _dHProj = dHProj, _dhPrev = dhPrev;
        private readonly ReadOnlySpan<float> _dh = dh, _gates = gates, _hn = hn, _hPrev = hPrev;

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public int Run<TOps, TVec>(int j) where TOps : IFloatOps<TVec> where TVec : struct
        {
            int n = _dh.Length;
            ref float dx = ref MemoryMarshal.GetReference(_dXProj), dhp = ref MemoryMarshal.GetReference(_dHProj), dhPrev = ref MemoryMarshal.GetReference(_dhPrev);
            ref readonly float dh = ref MemoryMarshal.GetReference(_dh), g = ref MemoryMarshal.GetReference(_gates);
            ref readonly float hn = ref MemoryMarshal.GetReference(_hn), hPrev = ref MemoryMarshal.GetReference(_hPrev);
            TVec one = TOps.Broadcast(1f);
            for (; j <= n - TOps.Count; j += TOps.Count)
            {
                TVec r = TOps.Load(in g, j), z = TOps.Load(in g, n + j), nn = TOps.Load(in g, 2 * n + j), d = TOps.Load(in dh, j);
                TVec oneMinusZ = TOps.Subtract(one, z);
                TVec dnPre = TOps.Multiply(TOps.Multiply(d, oneMinusZ), TOps.Subtract(one, TOps.Multiply(nn, nn)));
                TVec dzPre = TOps.Multiply(TOps.Multiply(d, TOps.Subtract(TOps.Load(in hPrev, j), nn)), TOps.Multiply(z, oneMinusZ));
                TVec drPre = TOps.Multiply(TOps.Multiply(dnPre, TOps.Load(in hn, j)), TOps.Multiply(r, TOps.Subtract(one, r)));
                TOps.Store(drPre, ref dx, j); TOps.Store(drPre, ref dhp, j);
                TOps.Store(dzPre, ref dx, n + j); TOps.Store(dzPre, ref dhp, n + j);
                TOps.Store(dnPre, ref dx, 2 * n + j); TOps.Store(TOps.Multiply(dnPre, r), ref dhp, 2 * n + j);
                TOps.Store(TOps.Multiply(d, z), ref dhPrev, j);
            }
            return j;
        }
    }

    // ───── plain references: the equations as written, for the tests ─────

    // gates[3H] = r, z, n; hn[H] = hProj's n-part (W_hn·h + b_hn), kept for backward;
    // h[H] = (1−z)⊙n + z⊙hPrev
    /// <summary>Plain reference of the fast path above. Forward step. <paramref name="h"/> may be the same memory as <paramref name="hPrev"/>.</summary>
    public static void ForwardReference(Span<float> h, Span<float> gates, Span<float> hn, ReadOnlySpan<float> xProj, ReadOnlySpan<float> hProj, ReadOnlySpan<float> hPrev)
    {
        int n = h.Length;
        TensorPrimitives.Add(xProj.Slice(0, 2 * n), hProj.Slice(0, 2 * n), gates.Slice(0, 2 * n));
        TensorPrimitives.Sigmoid(gates.Slice(0, 2 * n), gates.Slice(0, 2 * n));
        hProj.Slice(2 * n, n).CopyTo(hn);
        Span<float> nGate = gates.Slice(2 * n, n);
        TensorPrimitives.MultiplyAdd(gates.Slice(0, n), hn, xProj.Slice(2 * n, n), nGate);
        TensorPrimitives.Tanh(nGate, nGate);
        for (int j = 0; j < n; j++)
        {
            float z = gates[n + j];
            h[j] = (1f - z) * nGate[j] + z * hPrev[j];
        }
    }

    // dXProj[3H], dHProj[3H] = ∂L/∂ of the two projections; dhPrev[H] = the part of ∂L/∂h_{t−1}
    // that bypasses W_hh (z⊙dh); the caller adds dHProj·W_hh.
    /// <summary>Plain reference of the fast path above. Backward step from the saved gates and recurrent n-projection.</summary>
    public static void BackwardReference(Span<float> dXProj, Span<float> dHProj, Span<float> dhPrev, ReadOnlySpan<float> dh, ReadOnlySpan<float> gates, ReadOnlySpan<float> hn, ReadOnlySpan<float> hPrev)
    {
        int n = dh.Length;
        for (int j = 0; j < n; j++)
        {
            float r = gates[j], z = gates[n + j], nn = gates[2 * n + j], d = dh[j];
            float dnPre = d * (1f - z) * (1f - nn * nn);
            float dzPre = d * (hPrev[j] - nn) * z * (1f - z);
            float drPre = dnPre * hn[j] * r * (1f - r);
            dXProj[j] = drPre; dHProj[j] = drPre;
            dXProj[n + j] = dzPre; dHProj[n + j] = dzPre;
            dXProj[2 * n + j] = dnPre; dHProj[2 * n + j] = dnPre * r;
            dhPrev[j] = d * z;
        }
    }
}

/// <summary>
/// GRU cell with the reset applied before the recurrent product (ONNX's default,
/// linear_before_reset = 0): n = tanh(xₙ + W_hn·(r⊙h) + b_hn). The recurrent product is split:
/// r and z need h·W_hrzᵀ first, then (r⊙h)·W_hnᵀ.
/// </summary>
public static class GruResetFirstCell
{
    // gates[0..2H] = r, z = σ(xProj + hProjRz); rh[H] = r⊙hPrev
    /// <summary>First half of a step, one fused pass: reset and update gates, and r⊙h for the second product. <paramref name="gates"/> may be the same memory as <paramref name="xProj"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void ForwardGates(Span<float> gates, Span<float> rh, ReadOnlySpan<float> xProj, ReadOnlySpan<float> hProjRz, ReadOnlySpan<float> hPrev)
    {
        int n = rh.Length;
        RowKernel.Check(gates.Length, 2 * n, nameof(gates));
        RowKernel.Check(xProj.Length, 2 * n, nameof(xProj));
        RowKernel.Check(hProjRz.Length, 2 * n, nameof(hProjRz));
        RowKernel.Check(hPrev.Length, n, nameof(hPrev));
        var kernel = new ForwardGatesKernel(gates, rh, xProj, hProjRz, hPrev);
        RowKernel.Run(ref kernel);
    }

    // gates[2H..3H] = n = tanh(xProj_n + hProjN); h = (1−z)⊙n + z⊙hPrev
    /// <summary>Second half of a step, one fused pass. <paramref name="h"/> may be the same memory as <paramref name="hPrev"/>, and <paramref name="gates"/> as <paramref name="xProj"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void ForwardCandidate(Span<float> h, Span<float> gates, ReadOnlySpan<float> xProj, ReadOnlySpan<float> hProjN, ReadOnlySpan<float> hPrev)
    {
        int n = h.Length;
        RowKernel.Check(gates.Length, 3 * n, nameof(gates));
        RowKernel.Check(xProj.Length, 3 * n, nameof(xProj));
        RowKernel.Check(hProjN.Length, n, nameof(hProjN));
        RowKernel.Check(hPrev.Length, n, nameof(hPrev));
        var kernel = new ForwardCandidateKernel(h, gates, xProj, hProjN, hPrev);
        RowKernel.Run(ref kernel);
    }

    // dXProj[z, n parts], dN[H] = ∂L/∂(W_hn·rh + b_hn), dhDirect[H] = z⊙dh
    /// <summary>Backward, first half, one fused pass: everything that does not need ∂L/∂(r⊙h). <paramref name="dXProj"/> may be the same memory as <paramref name="gates"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void BackwardCandidate(Span<float> dXProj, Span<float> dN, Span<float> dhDirect, ReadOnlySpan<float> dh, ReadOnlySpan<float> gates, ReadOnlySpan<float> hPrev)
    {
        int n = dh.Length;
        RowKernel.Check(dXProj.Length, 3 * n, nameof(dXProj));
        RowKernel.Check(dN.Length, n, nameof(dN));
        RowKernel.Check(dhDirect.Length, n, nameof(dhDirect));
        RowKernel.Check(gates.Length, 3 * n, nameof(gates));
        RowKernel.Check(hPrev.Length, n, nameof(hPrev));
        var kernel = new BackwardCandidateKernel(dXProj, dN, dhDirect, dh, gates, hPrev);
        RowKernel.Run(ref kernel);
    }

    // dRh[H] = dN·W_hn (given); dXProj[r part], dRz[2H] = [dr_pre, dz_pre]; dhDirect += dRh⊙r
    /// <summary>Backward, second half, once ∂L/∂(r⊙h) is known; one fused pass. <paramref name="dXProj"/> may be the same memory as <paramref name="gates"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void BackwardReset(Span<float> dXProj, Span<float> dRz, Span<float> dhDirect, ReadOnlySpan<float> dRh, ReadOnlySpan<float> gates, ReadOnlySpan<float> hPrev)
    {
        int n = dRh.Length;
        RowKernel.Check(dXProj.Length, 2 * n, nameof(dXProj));
        RowKernel.Check(dRz.Length, 2 * n, nameof(dRz));
        RowKernel.Check(dhDirect.Length, n, nameof(dhDirect));
        RowKernel.Check(gates.Length, n, nameof(gates));
        RowKernel.Check(hPrev.Length, n, nameof(hPrev));
        var kernel = new BackwardResetKernel(dXProj, dRz, dhDirect, dRh, gates, hPrev);
        RowKernel.Run(ref kernel);
    }

    internal readonly ref struct ForwardGatesKernel(Span<float> gates, Span<float> rh, ReadOnlySpan<float> xProj, ReadOnlySpan<float> hProjRz, ReadOnlySpan<float> hPrev) : IRowKernel
    {
        private readonly Span<float> _gates = gates, _rh = rh;
        private readonly ReadOnlySpan<float> _xProj = xProj, _hProjRz = hProjRz, _hPrev = hPrev;

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public int Run<TOps, TVec>(int j) where TOps : IFloatOps<TVec> where TVec : struct
        {
            int n = _rh.Length;
            ref float g = ref MemoryMarshal.GetReference(_gates), rh = ref MemoryMarshal.GetReference(_rh);
            ref readonly float x = ref MemoryMarshal.GetReference(_xProj), hp = ref MemoryMarshal.GetReference(_hProjRz), hPrev = ref MemoryMarshal.GetReference(_hPrev);
            for (; j <= n - TOps.Count; j += TOps.Count)
            {
                TVec r = CellMath.Sigmoid<TOps, TVec>(TOps.Add(TOps.Load(in x, j), TOps.Load(in hp, j)));
                TVec z = CellMath.Sigmoid<TOps, TVec>(TOps.Add(TOps.Load(in x, n + j), TOps.Load(in hp, n + j)));
                TOps.Store(r, ref g, j);
                TOps.Store(z, ref g, n + j);
                TOps.Store(TOps.Multiply(r, TOps.Load(in hPrev, j)), ref rh, j);
            }
            return j;
        }
    }

    internal readonly ref struct ForwardCandidateKernel(Span<float> h, Span<float> gates, ReadOnlySpan<float> xProj, ReadOnlySpan<float> hProjN, ReadOnlySpan<float> hPrev) : IRowKernel
    {
        private readonly Span<float> _h = h, _gates = gates;
        private readonly ReadOnlySpan<float> _xProj = xProj, _hProjN = hProjN, _hPrev = hPrev;

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public int Run<TOps, TVec>(int j) where TOps : IFloatOps<TVec> where TVec : struct
        {
            int n = _h.Length;
            ref float h = ref MemoryMarshal.GetReference(_h), g = ref MemoryMarshal.GetReference(_gates);
            ref readonly float x = ref MemoryMarshal.GetReference(_xProj), hpN = ref MemoryMarshal.GetReference(_hProjN), hPrev = ref MemoryMarshal.GetReference(_hPrev);
            for (; j <= n - TOps.Count; j += TOps.Count)
            {
                TVec nn = CellMath.Tanh<TOps, TVec>(TOps.Add(TOps.Load(in x, 2 * n + j), TOps.Load(in hpN, j)));
                TVec z = TOps.Load(in g, n + j), hp0 = TOps.Load(in hPrev, j);
                TOps.Store(nn, ref g, 2 * n + j);
                TOps.Store(TOps.MultiplyAdd(z, TOps.Subtract(hp0, nn), nn), ref h, j);  // (1−z)·n + z·hPrev
            }
            return j;
        }
    }

    internal readonly ref struct BackwardCandidateKernel(Span<float> dXProj, Span<float> dN, Span<float> dhDirect, ReadOnlySpan<float> dh, ReadOnlySpan<float> gates, ReadOnlySpan<float> hPrev) : IRowKernel
    {
        private readonly Span<float> _dXProj = dXProj, _dN = dN, _dhDirect = dhDirect;
        private readonly ReadOnlySpan<float> _dh = dh, _gates = gates, _hPrev = hPrev;

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public int Run<TOps, TVec>(int j) where TOps : IFloatOps<TVec> where TVec : struct
        {
            int n = _dh.Length;
            ref float dx = ref MemoryMarshal.GetReference(_dXProj), dN = ref MemoryMarshal.GetReference(_dN), dhDirect = ref MemoryMarshal.GetReference(_dhDirect);
            ref readonly float dh = ref MemoryMarshal.GetReference(_dh), g = ref MemoryMarshal.GetReference(_gates), hPrev = ref MemoryMarshal.GetReference(_hPrev);
            TVec one = TOps.Broadcast(1f);
            for (; j <= n - TOps.Count; j += TOps.Count)
            {
                TVec z = TOps.Load(in g, n + j), nn = TOps.Load(in g, 2 * n + j), d = TOps.Load(in dh, j);
                TVec oneMinusZ = TOps.Subtract(one, z);
                TVec dnPre = TOps.Multiply(TOps.Multiply(d, oneMinusZ), TOps.Subtract(one, TOps.Multiply(nn, nn)));
                TOps.Store(TOps.Multiply(TOps.Multiply(d, TOps.Subtract(TOps.Load(in hPrev, j), nn)), TOps.Multiply(z, oneMinusZ)), ref dx, n + j);
                TOps.Store(dnPre, ref dx, 2 * n + j);
                TOps.Store(dnPre, ref dN, j);
                TOps.Store(TOps.Multiply(d, z), ref dhDirect, j);
            }
            return j;
        }
    }

    internal readonly ref struct BackwardResetKernel(Span<float> dXProj, Span<float> dRz, Span<float> dhDirect, ReadOnlySpan<float> dRh, ReadOnlySpan<float> gates, ReadOnlySpan<float> hPrev) : IRowKernel
    {
        private readonly Span<float> _dXProj = dXProj, _dRz = dRz, _dhDirect = dhDirect;
        private readonly ReadOnlySpan<float> _dRh = dRh, _gates = gates, _hPrev = hPrev;

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public int Run<TOps, TVec>(int j) where TOps : IFloatOps<TVec> where TVec : struct
        {
            int n = _dRh.Length;
            ref float dx = ref MemoryMarshal.GetReference(_dXProj), dRz = ref MemoryMarshal.GetReference(_dRz), dhDirect = ref MemoryMarshal.GetReference(_dhDirect);
            ref readonly float dRh = ref MemoryMarshal.GetReference(_dRh), g = ref MemoryMarshal.GetReference(_gates), hPrev = ref MemoryMarshal.GetReference(_hPrev);
            TVec one = TOps.Broadcast(1f);
            for (; j <= n - TOps.Count; j += TOps.Count)
            {
                TVec r = TOps.Load(in g, j), d = TOps.Load(in dRh, j);
                TVec drPre = TOps.Multiply(TOps.Multiply(d, TOps.Load(in hPrev, j)), TOps.Multiply(r, TOps.Subtract(one, r)));
                TOps.Store(drPre, ref dx, j);
                TOps.Store(drPre, ref dRz, j);
                TOps.Store(TOps.Load(in dx, n + j), ref dRz, n + j);
                TOps.Store(TOps.MultiplyAdd(d, r, TOps.Load(in dhDirect, j)), ref dhDirect, j);
            }
            return j;
        }
    }

    // ───── plain references: the equations as written, for the tests ─────

    // gates[0..2H] = r, z = σ(xProj + hProjRz); rh[H] = r⊙hPrev
    /// <summary>Plain reference of the fast path above. First half of a step: reset and update gates, and r⊙h for the second product.</summary>
    public static void ForwardGatesReference(Span<float> gates, Span<float> rh, ReadOnlySpan<float> xProj, ReadOnlySpan<float> hProjRz, ReadOnlySpan<float> hPrev)
    {
        int n = rh.Length;
        TensorPrimitives.Add(xProj.Slice(0, 2 * n), hProjRz, gates.Slice(0, 2 * n));
        TensorPrimitives.Sigmoid(gates.Slice(0, 2 * n), gates.Slice(0, 2 * n));
        TensorPrimitives.Multiply(gates.Slice(0, n), hPrev, rh);
    }

    // gates[2H..3H] = n = tanh(xProj_n + hProjN); h = (1−z)⊙n + z⊙hPrev
    /// <summary>Plain reference of the fast path above. Second half of a step. <paramref name="h"/> may be the same memory as <paramref name="hPrev"/>.</summary>
    public static void ForwardCandidateReference(Span<float> h, Span<float> gates, ReadOnlySpan<float> xProj, ReadOnlySpan<float> hProjN, ReadOnlySpan<float> hPrev)
    {
        int n = h.Length;
        Span<float> nGate = gates.Slice(2 * n, n);
        TensorPrimitives.Add(xProj.Slice(2 * n, n), hProjN, nGate);
        TensorPrimitives.Tanh(nGate, nGate);
        for (int j = 0; j < n; j++)
        {
            float z = gates[n + j];
            h[j] = (1f - z) * nGate[j] + z * hPrev[j];
        }
    }

    // dXProj[z, n parts], dN[H] = ∂L/∂(W_hn·rh + b_hn), dhDirect[H] = z⊙dh
    /// <summary>Plain reference of the fast path above. Backward, first half: everything that does not need ∂L/∂(r⊙h).</summary>
    public static void BackwardCandidateReference(Span<float> dXProj, Span<float> dN, Span<float> dhDirect, ReadOnlySpan<float> dh, ReadOnlySpan<float> gates, ReadOnlySpan<float> hPrev)
    {
        int n = dh.Length;
        for (int j = 0; j < n; j++)
        {
            float z = gates[n + j], nn = gates[2 * n + j], d = dh[j];
            float dnPre = d * (1f - z) * (1f - nn * nn);
            dXProj[n + j] = d * (hPrev[j] - nn) * z * (1f - z);
            dXProj[2 * n + j] = dnPre;
            dN[j] = dnPre;
            dhDirect[j] = d * z;
        }
    }

    // dRh[H] = dN·W_hn (given); dXProj[r part], dRz[2H] = [dr_pre, dz_pre]; dhDirect += dRh⊙r
    /// <summary>Plain reference of the fast path above. Backward, second half, once ∂L/∂(r⊙h) is known.</summary>
    public static void BackwardResetReference(Span<float> dXProj, Span<float> dRz, Span<float> dhDirect, ReadOnlySpan<float> dRh, ReadOnlySpan<float> gates, ReadOnlySpan<float> hPrev)
    {
        int n = dRh.Length;
        for (int j = 0; j < n; j++)
        {
            float r = gates[j];
            float drPre = dRh[j] * hPrev[j] * r * (1f - r);
            dXProj[j] = drPre;
            dRz[j] = drPre;
            dRz[n + j] = dXProj[n + j];
            dhDirect[j] += dRh[j] * r;
        }
    }
}
