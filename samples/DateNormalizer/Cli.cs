using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using RnnGen.Samples;
using RnnGen.Training;

namespace DateNormalizer;

/// <summary>
/// The date normalizer's command line: <c>train</c>, <c>eval</c>, <c>translate</c>, <c>sample</c>.
/// Reads and writes only the given streams, so tests run it in-process.
/// </summary>
public static class Cli
{
    /// <summary>Where <c>train</c> saves and the other commands load by default.</summary>
    public const string DefaultModel = "models/datenormalizer.safetensors";

    /// <summary>Runs the command in <paramref name="args"/>; returns the exit code (0 success, 1 failure, 2 usage error).</summary>
    public static int Run(string[] args, TextReader input, TextWriter output, TextWriter error)
    {
        ArgumentNullException.ThrowIfNull(args);
        try
        {
            if (args.Length == 0) return Demo(output, error);
            string[] rest = args[1..];
            return args[0] switch
            {
                "train" => Train(CommandOptions.Parse(rest, "attention", "minutes", "epochs", "examples", "batch", "lr", "teacher-forcing", "report", "seed", "model"), output, error),
                "eval" => Eval(CommandOptions.Parse(rest, "model", "count", "beam", "errors"), output),
                "translate" => Translate(CommandOptions.Parse(rest, "model", "beam", "attention"), input, output, error),
                "sample" => Sample(CommandOptions.Parse(rest, "count", "seed"), output),
                "help" or "--help" or "-h" => Usage(output),
                _ => throw new UsageException($"unknown command '{args[0]}'"),
            };
        }
        catch (UsageException e)
        {
            error.WriteLine($"error: {e.Message}. Usage: DateNormalizer [train|eval|translate|sample] [options]; run with --help for details.");
            return 2;
        }
        catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException or ArgumentException or NonFiniteGradientException)
        {
            error.WriteLine($"error: {e.Message.Split('\n')[0]}");
            return 1;
        }
    }

    /// <summary>Prints the commands and their options.</summary>
    public static int Usage(TextWriter output)
    {
        output.WriteLine($"""
            DateNormalizer: rewrites dates as people write them ("Tuesday, 7 March 2023", "3/7/23") as ISO 8601 (2023-03-07)
            with a character-level encoder-decoder (RnnGen). Years {DateText.FirstYear}–{DateText.LastYear}; slashes are month/day/year, dots and hyphens day.month.year.
              (no arguments)  train the default recipe, evaluate it, normalize a few examples
              train [--attention {string.Join("|", DateNetworks.AttentionKinds)}] [--minutes M] [--epochs N] [--examples N] [--batch N] [--lr X]
                    [--teacher-forcing P] [--report BATCHES] [--seed S] [--model F]
                    defaults: bahdanau, 10 minutes, 20 epochs of 100,000 examples, {DefaultModel}
              eval [--model F] [--count N] [--beam N] [--errors N]
                    exact match on N held-out dates (default {DateSets.DefaultTestCount:N0}, seed {DateSets.TestSeed}), and the first errors
              translate [--model F] [--beam N] [--attention FILE.svg]
                    one date per line on standard input, its ISO form on standard output; the SVG shows the attention of each line
              sample [--count N] [--seed S]
                    generated examples, tab-separated: text, ISO date, layout
            """);
        return 0;
    }

    private static int Demo(TextWriter output, TextWriter error)
    {
        output.WriteLine($"No arguments: train the default recipe (about 10 minutes), evaluate it, normalize a few dates. See --help.");
        int code = Train(CommandOptions.Parse([]), output, error);
        if (code != 0) return code;
        code = Eval(CommandOptions.Parse([]), output);
        if (code != 0) return code;
        DateModel model = DateModel.Load(DefaultModel);
        string[] demo = ["Tuesday, 7 March 2023", "3/7/23", "March 7th, '23", "the 1st of January 1999", "31.12.2049"];
        string[] iso = model.Normalize(demo);
        for (int i = 0; i < demo.Length; i++) output.WriteLine($"{demo[i],-28} → {iso[i]}");
        return 0;
    }

    private static int Train(CommandOptions o, TextWriter output, TextWriter error)
    {
        string attention = o.Get("attention") ?? DateNetworks.DefaultAttention;
        if (!DateNetworks.IsKnown(attention)) throw new UsageException($"--attention must be one of {string.Join(", ", DateNetworks.AttentionKinds)} (got '{attention}')");
        var d = new TrainingOptions();
        var options = new TrainingOptions
        {
            MaxMinutes = o.Double("minutes", d.MaxMinutes, 0.01, 10_000),
            Epochs = o.Int("epochs", d.Epochs, 1, 10_000),
            TrainingCount = o.Int("examples", d.TrainingCount, 100, 10_000_000),
            BatchSize = o.Int("batch", d.BatchSize, 1, 1024),
            LearningRate = o.Double("lr", d.LearningRate, 1e-6, 1),
            TeacherForcing = (float)o.Double("teacher-forcing", d.TeacherForcing, 0, 1),
            ReportEvery = o.Int("report", d.ReportEvery, 1, 1_000_000),
            Seed = o.Seed("seed", d.Seed),
        };
        if (options.Seed is DateSets.ValidationSeed or DateSets.TestSeed) throw new UsageException($"--seed {options.Seed} is the seed of a held-out set");
        string modelPath = o.Get("model") ?? DefaultModel;

        var clock = Stopwatch.StartNew();
        (List<DateExample> train, int skipped) = DateSets.Training(options.TrainingCount, options.Seed);
        List<DateExample> validation = DateSets.Validation();
        output.WriteLine($"Generated {train.Count:N0} training dates (seed {options.Seed}; {skipped:N0} drawn texts skipped because they are in the validation or test set) " +
                         $"and {validation.Count:N0} validation dates (seed {DateSets.ValidationSeed}).");
        string? folder = Path.GetDirectoryName(Path.GetFullPath(modelPath));
        if (folder is not null) Directory.CreateDirectory(folder);

        DateModel model = DateModel.Create(attention, options.Seed);
        var metadata = new Dictionary<string, string>
        {
            ["datenormalizer.training"] = string.Create(CultureInfo.InvariantCulture,
                $"seed {options.Seed}, {options.TrainingCount} examples, batch {options.BatchSize}, lr {options.LearningRate}, teacher forcing {options.TeacherForcing}"),
        };
        List<TrainingPoint> curve = new DateTrainer(model, options).Train(train, validation, modelPath, output, error, metadata);
        output.WriteLine($"Saved {modelPath} ({new FileInfo(modelPath).Length / 1024:N0} KiB); {clock.Elapsed.TotalMinutes:0.0} minutes in all.");
        output.WriteLine();
        output.Write(TrainingPoint.Table(curve));
        return 0;
    }

    private static int Eval(CommandOptions o, TextWriter output)
    {
        string modelPath = o.Get("model") ?? DefaultModel;
        int count = o.Int("count", DateSets.DefaultTestCount, 1, 1_000_000);
        int beam = o.Int("beam", 1, 1, 64);
        int showErrors = o.Int("errors", 10, 0, 1_000_000);
        DateModel model = DateModel.Load(modelPath);
        List<DateExample> test = DateSets.Test(count);
        var errors = new List<(DateExample Example, string Output)>();
        var clock = Stopwatch.StartNew();
        double exact = DateTrainer.ExactMatch(model, test, beam, errors);
        double seconds = clock.Elapsed.TotalSeconds;
        output.WriteLine($"Exact match: {100 * exact:0.00}% ({test.Count - errors.Count:N0} of {test.Count:N0} held-out dates, seed {DateSets.TestSeed}, " +
                         $"{(beam == 1 ? "greedy" : $"beam {beam}")}; model {Path.GetFileName(modelPath)}, attention {model.Attention}).");
        if (count > DateSets.DefaultTestCount)
            output.WriteLine($"Note: only the first {DateSets.DefaultTestCount:N0} test dates are kept out of training; the rest may have been trained on.");
        output.WriteLine($"Decoded {test.Count / Math.Max(seconds, 1e-9):N0} dates/s.");
        foreach ((DateExample e, string wrong) in errors.Take(showErrors))
            output.WriteLine($"  {e.Text,-40} → {wrong,-12} expected {e.Iso}  ({e.Style.Layout})");
        return 0;
    }

    private static int Translate(CommandOptions o, TextReader input, TextWriter output, TextWriter error)
    {
        string modelPath = o.Get("model") ?? DefaultModel;
        int beam = o.Int("beam", 1, 1, 64);
        string? svgPath = o.Get("attention");
        if (svgPath is not null && !svgPath.EndsWith(".svg", StringComparison.OrdinalIgnoreCase))
            throw new UsageException($"--attention takes the SVG file to write, ending in .svg (got '{svgPath}')");
        DateModel model = DateModel.Load(modelPath);
        if (svgPath is not null && model.Attention == "none")
            throw new UsageException($"--attention needs a model with attention; '{modelPath}' has none");
        List<AttentionMap>? maps = svgPath is null ? null : new List<AttentionMap>();
        int failures = 0, lineNumber = 0;
        string? line;
        while ((line = input.ReadLine()) is not null)
        {
            lineNumber++;
            string text = line.Trim();
            // A blank line stays blank and a line too long to read becomes one (reported), so output lines match input lines.
            if (text.Length == 0 || text.Length > DateAlphabets.MaxSourceLength)
            {
                output.WriteLine();
                if (text.Length == 0) continue;
                error.WriteLine($"line {lineNumber}: {text.Length} characters; at most {DateAlphabets.MaxSourceLength} are read");
                failures++;
                continue;
            }
            output.WriteLine(model.Normalize([text], beam, maps)[0]);
            output.Flush();
        }
        if (maps is not null)
        {
            if (maps.Count == 0) throw new UsageException("no date was read, so there is no attention to draw");
            AttentionSvg.Write(svgPath!, maps);
            error.WriteLine($"Wrote the attention of {maps.Count} line(s) to {svgPath}.");
        }
        return failures == 0 ? 0 : 1;
    }

    private static int Sample(CommandOptions o, TextWriter output)
    {
        int count = o.Int("count", 20, 1, 10_000_000);
        ulong seed = o.Seed("seed", DateSets.DefaultTrainingSeed);
        var generator = new DateExampleGenerator(seed);
        for (int i = 0; i < count; i++)
        {
            DateExample e = generator.Next();
            output.WriteLine($"{e.Text}\t{e.Iso}\t{e.Style.Layout}");
        }
        return 0;
    }
}
