using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Threading.Tasks;
using RnnGen.Data;
using RnnGen.IO;
using RnnGen.Training;

namespace CharLm;

/// <summary>Training settings; the defaults are the measured recipe of docs/charlm.md.</summary>
public sealed record TrainingOptions
{
    public int Epochs { get; init; } = 10;
    public double MaxMinutes { get; init; } = 20.0;
    /// <summary>Parallel streams the training text is cut into (the batch).</summary>
    public int Streams { get; init; } = 32;
    /// <summary>Steps per chunk: how far back the gradient flows (the state flows on).</summary>
    public int Steps { get; init; } = 64;
    public double LearningRate { get; init; } = 4e-3;
    /// <summary>Epochs at the full learning rate; after them it decays by <see cref="DecayPerEpoch"/> per epoch, smoothly.</summary>
    public double DecayStart { get; init; } = 3;
    public double DecayPerEpoch { get; init; } = 0.6;
    /// <summary>The learning rate never decays below this.</summary>
    public double MinLearningRate { get; init; } = 1e-4;
    public double ClipNorm { get; init; } = 5.0;
    public float InputDropout { get; init; }
    public float LayerDropout { get; init; } = 0.1f;
    /// <summary>Validation runs after every 1/EvalsPerEpoch of an epoch.</summary>
    public int EvalsPerEpoch { get; init; } = 2;
    public int Threads { get; init; } = 2;
    public ulong Seed { get; init; } = 1;
}

/// <summary>One validation point of the loss curve (losses in nats per character).</summary>
public sealed record Evaluation(double Minutes, double CpuMinutes, double Epoch, double TrainLoss, double ValidationLoss, double LearningRate)
{
    public double ValidationBitsPerCharacter => ValidationLoss / Math.Log(2);
    public double TrainBitsPerCharacter => TrainLoss / Math.Log(2);
}

/// <summary>
/// Truncated backpropagation through time over parallel streams of the training text: the streams
/// advance chunk by chunk, each shard of streams (two shards, one per core) keeps its own recurrent
/// state from chunk to chunk, and the gradient stops at every chunk's start. Adam, global-norm
/// clipping, dropout between the layers, validation at fixed points of each epoch, the best model
/// by validation loss saved as a checkpoint.
/// </summary>
public sealed class CharLmTrainer
{
    /// <summary>Streams of the validation text (fixed, so every validation loss is comparable).</summary>
    public const int ValidationStreams = 32;

    private const int Shards = 2;
    private readonly CharLmNet _net;
    private readonly TrainingOptions _options;
    private readonly Adam _adam;
    private readonly DataParallel<CharLmNet> _parallel;
    private readonly CharLmNet.State[] _states = new CharLmNet.State[Shards];
    private readonly int[] _shardStarts = new int[Shards];
    private readonly int[][] _inputs = new int[Shards][], _targets = new int[Shards][];

    public CharLmTrainer(CharLmNet net, TrainingOptions options)
    {
        if (options.Threads < 1 || options.Threads > Shards) throw new ArgumentOutOfRangeException(nameof(options), $"--threads must be 1 or 2 (got {options.Threads}).");
        if (options.Streams < Shards) throw new ArgumentOutOfRangeException(nameof(options), $"--streams must be at least {Shards} (got {options.Streams}).");
        _net = net;
        _options = options;
        _adam = new Adam(options.LearningRate);
        _parallel = new DataParallel<CharLmNet>(net, n => n.CreateReplica(), options.Threads, Shards);
        for (int s = 0; s < Shards; s++)
        {
            _shardStarts[s] = options.Streams * s / Shards;
            int count = options.Streams * (s + 1) / Shards - _shardStarts[s];
            _states[s] = new CharLmNet.State(count);
            _inputs[s] = new int[count * options.Steps];
            _targets[s] = new int[count * options.Steps];
        }
    }

    public Adam Optimizer => _adam;

