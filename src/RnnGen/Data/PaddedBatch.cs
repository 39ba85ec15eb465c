using System;
using System.Collections.Generic;

namespace RnnGen.Data;

/// <summary>
/// A batch of integer sequences (token or tag ids) padded to a common length: a row-major
/// <c>[BatchSize, TimeSteps]</c> array plus the true length of each row.
/// </summary>
public sealed class PaddedBatch
{
    private PaddedBatch(int[] values, int[] lengths, int batchSize, int timeSteps)
    {
        Values = values;
        Lengths = lengths;
        BatchSize = batchSize;
        TimeSteps = timeSteps;
    }

    /// <summary>The number of rows (sequences).</summary>
    public int BatchSize { get; }

    /// <summary>The padded length: the longest sequence in the batch.</summary>
    public int TimeSteps { get; }

    /// <summary>
    /// The ids, row-major <c>[BatchSize, TimeSteps]</c>: element (b, t) is at <c>b * TimeSteps + t</c>;
    /// positions at or after a row's length hold the padding value.
    /// </summary>
    public int[] Values { get; }

    /// <summary>The true length of each row.</summary>
    public int[] Lengths { get; }

    /// <summary>Row <paramref name="row"/> of <see cref="Values"/>, padding included.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="row"/> is not in [0, <see cref="BatchSize"/>).</exception>
    public ReadOnlySpan<int> GetRow(int row)
    {
        if ((uint)row >= (uint)BatchSize)
        {
            throw new ArgumentOutOfRangeException(nameof(row), row, $"The row must be in [0, {BatchSize}).");
        }
        return Values.AsSpan(row * TimeSteps, TimeSteps);
    }

    /// <summary>Packs the sequences chosen by <paramref name="indices"/> into a new padded batch, row b holding sequence <c>indices[b]</c>.</summary>
    /// <param name="sequences">All sequences, e.g. the encoded sentences of a corpus.</param>
    /// <param name="indices">The sequences of this batch, e.g. one batch of <see cref="BucketedBatcher.CreateBatches"/>; at least one.</param>
    /// <param name="paddingValue">The value written after each row's end (<see cref="Vocabulary.PaddingId"/> by default).</param>
    /// <exception cref="ArgumentNullException"><paramref name="sequences"/> is or contains null.</exception>
    /// <exception cref="ArgumentException"><paramref name="indices"/> is empty.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An index is outside <paramref name="sequences"/>.</exception>
    public static PaddedBatch Pack(IReadOnlyList<int[]> sequences, ReadOnlySpan<int> indices, int paddingValue = Vocabulary.PaddingId)
    {
        int timeSteps = MeasureTimeSteps(sequences, indices);
        var values = new int[checked(indices.Length * timeSteps)];
        var lengths = new int[indices.Length];
        Fill(sequences, indices, values, lengths, timeSteps, paddingValue);
        return new PaddedBatch(values, lengths, indices.Length, timeSteps);
    }

    /// <summary>
    /// Packs the sequences chosen by <paramref name="indices"/> into caller-owned buffers (no
    /// allocation): row b of <paramref name="values"/> (stride = the returned time steps) holds
    /// sequence <c>indices[b]</c> then padding, and <c>lengths[b]</c> its length.
    /// </summary>
    /// <param name="sequences">All sequences.</param>
    /// <param name="indices">The sequences of this batch; at least one.</param>
    /// <param name="values">Receives the row-major <c>[indices.Length, T]</c> ids; at least that long.</param>
    /// <param name="lengths">Receives the length of each row; at least <c>indices.Length</c> long.</param>
    /// <param name="paddingValue">The value written after each row's end.</param>
    /// <returns>T, the padded length (the longest chosen sequence).</returns>
    /// <exception cref="ArgumentNullException"><paramref name="sequences"/> is or contains null.</exception>
    /// <exception cref="ArgumentException"><paramref name="indices"/> is empty or a buffer is too short.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An index is outside <paramref name="sequences"/>.</exception>
    public static int PackInto(IReadOnlyList<int[]> sequences, ReadOnlySpan<int> indices, Span<int> values, Span<int> lengths,
                               int paddingValue = Vocabulary.PaddingId)
    {
        int timeSteps = MeasureTimeSteps(sequences, indices);
        long needed = (long)indices.Length * timeSteps;
        if (values.Length < needed)
        {
            throw new ArgumentException($"The values buffer holds {values.Length} ids but the batch needs {indices.Length} × {timeSteps} = {needed}.", nameof(values));
        }
        if (lengths.Length < indices.Length)
        {
            throw new ArgumentException($"The lengths buffer holds {lengths.Length} entries but the batch has {indices.Length} rows.", nameof(lengths));
        }
        Fill(sequences, indices, values, lengths, timeSteps, paddingValue);
        return timeSteps;
    }

    private static int MeasureTimeSteps(IReadOnlyList<int[]> sequences, ReadOnlySpan<int> indices)
    {
        ArgumentNullException.ThrowIfNull(sequences);
        if (indices.IsEmpty) throw new ArgumentException("A batch needs at least one sequence.", nameof(indices));
        int timeSteps = 0;
        foreach (int index in indices)
        {
            if ((uint)index >= (uint)sequences.Count)
            {
                throw new ArgumentOutOfRangeException(nameof(indices), index, $"Index {index} is outside the {sequences.Count} sequences.");
            }
            int[] sequence = sequences[index] ?? throw new ArgumentNullException(nameof(sequences), $"Sequence {index} is null.");
            timeSteps = Math.Max(timeSteps, sequence.Length);
        }
        return timeSteps;
    }

    private static void Fill(IReadOnlyList<int[]> sequences, ReadOnlySpan<int> indices, Span<int> values, Span<int> lengths,
                             int timeSteps, int paddingValue)
    {
        for (int b = 0; b < indices.Length; b++)
        {
            int[] sequence = sequences[indices[b]];
            Span<int> row = values.Slice(b * timeSteps, timeSteps);
            sequence.CopyTo(row);
            row.Slice(sequence.Length).Fill(paddingValue);
            lengths[b] = sequence.Length;
        }
    }
}
