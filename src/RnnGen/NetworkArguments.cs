using System;
using System.ComponentModel;

namespace RnnGen;

/// <summary>
/// Argument checks shared by all generated networks, so that every network rejects bad input with
/// the same messages, before anything is written. Called by generated code; not meant for users.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class NetworkArguments
{
    /// <summary>
    /// Validates <paramref name="lengths"/> against an input of <paramref name="inputLength"/>
    /// elements with <paramref name="perStep"/> values per time step, and returns the padded
    /// number of steps T (the input is [batch, T, perStep]).
    /// </summary>
    public static int CheckBatch(ReadOnlySpan<int> lengths, int inputLength, int perStep, string inputName)
    {
        if (lengths.Length == 0)
            throw new ArgumentException("The batch is empty: 'lengths' must hold one length per sequence (at least one).", "lengths");
        long rowElements = (long)lengths.Length * perStep;
        if (inputLength == 0 || inputLength % rowElements != 0)
            throw new ArgumentException(
                $"'{inputName}' holds {inputLength} values; a batch of {lengths.Length} sequences with {perStep} value(s) per step needs a positive multiple of {rowElements} ([batch, steps, {perStep}]).",
                inputName);
        int steps = (int)(inputLength / rowElements);
        for (int b = 0; b < lengths.Length; b++)
        {
            if (lengths[b] < 1 || lengths[b] > steps)
                throw new ArgumentOutOfRangeException("lengths", lengths[b],
                    $"lengths[{b}] is {lengths[b]}; each length must be between 1 and the padded step count {steps}.");
        }
        return steps;
    }

    /// <summary>Checks that every token at a real (unpadded) position is in [0, <paramref name="vocabularySize"/>).</summary>
    public static void CheckTokens(ReadOnlySpan<int> tokens, ReadOnlySpan<int> lengths, int steps, int vocabularySize)
    {
        for (int b = 0; b < lengths.Length; b++)
        {
            ReadOnlySpan<int> row = tokens.Slice(b * steps, lengths[b]);
            for (int t = 0; t < row.Length; t++)
            {
                if ((uint)row[t] >= (uint)vocabularySize)
                    throw new ArgumentOutOfRangeException("tokens", row[t],
                        $"tokens[{b}, {t}] is {row[t]}; token ids must be in [0, {vocabularySize}).");
            }
        }
    }

    /// <summary>Checks a required span's length.</summary>
    public static void CheckLength(int actual, long expected, string name, string shape)
    {
        if (actual != expected)
            throw new ArgumentException($"'{name}' holds {actual} values; {expected} are expected ({shape}).", name);
    }

    /// <summary>Checks an optional span: empty (not wanted / zeros) or exactly the expected length.</summary>
    public static void CheckOptional(int actual, long expected, string name, string shape)
    {
        if (actual != 0 && actual != expected)
            throw new ArgumentException($"'{name}' holds {actual} values; it must be empty or hold {expected} ({shape}).", name);
    }

    /// <summary>Checks a dropout probability.</summary>
    public static float CheckDropout(float p, string name)
    {
        if (!(p >= 0f && p < 1f))
            throw new ArgumentOutOfRangeException(name, p, $"'{name}' is {p}; a dropout probability must be in [0, 1).");
        return p;
    }

    /// <summary>
    /// Checks a chunk for a stream state of <paramref name="streams"/> streams and returns its steps:
    /// the input is [streams, steps, <paramref name="perStep"/>] with steps ≥ 1.
    /// </summary>
    public static int CheckChunk(int inputLength, int streams, int perStep, string inputName)
    {
        long perChunkStep = (long)streams * perStep;
        if (inputLength == 0 || inputLength % perChunkStep != 0)
            throw new ArgumentException(
                $"'{inputName}' holds {inputLength} values; the state's {streams} stream(s) need a positive multiple of {perChunkStep} ([streams, steps, {perStep}]).",
                inputName);
        return (int)(inputLength / perChunkStep);
    }
}
