using System;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;

namespace RnnGen.Kernels;

// Attention of one decoder row over the encoder outputs of its source sequence. The source has
// `length` real positions; padded positions get weight 0 and no gradient. Shapes:
// memory/keys [length × width] row-major (one row per source position), query [width],
// scores/weights [≥ length]. Outputs first, gradients d-prefixed and accumulated unless noted.

/// <summary>Masked attention over variable-length sources: scores, softmax, context, and their backward passes.</summary>
public static class Attention
{
    // scores[i] = query · keys[i], i < length
    /// <summary>Dot scores (Luong dot, and Luong general with keys = W_a·memory).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void DotScores(Span<float> scores, ReadOnlySpan<float> query, ReadOnlySpan<float> keys, int length)
    {
        int width = query.Length;
        for (int i = 0; i < length; i++) scores[i] = TensorPrimitives.Dot(query, keys.Slice(i * width, width));
    }

    // scores[i] = v · tanh(query + keys[i]), i < length; scratch[width]
    /// <summary>Additive (Bahdanau) scores; <paramref name="query"/> is W_q·s, <paramref name="keys"/> are W_k·h_i.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void AdditiveScores(Span<float> scores, Span<float> scratch, ReadOnlySpan<float> query, ReadOnlySpan<float> keys, ReadOnlySpan<float> v, int length)
    {
        int width = query.Length;
        for (int i = 0; i < length; i++)
        {
            TensorPrimitives.Add(query, keys.Slice(i * width, width), scratch);
            TensorPrimitives.Tanh(scratch, scratch);
            scores[i] = TensorPrimitives.Dot(v, scratch);
        }
    }

    // weights[i] = softmax(scores)[i] for i < length, 0 for length ≤ i < weights.Length
    /// <summary>Softmax over the first <paramref name="length"/> scores, in place; padded positions set to 0.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void MaskedSoftmax(Span<float> weights, int length)
    {
        Span<float> real = weights.Slice(0, length);
        float max = TensorPrimitives.Max(real);
        double sum = 0;
        for (int i = 0; i < length; i++)
        {
            float e = MathF.Exp(real[i] - max);
            real[i] = e;
            sum += e;
        }
        TensorPrimitives.Multiply(real, (float)(1.0 / sum), real);
        weights.Slice(length).Clear();
    }

    // context[width] = Σ_{i<length} weights[i] · memory[i]   (overwrites context)
    /// <summary>The weighted sum of the memory rows.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Context(Span<float> context, ReadOnlySpan<float> weights, ReadOnlySpan<float> memory, int length)
    {
        int width = context.Length;
        context.Clear();
        for (int i = 0; i < length; i++) TensorPrimitives.MultiplyAdd(memory.Slice(i * width, width), weights[i], context, context);
    }

    // dWeights[i] = dContext · memory[i] (overwritten); dMemory[i] += weights[i] · dContext
    /// <summary>Backward of <see cref="Context"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void ContextBackward(Span<float> dWeights, Span<float> dMemory, ReadOnlySpan<float> dContext, ReadOnlySpan<float> weights, ReadOnlySpan<float> memory, int length)
    {
        int width = dContext.Length;
        for (int i = 0; i < length; i++)
        {
            dWeights[i] = TensorPrimitives.Dot(dContext, memory.Slice(i * width, width));
            Span<float> dm = dMemory.Slice(i * width, width);
            TensorPrimitives.MultiplyAdd(dContext, weights[i], dm, dm);
        }
    }

    // dScores[i] = weights[i] · (dWeights[i] − Σ_j weights[j] dWeights[j]), i < length (overwritten)
    /// <summary>Backward of <see cref="MaskedSoftmax"/>; <paramref name="dScores"/> may be the same memory as <paramref name="dWeights"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void MaskedSoftmaxBackward(Span<float> dScores, ReadOnlySpan<float> dWeights, ReadOnlySpan<float> weights, int length)
    {
        float dot = TensorPrimitives.Dot(weights.Slice(0, length), dWeights.Slice(0, length));
        for (int i = 0; i < length; i++) dScores[i] = weights[i] * (dWeights[i] - dot);
    }

    // dQuery += Σ dScores[i] keys[i]; dKeys[i] += dScores[i] · query
    /// <summary>Backward of <see cref="DotScores"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void DotScoresBackward(Span<float> dQuery, Span<float> dKeys, ReadOnlySpan<float> dScores, ReadOnlySpan<float> query, ReadOnlySpan<float> keys, int length)
    {
        int width = query.Length;
        for (int i = 0; i < length; i++)
        {
            TensorPrimitives.MultiplyAdd(keys.Slice(i * width, width), dScores[i], dQuery, dQuery);
            Span<float> dk = dKeys.Slice(i * width, width);
            TensorPrimitives.MultiplyAdd(query, dScores[i], dk, dk);
        }
    }

    // u_i = tanh(query + keys[i]) (recomputed); du = dScores[i] · v ⊙ (1 − u²);
    // dQuery += Σ du; dKeys[i] += du; dV += Σ dScores[i] · u_i. scratch[2 × width]
    /// <summary>Backward of <see cref="AdditiveScores"/>, recomputing tanh(query + keys[i]).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void AdditiveScoresBackward(Span<float> dQuery, Span<float> dKeys, Span<float> dV, Span<float> scratch, ReadOnlySpan<float> dScores,
        ReadOnlySpan<float> query, ReadOnlySpan<float> keys, ReadOnlySpan<float> v, int length)
    {
        int width = query.Length;
        Span<float> u = scratch.Slice(0, width), du = scratch.Slice(width, width);
        for (int i = 0; i < length; i++)
        {
            TensorPrimitives.Add(query, keys.Slice(i * width, width), u);
            TensorPrimitives.Tanh(u, u);
            float d = dScores[i];
            TensorPrimitives.MultiplyAdd(u, d, dV, dV);
            for (int a = 0; a < width; a++) du[a] = d * v[a] * (1f - u[a] * u[a]);
            TensorPrimitives.Add(dQuery, du, dQuery);
            Span<float> dk = dKeys.Slice(i * width, width);
            TensorPrimitives.Add(dk, du, dk);
        }
    }
}
