using System;
using System.Collections.Generic;
using System.Collections.ObjectModel;

namespace RnnGen.Data;

/// <summary>
/// Groups sequences of similar length into batches, so a padded batch wastes little work on
/// padding, while keeping the order of an epoch random.
/// </summary>
/// <remarks>
/// <para>
/// <see cref="CreateBatches"/> makes one epoch: shuffle all indices; cut the shuffled list into
/// chunks of <see cref="ChunkSize"/> sequences; sort each chunk by length; cut each sorted chunk
/// greedily into batches that respect the limits; shuffle the order of all batches. The result
/// depends only on the lengths, the limits and the state of the <see cref="SeededRandom"/>, so
/// the same seed gives the same epochs. Larger chunks give tighter length buckets; smaller
/// chunks give more random batch composition.
/// </para>
/// <para>
/// A batch respects <see cref="MaxSentencesPerBatch"/> (rows) and <see cref="MaxTokensPerBatch"/>,
/// counted as the padded size <c>rows × longest length</c> — the size of the padded
/// <c>[batch, T]</c> array and of the work an RNN does on it. Within a batch, indices are ordered
/// by decreasing length (ties by increasing index), so at each time step the sequences still
/// running are a prefix of the batch.
/// </para>
/// </remarks>
public sealed class BucketedBatcher
{
    private const int DefaultBatchesPerChunk = 50;

    private readonly int[] _lengths;
    private readonly ReadOnlyCollection<int> _lengthsView;

    /// <summary>Creates a batcher for sequences with the given lengths.</summary>
    /// <param name="lengths">The length of every sequence (index i is sequence i); each at least 1.</param>
    /// <param name="maxSentencesPerBatch">The most sequences in one batch; <see cref="int.MaxValue"/> for no limit.</param>
    /// <param name="maxTokensPerBatch">The largest padded size (rows × longest length) of one batch; <see cref="int.MaxValue"/> for no limit.</param>
    /// <param name="chunkSize">
    /// The number of sequences sorted together; <see langword="null"/> for about 50 batches' worth
    /// (estimated from the limits and the mean length).
    /// </param>
    /// <exception cref="ArgumentNullException"><paramref name="lengths"/> is null.</exception>
    /// <exception cref="ArgumentException">
    /// Both limits are unlimited, or a sequence is longer than <paramref name="maxTokensPerBatch"/>.
    /// </exception>
    /// <exception cref="ArgumentOutOfRangeException">A limit, the chunk size or a length is below 1.</exception>
    public BucketedBatcher(IReadOnlyList<int> lengths, int maxSentencesPerBatch = int.MaxValue,
                           int maxTokensPerBatch = int.MaxValue, int? chunkSize = null)
    {
        ArgumentNullException.ThrowIfNull(lengths);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxSentencesPerBatch, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxTokensPerBatch, 1);
        if (maxSentencesPerBatch == int.MaxValue && maxTokensPerBatch == int.MaxValue)
        {
            throw new ArgumentException(
                $"Give {nameof(maxSentencesPerBatch)}, {nameof(maxTokensPerBatch)} or both; without a limit there is nothing to cut batches by.");
        }
        if (chunkSize is int c) ArgumentOutOfRangeException.ThrowIfLessThan(c, 1, nameof(chunkSize));

        _lengths = new int[lengths.Count];
        long total = 0;
        for (int i = 0; i < _lengths.Length; i++)
        {
            int length = lengths[i];
            if (length < 1)
            {
                throw new ArgumentOutOfRangeException(nameof(lengths), length, $"Sequence {i} has length {length}; lengths must be at least 1.");
            }
            if (length > maxTokensPerBatch)
            {
                throw new ArgumentException(
                    $"Sequence {i} has length {length}, more than {nameof(maxTokensPerBatch)} = {maxTokensPerBatch}, so it fits in no batch. " +
                    "Raise the limit, or drop or split long sequences first.", nameof(lengths));
            }
            _lengths[i] = length;
            total += length;
        }