    /// <summary>
    /// Trains on <paramref name="corpus"/>'s training part, validates on its validation part, and
    /// saves the best model (by validation loss) to <paramref name="modelPath"/> with its optimizer
    /// state; the network ends with the best parameters. Returns the loss curve.
    /// </summary>
    public List<Evaluation> Train(Corpus corpus, string modelPath, Action<string> log)
    {
        var batcher = new StreamBatcher(corpus.Train, _options.Streams, _options.Steps);
        int chunks = batcher.ChunkCount;
        long epochChars = batcher.TargetCount;
        var curve = new List<Evaluation>();
        var clock = Stopwatch.StartNew();
        TimeSpan cpuStart = Process.GetCurrentProcess().TotalProcessorTime;
        float[] best = (float[])_net.Parameters.Clone();
        double bestLoss = double.PositiveInfinity;
        log($"Training on {corpus.Train.Length:N0} characters as {_options.Streams} streams of {batcher.StreamLength:N0} ({chunks} chunks of {_options.Steps} steps per epoch), " +
            $"validating on {corpus.Validation.Length:N0}; {_options.Threads} thread(s), up to {_options.Epochs} epochs or {_options.MaxMinutes:0.#} minutes.");
        log($"{CharLmNet.ParameterCount:N0} parameters; {CharLmNet.ShapeSignature}; Adam lr {_options.LearningRate:0.####} " +
            $"(×{_options.DecayPerEpoch} per epoch after epoch {_options.DecayStart}, floor {_options.MinLearningRate:0.####}), clip {_options.ClipNorm}, dropout {_options.LayerDropout} between the layers.");

        bool outOfTime = false;
        TimeSpan sinceEvaluation = TimeSpan.Zero;
        for (int epoch = 1; epoch <= _options.Epochs && !outOfTime; epoch++)
        {
            // Every epoch starts the streams afresh: the end of stream s continues in stream s + 1, not in s.
            foreach (CharLmNet.State state in _states) state.Reset();
            var epochClock = Stopwatch.StartNew();
            double lossSum = 0; long lossCount = 0; long lastPrint = -2000;
            for (int chunk = 0; chunk < chunks; chunk++)
            {
                LossSum loss = Step(batcher, epoch, chunk);
                lossSum += loss.Sum; lossCount += loss.Count;
                outOfTime = clock.Elapsed.TotalMinutes >= _options.MaxMinutes;
                bool evaluate = (long)(chunk + 1) * _options.EvalsPerEpoch / chunks != (long)chunk * _options.EvalsPerEpoch / chunks || outOfTime;
                if (epochClock.ElapsedMilliseconds - lastPrint >= 1000 || evaluate)
                {
                    lastPrint = epochClock.ElapsedMilliseconds;
                    double done = (double)(chunk + 1) / chunks;
                    double rate = done * epochChars / Math.Max(epochClock.Elapsed.TotalSeconds, 1e-9);
                    double eta = (1 - done) * epochChars / Math.Max(rate, 1);
                    Progress($"epoch {epoch}/{_options.Epochs}  {100 * done,5:0.0}%  {rate,7:N0} chars/s  loss {lossSum / lossCount:0.0000}  ETA {eta,4:0}s  ({clock.Elapsed.TotalMinutes:0.0}/{_options.MaxMinutes:0.#} min)");
                }
                if (!evaluate) continue;

                Console.Error.WriteLine();
                double validation = Evaluate(_net, corpus.Validation, _options.Threads).Mean;
                double trainLoss = lossSum / lossCount;
                double charsPerSecond = lossCount / Math.Max((clock.Elapsed - sinceEvaluation).TotalSeconds, 1e-9);
                var point = new Evaluation(clock.Elapsed.TotalMinutes, (Process.GetCurrentProcess().TotalProcessorTime - cpuStart).TotalMinutes, epoch - 1 + (double)(chunk + 1) / chunks, trainLoss, validation, _adam.LearningRate);
                curve.Add(point);
                string mark = "";
                if (validation < bestLoss)
                {
                    bestLoss = validation;
                    _net.Parameters.AsSpan().CopyTo(best);
                    Checkpoint.Save(modelPath, _net, _adam);
                    mark = "  saved";
                }
                log($"epoch {point.Epoch,5:0.00}  {point.Minutes,5:0.0} min ({point.CpuMinutes,5:0.0} CPU)  train {trainLoss:0.0000} nats ({point.TrainBitsPerCharacter:0.000} bpc)  " +
                    $"validation {validation:0.0000} nats ({point.ValidationBitsPerCharacter:0.000} bpc)  {charsPerSecond:N0} chars/s{mark}");
                lossSum = 0; lossCount = 0; sinceEvaluation = clock.Elapsed;
                if (outOfTime)
                {
                    log($"Time budget of {_options.MaxMinutes:0.#} minutes reached: stopping.");
                    break;
                }
            }
        }
        best.CopyTo(_net.Parameters, 0);
        double cpuMinutes = (Process.GetCurrentProcess().TotalProcessorTime - cpuStart).TotalMinutes;
        log($"Best validation loss {bestLoss:0.0000} nats/char ({bestLoss / Math.Log(2):0.000} bpc); training took {clock.Elapsed.TotalMinutes:0.0} minutes " +
            $"({cpuMinutes:0.0} CPU minutes: {cpuMinutes / clock.Elapsed.TotalMinutes:0.00} cores busy on average).");
        return curve;
    }

