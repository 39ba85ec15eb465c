using System;
using System.Runtime.CompilerServices;

namespace RnnGen.Training;

/// <summary>
/// Draws the next token from a model's log-probabilities, with a temperature and top-k
/// truncation, from a <see cref="SeededRandom"/>: the same seed, settings and inputs give the
/// same tokens, so generated text reproduces.
/// </summary>
/// <remarks>
/// <para>
/// For log-probabilities ℓ (the log-softmax output of a network's head, or any logits) the
/// distribution sampled from is <c>p_i ∝ exp(ℓ_i / T)</c> over the <see cref="TopK"/> classes of
/// largest ℓ, and 0 for the others (<see cref="GetDistribution"/> computes it). T = 1 keeps the
/// model's distribution; T &lt; 1 sharpens it (p^(1/T), renormalized) toward the most likely
/// token; T &gt; 1 flattens it toward uniform. T = 0, or top-k = 1, always picks the most likely
/// token (ties: the smallest id). Among classes tied at the top-k boundary the smallest ids are
/// kept. Classes at −∞ (masked out) are never drawn.
/// </para>
/// <para>
/// A draw uses exactly one <see cref="SeededRandom.NextDouble"/>, except greedy draws (T = 0 or
/// top-k = 1), which use none. <see cref="Sample"/> allocates nothing once its scratch buffer has
/// grown to the number of classes.
/// </para>
/// </remarks>
public sealed class TokenSampler
{
    private readonly SeededRandom _random;
    private float[] _scratch = [];
    private float[] _weights = [];

    /// <summary>Creates a sampler.</summary>
    /// <param name="seed">Seed of the random draws.</param>
    /// <param name="temperature">T, finite and ≥ 0; 0 means greedy (always the most likely token).</param>
    /// <param name="topK">Draw only among the k most likely tokens; 0 for all of them.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="temperature"/> or <paramref name="topK"/> is out of range.</exception>
    public TokenSampler(ulong seed, float temperature = 1f, int topK = 0)
    {
        CheckSettings(temperature, topK);
        _random = new SeededRandom(seed);
        Temperature = temperature;
        TopK = topK;
    }

    /// <summary>T: divides the log-probabilities before the softmax; 0 means greedy.</summary>
    public float Temperature { get; }

    /// <summary>Number of most likely classes drawn from; 0 for all.</summary>
    public int TopK { get; }

    /// <summary>Draws one class from <paramref name="logProbs"/> with this sampler's temperature and top-k.</summary>
    /// <param name="logProbs">Log-probabilities (or logits) of every class; NaN is not allowed, −∞ masks a class out.</param>
    /// <returns>The class drawn, in [0, logProbs.Length).</returns>
    /// <exception cref="ArgumentException"><paramref name="logProbs"/> is empty, holds NaN or +∞, or every class is −∞.</exception>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public int Sample(ReadOnlySpan<float> logProbs)
    {
        if (_weights.Length < logProbs.Length)
        {
            _weights = new float[logProbs.Length];
            _scratch = new float[logProbs.Length];
        }
        Span<float> weights = _weights.AsSpan(0, logProbs.Length);
        double total = Weights(logProbs, Temperature, TopK, weights, _scratch.AsSpan(0, logProbs.Length), out int argmax);
        if (double.IsNaN(total)) return argmax; // greedy: no draw

        double u = _random.NextDouble() * total, cumulative = 0;
        int last = argmax;
        for (int i = 0; i < weights.Length; i++)
        {
            if (weights[i] == 0f) continue;
            cumulative += weights[i];
            last = i;
            if (u < cumulative) return i;
        }
        return last; // u landed on the rounding gap at the very end
    }

