using System;
using System.Collections.Generic;

namespace DateNormalizer;

/// <summary>
/// The three sets the sample uses, each from its own seed: training, validation (picks the best
/// model during training) and test (the held-out set <c>eval</c> reports on). Validation and
/// test texts are removed from the training set, so no held-out text is ever trained on.
/// </summary>
public static class DateSets
{
    /// <summary>Seed of the default training set.</summary>
    public const ulong DefaultTrainingSeed = 1;

    /// <summary>Seed of the validation set.</summary>
    public const ulong ValidationSeed = 1_000_001;

    /// <summary>Seed of the test set (held out: <c>eval</c>'s default).</summary>
    public const ulong TestSeed = 2_000_003;

    /// <summary>Examples in the validation set.</summary>
    public const int ValidationCount = 1_000;

    /// <summary>Examples in the default test set.</summary>
    public const int DefaultTestCount = 5_000;

    /// <summary>The validation set.</summary>
    public static List<DateExample> Validation() => new DateExampleGenerator(ValidationSeed).Take(ValidationCount);

    /// <summary>The first <paramref name="count"/> examples of the test seed.</summary>
    public static List<DateExample> Test(int count = DefaultTestCount) => new DateExampleGenerator(TestSeed).Take(count);

    /// <summary>
    /// <paramref name="count"/> training examples from <paramref name="seed"/>, skipping every text
    /// that appears in the validation set or in the first <see cref="DefaultTestCount"/> test
    /// examples. Returns the examples and how many were skipped.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="seed"/> is the validation or test seed.</exception>
    public static (List<DateExample> Examples, int Skipped) Training(int count, ulong seed = DefaultTrainingSeed)
    {
        if (seed is ValidationSeed or TestSeed) throw new ArgumentException($"Seed {seed} is reserved for a held-out set.", nameof(seed));
        var heldOut = new HashSet<string>(StringComparer.Ordinal);
        foreach (DateExample e in Validation()) heldOut.Add(e.Text);
        foreach (DateExample e in Test()) heldOut.Add(e.Text);
        var generator = new DateExampleGenerator(seed);
        var examples = new List<DateExample>(count);
        int skipped = 0;
        while (examples.Count < count)
        {
            DateExample e = generator.Next();
            if (heldOut.Contains(e.Text)) skipped++;
            else examples.Add(e);
        }
        return (examples, skipped);
    }
}
