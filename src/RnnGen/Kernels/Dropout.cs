using System;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;

namespace RnnGen.Kernels;

/// <summary>Inverted dropout: kept values are scaled by 1/(1−p) so inference needs no change.</summary>
public static class Dropout
{
    // mask[n] = 0 or 1/(1−p); x[n] ⊙= mask
    /// <summary>Draws a mask from <paramref name="random"/> and applies it to <paramref name="x"/> in place.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Forward(Span<float> x, Span<float> mask, float p, SeededRandom random)
    {
        float keep = 1f / (1f - p);
        for (int i = 0; i < mask.Length; i++) mask[i] = random.NextSingle() < p ? 0f : keep;
        TensorPrimitives.Multiply(x, mask, x);
    }

    // dx[n] ⊙= mask
    /// <summary>Applies the saved mask to a gradient in place.</summary>
    public static void Backward(Span<float> dx, ReadOnlySpan<float> mask) => TensorPrimitives.Multiply(dx, mask, dx);
}
