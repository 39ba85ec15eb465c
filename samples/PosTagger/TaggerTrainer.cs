using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Threading.Tasks;
using RnnGen;
using RnnGen.Data;
using RnnGen.Training;

namespace PosTagger;

/// <summary>Training settings; the defaults are what the README's main command runs.</summary>
public sealed record TrainingOptions
{
    public int Epochs { get; init; } = 12;
    public int Threads { get; init; } = 2;
    public int SentencesPerBatch { get; init; } = 32;
    public double LearningRate { get; init; } = 2e-3;
    public double ClipNorm { get; init; } = 5.0;
    public float InputDropout { get; init; } = 0.33f;
    public float WordDropout { get; init; } = 0.05f;
    public int Patience { get; init; } = 3;
    public double MaxMinutes { get; init; } = 9.0;
    public ulong Seed { get; init; } = 1;
}

/// <summary>
/// Adam over the three parts, global-norm clipping, length-bucketed shuffled batches split over
/// workers (a fixed two shards per batch, summed in order, so 1 and 2 threads agree), early
/// stopping on dev accuracy, and a progress line.
/// </summary>
public sealed class TaggerTrainer
{
    private const int Shards = 2;
    private readonly TaggerModel _model;
    private readonly TrainingOptions _options;
    private readonly TaggerWorker[] _workers;
    private readonly Optimizer[] _optimizers;

    public TaggerTrainer(TaggerModel model, TrainingOptions options)
    {
        if (options.Threads < 1 || options.Threads > Shards) throw new ArgumentOutOfRangeException(nameof(options), $"--threads must be 1 or 2 (got {options.Threads}).");
        _model = model;
        _options = options;
        _workers = Enumerable.Range(0, Shards).Select(_ => new TaggerWorker(model)).ToArray();
        _optimizers = model.Parts.Select(_ => (Optimizer)new Adam(options.LearningRate, beta1: 0.9, beta2: 0.9)).ToArray();
    }

    /// <summary>Trains, evaluating on <paramref name="dev"/> after every epoch; leaves the best epoch's parameters in the model.</summary>
    public void Train(IReadOnlyList<EncodedSentence> train, IReadOnlyList<EncodedSentence> dev, Action<string> log)
    {
        var batcher = new BucketedBatcher(train.Select(s => s.Words.Length).ToArray(), maxSentencesPerBatch: _options.SentencesPerBatch);
        var random = new SeededRandom(_options.Seed);
        float[][] best = _model.Parts.Select(p => (float[])p.Parameters.Clone()).ToArray();
        double bestAccuracy = -1;
        int bestEpoch = 0, sinceBest = 0;
        var clock = Stopwatch.StartNew();
        long totalTokens = train.Sum(s => (long)s.Words.Length);
        log($"Training on {train.Count:N0} sentences ({totalTokens:N0} tokens), {_options.Threads} thread(s), up to {_options.Epochs} epochs or {_options.MaxMinutes:0.#} minutes.");

        for (int epoch = 1; epoch <= _options.Epochs; epoch++)
        {
            IReadOnlyList<int[]> batches = batcher.CreateBatches(random);
            var epochClock = Stopwatch.StartNew();
            double lossSum = 0; long tokens = 0, lastPrint = 0;
            for (int i = 0; i < batches.Count; i++)
            {
                LossSum loss = Step(train, batches[i], epoch, i);
                lossSum += loss.Sum; tokens += loss.Count;
                if (epochClock.ElapsedMilliseconds - lastPrint >= 2000 || i == batches.Count - 1)
                {
                    lastPrint = epochClock.ElapsedMilliseconds;
                    double rate = tokens / Math.Max(epochClock.Elapsed.TotalSeconds, 1e-9);
                    double eta = (totalTokens - tokens) / Math.Max(rate, 1);
                    Progress($"epoch {epoch}/{_options.Epochs}  {100.0 * (i + 1) / batches.Count,5:0.0}%  {rate,7:N0} tokens/s  loss {lossSum / tokens:0.0000}  ETA {eta,4:0}s");
                }
                if (clock.Elapsed.TotalMinutes > _options.MaxMinutes) break;
            }
            Console.Error.WriteLine();
            double accuracy = Evaluate(_model, dev, _workers, _options.Threads).Accuracy;
            log($"epoch {epoch}: train loss {lossSum / Math.Max(tokens, 1):0.0000}, dev UPOS accuracy {100 * accuracy:0.00}%, {tokens / epochClock.Elapsed.TotalSeconds:N0} tokens/s, {clock.Elapsed.TotalMinutes:0.0} min");
            if (accuracy > bestAccuracy)
            {
                bestAccuracy = accuracy; bestEpoch = epoch; sinceBest = 0;
                for (int p = 0; p < best.Length; p++) _model.Parts[p].Parameters.AsSpan().CopyTo(best[p]);
            }
            else if (++sinceBest >= _options.Patience)
            {
                log($"Dev accuracy has not improved for {_options.Patience} epochs: stopping.");
                break;
            }
            if (clock.Elapsed.TotalMinutes > _options.MaxMinutes)
            {
                log($"Time budget of {_options.MaxMinutes:0.#} minutes reached: stopping.");
                break;
            }
        }
        for (int p = 0; p < best.Length; p++) best[p].CopyTo(_model.Parts[p].Parameters, 0);
        log($"Best dev accuracy {100 * bestAccuracy:0.00}% at epoch {bestEpoch}; training took {clock.Elapsed.TotalMinutes:0.0} minutes.");
    }

