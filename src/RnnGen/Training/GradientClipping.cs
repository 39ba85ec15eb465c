using System;
using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace RnnGen.Training;

/// <summary>
/// Gradient clipping on a flat gradient array: by global L2 norm (like
/// <c>torch.nn.utils.clip_grad_norm_</c>) and by value (like <c>clip_grad_value_</c>).
/// </summary>
public static class GradientClipping
{
    /// <summary>
    /// PyTorch's guard against division by zero: the scale is <c>maxNorm / (norm + 1e-6)</c>.
    /// </summary>
    public const double NormEpsilon = 1e-6;

    /// <summary>
    /// The L2 norm of <paramref name="values"/>, with squares accumulated in double (so it neither
    /// loses precision over millions of elements nor overflows). The result is NaN or infinite
    /// exactly when some element is NaN or infinite.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static double GlobalNorm(ReadOnlySpan<float> values)
    {
        ReadOnlySpan<Vector<float>> vs = MemoryMarshal.Cast<float, Vector<float>>(values);
        Vector<double> acc0 = Vector<double>.Zero, acc1 = Vector<double>.Zero;
        for (int i = 0; i < vs.Length; i++)
        {
            Vector.Widen(vs[i], out Vector<double> lo, out Vector<double> hi);
            acc0 += lo * lo;
            acc1 += hi * hi;
        }
        double sum = Vector.Sum(acc0 + acc1);
        for (int n = vs.Length * Vector<float>.Count; n < values.Length; n++)
        {
            double x = values[n];
            sum += x * x;
        }
        return Math.Sqrt(sum);
    }

    /// <summary>
    /// Scales <paramref name="gradients"/> in place so that their global L2 norm is at most
    /// <paramref name="maxNorm"/>, and returns the norm <em>before</em> clipping, like
    /// <c>torch.nn.utils.clip_grad_norm_</c>: when norm &gt; maxNorm every gradient is multiplied
    /// by <c>maxNorm / (norm + 1e-6)</c>; otherwise nothing changes.
    /// </summary>
    /// <remarks>
    /// When the norm is NaN or infinite (some gradient is not finite) the gradients are left as they
    /// are and the non-finite norm is returned, so the caller can skip the step (see
    /// <see cref="TrainingStep"/>); PyTorch would instead multiply them by a NaN or zero scale.
    /// </remarks>
    /// <param name="gradients">The flat gradient array, changed in place.</param>
    /// <param name="maxNorm">The largest allowed norm; finite and &gt; 0.</param>
    /// <returns>The global L2 norm before clipping, computed in double.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxNorm"/> is not finite and positive.</exception>
    public static double ClipByGlobalNorm(Span<float> gradients, double maxNorm)
    {
        CheckMaxNorm(maxNorm);
        double norm = GlobalNorm(gradients);
        ScaleToNorm(gradients, norm, maxNorm);
        return norm;
    }

    /// <summary>Clips <paramref name="network"/>'s gradients by global norm; see <see cref="ClipByGlobalNorm(Span{float}, double)"/>.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="network"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxNorm"/> is not finite and positive.</exception>
    public static double ClipByGlobalNorm(IRecurrentNetwork network, double maxNorm)
    {
        ArgumentNullException.ThrowIfNull(network);
        return ClipByGlobalNorm(network.Gradients, maxNorm);
    }

    /// <summary>
    /// Clamps every gradient into [−<paramref name="clipValue"/>, <paramref name="clipValue"/>] in
    /// place, like <c>torch.nn.utils.clip_grad_value_</c>.
    /// </summary>
    /// <param name="gradients">The flat gradient array, changed in place.</param>
    /// <param name="clipValue">The largest allowed magnitude; finite and &gt; 0.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="clipValue"/> is not finite and positive.</exception>
    public static void ClipByValue(Span<float> gradients, float clipValue)
    {
        if (!(clipValue > 0) || float.IsInfinity(clipValue))
            throw new ArgumentOutOfRangeException(nameof(clipValue), clipValue, $"'clipValue' is {clipValue}; it must be a finite number > 0.");
        TensorPrimitives.Clamp(gradients, -clipValue, clipValue, gradients);
    }

    /// <summary>Clips <paramref name="network"/>'s gradients by value; see <see cref="ClipByValue(Span{float}, float)"/>.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="network"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="clipValue"/> is not finite and positive.</exception>
    public static void ClipByValue(IRecurrentNetwork network, float clipValue)
    {
        ArgumentNullException.ThrowIfNull(network);
        ClipByValue(network.Gradients, clipValue);
    }

    internal static void CheckMaxNorm(double maxNorm)
    {
        if (!(maxNorm > 0) || double.IsInfinity(maxNorm))
            throw new ArgumentOutOfRangeException(nameof(maxNorm), maxNorm, $"'maxNorm' is {maxNorm}; it must be a finite number > 0.");
    }

    /// <summary>Applies the clip for an already computed <paramref name="norm"/>; returns whether the gradients were scaled.</summary>
    internal static bool ScaleToNorm(Span<float> gradients, double norm, double maxNorm)
    {
        if (!double.IsFinite(norm)) return false;
        double scale = maxNorm / (norm + NormEpsilon);
        if (scale >= 1) return false;
        TensorPrimitives.Multiply(gradients, (float)scale, gradients);
        return true;
    }
}

/// <summary>Finds NaN and infinite values: the check that keeps one bad batch from destroying a model.</summary>
public static class FiniteCheck
{
    /// <summary>Whether every element of <paramref name="values"/> is finite (neither NaN nor ±∞). Vectorized.</summary>
    public static bool AllFinite(ReadOnlySpan<float> values) => IndexOfNonFinite(values) < 0;

    /// <summary>Index of the first NaN or ±∞ in <paramref name="values"/>, or −1 when all are finite.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static int IndexOfNonFinite(ReadOnlySpan<float> values)
    {
        ReadOnlySpan<Vector<float>> vs = MemoryMarshal.Cast<float, Vector<float>>(values);
        var allSet = new Vector<int>(-1);
        int start = vs.Length * Vector<float>.Count;
        for (int i = 0; i < vs.Length; i++)
        {
            if (!Vector.EqualsAll(Vector.AsVectorInt32(Vector.IsFinite(vs[i])), allSet))
            {
                start = i * Vector<float>.Count;
                break;
            }
        }
        for (int n = start; n < values.Length; n++)
            if (!float.IsFinite(values[n])) return n;
        return -1;
    }

    /// <summary>Whether <paramref name="loss"/> and every gradient are finite: the condition for applying a step.</summary>
    public static bool IsFinite(float loss, ReadOnlySpan<float> gradients) => float.IsFinite(loss) && AllFinite(gradients);
}
