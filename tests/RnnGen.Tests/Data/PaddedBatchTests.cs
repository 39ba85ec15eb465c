using System;
using RnnGen.Data;
using Xunit;

namespace RnnGen.Tests.Data;

public class PaddedBatchTests
{
    private static readonly int[][] Sequences = [[5, 6, 7], [8], [9, 10], [11, 12, 13, 14]];

    [Fact]
    public void PacksRowsInIndexOrderWithPaddingAfterEachEnd()
    {
        var batch = PaddedBatch.Pack(Sequences, [0, 2, 1]);
        Assert.Equal(3, batch.BatchSize);
        Assert.Equal(3, batch.TimeSteps);
        Assert.Equal([5, 6, 7, 9, 10, 0, 8, 0, 0], batch.Values);
        Assert.Equal([3, 2, 1], batch.Lengths);
        Assert.Equal([9, 10, 0], batch.GetRow(1).ToArray());
        Assert.Throws<ArgumentOutOfRangeException>(() => batch.GetRow(3));

        var tags = PaddedBatch.Pack(Sequences, [3, 1], paddingValue: -1);
        Assert.Equal([11, 12, 13, 14, 8, -1, -1, -1], tags.Values);
        Assert.Equal([4, 1], tags.Lengths);
    }

    [Fact]
    public void PackIntoReusesBuffersAndOverwritesOldContent()
    {
        int[] values = new int[16];
        int[] lengths = new int[4];
        Array.Fill(values, 99);
        int timeSteps = PaddedBatch.PackInto(Sequences, [1, 2], values, lengths);
        Assert.Equal(2, timeSteps);
        Assert.Equal([8, 0, 9, 10], values[..4]);
        Assert.Equal([1, 2], lengths[..2]);

        Assert.Throws<ArgumentException>(() => PaddedBatch.PackInto(Sequences, [0, 3], new int[7], new int[2]));
        Assert.Throws<ArgumentException>(() => PaddedBatch.PackInto(Sequences, [0, 3], new int[8], new int[1]));
    }

    [Fact]
    public void ArgumentsAreChecked()
    {
        Assert.Throws<ArgumentException>(() => PaddedBatch.Pack(Sequences, []));
        Assert.Throws<ArgumentOutOfRangeException>(() => PaddedBatch.Pack(Sequences, [4]));
        Assert.Throws<ArgumentOutOfRangeException>(() => PaddedBatch.Pack(Sequences, [-1]));
        Assert.Throws<ArgumentNullException>(() => PaddedBatch.Pack(null!, [0]));
        Assert.Throws<ArgumentNullException>(() => PaddedBatch.Pack([null!], [0]));
    }

    [Fact]
    public void BatcherOutputPacksIntoTheSizeItPromised()
    {
        int[][] sequences = new int[200][];
        var random = new SeededRandom(3);
        for (int i = 0; i < sequences.Length; i++)
        {
            sequences[i] = new int[1 + random.NextInt(40)];
            for (int t = 0; t < sequences[i].Length; t++) sequences[i][t] = 2 + random.NextInt(100);
        }
        int[] lengths = Array.ConvertAll(sequences, s => s.Length);
        var batcher = new BucketedBatcher(lengths, maxSentencesPerBatch: 16, maxTokensPerBatch: 256);
        foreach (int[] indices in batcher.CreateBatches(random))
        {
            var batch = PaddedBatch.Pack(sequences, indices);
            Assert.True(batch.Values.Length <= 256);
            for (int b = 0; b < batch.BatchSize; b++)
            {
                Assert.Equal(sequences[indices[b]], batch.GetRow(b)[..batch.Lengths[b]].ToArray());
                Assert.All(batch.GetRow(b)[batch.Lengths[b]..].ToArray(), v => Assert.Equal(Vocabulary.PaddingId, v));
            }
        }
    }

    [Fact]
    public void TimeMajorBatchHoldsEachStepOfEveryRowTogether()
    {
        var batch = PaddedBatch.Pack(Sequences, [0, 2, 1], layout: SequenceLayout.TimeMajor);
        Assert.Equal(SequenceLayout.TimeMajor, batch.Layout);
        Assert.Equal(3, batch.BatchSize);
        Assert.Equal(3, batch.TimeSteps);
        // [T, B]: step 0 of rows 0, 1, 2, then step 1, then step 2 (written out by hand from Sequences).
        Assert.Equal([5, 9, 8, 6, 10, 0, 7, 0, 0], batch.Values);
        Assert.Equal([3, 2, 1], batch.Lengths);
        Assert.Equal(10, batch[1, 1]);
        Assert.Equal(0, batch[2, 2]);
        Assert.Throws<InvalidOperationException>(() => batch.GetRow(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => batch[3, 0]);
        Assert.Throws<ArgumentOutOfRangeException>(() => batch[0, 3]);

        // The same ids as the batch-first pack, transposed; the indexer reads both alike.
        var batchFirst = PaddedBatch.Pack(Sequences, [0, 2, 1]);
        Assert.Equal(SequenceLayout.BatchFirst, batchFirst.Layout);
        for (int b = 0; b < 3; b++)
            for (int t = 0; t < 3; t++)
            {
                Assert.Equal(batchFirst.Values[b * 3 + t], batch.Values[t * 3 + b]);
                Assert.Equal(batchFirst[b, t], batch[b, t]);
            }
    }

    [Fact]
    public void TimeMajorPackIntoOverwritesOldContentAndChecksTheLayout()
    {
        int[] values = new int[8], lengths = new int[2];
        Array.Fill(values, 99);
        int timeSteps = PaddedBatch.PackInto(Sequences, [3, 1], values, lengths, paddingValue: -1, layout: SequenceLayout.TimeMajor);
        Assert.Equal(4, timeSteps);
        Assert.Equal([11, 8, 12, -1, 13, -1, 14, -1], values);
        Assert.Equal([4, 1], lengths);
        Assert.Throws<ArgumentOutOfRangeException>(() => PaddedBatch.PackInto(Sequences, [3, 1], values, lengths, layout: (SequenceLayout)7));
        Assert.Throws<ArgumentOutOfRangeException>(() => PaddedBatch.Pack(Sequences, [0], layout: (SequenceLayout)(-1)));
    }
}