    private LossSum Step(IReadOnlyList<EncodedSentence> train, int[] batch, int epoch, int index)
    {
        int count = batch.Sum(i => train[i].Words.Length);
        float scale = 1f / count;
        var losses = new LossSum[Shards];
        void RunShard(int s)
        {
            int start = batch.Length * s / Shards, end = batch.Length * (s + 1) / Shards;
            TaggerWorker worker = _workers[s];
            // Dropout and word-dropout streams depend on (epoch, batch, shard) only, not on threads.
            ulong seed = _options.Seed * 1_000_003UL + (ulong)epoch * 65_537UL + (ulong)index * 4UL + (ulong)s;
            worker.ConfigureDropout(_options.InputDropout, seed);
            losses[s] = end > start ? worker.Train(train, batch.AsSpan(start, end - start), scale, _options.WordDropout, new SeededRandom(seed ^ 0xABCDEF)) : default;
        }
        if (_options.Threads == 1) for (int s = 0; s < Shards; s++) RunShard(s);
        else Parallel.For(0, Shards, new ParallelOptions { MaxDegreeOfParallelism = _options.Threads }, RunShard);

        IRecurrentNetwork[] parts = _model.Parts;
        foreach (IRecurrentNetwork part in parts) Array.Clear(part.Gradients);
        foreach (TaggerWorker worker in _workers) worker.AddGradientsTo(_model);

        double squares = parts.Sum(p => Math.Pow(GradientClipping.GlobalNorm(p.Gradients), 2));
        double norm = Math.Sqrt(squares);
        if (!double.IsFinite(norm)) throw new NonFiniteGradientException($"Non-finite gradient norm at epoch {epoch}, batch {index}.");
        if (norm > _options.ClipNorm)
        {
            float factor = (float)(_options.ClipNorm / (norm + 1e-6));
            foreach (IRecurrentNetwork part in parts) System.Numerics.Tensors.TensorPrimitives.Multiply(part.Gradients, factor, part.Gradients);
        }
        for (int p = 0; p < parts.Length; p++) _optimizers[p].Step(parts[p]);
        return losses[0] + losses[1];
    }

    /// <summary>Tags every sentence and counts correct tags.</summary>
    public static (double Accuracy, int Tokens, int[][] Predictions) Evaluate(TaggerModel model, IReadOnlyList<EncodedSentence> data, TaggerWorker[]? workers = null, int threads = 2)
    {
        workers ??= Enumerable.Range(0, threads).Select(_ => new TaggerWorker(model)).ToArray();
        foreach (TaggerWorker w in workers) w.ConfigureDropout(0f, 0);
        var predictions = new int[data.Count][];
        int[] order = Enumerable.Range(0, data.Count).OrderBy(i => data[i].Words.Length).ToArray();
        const int group = 64;
        int groups = (order.Length + group - 1) / group;
        Parallel.For(0, Math.Min(threads, workers.Length), new ParallelOptions { MaxDegreeOfParallelism = threads }, w =>
        {
            for (int g = w; g < groups; g += Math.Min(threads, workers.Length))
                workers[w].Predict(data, order.AsSpan(g * group, Math.Min(group, order.Length - g * group)), predictions);
        });
        int correct = 0, total = 0;
        for (int i = 0; i < data.Count; i++)
            for (int t = 0; t < data[i].Tags.Length; t++, total++)
                if (predictions[i][t] == data[i].Tags[t]) correct++;
        return (total == 0 ? 0 : (double)correct / total, total, predictions);
    }

    private static void Progress(string line)
    {
        Console.Error.Write("\r" + line.PadRight(100));
    }
}
