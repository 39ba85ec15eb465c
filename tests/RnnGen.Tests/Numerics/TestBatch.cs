using System;
using System.Linq;
using RnnGen.Tests.Networks;

namespace RnnGen.Tests.Numerics;

/// <summary>A random batch for a configuration: inputs or tokens, and lengths that differ per sequence.</summary>
public sealed class TestBatch
{
    public required int[] Lengths { get; init; }
    public required int Steps { get; init; }
    public required float[] Inputs { get; init; }
    public required int[] Tokens { get; init; }

    public int Batch => Lengths.Length;

    public static TestBatch Create(NetworkConfig cfg, int batch, int steps, ulong seed)
    {
        var random = new SeededRandom(seed);
        int[] lengths = Enumerable.Range(0, batch).Select(b => b == 0 ? steps : 1 + random.NextInt(steps)).ToArray();
        var inputs = new float[batch * steps * cfg.InputSize];
        random.FillUniform(inputs, -1f, 1f);
        var tokens = new int[batch * steps];
        for (int i = 0; i < tokens.Length; i++) tokens[i] = cfg.HasEmbedding ? random.NextInt(cfg.VocabularySize) : 0;
        // Padding must not matter: fill padded positions with values that would show up if read.
        for (int b = 0; b < batch; b++)
            for (int t = lengths[b]; t < steps; t++)
            {
                tokens[b * steps + t] = -7;
                inputs.AsSpan((b * steps + t) * cfg.InputSize, cfg.InputSize).Fill(1e3f);
            }
        return new TestBatch { Lengths = lengths, Steps = steps, Inputs = inputs, Tokens = tokens };
    }

    public double[]? InputsAsDouble(NetworkConfig cfg) => cfg.HasEmbedding ? null : Inputs.Select(v => (double)v).ToArray();
}

public static class Compare
{
    /// <summary>Largest |actual − expected| / max(1, |expected|).</summary>
    public static double MaxRelativeError(ReadOnlySpan<float> actual, ReadOnlySpan<double> expected)
    {
        if (actual.Length != expected.Length) throw new ArgumentException($"lengths differ: {actual.Length} vs {expected.Length}");
        double worst = 0;
        for (int i = 0; i < actual.Length; i++)
            worst = Math.Max(worst, Math.Abs(actual[i] - expected[i]) / Math.Max(1.0, Math.Abs(expected[i])));
        return worst;
    }

    /// <summary>‖a − b‖₂ / max(‖b‖₂, floor).</summary>
    public static double RelativeNormError(ReadOnlySpan<double> actual, ReadOnlySpan<double> expected, double floor = 1e-6)
    {
        double diff = 0, norm = 0;
        for (int i = 0; i < actual.Length; i++)
        {
            diff += (actual[i] - expected[i]) * (actual[i] - expected[i]);
            norm += expected[i] * expected[i];
        }
        return Math.Sqrt(diff) / Math.Max(Math.Sqrt(norm), floor);
    }
}
