using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using CharLm;
using RnnGen.Data;
using RnnGen.IO;
using RnnGen.Training;
using RnnGen.Samples;

// Character language model on Tiny Shakespeare. See docs/charlm.md.
try
{
    return args.Length == 0 ? Commands.Default() : args[0] switch
    {
        "train" => Commands.Train(CommandOptions.Parse(args[1..], Commands.TrainOptions)),
        "sample" => Commands.Sample(CommandOptions.Parse(args[1..], Commands.SampleOptions)),
        "eval" => Commands.Eval(CommandOptions.Parse(args[1..], Commands.EvalOptions)),
        "--help" or "-h" or "help" => Commands.Usage(),
        _ => throw new UsageException($"unknown command '{args[0]}'"),
    };
}
catch (UsageException e)
{
    Console.Error.WriteLine($"error: {e.Message}. Usage: CharLm [train|sample|eval] [options]; run with --help for details.");
    return 2;
}
catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException or CheckpointException or ArgumentException or NonFiniteGradientException)
{
    Console.Error.WriteLine($"error: {e.Message.Split('\n')[0]}");
    return 1;
}

static class Commands
{
    private const string DefaultModel = "models/charlm.ckpt";
    private const string DemoModel = "models/charlm-demo.ckpt";

    public static readonly string[] TrainOptions = ["epochs", "minutes", "model", "seed", "threads", "data", "streams", "steps", "lr", "dropout"];
    public static readonly string[] SampleOptions = ["model", "prime", "length", "temperature", "top-k", "seed"];
    public static readonly string[] EvalOptions = ["model", "data", "threads"];

    public static int Usage()
    {
        Console.WriteLine("""
            CharLm: a character-level LSTM language model on Tiny Shakespeare (RnnGen).
              (no arguments)  a 3-minute demo: train, save models/charlm-demo.ckpt, then generate 400 characters
              train [--epochs N] [--minutes M] [--model F] [--seed S] [--threads 1|2] [--data F] [--streams N] [--steps N] [--lr X] [--dropout P]
                    the full recipe (defaults: 50 epochs or 20 minutes, models/charlm.ckpt): validation loss ≤ 1.50 nats/char
              sample [--model F] [--prime TEXT] [--length N] [--temperature T] [--top-k K] [--seed S]
                    streams generated text to standard output (defaults: "ROMEO:", 500, 0.8, 0 = all, 1)
              eval [--model F] [--data F] [--threads 1|2]
                    validation loss (last 10% of the text) in nats and bits per character
            """);
        return 0;
    }

    public static int Default()
    {
        Console.WriteLine("No arguments: a short demo (3 minutes of training, then a sample). The full recipe is 'CharLm train' (20 minutes); see --help.");
        int code = Train(CommandOptions.Parse(["--minutes", "3", "--model", DemoModel], TrainOptions));
        if (code != 0) return code;
        Console.WriteLine();
        return Sample(CommandOptions.Parse(["--model", DemoModel, "--length", "400"], SampleOptions));
    }