    /// <summary>
    /// Writes the distribution a draw with these settings samples from: <c>p_i ∝ exp(ℓ_i / T)</c>
    /// over the <paramref name="topK"/> largest ℓ, 0 elsewhere; one-hot on the most likely class
    /// when <paramref name="temperature"/> is 0 or <paramref name="topK"/> is 1.
    /// </summary>
    /// <param name="logProbs">Log-probabilities (or logits) of every class.</param>
    /// <param name="temperature">T, finite and ≥ 0.</param>
    /// <param name="topK">Classes kept; 0 for all.</param>
    /// <param name="probabilities">Receives the probabilities, as long as <paramref name="logProbs"/>; they sum to 1.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="temperature"/> or <paramref name="topK"/> is out of range.</exception>
    /// <exception cref="ArgumentException">The spans differ in length, or <paramref name="logProbs"/> is empty, holds NaN or +∞, or is all −∞.</exception>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void GetDistribution(ReadOnlySpan<float> logProbs, float temperature, int topK, Span<float> probabilities)
    {
        CheckSettings(temperature, topK);
        if (probabilities.Length != logProbs.Length)
            throw new ArgumentException($"'probabilities' holds {probabilities.Length} values but 'logProbs' holds {logProbs.Length}.", nameof(probabilities));
        double total = Weights(logProbs, temperature, topK, probabilities, new float[logProbs.Length], out int argmax);
        if (double.IsNaN(total))
        {
            probabilities.Clear();
            probabilities[argmax] = 1f;
            return;
        }
        for (int i = 0; i < probabilities.Length; i++) probabilities[i] = (float)(probabilities[i] / total);
    }

    private static void CheckSettings(float temperature, int topK)
    {
        if (!(temperature >= 0) || float.IsInfinity(temperature))
            throw new ArgumentOutOfRangeException(nameof(temperature), temperature, $"The temperature is {temperature}; it must be a finite number ≥ 0 (0 = always the most likely token).");
        ArgumentOutOfRangeException.ThrowIfNegative(topK);
    }

    // Unnormalized weights exp((ℓ_i − max)/T) of the kept classes into `weights`; returns their sum,
    // or NaN for a greedy draw (T = 0 or top-k = 1), where only `argmax` matters.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static double Weights(ReadOnlySpan<float> logProbs, float temperature, int topK, Span<float> weights, Span<float> scratch, out int argmax)
    {
        if (logProbs.IsEmpty) throw new ArgumentException("'logProbs' is empty; there is no class to draw.", nameof(logProbs));
        argmax = 0;
        float max = float.NegativeInfinity;
        for (int i = 0; i < logProbs.Length; i++)
        {
            float x = logProbs[i];
            if (float.IsNaN(x) || float.IsPositiveInfinity(x))
                throw new ArgumentException($"logProbs[{i}] is {x}; log-probabilities must be finite or −∞.", nameof(logProbs));
            if (x > max) { max = x; argmax = i; }
        }
        if (float.IsNegativeInfinity(max)) throw new ArgumentException("Every class of 'logProbs' is −∞; there is no class to draw.", nameof(logProbs));
        if (temperature == 0f || topK == 1) return double.NaN;

        // Top-k: the k-th largest value is the threshold; values above it are kept, and values equal
        // to it from the smallest id on until k classes are kept.
        float threshold = float.NegativeInfinity;
        int tiesAllowed = int.MaxValue;
        if (topK > 0 && topK < logProbs.Length)
        {
            logProbs.CopyTo(scratch);
            scratch.Sort();
            threshold = scratch[logProbs.Length - topK];
            int above = 0;
            for (int i = 0; i < logProbs.Length; i++) if (logProbs[i] > threshold) above++;
            tiesAllowed = topK - above;
        }

        double total = 0;
        float inverse = 1f / temperature;
        for (int i = 0; i < logProbs.Length; i++)
        {
            float x = logProbs[i];
            bool keep = x > threshold || (x == threshold && tiesAllowed-- > 0);
            float w = keep ? MathF.Exp((x - max) * inverse) : 0f;
            weights[i] = w;
            total += w;
        }
        return total; // ≥ 1: the maximum itself weighs exp(0)
    }
}
