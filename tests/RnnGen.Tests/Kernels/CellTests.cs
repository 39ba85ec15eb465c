using System;
using System.Collections.Generic;
using System.Runtime.Intrinsics;
using RnnGen.Kernels;
using Xunit;

namespace RnnGen.Tests.Kernels;

// Every fused cell kernel against its plain reference (Cells.cs, *Reference), on random rows of
// odd sizes, at every vector width the machine has (the row kernel run with a capped width, so the
// Vector256, Vector128 and scalar loops each cover whole rows too) and through the public entry
// point. Inputs are the ones the kernels meet in a network: pre-activations spread over both
// branches of tanh, saved gate activations in their ranges. The two differ only by the rounding of
// the activations (a few ulp, CellMathTests) and the order of the products, so agreement is asked
// to 1e-6·(1 + |reference|); a wrong term or a misplaced gate block is off by far more.
public sealed class CellTests
{
    private const double Tolerance = 1e-6;
    private static readonly int[] Sizes = [1, 7, 15, 16, 17, 33, 255];

    public static IEnumerable<object[]> Cases()
    {
        var widths = new List<int> { 0, 1 };  // 0: the public entry point
        if (Vector128.IsHardwareAccelerated) widths.Add(4);
        if (Vector256.IsHardwareAccelerated) widths.Add(8);
        if (Vector512.IsHardwareAccelerated) widths.Add(16);
        foreach (int n in Sizes)
            foreach (int w in widths)
                yield return [n, w];
    }

    private static float[] Uniform(Random rng, int length, double lo, double hi)
    {
        var a = new float[length];
        for (int i = 0; i < length; i++) a[i] = (float)(lo + (hi - lo) * rng.NextDouble());
        return a;
    }

    private static float[] Copy(float[] a) => (float[])a.Clone();

    private static void Close(float[] reference, float[] fast, string what)
    {
        Assert.Equal(reference.Length, fast.Length);
        for (int i = 0; i < reference.Length; i++)
            Assert.True(Math.Abs(fast[i] - reference[i]) <= Tolerance * (1 + Math.Abs(reference[i])),
                $"{what}[{i}]: fast {fast[i]:R}, reference {reference[i]:R}");
    }

