using System;

namespace RnnGen.Training;

/// <summary>Which steps of a sequence carry a target.</summary>
public enum LossKind
{
    /// <summary>Every real step has a target (tagging, language models); targets are [batch, steps].</summary>
    PerStep = 0,
    /// <summary>Only each sequence's last real step has a target (sequence classification); targets are [batch].</summary>
    LastStep = 1,
}

/// <summary>A summed loss and the number of targets it covers; <see cref="Mean"/> is what one reports.</summary>
/// <param name="Sum">Sum of the per-target negative log-likelihoods, in nats.</param>
/// <param name="Count">Number of targets.</param>
public readonly record struct LossSum(double Sum, int Count)
{
    /// <summary>Mean loss per target (0 for no targets).</summary>
    public double Mean => Count == 0 ? 0 : Sum / Count;

    /// <summary>Adds two partial sums (for example from two halves of a batch).</summary>
    public static LossSum operator +(LossSum a, LossSum b) => new(a.Sum + b.Sum, a.Count + b.Count);
}

/// <summary>Negative log-likelihood over the steps of variable-length sequences.</summary>
public static class SequenceLoss
{
    /// <summary>Checks the length of <paramref name="targets"/> and that every target at a real step is a valid class.</summary>
    public static void CheckTargets(ReadOnlySpan<int> targets, ReadOnlySpan<int> lengths, int steps, int classes, LossKind kind)
    {
        int batch = lengths.Length;
        long expected = kind == LossKind.PerStep ? (long)batch * steps : batch;
        NetworkArguments.CheckLength(targets.Length, expected, nameof(targets), kind == LossKind.PerStep ? "[batch, steps]" : "[batch]");
        for (int b = 0; b < batch; b++)
        {
            int count = kind == LossKind.PerStep ? lengths[b] : 1;
            for (int t = 0; t < count; t++)
            {
                int index = kind == LossKind.PerStep ? b * steps + t : b;
                if ((uint)targets[index] >= (uint)classes)
                    throw new ArgumentOutOfRangeException(nameof(targets), targets[index], $"targets[{index}] is {targets[index]}; classes are in [0, {classes}).");
            }
        }
    }

    // loss = −Σ logProbs[target]; dLogProbs[target] = −scale at each target, 0 elsewhere
    /// <summary>
    /// Sums −log p(target) over the steps that carry a target and writes the gradient of
    /// (sum × <paramref name="gradientScale"/>) with respect to the log-probabilities.
    /// </summary>
    /// <param name="dLogProbs">Receives ∂/∂logProbs, [batch, steps, classes]; zero where there is no target.</param>
    /// <param name="logProbs">Log-probabilities [batch, steps, classes].</param>
    /// <param name="targets">Targets, [batch, steps] or [batch] depending on <paramref name="kind"/>.</param>
    /// <param name="lengths">Length of each sequence.</param>
    /// <param name="steps">Padded steps per sequence.</param>
    /// <param name="classes">Classes per step.</param>
    /// <param name="kind">Which steps carry targets.</param>
    /// <param name="gradientScale">Scale of the gradient; NaN means 1 / count (the mean loss).</param>
    public static LossSum NegativeLogLikelihood(Span<float> dLogProbs, ReadOnlySpan<float> logProbs, ReadOnlySpan<int> targets,
        ReadOnlySpan<int> lengths, int steps, int classes, LossKind kind, float gradientScale = float.NaN)
    {
        int batch = lengths.Length;
        CheckTargets(targets, lengths, steps, classes, kind);
        NetworkArguments.CheckLength(logProbs.Length, (long)batch * steps * classes, nameof(logProbs), "[batch, steps, classes]");
        NetworkArguments.CheckLength(dLogProbs.Length, (long)batch * steps * classes, nameof(dLogProbs), "[batch, steps, classes]");
        int count = 0;
        for (int b = 0; b < batch; b++) count += kind == LossKind.PerStep ? lengths[b] : 1;
        float scale = float.IsNaN(gradientScale) ? 1f / count : gradientScale;
        dLogProbs.Clear();
        double sum = 0;
        for (int b = 0; b < batch; b++)
        {
            int first = kind == LossKind.PerStep ? 0 : lengths[b] - 1;
            for (int t = first; t < lengths[b]; t++)
            {
                int target = kind == LossKind.PerStep ? targets[b * steps + t] : targets[b];
                int index = (b * steps + t) * classes + target;
                sum -= logProbs[index];
                dLogProbs[index] = -scale;
            }
        }
        return new LossSum(sum, count);
    }
}
