using System;
using System.Collections.Generic;
using System.Linq;
using RnnGen.Tests.Networks;

namespace RnnGen.Tests.Reference;

/// <summary>
/// A plain, double-precision implementation of the equations in DESIGN.md (Numerics), written
/// independently of the generator: loops over sequences, steps and units, nothing fused.
/// </summary>
public static class ScalarReference
{
    public sealed record Result(double[] Output, double[] FinalHidden, double[] FinalCell);

    public static Result Run(NetworkConfig cfg, IReadOnlyList<TensorDescriptor> table, double[] p,
        double[]? inputs, int[]? tokens, int[] lengths, int steps, double[]? h0 = null, double[]? c0 = null)
    {
        int batch = lengths.Length, H = cfg.HiddenSize, D = cfg.Directions;
        double[] Tensor(string name, out int cols)
        {
            TensorDescriptor t = table.Single(x => x.Name == name);
            cols = t.Shape.Count > 1 ? t.Shape[1] : 1;
            return p.AsSpan(t.Offset, t.Length).ToArray();
        }

        // Layer-0 input [b][t][i]
        int width = cfg.InputSize;
        var x = new double[batch, steps, width];
        for (int b = 0; b < batch; b++)
            for (int t = 0; t < lengths[b]; t++)
                for (int i = 0; i < width; i++)
                {
                    if (cfg.HasEmbedding)
                    {
                        double[] e = Tensor("embedding.weight", out int ec);
                        x[b, t, i] = e[tokens![b * steps + t] * ec + i];
                    }
                    else x[b, t, i] = inputs![(b * steps + t) * width + i];
                }

        var finalH = new double[cfg.StateCount * batch * H];
        var finalC = new double[cfg.StateCount * batch * H];
        for (int l = 0; l < cfg.Layers; l++)
        {
            var y = new double[batch, steps, D * H];
            for (int d = 0; d < D; d++)
            {
                string suffix = l + (d == 1 ? "_reverse" : "");
                double[] wih = Tensor("weight_ih_l" + suffix, out int inW), whh = Tensor("weight_hh_l" + suffix, out _);
                double[] bih = Tensor("bias_ih_l" + suffix, out _), bhh = Tensor("bias_hh_l" + suffix, out _);
                double[]? peep = cfg.Peepholes ? Tensor("weight_peephole_l" + suffix, out _) : null;
                int state = l * D + d;
                for (int b = 0; b < batch; b++)
                {
                    var h = new double[H];
                    var c = new double[H];
                    for (int j = 0; j < H; j++)
                    {
                        h[j] = h0?[(state * batch + b) * H + j] ?? 0;
                        c[j] = c0?[(state * batch + b) * H + j] ?? 0;
                    }
                    for (int s = 0; s < lengths[b]; s++)
                    {
                        int t = d == 0 ? s : lengths[b] - 1 - s;
                        // a[g] = W_ih x + b_ih, r[g] = W_hh h + b_hh, for every gate row g
                        int rowsG = cfg.Gates * H;
                        var a = new double[rowsG];
                        var r = new double[rowsG];
                        for (int g = 0; g < rowsG; g++)
                        {
                            double sa = bih[g], sr = bhh[g];
                            for (int i = 0; i < inW; i++) sa += wih[g * inW + i] * x[b, t, i];
                            for (int k = 0; k < H; k++) sr += whh[g * H + k] * h[k];
                            a[g] = sa; r[g] = sr;
                        }
                        var hNew = new double[H];
                        for (int j = 0; j < H; j++)
                        {
                            switch (cfg.Cell)
                            {
                                case CellKind.Rnn:
                                    double pre = a[j] + r[j];
                                    hNew[j] = cfg.Relu ? Math.Max(0, pre) : Math.Tanh(pre);
                                    break;
                                case CellKind.Lstm:
                                    // Peepholes (i, f, o blocks): i and f see c_{t−1}, o sees c_t.
                                    double pi = peep is null ? 0 : peep[j] * c[j], pf = peep is null ? 0 : peep[H + j] * c[j];
                                    double ig = Sigmoid(a[j] + r[j] + pi), fg = Sigmoid(a[H + j] + r[H + j] + pf);
                                    double gg = Math.Tanh(a[2 * H + j] + r[2 * H + j]);
                                    c[j] = fg * c[j] + ig * gg;
                                    double og = Sigmoid(a[3 * H + j] + r[3 * H + j] + (peep is null ? 0 : peep[2 * H + j] * c[j]));
                                    hNew[j] = og * Math.Tanh(c[j]);
                                    break;
                                default:
                                    double rg = Sigmoid(a[j] + r[j]), zg = Sigmoid(a[H + j] + r[H + j]);
                                    double recurrent;
                                    if (cfg.LinearBeforeReset) recurrent = rg * r[2 * H + j];
                                    else
                                    {
                                        // W_hn (r ⊙ h) + b_hn, with r for every unit
                                        recurrent = bhh[2 * H + j];
                                        for (int k = 0; k < H; k++) recurrent += whh[(2 * H + j) * H + k] * Sigmoid(a[k] + r[k]) * h[k];
                                    }
                                    double ng = Math.Tanh(a[2 * H + j] + recurrent);
                                    hNew[j] = (1 - zg) * ng + zg * h[j];
                                    break;
                            }
                        }
                        h = hNew;
                        for (int j = 0; j < H; j++) y[b, t, d * H + j] = h[j];
                    }
                    for (int j = 0; j < H; j++)
                    {
                        finalH[(state * batch + b) * H + j] = h[j];
                        finalC[(state * batch + b) * H + j] = c[j];
                    }
                }
            }
            x = y;
            width = D * H;
        }

        var output = new double[batch * steps * cfg.StepOutputSize];
        for (int b = 0; b < batch; b++)
            for (int t = 0; t < lengths[b]; t++)
            {
                int o = (b * steps + t) * cfg.StepOutputSize;
                if (cfg.OutputSize == 0)
                {
                    for (int j = 0; j < width; j++) output[o + j] = x[b, t, j];
                    continue;
                }
                double[] hw = Tensor("head.weight", out _), hb = Tensor("head.bias", out _);
                var logits = new double[cfg.OutputSize];
                for (int k = 0; k < cfg.OutputSize; k++)
                {
                    double sum = hb[k];
                    for (int j = 0; j < width; j++) sum += hw[k * width + j] * x[b, t, j];
                    logits[k] = sum;
                }
                double max = logits.Max(), z = logits.Sum(v => Math.Exp(v - max));
                for (int k = 0; k < cfg.OutputSize; k++) output[o + k] = logits[k] - max - Math.Log(z);
            }
        return new Result(output, finalH, finalC);
    }

    private static double Sigmoid(double v) => 1 / (1 + Math.Exp(-v));
}
