using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Numerics.Tensors;
using RnnGen;
using RnnGen.Training;

namespace DateNormalizer;

/// <summary>Training settings; the defaults are the measured recipe of docs/datenormalizer.md.</summary>
public sealed record TrainingOptions
{
    /// <summary>Passes over the training set at most.</summary>
    public int Epochs { get; init; } = 20;

    /// <summary>Wall-clock budget; training stops at the first report after it.</summary>
    public double MaxMinutes { get; init; } = 10.0;

    /// <summary>Training examples (generated once, held-out texts removed).</summary>
    public int TrainingCount { get; init; } = 100_000;

    /// <summary>Examples per optimizer step.</summary>
    public int BatchSize { get; init; } = 64;

    /// <summary>Adam's initial learning rate.</summary>
    public double LearningRate { get; init; } = 3e-3;

    /// <summary>The learning rate is multiplied by this per epoch, smoothly.</summary>
    public double DecayPerEpoch { get; init; } = 0.7;

    /// <summary>Global gradient norm limit.</summary>
    public double ClipNorm { get; init; } = 5.0;

    /// <summary>Probability that the decoder reads the true previous character during training.</summary>
    public float TeacherForcing { get; init; } = 1f;

    /// <summary>A progress line (with exact match on training and validation examples) every this many batches.</summary>
    public int ReportEvery { get; init; } = 200;

    /// <summary>Seeds the training set, the initial parameters and the shuffling.</summary>
    public ulong Seed { get; init; } = DateSets.DefaultTrainingSeed;
}

/// <summary>One report of the training curve.</summary>
/// <param name="Minutes">Wall-clock minutes since training started.</param>
/// <param name="Epoch">Epochs done (fractional).</param>
/// <param name="Batches">Optimizer steps done.</param>
/// <param name="TrainLoss">Mean loss per target token since the previous report, in nats.</param>
/// <param name="TrainExactMatch">Exact match (greedy) on a fixed sample of training examples, 0–1.</param>
/// <param name="ValidationExactMatch">Exact match (greedy) on the validation set, 0–1.</param>
/// <param name="LearningRate">The learning rate at the report.</param>
/// <param name="Saved">Whether this report saved the model (best validation exact match so far).</param>
public sealed record TrainingPoint(double Minutes, double Epoch, long Batches, double TrainLoss, double TrainExactMatch, double ValidationExactMatch,
                                   double LearningRate, bool Saved)
{
    /// <summary>The curve as a Markdown table (the form docs/datenormalizer.md records it in).</summary>
    public static string Table(IEnumerable<TrainingPoint> curve)
    {
        var table = new System.Text.StringBuilder("| minutes | epoch | batches | train loss (nats/token) | train exact match | validation exact match | learning rate |\n|---:|---:|---:|---:|---:|---:|---:|\n");
        foreach (TrainingPoint p in curve)
        {
            table.Append(System.Globalization.CultureInfo.InvariantCulture,
                $"| {p.Minutes:0.00} | {p.Epoch:0.00} | {p.Batches:N0} | {p.TrainLoss:0.0000} | {100 * p.TrainExactMatch:0.00}% | {100 * p.ValidationExactMatch:0.00}% | {p.LearningRate:0.######}{(p.Saved ? " (saved)" : "")} |\n");
        }
        return table.ToString();
    }
}

/// <summary>
/// Teacher-forced training of a <see cref="DateModel"/>: shuffled batches grouped by source length,
/// mean token loss, global-norm clipping, Adam with per-epoch decay, a report every few hundred
/// batches and at every epoch's end, and the best model by validation exact match saved
/// atomically.
/// </summary>
public sealed class DateTrainer
{
    /// <summary>Training examples whose exact match each report measures.</summary>
    public const int TrainSampleCount = 1_000;

    private readonly DateModel _model;
    private readonly TrainingOptions _options;
    private readonly Adam _adam;

    /// <summary>A trainer for <paramref name="model"/> with <paramref name="options"/>.</summary>
    public DateTrainer(DateModel model, TrainingOptions options)
    {
        _model = model ?? throw new ArgumentNullException(nameof(model));
        _options = options ?? throw new ArgumentNullException(nameof(options));
        _adam = new Adam(options.LearningRate);
    }

