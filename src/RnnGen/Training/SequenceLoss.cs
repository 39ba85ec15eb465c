using System;
using System.Runtime.CompilerServices;

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
    /// <param name="targets">Targets, [batch, steps] ([steps, batch] when <paramref name="layout"/> is time-major) or [batch] depending on <paramref name="kind"/>.</param>
    /// <param name="lengths">Length of each sequence.</param>
    /// <param name="steps">Padded steps per sequence.</param>
    /// <param name="classes">Classes per step.</param>
    /// <param name="kind">Which steps carry targets.</param>
    /// <param name="layout">The layout of per-step targets (and of the network's log-probabilities).</param>
    public static void CheckTargets(ReadOnlySpan<int> targets, ReadOnlySpan<int> lengths, int steps, int classes, LossKind kind,
        SequenceLayout layout = SequenceLayout.BatchFirst)
    {
        int batch = lengths.Length;
        bool timeMajor = layout == SequenceLayout.TimeMajor;
        long expected = kind == LossKind.PerStep ? (long)batch * steps : batch;
        NetworkArguments.CheckLength(targets.Length, expected, nameof(targets), kind == LossKind.PerStep ? (timeMajor ? "[steps, batch]" : "[batch, steps]") : "[batch]");
        for (int b = 0; b < batch; b++)
        {
            int count = kind == LossKind.PerStep ? lengths[b] : 1;
            for (int t = 0; t < count; t++)
            {
                int index = kind == LossKind.PerStep ? Row(b, t, batch, steps, timeMajor) : b;
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
    /// <param name="dLogProbs">Receives ∂/∂logProbs, [batch, steps, classes] ([steps, batch, classes] when time-major); zero where there is no target.</param>
    /// <param name="logProbs">Log-probabilities [batch, steps, classes] ([steps, batch, classes] when time-major).</param>
    /// <param name="targets">Targets, [batch, steps] ([steps, batch] when time-major) or [batch] depending on <paramref name="kind"/>.</param>
    /// <param name="lengths">Length of each sequence.</param>
    /// <param name="steps">Padded steps per sequence.</param>
    /// <param name="classes">Classes per step.</param>
    /// <param name="kind">Which steps carry targets.</param>
    /// <param name="gradientScale">Scale of the gradient; NaN means 1 / count (the mean loss).</param>
    /// <param name="layout">The layout of the sequence tensors: the network's <see cref="IRecurrentNetwork.Layout"/>.</param>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static LossSum NegativeLogLikelihood(Span<float> dLogProbs, ReadOnlySpan<float> logProbs, ReadOnlySpan<int> targets,
        ReadOnlySpan<int> lengths, int steps, int classes, LossKind kind, float gradientScale = float.NaN, SequenceLayout layout = SequenceLayout.BatchFirst)
    {
        int batch = lengths.Length;
        bool timeMajor = layout == SequenceLayout.TimeMajor;
        CheckTargets(targets, lengths, steps, classes, kind, layout);
        string shape = timeMajor ? "[steps, batch, classes]" : "[batch, steps, classes]";
        NetworkArguments.CheckLength(logProbs.Length, (long)batch * steps * classes, nameof(logProbs), shape);
        NetworkArguments.CheckLength(dLogProbs.Length, (long)batch * steps * classes, nameof(dLogProbs), shape);
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
                int row = Row(b, t, batch, steps, timeMajor);
                int target = kind == LossKind.PerStep ? targets[row] : targets[b];
                int index = row * classes + target;
                sum -= logProbs[index];
                dLogProbs[index] = -scale;
            }
        }
        return new LossSum(sum, count);
    }

    // Where step t of sequence b lives: row b·steps + t (batch-first) or t·batch + b (time-major).
    private static int Row(int b, int t, int batch, int steps, bool timeMajor) => timeMajor ? t * batch + b : b * steps + t;
}
