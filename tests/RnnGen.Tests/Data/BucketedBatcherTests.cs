using System;
using System.Collections.Generic;
using System.Linq;
using RnnGen.Data;
using Xunit;

namespace RnnGen.Tests.Data;

public class BucketedBatcherTests
{
    // Lengths shaped like a treebank: mostly short, a long tail.
    private static int[] SampleLengths(int count, ulong seed)
    {
        var random = new SeededRandom(seed);
        var lengths = new int[count];
        for (int i = 0; i < count; i++) lengths[i] = 1 + random.NextInt(random.NextInt(4) == 0 ? 80 : 25);
        return lengths;
    }

    private static void AssertCoversEachIndexOnce(IReadOnlyList<int[]> batches, int count)
    {
        int[] seen = new int[count];
        foreach (int[] batch in batches)
        {
            Assert.NotEmpty(batch);
            foreach (int index in batch) seen[index]++;
        }
        Assert.All(seen, times => Assert.Equal(1, times));
    }

    private static long PaddedSize(IReadOnlyList<int[]> batches, int[] lengths) =>
        batches.Sum(b => (long)b.Length * b.Max(i => lengths[i]));

    [Theory]
    [InlineData(1000, 32, int.MaxValue, 1UL)]
    [InlineData(1000, int.MaxValue, 400, 2UL)]
    [InlineData(1000, 16, 300, 3UL)]
    [InlineData(7, 3, int.MaxValue, 4UL)]
    [InlineData(1, 1, 100, 5UL)]
    public void EveryIndexIsInExactlyOneBatchAndBatchesRespectTheLimits(int count, int maxSentences, int maxTokens, ulong seed)
    {
        int[] lengths = SampleLengths(count, seed);
        var batcher = new BucketedBatcher(lengths, maxSentences, maxTokens);
        var random = new SeededRandom(seed);

        for (int epoch = 0; epoch < 3; epoch++)
        {
            var batches = batcher.CreateBatches(random);
            AssertCoversEachIndexOnce(batches, count);
            foreach (int[] batch in batches)
            {
                Assert.True(batch.Length <= maxSentences, $"batch of {batch.Length} rows > {maxSentences}");
                long padded = (long)batch.Length * batch.Max(i => lengths[i]);
                Assert.True(padded <= maxTokens, $"padded size {padded} > {maxTokens}");
                // Longest first, ties by index.
                for (int k = 1; k < batch.Length; k++)
                {
                    int previous = lengths[batch[k - 1]], current = lengths[batch[k]];
                    Assert.True(previous > current || (previous == current && batch[k - 1] < batch[k]));
                }
            }
        }

        var ordered = batcher.CreateOrderedBatches();
        AssertCoversEachIndexOnce(ordered, count);
        Assert.All(ordered, b => Assert.True(b.Length <= maxSentences && (long)b.Length * b.Max(i => lengths[i]) <= maxTokens));
    }

    [Fact]
    public void SameSeedGivesTheSameBatchesAndEpochsDiffer()
    {
        int[] lengths = SampleLengths(500, 11);
        var batcher = new BucketedBatcher(lengths, maxSentencesPerBatch: 20, maxTokensPerBatch: 500);

        var a = new SeededRandom(42);
        var b = new SeededRandom(42);
        var firstA = batcher.CreateBatches(a);
        var firstB = batcher.CreateBatches(b);
        Assert.Equal(firstA, firstB);
        Assert.Equal(batcher.CreateBatches(a), batcher.CreateBatches(b));

        var other = batcher.CreateBatches(new SeededRandom(43));
        Assert.NotEqual(Flatten(firstA), Flatten(other));
        Assert.NotEqual(Flatten(firstA), Flatten(batcher.CreateBatches(a)));

        Assert.Equal(batcher.CreateOrderedBatches(), batcher.CreateOrderedBatches());
    }

    private static int[] Flatten(IReadOnlyList<int[]> batches) => batches.SelectMany(b => b).ToArray();

    [Fact]
    public void BucketingCutsPaddingAndBatchOrderIsShuffled()
    {
        int[] lengths = SampleLengths(4000, 7);
        long realTokens = lengths.Sum(l => (long)l);
        var batcher = new BucketedBatcher(lengths, maxSentencesPerBatch: 32);
        var batches = batcher.CreateBatches(new SeededRandom(1));

        // Batches of 32 taken in plain random order for comparison.
        int[] order = Enumerable.Range(0, lengths.Length).ToArray();
        new SeededRandom(1).Shuffle(order.AsSpan());
        var unsorted = order.Chunk(32).ToList();

        double bucketedWaste = (double)PaddedSize(batches, lengths) / realTokens - 1;
        double randomWaste = (double)PaddedSize(unsorted, lengths) / realTokens - 1;
        Assert.True(bucketedWaste < 0.1, $"bucketed padding overhead {bucketedWaste:P1}");
        Assert.True(randomWaste > 1.0, $"random padding overhead {randomWaste:P1}");

        // The batches are not served in length order.
        int[] longest = batches.Select(b => lengths[b[0]]).ToArray();
        Assert.NotEqual(longest.Order().ToArray(), longest);
        Assert.NotEqual(longest.OrderDescending().ToArray(), longest);

        // Ordered batches are, shortest first.
        int[] orderedLongest = batcher.CreateOrderedBatches().Select(b => lengths[b[0]]).ToArray();
        Assert.Equal(orderedLongest.Order().ToArray(), orderedLongest);
    }

    [Fact]
    public void DefaultChunkIsAboutFiftyBatchesAndCanBeSet()
    {
        int[] lengths = Enumerable.Repeat(10, 10_000).ToArray();
        Assert.Equal(50 * 32, new BucketedBatcher(lengths, maxSentencesPerBatch: 32).ChunkSize);
        Assert.Equal(50 * 20, new BucketedBatcher(lengths, maxTokensPerBatch: 200).ChunkSize);
        Assert.Equal(10_000, new BucketedBatcher(lengths, maxSentencesPerBatch: 1000).ChunkSize);
        Assert.Equal(64, new BucketedBatcher(lengths, maxSentencesPerBatch: 32, chunkSize: 64).ChunkSize);
    }

    [Fact]
    public void ArgumentsAreChecked()
    {
        Assert.Throws<ArgumentNullException>(() => new BucketedBatcher(null!, 8));
        Assert.Throws<ArgumentException>(() => new BucketedBatcher([1, 2]));
        Assert.Throws<ArgumentOutOfRangeException>(() => new BucketedBatcher([1, 2], maxSentencesPerBatch: 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new BucketedBatcher([1, 2], maxTokensPerBatch: 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new BucketedBatcher([1, 2], 8, chunkSize: 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new BucketedBatcher([1, 0], 8));
        var tooLong = Assert.Throws<ArgumentException>(() => new BucketedBatcher([5, 50, 5], maxTokensPerBatch: 40));
        Assert.Contains("Sequence 1 has length 50", tooLong.Message);
        Assert.Throws<ArgumentNullException>(() => new BucketedBatcher([1], 8).CreateBatches(null!));
        Assert.Empty(new BucketedBatcher([], 8).CreateBatches(new SeededRandom(1)));
    }
}