    // One chunk: both shards run forward + backward from their carried states; gradients summed in
    // shard order, clipped, one Adam step. The gradient is that of the mean loss over the chunk.
    private LossSum Step(StreamBatcher batcher, int epoch, int chunk)
    {
        _adam.LearningRate = LearningRateAt(epoch - 1 + (double)chunk / batcher.ChunkCount);
        int steps = batcher.ChunkSteps(chunk);
        float scale = 1f / (_options.Streams * steps);
        _net.ZeroGradients();
        LossSum loss = _parallel.Run(_options.Streams, (replica, start, count) =>
        {
            int s = Array.IndexOf(_shardStarts, start);
            Span<int> inputs = _inputs[s].AsSpan(0, count * steps), targets = _targets[s].AsSpan(0, count * steps);
            batcher.GetChunk(chunk, start, count, inputs, targets);
            // Dropout masks depend on (seed, epoch, chunk, shard) only, not on the thread count.
            replica.InputDropout = _options.InputDropout;
            replica.LayerDropout = _options.LayerDropout;
            replica.SeedDropout(_options.Seed * 1_000_003UL + (ulong)epoch * 65_537UL + (ulong)chunk * 4UL + (ulong)s);
            return replica.ComputeLossAndGradients(inputs, targets, _states[s], scale);
        });
        double norm = GradientClipping.ClipByGlobalNorm(_net, _options.ClipNorm);
        if (!double.IsFinite(norm)) throw new NonFiniteGradientException($"Non-finite gradient norm at epoch {epoch}, chunk {chunk}.");
        _adam.Step(_net);
        return loss;
    }

    /// <summary>The learning rate after <paramref name="epochs"/> epochs of training (fractional): constant, then exponential decay to a floor.</summary>
    public double LearningRateAt(double epochs) =>
        Math.Max(_options.MinLearningRate, _options.LearningRate * Math.Pow(_options.DecayPerEpoch, Math.Max(0, epochs - _options.DecayStart)));

    /// <summary>
    /// Mean negative log-likelihood per character of <paramref name="tokens"/> (each character
    /// predicted from all before it in its stream): the text is cut into
    /// <see cref="ValidationStreams"/> streams run to the end with the state carried, split over
    /// <paramref name="threads"/> replicas. The result does not depend on the thread count.
    /// </summary>
    public static LossSum Evaluate(CharLmNet net, int[] tokens, int threads, int streams = ValidationStreams, int steps = 256)
    {
        streams = Math.Min(streams, tokens.Length - 1);
        var batcher = new StreamBatcher(tokens, streams, steps);
        int shards = Math.Min(Shards, streams);
        var sums = new LossSum[shards];
        Parallel.For(0, shards, new ParallelOptions { MaxDegreeOfParallelism = Math.Clamp(threads, 1, Shards) }, s =>
        {
            int first = streams * s / shards, count = streams * (s + 1) / shards - first;
            CharLmNet replica = net.CreateReplica();
            var state = new CharLmNet.State(count);
            var inputs = new int[count * steps];
            var targets = new int[count * steps];
            var logProbs = new float[count * steps * CharLmNet.OutputSize];
            double sum = 0;
            for (int chunk = 0; chunk < batcher.ChunkCount; chunk++)
            {
                int n = batcher.GetChunk(chunk, first, count, inputs, targets) * count;
                replica.Step(inputs.AsSpan(0, n), state, logProbs.AsSpan(0, n * CharLmNet.OutputSize));
                for (int i = 0; i < n; i++) sum -= logProbs[i * CharLmNet.OutputSize + targets[i]];
            }
            sums[s] = new LossSum(sum, count * batcher.StreamLength);
        });
        LossSum total = default;
        foreach (LossSum s in sums) total += s;
        return total;
    }

    private static void Progress(string line) => Console.Error.Write("\r" + line.PadRight(110));
}
