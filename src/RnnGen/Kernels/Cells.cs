using System;
using System.Numerics.Tensors;

namespace RnnGen.Kernels;

// One forward/backward pair per cell kind, for one sequence row at one time step. The matrix
// products (x·W_ihᵀ for every step at once, h·W_hhᵀ per step) happen outside; these kernels fuse
// everything elementwise that follows them. Arguments: outputs first, gradients d-prefixed.
// Shapes: H = hidden size, G = gates per cell (RNN 1, GRU 3, LSTM 4).

/// <summary>Elman RNN cell: h' = act(x·W_ihᵀ + b_ih + h·W_hhᵀ + b_hh).</summary>
public static class RnnCell
{
    // h[H] = act(xProj[H] + hProj[H])
    /// <summary>Forward step. <paramref name="h"/> may be the same memory as <paramref name="hProj"/>.</summary>
    public static void Forward(Span<float> h, ReadOnlySpan<float> xProj, ReadOnlySpan<float> hProj, bool relu)
    {
        TensorPrimitives.Add(xProj, hProj, h);
        if (relu) TensorPrimitives.Max(h, 0f, h);
        else TensorPrimitives.Tanh(h, h);
    }

    // dPre[H] = dh[H] · act'(h[H])
    /// <summary>Backward step: gradient with respect to the pre-activation (shared by x- and h-projection).</summary>
    public static void Backward(Span<float> dPre, ReadOnlySpan<float> dh, ReadOnlySpan<float> h, bool relu)
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
    /// <summary>Forward step. <paramref name="c"/> may be the same memory as <paramref name="cPrev"/>.</summary>
    public static void Forward(Span<float> h, Span<float> c, Span<float> gates, ReadOnlySpan<float> xProj, ReadOnlySpan<float> hProj, ReadOnlySpan<float> cPrev)
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
    /// <summary>Forward step with peephole connections. <paramref name="c"/> may be the same memory as <paramref name="cPrev"/> only if <paramref name="cPrev"/> is not needed afterwards.</summary>
    public static void ForwardPeephole(Span<float> h, Span<float> c, Span<float> gates, ReadOnlySpan<float> xProj, ReadOnlySpan<float> hProj, ReadOnlySpan<float> cPrev, ReadOnlySpan<float> peephole)
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

    /// <summary>Backward step with peepholes; adds the peephole gradient to <paramref name="dPeephole"/>.</summary>
    public static void BackwardPeephole(Span<float> dGates, Span<float> dc, Span<float> dPeephole, ReadOnlySpan<float> dh, ReadOnlySpan<float> gates, ReadOnlySpan<float> c, ReadOnlySpan<float> cPrev, ReadOnlySpan<float> peephole)
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
    /// <summary>Backward step from the saved gate activations and cell states.</summary>
    public static void Backward(Span<float> dGates, Span<float> dc, ReadOnlySpan<float> dh, ReadOnlySpan<float> gates, ReadOnlySpan<float> c, ReadOnlySpan<float> cPrev)
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
    /// <summary>Forward step. <paramref name="h"/> may be the same memory as <paramref name="hPrev"/>.</summary>
    public static void Forward(Span<float> h, Span<float> gates, Span<float> hn, ReadOnlySpan<float> xProj, ReadOnlySpan<float> hProj, ReadOnlySpan<float> hPrev)
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
    /// <summary>Backward step from the saved gates and recurrent n-projection.</summary>
    public static void Backward(Span<float> dXProj, Span<float> dHProj, Span<float> dhPrev, ReadOnlySpan<float> dh, ReadOnlySpan<float> gates, ReadOnlySpan<float> hn, ReadOnlySpan<float> hPrev)
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
    /// <summary>First half of a step: reset and update gates, and r⊙h for the second product.</summary>
    public static void ForwardGates(Span<float> gates, Span<float> rh, ReadOnlySpan<float> xProj, ReadOnlySpan<float> hProjRz, ReadOnlySpan<float> hPrev)
    {
        int n = rh.Length;
        TensorPrimitives.Add(xProj.Slice(0, 2 * n), hProjRz, gates.Slice(0, 2 * n));
        TensorPrimitives.Sigmoid(gates.Slice(0, 2 * n), gates.Slice(0, 2 * n));
        TensorPrimitives.Multiply(gates.Slice(0, n), hPrev, rh);
    }

    // gates[2H..3H] = n = tanh(xProj_n + hProjN); h = (1−z)⊙n + z⊙hPrev
    /// <summary>Second half of a step. <paramref name="h"/> may be the same memory as <paramref name="hPrev"/>.</summary>
    public static void ForwardCandidate(Span<float> h, Span<float> gates, ReadOnlySpan<float> xProj, ReadOnlySpan<float> hProjN, ReadOnlySpan<float> hPrev)
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
    /// <summary>Backward, first half: everything that does not need ∂L/∂(r⊙h).</summary>
    public static void BackwardCandidate(Span<float> dXProj, Span<float> dN, Span<float> dhDirect, ReadOnlySpan<float> dh, ReadOnlySpan<float> gates, ReadOnlySpan<float> hPrev)
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
    /// <summary>Backward, second half, once ∂L/∂(r⊙h) is known.</summary>
    public static void BackwardReset(Span<float> dXProj, Span<float> dRz, Span<float> dhDirect, ReadOnlySpan<float> dRh, ReadOnlySpan<float> gates, ReadOnlySpan<float> hPrev)
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