    public static int Train(CommandOptions o)
    {
        string modelPath = o.Get("model") ?? DefaultModel;
        var d = new TrainingOptions();
        var options = new TrainingOptions
        {
            Epochs = o.Int("epochs", d.Epochs),
            MaxMinutes = o.Double("minutes", d.MaxMinutes, 0, 100_000, minInclusive: false),
            Seed = o.Seed("seed", d.Seed),
            Threads = o.Int("threads", Math.Min(d.Threads, Environment.ProcessorCount), max: 2),
            Streams = o.Int("streams", d.Streams, min: 2, max: 4096),
            Steps = o.Int("steps", d.Steps, max: 100_000),
            LearningRate = o.Double("lr", d.LearningRate, 0, 1, minInclusive: false),
            LayerDropout = (float)o.Double("dropout", d.LayerDropout, 0, 0.95),
        };
        string dataPath = o.Get("data") ?? Corpus.DefaultPath;

        var clock = Stopwatch.StartNew();
        Corpus corpus = Corpus.Load(dataPath);
        if (corpus.Train.Length <= options.Streams) throw new UsageException($"the training text ({corpus.Train.Length} characters) is too short for {options.Streams} streams");
        Console.WriteLine($"Read {dataPath}: {corpus.Train.Length + corpus.Validation.Length:N0} characters, {corpus.Characters.Count - Vocabulary.ReservedCount} distinct in the training part.");

        string? folder = Path.GetDirectoryName(Path.GetFullPath(modelPath));
        if (folder is not null) Directory.CreateDirectory(folder);
        corpus.Characters.Save(CharacterSet.PathFor(modelPath));

        var net = new CharLmNet(options.Seed);
        var trainer = new CharLmTrainer(net, options);
        List<Evaluation> curve = trainer.Train(corpus, modelPath, Console.WriteLine);
        Console.WriteLine($"Saved {modelPath} ({new FileInfo(modelPath).Length / 1024:N0} KiB, with the optimizer state) and {CharacterSet.PathFor(modelPath)}; {clock.Elapsed.TotalMinutes:0.0} minutes in all.");
        Console.WriteLine();
        Console.WriteLine("| minutes | CPU minutes | epoch | train loss (nats) | validation loss (nats) | validation bpc | learning rate |");
        Console.WriteLine("|---:|---:|---:|---:|---:|---:|---:|");
        foreach (Evaluation e in curve)
            Console.WriteLine($"| {e.Minutes:0.0} | {e.CpuMinutes:0.0} | {e.Epoch:0.00} | {e.TrainLoss:0.0000} | {e.ValidationLoss:0.0000} | {e.ValidationBitsPerCharacter:0.000} | {e.LearningRate:0.######} |");
        return 0;
    }

    public static int Eval(CommandOptions o)
    {
        string modelPath = o.Get("model") ?? DefaultModel;
        int threads = o.Int("threads", Math.Min(2, Environment.ProcessorCount), max: 2);
        (CharLmNet net, CharacterSet characters) = LoadModel(modelPath);
        string dataPath = o.Get("data") ?? Corpus.DefaultPath;
        Corpus corpus = Corpus.Load(dataPath, characters);
        var clock = Stopwatch.StartNew();
        LossSum loss = CharLmTrainer.Evaluate(net, corpus.Validation, threads);
        Console.WriteLine($"Validation loss: {loss.Mean:0.0000} nats/char ({loss.Mean / Math.Log(2):0.000} bits/char) over {loss.Count:N0} characters (last {100 * (1 - Corpus.TrainFraction):0}% of {Path.GetFileName(dataPath)}).");
        Console.Error.WriteLine($"Evaluated {loss.Count / clock.Elapsed.TotalSeconds:N0} chars/s.");
        return 0;
    }

    public static int Sample(CommandOptions o)
    {
        string modelPath = o.Get("model") ?? DefaultModel;
        string prime = o.Get("prime") ?? "ROMEO:";
        int length = o.Int("length", 500, min: 0);
        float temperature = (float)o.Double("temperature", 0.8, 0, 100);
        int topK = o.Int("top-k", 0, min: 0);
        ulong seed = o.Seed("seed", 1);
        (CharLmNet net, CharacterSet characters) = LoadModel(modelPath);
        // The weights do not change while sampling: each layer's are packed once, and every character runs the packed
        // kernel instead of reading them in place (about 1.1× faster per character on this model; it rounds differently).
        net.WeightsFrozen = true;

        var generator = new TextGenerator(net, characters, new TokenSampler(seed, temperature, topK));
        var output = Console.Out;
        output.Write(prime);
        generator.Prime(prime);
        for (int i = 0; i < length; i++)
        {
            output.Write(generator.Next());
            output.Flush();
        }
        output.WriteLine();
        return 0;
    }

    private static (CharLmNet Net, CharacterSet Characters) LoadModel(string modelPath)
    {
        string vocabularyPath = CharacterSet.PathFor(modelPath);
        if (!File.Exists(modelPath)) throw new FileNotFoundException($"no model at '{modelPath}' (train one with: CharLm train --model {modelPath})");
        if (!File.Exists(vocabularyPath)) throw new FileNotFoundException($"the model '{modelPath}' has no character set beside it ('{vocabularyPath}')");
        CharacterSet characters = CharacterSet.Load(vocabularyPath);
        var net = new CharLmNet();
        Checkpoint.Load(modelPath, net);
        return (net, characters);
    }
}
