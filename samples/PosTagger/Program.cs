using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using PosTagger;
using RnnGen.Data;
using RnnGen.Samples;

// Part-of-speech tagger on Universal Dependencies English EWT. See README.md.
try
{
    return args.Length == 0 ? Commands.Default() : args[0] switch
    {
        "train" => Commands.Train(CommandOptions.Parse(args[1..], "epochs", "threads", "train", "dev", "test", "model", "limit", "minutes", "seed")),
        "eval" => Commands.Eval(CommandOptions.Parse(args[1..], "model", "data", "threads")),
        "tag" => Commands.Tag(CommandOptions.Parse(args[1..], "model")),
        "--help" or "-h" or "help" => Commands.Usage(),
        _ => throw new UsageException($"unknown command '{args[0]}'"),
    };
}
catch (UsageException e)
{
    Console.Error.WriteLine($"error: {e.Message}. Usage: PosTagger [train|eval|tag] [options]; run with --help for details.");
    return 2;
}
catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException or ConllUFormatException or ArgumentException)
{
    Console.Error.WriteLine($"error: {e.Message.Split('\n')[0]}");
    return 1;
}

static class Commands
{
    private const string DefaultModel = "models/postagger.model";

    public static int Usage()
    {
        Console.WriteLine("""
            PosTagger: universal part-of-speech tags with a character + word BiLSTM (RnnGen).
              (no arguments)   train on the shipped EWT train split, print dev and test accuracy, save, tag a demo sentence
              train [--epochs N] [--threads N] [--train F] [--dev F] [--test F] [--model F] [--limit SENTENCES] [--minutes M] [--seed S]
              eval --model F --data F.conllu[.gz] [--threads N]
              tag --model F    (sentences on standard input, one per line, whitespace-tokenized, at most 1000 words)
            """);
        return 0;
    }

    public static int Default()
    {
        int code = Train(CommandOptions.Parse([]));
        if (code != 0) return code;
        Console.WriteLine();
        var model = TaggerModel.Load(DefaultModel);
        const string demo = "The quick brown fox jumped over the lazy dog near Seattle yesterday .";
        new LineTagger(model).Tag(demo, out string tagged);
        Console.WriteLine($"Demo: {tagged}");
        return 0;
    }

    public static int Train(CommandOptions o)
    {
        string data = DataFolder();
        string trainPath = o.Get("train") ?? Path.Combine(data, "en_ewt-ud-train.conllu.gz");
        string devPath = o.Get("dev") ?? Path.Combine(data, "en_ewt-ud-dev.conllu.gz");
        string? testPath = o.Get("test") ?? (o.Get("train") is null ? Path.Combine(data, "en_ewt-ud-test.conllu.gz") : null);
        string modelPath = o.Get("model") ?? DefaultModel;
        var options = new TrainingOptions
        {
            Epochs = o.Int("epochs", 12),
            Threads = o.Int("threads", Math.Min(2, Environment.ProcessorCount), max: 2),
            MaxMinutes = o.Double("minutes", 9.0, 0, 100_000, minInclusive: false),
            Seed = o.Seed("seed", 1),
        };

        var trainSentences = ConllUReader.ReadFile(trainPath);
        int limit = o.Int("limit", int.MaxValue);
        if (limit < trainSentences.Count) trainSentences = trainSentences.Take(limit).ToList();
        var devSentences = ConllUReader.ReadFile(devPath);
        var clock = Stopwatch.StartNew();
        TaggerModel model = TaggerModel.Create(trainSentences, options.Seed);
        Console.WriteLine($"Vocabulary: {model.Words.Count:N0} words (seen twice or more), {model.Characters.Count} characters.");
        var train = trainSentences.Select(model.Encode).ToList();
        var dev = devSentences.Select(model.Encode).ToList();
        new TaggerTrainer(model, options).Train(train, dev, Console.WriteLine);
        model.Save(modelPath);
        Console.WriteLine($"Saved {modelPath} ({new FileInfo(modelPath).Length / 1024:N0} KiB) after {clock.Elapsed.TotalMinutes:0.0} minutes.");
        PrintAccuracy("dev", model, dev, options.Threads);
        if (testPath is not null) PrintAccuracy("test", model, ConllUReader.ReadFile(testPath).Select(model.Encode).ToList(), options.Threads);
        return 0;
    }

    public static int Eval(CommandOptions o)
    {
        var model = TaggerModel.Load(o.Require("model"));
        var data = ConllUReader.ReadFile(o.Require("data")).Select(model.Encode).ToList();
        int threads = o.Int("threads", Math.Min(2, Environment.ProcessorCount), max: 2);
        var clock = Stopwatch.StartNew();
        var (accuracy, tokens, _) = TaggerTrainer.Evaluate(model, data, threads: Math.Min(threads, 2));
        Console.WriteLine($"UPOS accuracy: {100 * accuracy:0.00}% ({tokens} tokens)");
        Console.Error.WriteLine($"Tagged {tokens / clock.Elapsed.TotalSeconds:N0} tokens/s.");
        return 0;
    }

    public static int Tag(CommandOptions o)
    {
        var tagger = new LineTagger(TaggerModel.Load(o.Require("model")));
        string? line;
        int lineNumber = 0, failures = 0;
        while ((line = Console.In.ReadLine()) is not null)
        {
            lineNumber++;
            string? problem = tagger.Tag(line, out string tagged);
            // A refused line becomes an empty output line, so output lines stay in step with input lines.
            Console.WriteLine(tagged);
            if (problem is null) continue;
            Console.Error.WriteLine($"line {lineNumber}: {problem}");
            failures++;
        }
        return failures == 0 ? 0 : 1;
    }

    private static void PrintAccuracy(string name, TaggerModel model, List<EncodedSentence> data, int threads)
    {
        var (accuracy, tokens, _) = TaggerTrainer.Evaluate(model, data, threads: threads);
        Console.WriteLine($"{name} UPOS accuracy: {100 * accuracy:0.00}% ({tokens} tokens)");
    }

    /// <summary>samples/PosTagger/data, found from the working directory or the executable's folder.</summary>
    private static string DataFolder()
    {
        foreach (string start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                string candidate = Path.Combine(dir.FullName, "samples", "PosTagger", "data");
                if (File.Exists(Path.Combine(candidate, "en_ewt-ud-train.conllu.gz"))) return candidate;
                if (File.Exists(Path.Combine(dir.FullName, "data", "en_ewt-ud-train.conllu.gz")) && dir.Name == "PosTagger") return Path.Combine(dir.FullName, "data");
            }
        }
        return Path.Combine("samples", "PosTagger", "data");
    }
}
