using System;
using System.Collections.Generic;
using System.Diagnostics;
using RnnGen.Data;

namespace RnnGen.Training;

/// <summary>Computes the loss of one batch and accumulates its gradients into the network.</summary>
/// <param name="examples">Indices of the batch's examples (from the batcher).</param>
/// <returns>The batch's summed loss and target count.</returns>
public delegate LossSum BatchStep(ReadOnlySpan<int> examples);

/// <summary>Where a <see cref="TrainingLoop"/> stands, reported after each batch and each epoch.</summary>
/// <param name="Epoch">Current epoch, from 1.</param>
/// <param name="Batch">Batches done in this epoch.</param>
/// <param name="BatchCount">Batches in this epoch.</param>
/// <param name="MeanLoss">Mean loss per target over the epoch so far.</param>
/// <param name="TargetsPerSecond">Throughput over the epoch so far.</param>
/// <param name="EstimatedRemaining">Time left in this epoch at the current rate.</param>
/// <param name="Evaluation">The evaluation score after the epoch (null until the epoch ends, or without an evaluation hook).</param>
public readonly record struct TrainingProgress(int Epoch, int Batch, int BatchCount, double MeanLoss, double TargetsPerSecond,
    TimeSpan EstimatedRemaining, double? Evaluation);

/// <summary>The outcome of <see cref="TrainingLoop.Run"/>.</summary>
/// <param name="Epochs">Epochs run.</param>
/// <param name="BestEpoch">Epoch with the best evaluation (the parameters left in the network), or the last epoch without evaluation.</param>
/// <param name="BestEvaluation">The best evaluation score, or null without an evaluation hook.</param>
/// <param name="SkippedSteps">Steps refused because of a non-finite loss or gradient.</param>
/// <param name="Elapsed">Wall-clock time.</param>
public sealed record TrainingResult(int Epochs, int BestEpoch, double? BestEvaluation, long SkippedSteps, TimeSpan Elapsed);

/// <summary>
/// A training loop users can drive: epochs of shuffled, length-bucketed batches, a guarded
/// optimizer step per batch (<see cref="TrainingStep"/>: non-finite check, clipping, schedule),
/// progress through <see cref="IProgress{T}"/>, an evaluation hook after each epoch with early
/// stopping, and the best epoch's parameters restored at the end.
/// </summary>
public sealed class TrainingLoop
{
    /// <summary>Creates a loop for <paramref name="network"/> around a guarded optimizer step.</summary>
    /// <param name="network">The network whose gradients <see cref="BatchStep"/> fills and whose parameters are updated.</param>
    /// <param name="step">The guarded optimizer step (clipping, schedule, non-finite policy).</param>
    public TrainingLoop(IRecurrentNetwork network, TrainingStep step)
    {
        Network = network ?? throw new ArgumentNullException(nameof(network));
        Step = step ?? throw new ArgumentNullException(nameof(step));
    }

    /// <summary>The network being trained.</summary>
    public IRecurrentNetwork Network { get; }

    /// <summary>The guarded optimizer step.</summary>
    public TrainingStep Step { get; }

    /// <summary>Maximum number of epochs (default 10).</summary>
    public int Epochs { get; init; } = 10;

    /// <summary>Seed of the batch order.</summary>
    public ulong Seed { get; init; } = 1;

    /// <summary>Receives progress after every batch and at the end of every epoch.</summary>
    public IProgress<TrainingProgress>? Progress { get; init; }

    /// <summary>Called after each epoch; returns a score where higher is better (for example dev accuracy).</summary>
    public Func<int, double>? Evaluate { get; init; }

    /// <summary>Stop after this many epochs without a better evaluation (null: never stop early).</summary>
    public int? Patience { get; init; }

    /// <summary>Runs the loop.</summary>
    /// <param name="batcher">Makes each epoch's shuffled batches.</param>
    /// <param name="batchStep">Forward and backward for one batch; gradients accumulate into <see cref="Network"/>.</param>
    public TrainingResult Run(BucketedBatcher batcher, BatchStep batchStep)
    {
        ArgumentNullException.ThrowIfNull(batcher);
        ArgumentNullException.ThrowIfNull(batchStep);
        if (Epochs < 1) throw new InvalidOperationException($"Epochs is {Epochs}; at least one epoch is needed.");
        var random = new SeededRandom(Seed);
        var clock = Stopwatch.StartNew();
        float[]? best = Evaluate is null ? null : (float[])Network.Parameters.Clone();
        double? bestScore = null;
        int bestEpoch = 0, epoch = 0, sinceBest = 0;
        Array.Clear(Network.Gradients);
        while (epoch < Epochs)
        {
            epoch++;
            IReadOnlyList<int[]> batches = batcher.CreateBatches(random);
            var epochClock = Stopwatch.StartNew();
            double lossSum = 0;
            long targets = 0;
            for (int i = 0; i < batches.Count; i++)
            {
                LossSum loss = batchStep(batches[i]);
                Step.Apply(Network, (float)loss.Mean);
                if (double.IsFinite(loss.Sum)) { lossSum += loss.Sum; targets += loss.Count; }
                if (Progress is not null)
                {
                    double rate = targets / Math.Max(epochClock.Elapsed.TotalSeconds, 1e-9);
                    double remaining = epochClock.Elapsed.TotalSeconds * (batches.Count - i - 1) / (i + 1);
                    Progress.Report(new TrainingProgress(epoch, i + 1, batches.Count, targets == 0 ? 0 : lossSum / targets, rate, TimeSpan.FromSeconds(remaining), null));
                }
            }
            if (Evaluate is null) { bestEpoch = epoch; continue; }
            double score = Evaluate(epoch);
            Progress?.Report(new TrainingProgress(epoch, batches.Count, batches.Count, targets == 0 ? 0 : lossSum / targets,
                targets / Math.Max(epochClock.Elapsed.TotalSeconds, 1e-9), TimeSpan.Zero, score));
            if (bestScore is null || score > bestScore)
            {
                bestScore = score; bestEpoch = epoch; sinceBest = 0;
                Network.Parameters.AsSpan().CopyTo(best);
            }
            else if (Patience is int patience && ++sinceBest >= patience) break;
        }
        if (best is not null) best.CopyTo(Network.Parameters, 0);
        return new TrainingResult(epoch, bestEpoch, bestScore, Step.SkippedSteps, clock.Elapsed);
    }
}