    /// <summary>
    /// Trains on <paramref name="train"/>, reports to <paramref name="log"/> (one line per report)
    /// and saves the best model by exact match on <paramref name="validation"/> to
    /// <paramref name="modelPath"/>. The model ends with the best parameters. Returns the curve.
    /// </summary>
    /// <param name="train">The training examples.</param>
    /// <param name="validation">The examples that pick the best model.</param>
    /// <param name="modelPath">Where the best model is saved (atomically: a temporary file renamed over it).</param>
    /// <param name="log">Receives the report lines.</param>
    /// <param name="progress">If given, receives a progress line about once a second, each starting with a carriage return so a terminal overwrites it.</param>
    /// <param name="metadata">Extra metadata saved with the model.</param>
    public List<TrainingPoint> Train(IReadOnlyList<DateExample> train, IReadOnlyList<DateExample> validation, string modelPath, TextWriter log,
                                     TextWriter? progress = null, IReadOnlyDictionary<string, string>? metadata = null)
    {
        IDateNetwork net = _model.Network;
        int batchSize = _options.BatchSize;
        int batchesPerEpoch = (train.Count + batchSize - 1) / batchSize;
        var order = new int[train.Count];
        var random = new SeededRandom(_options.Seed * 7919 + 17);
        var batch = new TrainingBatch(batchSize);
        var sample = new List<DateExample>(TrainSampleCount);
        for (int i = 0; i < Math.Min(TrainSampleCount, train.Count); i++) sample.Add(train[i * (train.Count / Math.Min(TrainSampleCount, train.Count))]);

        var curve = new List<TrainingPoint>();
        float[] best = (float[])net.Parameters.Clone();
        double bestExact = -1, bestLoss = double.PositiveInfinity;
        var clock = Stopwatch.StartNew();
        long batches = 0, examples = 0, lastProgress = 0;
        double lossSum = 0; long lossCount = 0;
        bool outOfTime = false;
        log.WriteLine($"Training on {train.Count:N0} examples ({batchesPerEpoch:N0} batches of {batchSize} per epoch), validating on {validation.Count:N0}; " +
                      $"up to {_options.Epochs} epochs or {_options.MaxMinutes:0.#} minutes.");
        log.WriteLine($"{_model}; Adam lr {_options.LearningRate:0.####} × {_options.DecayPerEpoch} per epoch, clip {_options.ClipNorm}, teacher forcing {_options.TeacherForcing}.");

        for (int epoch = 1; epoch <= _options.Epochs && !outOfTime; epoch++)
        {
            ShuffledByLength(train, order, batchSize, random);
            for (int k = 0; k < batchesPerEpoch; k++)
            {
                int start = k * batchSize, count = Math.Min(batchSize, train.Count - start);
                batch.Set(train, order.AsSpan(start, count));
                double epochs = epoch - 1 + (double)k / batchesPerEpoch;
                _adam.LearningRate = _options.LearningRate * Math.Pow(_options.DecayPerEpoch, epochs);
                net.ZeroGradients();
                LossSum loss = net.ForwardBackward(batch.Sources.Source, batch.Sources.SourceLengths, batch.Targets, batch.TargetLengths,
                                                   _options.TeacherForcing, _options.Seed * 1_000_003UL + (ulong)batches);
                // The generated backward pass sums over tokens; train on the mean.
                TensorPrimitives.Multiply(net.Gradients, 1f / loss.Count, net.Gradients);
                double norm = GradientClipping.ClipByGlobalNorm(net, _options.ClipNorm);
                if (!double.IsFinite(norm)) throw new NonFiniteGradientException($"Non-finite gradient norm at epoch {epoch}, batch {k + 1}.");
                _adam.Step(net);
                batches++; examples += count;
                lossSum += loss.Sum; lossCount += loss.Count;
                outOfTime = clock.Elapsed.TotalMinutes >= _options.MaxMinutes;
                bool epochEnd = k == batchesPerEpoch - 1;
                if (progress is not null && clock.ElapsedMilliseconds - lastProgress >= 1000)
                {
                    lastProgress = clock.ElapsedMilliseconds;
                    progress.Write($"\repoch {epoch}/{_options.Epochs}  batch {k + 1,6:N0}/{batchesPerEpoch:N0}  loss {lossSum / Math.Max(lossCount, 1):0.0000}  " +
                                   $"{examples / clock.Elapsed.TotalSeconds,6:N0} ex/s  {clock.Elapsed.TotalMinutes:0.0}/{_options.MaxMinutes:0.#} min   ");
                }
                if (batches % _options.ReportEvery != 0 && !epochEnd && !outOfTime) continue;

                progress?.Write("\r" + new string(' ', 100) + "\r");
                double trainLoss = lossSum / Math.Max(lossCount, 1);
                double trainExact = ExactMatch(_model, sample);
                double validationExact = ExactMatch(_model, validation);
                bool saved = validationExact > bestExact || validationExact == bestExact && trainLoss < bestLoss;
                if (saved)
                {
                    bestExact = validationExact; bestLoss = trainLoss;
                    net.Parameters.AsSpan().CopyTo(best);
                    _model.Save(modelPath, metadata);
                }
                var point = new TrainingPoint(clock.Elapsed.TotalMinutes, epoch - 1 + (double)(k + 1) / batchesPerEpoch, batches, trainLoss, trainExact, validationExact,
                                              _adam.LearningRate, saved);
                curve.Add(point);
                log.WriteLine($"{(epochEnd ? "end of epoch" : "epoch"),-12} {point.Epoch,5:0.00}  batch {batches,6:N0}  {point.Minutes,5:0.0} min  {examples / clock.Elapsed.TotalSeconds,6:N0} ex/s  " +
                              $"loss {trainLoss:0.0000}  exact match train {100 * trainExact,6:0.00}%  validation {100 * validationExact,6:0.00}%{(saved ? "  saved" : "")}");
                lossSum = 0; lossCount = 0;
                if (outOfTime)
                {
                    log.WriteLine($"Time budget of {_options.MaxMinutes:0.#} minutes reached: stopping.");
                    break;
                }
            }
        }
        best.CopyTo(net.Parameters, 0);
        log.WriteLine($"Best validation exact match {100 * bestExact:0.00}%; {batches:N0} batches ({examples:N0} examples) in {clock.Elapsed.TotalMinutes:0.0} minutes.");
        return curve;
    }

