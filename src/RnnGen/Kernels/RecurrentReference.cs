using System;

namespace RnnGen.Kernels;

/// <summary>
/// Plain scalar versions of <see cref="RecurrentRunner"/>'s three layer loops, kept beside the fast
/// path as its specification and for tests: the recurrent product of each step is summed in double
/// precision, and the gates follow the equations of <see cref="RnnCell"/>, <see cref="LstmCell"/> and
/// <see cref="GruCell"/> element by element. Slow; allocates per call.
/// </summary>
public static class RecurrentReference
{
    /// <summary>Reference for <see cref="RecurrentRunner.Rnn"/>; same arguments.</summary>
    /// <param name="weightHh">W_hh [H × H].</param>
    /// <param name="biasHh">b_hh [H].</param>
    /// <param name="inputProjection">[≥ length × H].</param>
    /// <param name="hidden">[H], initial state in, final state out.</param>
    /// <param name="output">h of position p at p·outputStride.</param>
    /// <param name="outputStride">Floats between positions of the output.</param>
    /// <param name="length">Positions to run.</param>
    /// <param name="reverse">Last position first.</param>
    /// <param name="relu">ReLU instead of tanh.</param>
    public static void Rnn(ReadOnlySpan<float> weightHh, ReadOnlySpan<float> biasHh, ReadOnlySpan<float> inputProjection, Span<float> hidden,
        Span<float> output, int outputStride, int length, bool reverse, bool relu) =>
        Run(relu ? 'R' : 'T', 1, weightHh, biasHh, inputProjection, hidden, default, output, outputStride, length, reverse);

    /// <summary>Reference for <see cref="RecurrentRunner.Lstm"/>; same arguments.</summary>
    /// <param name="weightHh">W_hh [4H × H].</param>
    /// <param name="biasHh">b_hh [4H].</param>
    /// <param name="inputProjection">[≥ length × 4H].</param>
    /// <param name="hidden">[H], initial state in, final state out.</param>
    /// <param name="cell">[H], initial cell state in, final cell state out.</param>
    /// <param name="output">h of position p at p·outputStride.</param>
    /// <param name="outputStride">Floats between positions of the output.</param>
    /// <param name="length">Positions to run.</param>
    /// <param name="reverse">Last position first.</param>
    public static void Lstm(ReadOnlySpan<float> weightHh, ReadOnlySpan<float> biasHh, ReadOnlySpan<float> inputProjection, Span<float> hidden, Span<float> cell,
        Span<float> output, int outputStride, int length, bool reverse) =>
        Run('L', 4, weightHh, biasHh, inputProjection, hidden, cell, output, outputStride, length, reverse);

    /// <summary>Reference for <see cref="RecurrentRunner.Gru"/>; same arguments.</summary>
    /// <param name="weightHh">W_hh [3H × H].</param>
    /// <param name="biasHh">b_hh [3H].</param>
    /// <param name="inputProjection">[≥ length × 3H].</param>
    /// <param name="hidden">[H], initial state in, final state out.</param>
    /// <param name="output">h of position p at p·outputStride.</param>
    /// <param name="outputStride">Floats between positions of the output.</param>
    /// <param name="length">Positions to run.</param>
    /// <param name="reverse">Last position first.</param>
    public static void Gru(ReadOnlySpan<float> weightHh, ReadOnlySpan<float> biasHh, ReadOnlySpan<float> inputProjection, Span<float> hidden,
        Span<float> output, int outputStride, int length, bool reverse) =>
        Run('G', 3, weightHh, biasHh, inputProjection, hidden, default, output, outputStride, length, reverse);

    private static float Sigmoid(float x) => 1f / (1f + MathF.Exp(-x));

    private static void Run(char kind, int gates, ReadOnlySpan<float> w, ReadOnlySpan<float> bias, ReadOnlySpan<float> xProj, Span<float> h, Span<float> c,
        Span<float> output, int outputStride, int length, bool reverse)
    {
        int n = h.Length;
        var proj = new float[gates * n];
        var hNew = new float[n];
        for (int s = 0; s < length; s++)
        {
            int p = reverse ? length - 1 - s : s;
            ReadOnlySpan<float> x = xProj.Slice(p * gates * n, gates * n);
            // proj = W_hh·h + b_hh
            for (int r = 0; r < gates * n; r++)
            {
                double sum = bias[r];
                for (int k = 0; k < n; k++) sum += (double)w[r * n + k] * h[k];
                proj[r] = (float)sum;
            }
            for (int j = 0; j < n; j++)
            {
                switch (kind)
                {
                    case 'L':
                        float i = Sigmoid(x[j] + proj[j]), f = Sigmoid(x[n + j] + proj[n + j]);
                        float g = MathF.Tanh(x[2 * n + j] + proj[2 * n + j]), o = Sigmoid(x[3 * n + j] + proj[3 * n + j]);
                        c[j] = f * c[j] + i * g;
                        hNew[j] = o * MathF.Tanh(c[j]);
                        break;
                    case 'G':
                        float rr = Sigmoid(x[j] + proj[j]), z = Sigmoid(x[n + j] + proj[n + j]);
                        float nn = MathF.Tanh(x[2 * n + j] + rr * proj[2 * n + j]);
                        hNew[j] = (1f - z) * nn + z * h[j];
                        break;
                    default:
                        float pre = x[j] + proj[j];
                        hNew[j] = kind == 'R' ? MathF.Max(pre, 0f) : MathF.Tanh(pre);
                        break;
                }
            }
            hNew.CopyTo(h);
            hNew.CopyTo(output.Slice(p * outputStride, n));
        }
    }
}
