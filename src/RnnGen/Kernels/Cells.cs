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