    /// <summary>The fraction of <paramref name="examples"/> whose normalization (greedy, or beam search of <paramref name="beamWidth"/>) equals their ISO date exactly.</summary>
    /// <param name="model">The model.</param>
    /// <param name="examples">Written dates with their answers.</param>
    /// <param name="beamWidth">1 for greedy decoding.</param>
    /// <param name="errors">If given, receives every miss: the example and what the model wrote.</param>
    public static double ExactMatch(DateModel model, IReadOnlyList<DateExample> examples, int beamWidth = 1, List<(DateExample Example, string Output)>? errors = null)
    {
        if (examples.Count == 0) return 0;
        var texts = new string[examples.Count];
        for (int i = 0; i < texts.Length; i++) texts[i] = examples[i].Text;
        string[] outputs = model.Normalize(texts, beamWidth);
        int right = 0;
        for (int i = 0; i < outputs.Length; i++)
        {
            if (outputs[i] == examples[i].Iso) right++;
            else errors?.Add((examples[i], outputs[i]));
        }
        return (double)right / examples.Count;
    }

    // A fresh permutation whose windows of 16 batches are sorted by source length (so a batch pads
    // little), with the batches of each window kept in random order by the shuffle before sorting.
    private static void ShuffledByLength(IReadOnlyList<DateExample> train, int[] order, int batchSize, SeededRandom random)
    {
        for (int i = 0; i < order.Length; i++) order[i] = i;
        random.Shuffle(order.AsSpan());
        int window = batchSize * 16;
        var keys = new int[Math.Min(window, order.Length)];
        for (int start = 0; start < order.Length; start += window)
        {
            int count = Math.Min(window, order.Length - start);
            Span<int> slice = order.AsSpan(start, count);
            for (int i = 0; i < count; i++) keys[i] = train[slice[i]].Text.Length;
            keys.AsSpan(0, count).Sort(slice);
        }
    }
}

/// <summary>Reusable buffers of a training batch: padded sources and targets (each target its ISO characters and the end token).</summary>
public sealed class TrainingBatch
{
    private readonly string[] _texts;
    private readonly int[] _targets, _targetLengths;
    private int _count;

    /// <summary>Buffers for up to <paramref name="capacity"/> examples.</summary>
    public TrainingBatch(int capacity)
    {
        Sources = new SourceBatch(capacity);
        _texts = new string[capacity];
        _targets = new int[capacity * DateAlphabets.TargetLength];
        _targetLengths = new int[capacity];
    }

    /// <summary>The sources of the current batch.</summary>
    public SourceBatch Sources { get; }

    /// <summary>Target ids, [count × <see cref="DateAlphabets.TargetLength"/>].</summary>
    public ReadOnlySpan<int> Targets => _targets.AsSpan(0, _count * DateAlphabets.TargetLength);

    /// <summary>Target lengths (all <see cref="DateAlphabets.TargetLength"/>).</summary>
    public ReadOnlySpan<int> TargetLengths => _targetLengths.AsSpan(0, _count);

    /// <summary>Makes the examples at <paramref name="indices"/> of <paramref name="examples"/> the current batch.</summary>
    public void Set(IReadOnlyList<DateExample> examples, ReadOnlySpan<int> indices)
    {
        for (int b = 0; b < indices.Length; b++)
        {
            DateExample e = examples[indices[b]];
            _texts[b] = e.Text;
            _targetLengths[b] = DateAlphabets.EncodeTarget(e.Iso, _targets.AsSpan(b * DateAlphabets.TargetLength, DateAlphabets.TargetLength));
        }
        Sources.SetSources(_texts, 0, indices.Length);
        _count = indices.Length;
    }
}
