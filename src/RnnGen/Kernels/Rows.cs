using System;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;

namespace RnnGen.Kernels;

/// <summary>Row-wise helpers the generated code calls around the matrix products.</summary>
public static class Rows
{
    // x[rows×n] += bias[n] on every row
    /// <summary>Adds <paramref name="bias"/> to each of <paramref name="rows"/> rows of <paramref name="x"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void AddBias(Span<float> x, ReadOnlySpan<float> bias, int rows)
    {
        int n = bias.Length;
        for (int r = 0; r < rows; r++)
        {
            Span<float> row = x.Slice(r * n, n);
            TensorPrimitives.Add(row, bias, row);
        }
    }

    // x[rows×n] = bias[n] on every row
    /// <summary>Sets each of <paramref name="rows"/> rows of <paramref name="x"/> to <paramref name="bias"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void SetBias(Span<float> x, ReadOnlySpan<float> bias, int rows)
    {
        int n = bias.Length;
        for (int r = 0; r < rows; r++) bias.CopyTo(x.Slice(r * n, n));
    }

    // x[batch×steps×width] (or [steps×batch×width] time-major): rows (b, t) with t ≥ lengths[b] = 0
    /// <summary>
    /// Zeroes the padded rows of a [batch, steps, <paramref name="width"/>] buffer (or [steps, batch,
    /// <paramref name="width"/>] when <paramref name="layout"/> is time-major): those past each
    /// sequence's length. The generated code writes every real row, so this replaces a full clear.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void ClearPadding(Span<float> x, ReadOnlySpan<int> lengths, int steps, int width, SequenceLayout layout = SequenceLayout.BatchFirst)
    {
        int batch = lengths.Length;
        for (int b = 0; b < batch; b++)
        {
            int length = lengths[b];
            if (length >= steps) continue;
            if (layout == SequenceLayout.TimeMajor)
                for (int t = length; t < steps; t++) x.Slice((t * batch + b) * width, width).Clear();
            else
                x.Slice((b * steps + length) * width, (steps - length) * width).Clear();
        }
    }

    // dBias[n] += Σ_rows dx[rows×n]
    /// <summary>Accumulates the column sums of <paramref name="dx"/> into <paramref name="dBias"/> (bias gradient).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void AccumulateColumnSums(Span<float> dBias, ReadOnlySpan<float> dx, int rows)
    {
        int n = dBias.Length;
        for (int r = 0; r < rows; r++) TensorPrimitives.Add(dBias, dx.Slice(r * n, n), dBias);
    }

    // y[n] = x[n] − log Σ exp(x)
    /// <summary>Log-softmax of one row, in place allowed.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void LogSoftmax(Span<float> y, ReadOnlySpan<float> x)
    {
        float max = TensorPrimitives.Max(x);
        double sum = 0;
        for (int j = 0; j < x.Length; j++) sum += MathF.Exp(x[j] - max);
        float logZ = max + (float)Math.Log(sum);
        TensorPrimitives.Subtract(x, logZ, y);
    }

    // dx[n] = dy[n] − exp(y[n])·Σ dy   (y = log-softmax output)
    /// <summary>Backward of <see cref="LogSoftmax"/> from its output <paramref name="y"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void LogSoftmaxBackward(Span<float> dx, ReadOnlySpan<float> dy, ReadOnlySpan<float> y)
    {
        float sum = TensorPrimitives.Sum(dy);
        for (int j = 0; j < dx.Length; j++) dx[j] = dy[j] - MathF.Exp(y[j]) * sum;
    }

    /// <summary>
    /// Number of leading sequences still running at <paramref name="step"/> when the lengths are
    /// sorted longest first (the recurrent product then skips finished rows); otherwise the whole batch.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static int ActiveRows(ReadOnlySpan<int> lengths, int step, bool sortedLongestFirst)
    {
        if (!sortedLongestFirst) return lengths.Length;
        int lo = 0, hi = lengths.Length;
        while (lo < hi)
        {
            int mid = (lo + hi) >>> 1;
            if (lengths[mid] > step) lo = mid + 1; else hi = mid;
        }
        return lo;
    }

    /// <summary>True when every length is at least the next one.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static bool IsSortedLongestFirst(ReadOnlySpan<int> lengths)
    {
        for (int i = 1; i < lengths.Length; i++) if (lengths[i] > lengths[i - 1]) return false;
        return true;
    }
}
