using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;

namespace RnnGen.Samples;

// The samples' command lines: each sample's Program reads `--name value` options through this one
// file (linked into every sample project), so they reject mistakes the same way and in the same words.

/// <summary>A command-line mistake: reported in one line with the usage hint, exit code 2.</summary>
public sealed class UsageException(string message) : Exception(message);

/// <summary>The options of one command: <c>--name value</c> pairs from a fixed set, each at most once.</summary>
public sealed class CommandOptions
{
    private readonly Dictionary<string, string> _values;

    private CommandOptions(Dictionary<string, string> values) => _values = values;

    /// <summary>Reads <paramref name="args"/> as <c>--name value</c> pairs whose names are in <paramref name="allowed"/>.</summary>
    /// <exception cref="UsageException">An unknown or repeated option, or one without a value.</exception>
    public static CommandOptions Parse(IReadOnlyList<string> args, params string[] allowed)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        for (int i = 0; i < args.Count; i += 2)
        {
            string name = args[i].StartsWith("--", StringComparison.Ordinal) ? args[i][2..] : "";
            if (!allowed.Contains(name))
                throw new UsageException($"unknown option '{args[i]}' (this command takes {(allowed.Length == 0 ? "none" : string.Join(", ", allowed.Select(a => "--" + a)))})");
            if (i + 1 == args.Count) throw new UsageException($"option '--{name}' needs a value");
            if (!values.TryAdd(name, args[i + 1])) throw new UsageException($"option '--{name}' is given twice");
        }
        return new CommandOptions(values);
    }

    /// <summary>The value of <c>--<paramref name="name"/></c>, or null.</summary>
    public string? Get(string name) => _values.GetValueOrDefault(name);

    /// <summary>The value of <c>--<paramref name="name"/></c>, which the command needs.</summary>
    /// <exception cref="UsageException">The option is missing.</exception>
    public string Require(string name) => Get(name) ?? throw new UsageException($"missing --{name}");

    /// <summary>An integer in [<paramref name="min"/>, <paramref name="max"/>], or <paramref name="fallback"/> when absent.</summary>
    /// <exception cref="UsageException">The value is not such an integer.</exception>
    public int Int(string name, int fallback, int min = 1, int max = int.MaxValue) =>
        Number(name, fallback, s => int.TryParse(s, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int v) && v >= min && v <= max ? v : null,
               Range(min, max == int.MaxValue ? null : max, minInclusive: true));

    /// <summary>A real number in [<paramref name="min"/>, <paramref name="max"/>] (or (min, max] when not <paramref name="minInclusive"/>), or <paramref name="fallback"/>.</summary>
    /// <exception cref="UsageException">The value is not such a number.</exception>
    public double Double(string name, double fallback, double min, double max, bool minInclusive = true) =>
        Number(name, fallback,
               s => double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out double v) && double.IsFinite(v) && (minInclusive ? v >= min : v > min) && v <= max ? v : null,
               Range(min, double.IsPositiveInfinity(max) ? null : max, minInclusive));

    /// <summary>A non-negative integer seed, or <paramref name="fallback"/>.</summary>
    /// <exception cref="UsageException">The value is not a non-negative integer.</exception>
    public ulong Seed(string name, ulong fallback) =>
        Number(name, fallback, s => ulong.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out ulong v) ? v : null, "a non-negative integer");

    private T Number<T>(string name, T fallback, Func<string, T?> parse, string expected) where T : struct
    {
        if (!_values.TryGetValue(name, out string? s)) return fallback;
        return parse(s) ?? throw new UsageException($"--{name} must be {expected} (got '{s}')");
    }

    private static string Range<T>(T min, T? max, bool minInclusive) where T : struct, IFormattable
    {
        string low = min.ToString(null, CultureInfo.InvariantCulture);
        if (max is not T top) return minInclusive ? $"a number of at least {low}" : $"a number above {low}";
        string high = top.ToString(null, CultureInfo.InvariantCulture);
        return minInclusive ? $"a number from {low} to {high}" : $"a number above {low}, at most {high}";
    }
}