        _lengthsView = Array.AsReadOnly(_lengths);
        MaxSentencesPerBatch = maxSentencesPerBatch;
        MaxTokensPerBatch = maxTokensPerBatch;
        ChunkSize = chunkSize ?? DefaultChunkSize(maxSentencesPerBatch, maxTokensPerBatch, total, _lengths.Length);
    }

    /// <summary>The number of sequences.</summary>
    public int Count => _lengths.Length;

    /// <summary>The length of every sequence.</summary>
    public IReadOnlyList<int> Lengths => _lengthsView;

    /// <summary>The most sequences in one batch (<see cref="int.MaxValue"/>: no limit).</summary>
    public int MaxSentencesPerBatch { get; }

    /// <summary>The largest padded size, rows × longest length, of one batch (<see cref="int.MaxValue"/>: no limit).</summary>
    public int MaxTokensPerBatch { get; }

    /// <summary>The number of sequences sorted by length together.</summary>
    public int ChunkSize { get; }

    /// <summary>
    /// Makes the batches of one epoch in random order: each index appears in exactly one batch.
    /// Advances <paramref name="random"/>; the same state gives the same batches.
    /// </summary>
    /// <param name="random">The source of randomness; use one seeded generator for the whole run.</param>
    /// <exception cref="ArgumentNullException"><paramref name="random"/> is null.</exception>
    public IReadOnlyList<int[]> CreateBatches(SeededRandom random)
    {
        ArgumentNullException.ThrowIfNull(random);
        int[] order = new int[_lengths.Length];
        for (int i = 0; i < order.Length; i++) order[i] = i;
        random.Shuffle(order.AsSpan());

        var batches = new List<int[]>();
        for (int start = 0; start < order.Length; start += ChunkSize)
        {
            Span<int> chunk = order.AsSpan(start, Math.Min(ChunkSize, order.Length - start));
            chunk.Sort(CompareByLengthThenIndex);
            Cut(chunk, batches);
        }

        int[][] result = batches.ToArray();
        random.Shuffle(result.AsSpan());
        return result;
    }

    /// <summary>
    /// Makes batches without randomness, for evaluation: all sequences sorted by length, cut into
    /// batches, shortest batches first. Each index appears in exactly one batch.
    /// </summary>
    public IReadOnlyList<int[]> CreateOrderedBatches()
    {
        int[] order = new int[_lengths.Length];
        for (int i = 0; i < order.Length; i++) order[i] = i;
        order.AsSpan().Sort(CompareByLengthThenIndex);
        var batches = new List<int[]>();
        Cut(order, batches);
        return batches.ToArray();
    }

    // Sorted ascending by length, so the sequence being added is always the batch's longest.
    private void Cut(ReadOnlySpan<int> sorted, List<int[]> batches)
    {
        int begin = 0;
        while (begin < sorted.Length)
        {
            int end = begin + 1;
            while (end < sorted.Length)
            {
                long rows = end - begin + 1;
                if (rows > MaxSentencesPerBatch || rows * _lengths[sorted[end]] > MaxTokensPerBatch) break;
                end++;
            }
            int[] batch = sorted[begin..end].ToArray();
            batch.AsSpan().Sort(CompareByLengthDescendingThenIndex);
            batches.Add(batch);
            begin = end;
        }
    }

    private int CompareByLengthThenIndex(int a, int b)
    {
        int byLength = _lengths[a].CompareTo(_lengths[b]);
        return byLength != 0 ? byLength : a.CompareTo(b);
    }

    private int CompareByLengthDescendingThenIndex(int a, int b)
    {
        int byLength = _lengths[b].CompareTo(_lengths[a]);
        return byLength != 0 ? byLength : a.CompareTo(b);
    }

    private static int DefaultChunkSize(int maxSentences, int maxTokens, long totalLength, int count)
    {
        if (count == 0) return 1;
        double meanLength = (double)totalLength / count;
        double perBatch = Math.Min(maxSentences, maxTokens / meanLength);
        double chunk = Math.Max(1.0, perBatch) * DefaultBatchesPerChunk;
        return (int)Math.Clamp(chunk, 1.0, count);
    }
}