    // Gate activations as saved by the forward step: sigmoid gates in (0, 1), tanh gates in (−1, 1).
    private static float[] SavedGates(Random rng, int n, int blocks, int tanhBlock)
    {
        var g = new float[blocks * n];
        for (int b = 0; b < blocks; b++)
            for (int j = 0; j < n; j++)
                g[b * n + j] = (float)(b == tanhBlock ? rng.NextDouble() * 2 - 1 : rng.NextDouble());
        return g;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Rnn(int n, int width)
    {
        var rng = new Random(n * 31 + width);
        foreach (bool relu in new[] { false, true })
        {
            float[] x = Uniform(rng, n, -4, 4), hp = Uniform(rng, n, -4, 4);
            float[] hRef = new float[n], h = new float[n];
            RnnCell.ForwardReference(hRef, x, hp, relu);
            if (width == 0) RnnCell.Forward(h, x, hp, relu);
            else { var k = new RnnCell.ForwardKernel(h, x, hp, relu, default, default); RowKernel.Run(ref k, width); }
            Close(hRef, h, $"rnn forward relu={relu} h");

            float[] dh = Uniform(rng, n, -1, 1), hSaved = relu ? Uniform(rng, n, -1, 1) : Uniform(rng, n, -1, 1);
            float[] dRef = new float[n];
            RnnCell.BackwardReference(dRef, dh, hSaved, relu);
            // Generated layers write dPre over the row holding h; the seq2seq decoder keeps them apart.
            foreach (bool inPlace in new[] { false, true })
            {
                float[] d = inPlace ? Copy(hSaved) : new float[n], saved = inPlace ? d : hSaved;
                if (width == 0) RnnCell.Backward(d, dh, saved, relu);
                else { var k = new RnnCell.BackwardKernel(d, dh, saved, relu); RowKernel.Run(ref k, width); }
                Close(dRef, d, $"rnn backward relu={relu} in place={inPlace} dPre");
            }
        }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Lstm_forward(int n, int width)
    {
        var rng = new Random(n * 37 + width);
        foreach (bool peephole in new[] { false, true })
        {
            // In place as the generated code calls it: gates over xProj, c over cPrev.
            float[] x = Uniform(rng, 4 * n, -4, 4), hp = Uniform(rng, 4 * n, -4, 4), cPrev = Uniform(rng, n, -3, 3), p = Uniform(rng, 3 * n, -1, 1);
            float[] gRef = Copy(x), cRef = Copy(cPrev), hRef = new float[n];
            float[] g = Copy(x), c = Copy(cPrev), h = new float[n];
            if (peephole) LstmCell.ForwardPeepholeReference(hRef, cRef, gRef, Copy(x), hp, cPrev, p);
            else LstmCell.ForwardReference(hRef, cRef, gRef, gRef, hp, cRef);
            if (width == 0)
            {
                if (peephole) LstmCell.ForwardPeephole(h, c, g, g, hp, c, p);
                else LstmCell.Forward(h, c, g, g, hp, c);
            }
            else { var k = new LstmCell.ForwardKernel(h, c, g, g, hp, c, peephole ? p : default, default, default); RowKernel.Run(ref k, width); }
            Close(gRef, g, $"lstm forward peephole={peephole} gates");
            Close(cRef, c, $"lstm forward peephole={peephole} c");
            Close(hRef, h, $"lstm forward peephole={peephole} h");
        }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Lstm_backward(int n, int width)
    {
        var rng = new Random(n * 41 + width);
        foreach (bool peephole in new[] { false, true })
        {
            float[] gates = SavedGates(rng, n, 4, tanhBlock: 2), c = Uniform(rng, n, -3, 3), cPrev = Uniform(rng, n, -3, 3);
            float[] dh = Uniform(rng, n, -1, 1), dc0 = Uniform(rng, n, -1, 1), p = Uniform(rng, 3 * n, -1, 1), dp0 = Uniform(rng, 3 * n, -1, 1);
            float[] dgRef = new float[4 * n], dcRef = Copy(dc0), dpRef = Copy(dp0);
            if (peephole) LstmCell.BackwardPeepholeReference(dgRef, dcRef, dpRef, dh, gates, c, cPrev, p);
            else LstmCell.BackwardReference(dgRef, dcRef, dh, gates, c, cPrev);
            // Generated layers write dGates over the gates; the seq2seq decoder keeps them apart.
            foreach (bool inPlace in new[] { false, true })
            {
                float[] dg = inPlace ? Copy(gates) : new float[4 * n], g = inPlace ? dg : gates, dc = Copy(dc0), dp = Copy(dp0);
                if (width == 0)
                {
                    if (peephole) LstmCell.BackwardPeephole(dg, dc, dp, dh, g, c, cPrev, p);
                    else LstmCell.Backward(dg, dc, dh, g, c, cPrev);
                }
                else { var k = new LstmCell.BackwardKernel(dg, dc, peephole ? dp : default, dh, g, c, cPrev, peephole ? p : default); RowKernel.Run(ref k, width); }
                Close(dgRef, dg, $"lstm backward peephole={peephole} in place={inPlace} dGates");
                Close(dcRef, dc, $"lstm backward peephole={peephole} in place={inPlace} dc");
                Close(dpRef, dp, $"lstm backward peephole={peephole} in place={inPlace} dPeephole");
            }
        }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Gru_linear_before_reset(int n, int width)
    {
        var rng = new Random(n * 43 + width);
        // Forward in place: gates over xProj, h over hPrev.
        float[] x = Uniform(rng, 3 * n, -4, 4), hp = Uniform(rng, 3 * n, -4, 4), hPrev = Uniform(rng, n, -1, 1);
        float[] gRef = Copy(x), hRef = Copy(hPrev), hnRef = new float[n];
        float[] g = Copy(x), h = Copy(hPrev), hn = new float[n];
        GruCell.ForwardReference(hRef, gRef, hnRef, gRef, hp, hRef);
        if (width == 0) GruCell.Forward(h, g, hn, g, hp, h);
        else { var k = new GruCell.ForwardKernel(h, g, hn, g, hp, h, default, default); RowKernel.Run(ref k, width); }
        Close(gRef, g, "gru forward gates");
        Close(hnRef, hn, "gru forward hn");
        Close(hRef, h, "gru forward h");

        float[] gates = SavedGates(rng, n, 3, tanhBlock: 2), hnSaved = Uniform(rng, n, -2, 2), dh = Uniform(rng, n, -1, 1);
        float[] dxRef = new float[3 * n], dhpRef = new float[3 * n], dPrevRef = new float[n];
        GruCell.BackwardReference(dxRef, dhpRef, dPrevRef, dh, gates, hnSaved, hPrev);
        // Generated layers write dXProj over the gates; the seq2seq decoder keeps them apart.
        foreach (bool inPlace in new[] { false, true })
        {
            float[] dx = inPlace ? Copy(gates) : new float[3 * n], saved = inPlace ? dx : gates, dhp = new float[3 * n], dPrev = new float[n];
            if (width == 0) GruCell.Backward(dx, dhp, dPrev, dh, saved, hnSaved, hPrev);
            else { var k = new GruCell.BackwardKernel(dx, dhp, dPrev, dh, saved, hnSaved, hPrev); RowKernel.Run(ref k, width); }
            Close(dxRef, dx, $"gru backward in place={inPlace} dXProj");
            Close(dhpRef, dhp, $"gru backward in place={inPlace} dHProj");
            Close(dPrevRef, dPrev, $"gru backward in place={inPlace} dhPrev");
        }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Gru_reset_first(int n, int width)
    {
        var rng = new Random(n * 47 + width);
        float[] x = Uniform(rng, 3 * n, -4, 4), hpRz = Uniform(rng, 2 * n, -4, 4), hpN = Uniform(rng, n, -4, 4), hPrev = Uniform(rng, n, -1, 1);
        float[] gRef = Copy(x), rhRef = new float[n], hRef = Copy(hPrev);
        float[] g = Copy(x), rh = new float[n], h = Copy(hPrev);
        GruResetFirstCell.ForwardGatesReference(gRef, rhRef, gRef, hpRz, hPrev);
        GruResetFirstCell.ForwardCandidateReference(hRef, gRef, gRef, hpN, hRef);
        if (width == 0)
        {
            GruResetFirstCell.ForwardGates(g, rh, g, hpRz, hPrev);
            GruResetFirstCell.ForwardCandidate(h, g, g, hpN, h);
        }
        else
        {
            var k1 = new GruResetFirstCell.ForwardGatesKernel(g, rh, g, hpRz, hPrev); RowKernel.Run(ref k1, width);
            var k2 = new GruResetFirstCell.ForwardCandidateKernel(h, g, g, hpN, h); RowKernel.Run(ref k2, width);
        }
        Close(gRef, g, "gru reset-first forward gates");
        Close(rhRef, rh, "gru reset-first forward r⊙h");
        Close(hRef, h, "gru reset-first forward h");

        float[] gates = SavedGates(rng, n, 3, tanhBlock: 2), dh = Uniform(rng, n, -1, 1), dRh = Uniform(rng, n, -1, 1);
        float[] dxRef = new float[3 * n], dnRef = new float[n], directRef = new float[n], dRzRef = new float[2 * n];
        float[] dx = Copy(gates), dn = new float[n], direct = new float[n], dRz = new float[2 * n]; // in place, as the generated backward
        GruResetFirstCell.BackwardCandidateReference(dxRef, dnRef, directRef, dh, gates, hPrev);
        GruResetFirstCell.BackwardResetReference(dxRef, dRzRef, directRef, dRh, gates, hPrev);
        if (width == 0)
        {
            GruResetFirstCell.BackwardCandidate(dx, dn, direct, dh, dx, hPrev);
            GruResetFirstCell.BackwardReset(dx, dRz, direct, dRh, dx, hPrev);
        }
        else
        {
            var k1 = new GruResetFirstCell.BackwardCandidateKernel(dx, dn, direct, dh, dx, hPrev); RowKernel.Run(ref k1, width);
            var k2 = new GruResetFirstCell.BackwardResetKernel(dx, dRz, direct, dRh, dx, hPrev); RowKernel.Run(ref k2, width);
        }
        Close(dxRef, dx, "gru reset-first backward dXProj");
        Close(dnRef, dn, "gru reset-first backward dN");
        Close(directRef, direct, "gru reset-first backward dhDirect");
        Close(dRzRef, dRz, "gru reset-first backward dRz");
    }

    // The forward kernels add both biases in their pass: the same as the reference given
    // xProj + biasIh and hProj + biasHh (and, for the GRU, hn = hProj_n + biasHh_n).
    [Theory]
    [MemberData(nameof(Cases))]
    public void Forward_with_biases(int n, int width)
    {
        var rng = new Random(n * 53 + width);
        float[] Sum(float[] a, float[] b) { var r = new float[a.Length]; for (int i = 0; i < a.Length; i++) r[i] = a[i] + b[i]; return r; }
        foreach (bool relu in new[] { false, true })
        {
            float[] x = Uniform(rng, n, -3, 3), hp = Uniform(rng, n, -3, 3), bih = Uniform(rng, n, -1, 1), bhh = Uniform(rng, n, -1, 1);
            float[] hRef = new float[n], h = new float[n];
            RnnCell.ForwardReference(hRef, Sum(x, bih), Sum(hp, bhh), relu);
            if (width == 0) RnnCell.Forward(h, x, hp, relu, bih, bhh);
            else { var k = new RnnCell.ForwardKernel(h, x, hp, relu, bih, bhh); RowKernel.Run(ref k, width); }
            Close(hRef, h, $"rnn forward with biases relu={relu} h");
        }
        foreach (bool peephole in new[] { false, true })
        {
            float[] x = Uniform(rng, 4 * n, -3, 3), hp = Uniform(rng, 4 * n, -3, 3), cPrev = Uniform(rng, n, -3, 3), p = Uniform(rng, 3 * n, -1, 1);
            float[] bih = Uniform(rng, 4 * n, -1, 1), bhh = Uniform(rng, 4 * n, -1, 1);
            float[] gRef = new float[4 * n], cRef = new float[n], hRef = new float[n], g = Copy(x), c = Copy(cPrev), h = new float[n];
            if (peephole) LstmCell.ForwardPeepholeReference(hRef, cRef, gRef, Sum(x, bih), Sum(hp, bhh), cPrev, p);
            else LstmCell.ForwardReference(hRef, cRef, gRef, Sum(x, bih), Sum(hp, bhh), cPrev);
            if (width == 0) LstmCell.Forward(h, c, g, g, hp, c, bih, bhh, peephole ? p : default);
            else { var k = new LstmCell.ForwardKernel(h, c, g, g, hp, c, peephole ? p : default, bih, bhh); RowKernel.Run(ref k, width); }
            Close(gRef, g, $"lstm forward with biases peephole={peephole} gates");
            Close(cRef, c, $"lstm forward with biases peephole={peephole} c");
            Close(hRef, h, $"lstm forward with biases peephole={peephole} h");
        }
        {
            float[] x = Uniform(rng, 3 * n, -3, 3), hp = Uniform(rng, 3 * n, -3, 3), hPrev = Uniform(rng, n, -1, 1);
            float[] bih = Uniform(rng, 3 * n, -1, 1), bhh = Uniform(rng, 3 * n, -1, 1);
            float[] gRef = new float[3 * n], hnRef = new float[n], hRef = new float[n], g = Copy(x), hn = new float[n], h = Copy(hPrev);
            GruCell.ForwardReference(hRef, gRef, hnRef, Sum(x, bih), Sum(hp, bhh), hPrev);
            if (width == 0) GruCell.Forward(h, g, hn, g, hp, h, bih, bhh);
            else { var k = new GruCell.ForwardKernel(h, g, hn, g, hp, h, bih, bhh); RowKernel.Run(ref k, width); }
            Close(gRef, g, "gru forward with biases gates");
            Close(hnRef, hn, "gru forward with biases hn");
            Close(hRef, h, "gru forward with biases h");
        }
    }

    // Inference passes no gates (nor hn): the state comes out bitwise as when they are kept, and the
    // projection rows are left as they were (nothing is written into them).
    [Theory]
    [MemberData(nameof(Cases))]
    public void Forward_without_gates_for_backward_gives_the_same_state(int n, int width)
    {
        var rng = new Random(n * 71 + width);
        foreach (bool peephole in new[] { false, true })
        {
            float[] x = Uniform(rng, 4 * n, -3, 3), hp = Uniform(rng, 4 * n, -3, 3), cPrev = Uniform(rng, n, -3, 3), p = Uniform(rng, 3 * n, -1, 1);
            float[] bih = Uniform(rng, 4 * n, -1, 1), bhh = Uniform(rng, 4 * n, -1, 1);
            float[] gKept = Copy(x), cKept = Copy(cPrev), hKept = new float[n], xAlone = Copy(x), c = Copy(cPrev), h = new float[n];
            float[] pp = peephole ? p : [];
            if (width == 0)
            {
                LstmCell.Forward(hKept, cKept, gKept, gKept, hp, cKept, bih, bhh, pp);
                LstmCell.Forward(h, c, default, xAlone, hp, c, bih, bhh, pp);
            }
            else
            {
                var kept = new LstmCell.ForwardKernel(hKept, cKept, gKept, gKept, hp, cKept, pp, bih, bhh);
                RowKernel.Run(ref kept, width);
                var alone = new LstmCell.ForwardKernel(h, c, default, xAlone, hp, c, pp, bih, bhh);
                RowKernel.Run(ref alone, width);
            }
            Assert.Equal(hKept, h);
            Assert.Equal(cKept, c);
            Assert.Equal(x, xAlone);
            Assert.NotEqual(x, gKept); // (kept: the activations replaced the projection)
        }
        {
            float[] x = Uniform(rng, 3 * n, -3, 3), hp = Uniform(rng, 3 * n, -3, 3), hPrev = Uniform(rng, n, -1, 1);
            float[] bih = Uniform(rng, 3 * n, -1, 1), bhh = Uniform(rng, 3 * n, -1, 1);
            float[] gKept = Copy(x), hn = new float[n], hKept = Copy(hPrev), xAlone = Copy(x), h = Copy(hPrev);
            if (width == 0)
            {
                GruCell.Forward(hKept, gKept, hn, gKept, hp, hKept, bih, bhh);
                GruCell.Forward(h, default, default, xAlone, hp, h, bih, bhh);
            }
            else
            {
                var kept = new GruCell.ForwardKernel(hKept, gKept, hn, gKept, hp, hKept, bih, bhh);
                RowKernel.Run(ref kept, width);
                var alone = new GruCell.ForwardKernel(h, default, default, xAlone, hp, h, bih, bhh);
                RowKernel.Run(ref alone, width);
            }
            Assert.Equal(hKept, h);
            Assert.Equal(x, xAlone);
        }
    }

    [Fact]
    public void Short_spans_are_refused()
    {
        float[] h = new float[8], c = new float[8], g = new float[32], shortG = new float[31];
        Assert.Throws<ArgumentException>(() => LstmCell.Forward(h, c, shortG, g, g, c));
        Assert.Throws<ArgumentException>(() => LstmCell.Backward(g, c, h, shortG, c, c));
        Assert.Throws<ArgumentException>(() => GruCell.Backward(g, g, h, h, g.AsSpan(0, 23), h, h));
        Assert.Throws<ArgumentException>(() => RnnCell.Forward(h, h.AsSpan(0, 7), h, relu: false));
        Assert.Throws<ArgumentException>(() => RnnCell.Forward(h, h, h, false, h, h.AsSpan(0, 7)));
        Assert.Throws<ArgumentException>(() => LstmCell.Forward(h, c, g, g, g, c, g, g, g.AsSpan(0, 23)));
        // the GRU keeps its gates and hn together, or neither
        Assert.Throws<ArgumentException>(() => GruCell.Forward(h, g.AsSpan(0, 24), default, g.AsSpan(0, 24), g.AsSpan(0, 24), h, default, default));
        Assert.Throws<ArgumentException>(() => GruCell.Forward(h, default, h, g.AsSpan(0, 24), g.AsSpan(0, 24), h, default, default));
    }
}
