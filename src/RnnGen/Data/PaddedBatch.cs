using System;
using System.Collections.Generic;

namespace RnnGen.Data;

/// <summary>
/// A batch of integer sequences (token or tag ids) padded to a common length: a
/// <c>[BatchSize, TimeSteps]</c> array (or <c>[TimeSteps, BatchSize]</c> for a network declared
/// with <see cref="SequenceLayout.TimeMajor"/>) plus the true length of each row.
/// </summary>
public sealed class PaddedBatch
{
    private PaddedBatch(int[] values, int[] lengths, int batchSize, int timeSteps, SequenceLayout layout)
    {
        Values = values;
        Lengths = lengths;
        BatchSize = batchSize;
        TimeSteps = timeSteps;
        Layout = layout;
    }

    /// <summary>The number of rows (sequences).</summary>
    public int BatchSize { get; }

    /// <summary>The padded length: the longest sequence in the batch.</summary>
    public int TimeSteps { get; }

    /// <summary>How <see cref="Values"/> is laid out.</summary>
    public SequenceLayout Layout { get; }

    /// <summary>
    /// The ids: element (b, t) is at <c>b * TimeSteps + t</c> (<see cref="SequenceLayout.BatchFirst"/>)
    /// or at <c>t * BatchSize + b</c> (<see cref="SequenceLayout.TimeMajor"/>); positions at or after a
    /// row's length hold the padding value.
    /// </summary>
    public int[] Values { get; }

    /// <summary>The true length of each row.</summary>
    public int[] Lengths { get; }

    /// <summary>Row <paramref name="row"/> of <see cref="Values"/>, padding included (batch-first batches, where a row is contiguous).</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="row"/> is not in [0, <see cref="BatchSize"/>).</exception>
    /// <exception cref="InvalidOperationException">The batch is time-major: use the indexer.</exception>
    public ReadOnlySpan<int> GetRow(int row)
    {
        CheckRow(row);
        if (Layout != SequenceLayout.BatchFirst)
        {
            throw new InvalidOperationException("The rows of a time-major batch are not contiguous; read them with batch[row, step].");
        }
        return Values.AsSpan(row * TimeSteps, TimeSteps);
    }

    /// <summary>The id of sequence <paramref name="row"/> at step <paramref name="step"/> (padding after its length), in either layout.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The row or the step is out of range.</exception>
    public int this[int row, int step]
    {
        get
        {
            CheckRow(row);
            if ((uint)step >= (uint)TimeSteps)
            {
                throw new ArgumentOutOfRangeException(nameof(step), step, $"The step must be in [0, {TimeSteps}).");
            }
            return Values[Layout == SequenceLayout.TimeMajor ? step * BatchSize + row : row * TimeSteps + step];
        }
    }

    private void CheckRow(int row)
    {
        if ((uint)row >= (uint)BatchSize)
        {
            throw new ArgumentOutOfRangeException(nameof(row), row, $"The row must be in [0, {BatchSize}).");
        }
    }

    /// <summary>Packs the sequences chosen by <paramref name="indices"/> into a new padded batch, row b holding sequence <c>indices[b]</c>.</summary>
    /// <param name="sequences">All sequences, e.g. the encoded sentences of a corpus.</param>
    /// <param name="indices">The sequences of this batch, e.g. one batch of <see cref="BucketedBatcher.CreateBatches"/>; at least one.</param>
    /// <param name="paddingValue">The value written after each row's end (<see cref="Vocabulary.PaddingId"/> by default).</param>
    /// <param name="layout">The layout of <see cref="Values"/>: the network's <c>Layout</c>.</param>
    /// <exception cref="ArgumentNullException"><paramref name="sequences"/> is or contains null.</exception>
    /// <exception cref="ArgumentException"><paramref name="indices"/> is empty.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An index is outside <paramref name="sequences"/>, or the layout is not defined.</exception>
    public static PaddedBatch Pack(IReadOnlyList<int[]> sequences, ReadOnlySpan<int> indices, int paddingValue = Vocabulary.PaddingId,
                                   SequenceLayout layout = SequenceLayout.BatchFirst)
    {
        CheckLayout(layout);
        int timeSteps = MeasureTimeSteps(sequences, indices);
        var values = new int[checked(indices.Length * timeSteps)];
        var lengths = new int[indices.Length];
        Fill(sequences, indices, values, lengths, timeSteps, paddingValue, layout);
        return new PaddedBatch(values, lengths, indices.Length, timeSteps, layout);
    }

    /// <summary>
    /// Packs the sequences chosen by <paramref name="indices"/> into caller-owned buffers (no
    /// allocation): sequence <c>indices[b]</c> then padding goes to row b of <paramref name="values"/>
    /// (<c>[B, T]</c>, or <c>[T, B]</c> time-major, with B = <c>indices.Length</c> and T the returned
    /// time steps), and its length to <c>lengths[b]</c>.
    /// </summary>
    /// <param name="sequences">All sequences.</param>
    /// <param name="indices">The sequences of this batch; at least one.</param>
    /// <param name="values">Receives the B × T ids; at least that long.</param>
    /// <param name="lengths">Receives the length of each row; at least <c>indices.Length</c> long.</param>
    /// <param name="paddingValue">The value written after each row's end.</param>
    /// <param name="layout">The layout of <paramref name="values"/>: the network's <c>Layout</c>.</param>
    /// <returns>T, the padded length (the longest chosen sequence).</returns>
    /// <exception cref="ArgumentNullException"><paramref name="sequences"/> is or contains null.</exception>
    /// <exception cref="ArgumentException"><paramref name="indices"/> is empty or a buffer is too short.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An index is outside <paramref name="sequences"/>, or the layout is not defined.</exception>
    public static int PackInto(IReadOnlyList<int[]> sequences, ReadOnlySpan<int> indices, Span<int> values, Span<int> lengths,
                               int paddingValue = Vocabulary.PaddingId, SequenceLayout layout = SequenceLayout.BatchFirst)
    {
        CheckLayout(layout);
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
        Fill(sequences, indices, values, lengths, timeSteps, paddingValue, layout);
        return timeSteps;
    }

    private static void CheckLayout(SequenceLayout layout)
    {
        if (layout is not (SequenceLayout.BatchFirst or SequenceLayout.TimeMajor))
        {
            throw new ArgumentOutOfRangeException(nameof(layout), layout, "The layout must be BatchFirst or TimeMajor.");
        }
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
                             int timeSteps, int paddingValue, SequenceLayout layout)
    {
        int batch = indices.Length;
        for (int b = 0; b < batch; b++)
        {
            int[] sequence = sequences[indices[b]];
            lengths[b] = sequence.Length;
            if (layout == SequenceLayout.BatchFirst)
            {
                Span<int> row = values.Slice(b * timeSteps, timeSteps);
                sequence.CopyTo(row);
                row.Slice(sequence.Length).Fill(paddingValue);
            }
            else
            {
                for (int t = 0; t < timeSteps; t++) values[t * batch + b] = t < sequence.Length ? sequence[t] : paddingValue;
            }
        }
    }
}
