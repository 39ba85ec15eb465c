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
    /// number of steps T (the input is [batch, T, perStep], or [T, batch, perStep] when
    /// <paramref name="layout"/> is <see cref="SequenceLayout.TimeMajor"/>).
    /// </summary>
    public static int CheckBatch(ReadOnlySpan<int> lengths, int inputLength, int perStep, string inputName, SequenceLayout layout = SequenceLayout.BatchFirst)
    {
        if (lengths.Length == 0)
            throw new ArgumentException("The batch is empty: 'lengths' must hold one length per sequence (at least one).", "lengths");
        long rowElements = (long)lengths.Length * perStep;
        if (inputLength == 0 || inputLength % rowElements != 0)
            throw new ArgumentException(
                $"'{inputName}' holds {inputLength} values; a batch of {lengths.Length} sequences with {perStep} value(s) per step needs a positive multiple of {rowElements} ({Shape(layout, "batch", perStep)}).",
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

    /// <summary>
    /// Checks that every token at a real (unpadded) position is in [0, <paramref name="vocabularySize"/>);
    /// the tokens are [batch, steps], or [steps, batch] when <paramref name="layout"/> is <see cref="SequenceLayout.TimeMajor"/>.
    /// </summary>
    public static void CheckTokens(ReadOnlySpan<int> tokens, ReadOnlySpan<int> lengths, int steps, int vocabularySize, SequenceLayout layout = SequenceLayout.BatchFirst)
    {
        int batch = lengths.Length;
        bool timeMajor = layout == SequenceLayout.TimeMajor;
        for (int b = 0; b < batch; b++)
        {
            for (int t = 0; t < lengths[b]; t++)
            {
                int token = tokens[timeMajor ? t * batch + b : b * steps + t];
                if ((uint)token >= (uint)vocabularySize)
                    throw new ArgumentOutOfRangeException("tokens", token,
                        timeMajor
                            ? $"tokens[{t}, {b}] (step {t} of sequence {b}) is {token}; token ids must be in [0, {vocabularySize})."
                            : $"tokens[{b}, {t}] is {token}; token ids must be in [0, {vocabularySize}).");
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
    /// the input is [streams, steps, <paramref name="perStep"/>] (or [steps, streams, <paramref name="perStep"/>]
    /// when <paramref name="layout"/> is <see cref="SequenceLayout.TimeMajor"/>) with steps ≥ 1.
    /// </summary>
    public static int CheckChunk(int inputLength, int streams, int perStep, string inputName, SequenceLayout layout = SequenceLayout.BatchFirst)
    {
        long perChunkStep = (long)streams * perStep;
        if (inputLength == 0 || inputLength % perChunkStep != 0)
            throw new ArgumentException(
                $"'{inputName}' holds {inputLength} values; the state's {streams} stream(s) need a positive multiple of {perChunkStep} ({Shape(layout, "streams", perStep)}).",
                inputName);
        return (int)(inputLength / perChunkStep);
    }

    /// <summary>
    /// Whether <paramref name="span"/> shares no memory with any of the others (empty spans share none).
    /// Generated inference reads the caller's inputs in place only when they share none with the output or the
    /// final states, and writes the caller's output in place only when it shares none with the initial or final
    /// states; otherwise it works on copies.
    /// </summary>
    public static bool SharesNoMemory(ReadOnlySpan<float> span, ReadOnlySpan<float> first, ReadOnlySpan<float> second, ReadOnlySpan<float> third = default) =>
        !span.Overlaps(first) && !span.Overlaps(second) && !span.Overlaps(third);

    // "[batch, steps, 8]" or "[steps, batch, 8]": the shape of a sequence tensor in error messages.
    private static string Shape(SequenceLayout layout, string batch, int perStep) =>
        layout == SequenceLayout.TimeMajor ? $"[steps, {batch}, {perStep}]" : $"[{batch}, steps, {perStep}]";
}
