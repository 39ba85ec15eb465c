using System;
using System.Collections.Generic;
using System.Linq;
using RnnGen.Data;
using Xunit;

namespace RnnGen.Tests.CharLm;

/// <summary>The stream batcher of truncated BPTT: coverage of the text, and chunks that continue each other.</summary>
public class StreamBatcherTests
{
    // Token i is i itself, so every value says where it came from.
    private static int[] Positions(int count) => Enumerable.Range(0, count).ToArray();

    [Theory]
    [InlineData(1000, 4, 16)]
    [InlineData(1000, 7, 10)]   // 999 / 7 = 142 steps, 5 tokens left over; last chunk of 2 steps
    [InlineData(65, 64, 3)]     // one step per stream
    [InlineData(50, 1, 100)]    // one stream, one short chunk
    [InlineData(12_345, 32, 64)]
    public void EveryTokenButTheFirstIsATargetExactlyOnce(int length, int streams, int steps)
    {
        var batcher = new StreamBatcher(Positions(length), streams, steps);
        int streamLength = (length - 1) / streams;
        Assert.Equal(streamLength, batcher.StreamLength);
        Assert.Equal((streamLength + steps - 1) / steps, batcher.ChunkCount);
        Assert.Equal(length - 1 - streams * streamLength, batcher.DroppedTokens);
        Assert.InRange(batcher.DroppedTokens, 0, streams - 1);
        Assert.Equal((long)streams * streamLength, batcher.TargetCount);

        var seen = new int[length];
        var inputs = new int[streams * steps];
        var targets = new int[streams * steps];
        for (int chunk = 0; chunk < batcher.ChunkCount; chunk++)
        {
            int n = batcher.GetChunk(chunk, inputs, targets);
            Assert.Equal(chunk < batcher.ChunkCount - 1 ? steps : streamLength - chunk * steps, n);
            Assert.Equal(n, batcher.ChunkSteps(chunk));
            for (int i = 0; i < streams * n; i++)
            {
                Assert.Equal(inputs[i] + 1, targets[i]); // the target is the next token
                seen[targets[i]]++;
            }
        }
        Assert.Equal(0, seen[0]);
        Assert.All(seen.Skip(1).Take(streams * streamLength), count => Assert.Equal(1, count));
        Assert.All(seen.Skip(1 + streams * streamLength), count => Assert.Equal(0, count));
    }

    [Theory]
    [InlineData(1000, 4, 16)]
    [InlineData(1000, 7, 10)]
    [InlineData(777, 3, 1)]
    public void EachChunkContinuesTheStreamWhereThePreviousEnded(int length, int streams, int steps)
    {
        var batcher = new StreamBatcher(Positions(length), streams, steps);
        var inputs = new int[streams * steps];
        var targets = new int[streams * steps];
        var streamInputs = Enumerable.Range(0, streams).Select(_ => new List<int>()).ToArray();
        int[] lastTarget = new int[streams];
        for (int chunk = 0; chunk < batcher.ChunkCount; chunk++)
        {
            int n = batcher.GetChunk(chunk, inputs, targets);
            for (int s = 0; s < streams; s++)
            {
                // The state carried from the previous chunk ends at the token this chunk starts with.
                if (chunk > 0) Assert.Equal(lastTarget[s], inputs[s * n]);
                streamInputs[s].AddRange(inputs.AsSpan(s * n, n).ToArray());
                lastTarget[s] = targets[s * n + n - 1];
            }
        }
        for (int s = 0; s < streams; s++)
        {
            // Each stream is one contiguous slice of the text, starting at StreamStart.
            int start = batcher.StreamStart(s);
            Assert.Equal(s * batcher.StreamLength, start);
            Assert.Equal(Enumerable.Range(start, batcher.StreamLength), streamInputs[s]);
        }
    }

    [Fact]
    public void AStreamRangeGivesTheSameRowsAsTheWholeChunk()
    {
        var random = new SeededRandom(2);
        int[] tokens = Enumerable.Range(0, 5000).Select(_ => random.NextInt(80)).ToArray();
        var batcher = new StreamBatcher(tokens, 10, 32);
        var all = (Inputs: new int[320], Targets: new int[320]);
        var part = (Inputs: new int[4 * 32 + 5], Targets: new int[4 * 32 + 5]); // longer than needed: the tail is untouched
        for (int chunk = 0; chunk < batcher.ChunkCount; chunk++)
        {
            int n = batcher.GetChunk(chunk, all.Inputs, all.Targets);
            Array.Fill(part.Inputs, -1);
            Assert.Equal(n, batcher.GetChunk(chunk, 3, 4, part.Inputs, part.Targets));
            Assert.Equal(all.Inputs.AsSpan(3 * n, 4 * n).ToArray(), part.Inputs.AsSpan(0, 4 * n).ToArray());
            Assert.Equal(all.Targets.AsSpan(3 * n, 4 * n).ToArray(), part.Targets.AsSpan(0, 4 * n).ToArray());
            Assert.All(part.Inputs.Skip(4 * n), v => Assert.Equal(-1, v));
        }
    }

    [Theory]
    [InlineData(1000, 7, 10, 0, 7)]
    [InlineData(1000, 7, 10, 2, 3)]   // a range of streams
    [InlineData(1000, 7, 10, 6, 1)]
    public void TimeMajorChunkIsTheBatchFirstChunkTransposed(int length, int streams, int steps, int first, int count)
    {
        var batcher = new StreamBatcher(Positions(length), streams, steps);
        for (int chunk = 0; chunk < batcher.ChunkCount; chunk++)
        {
            int[] inputs = new int[count * steps], targets = new int[count * steps], inputsTm = new int[count * steps + 1], targetsTm = new int[count * steps + 1];
            inputsTm[^1] = targetsTm[^1] = -5;
            int n = batcher.GetChunk(chunk, first, count, inputs, targets);
            Assert.Equal(n, batcher.GetChunk(chunk, first, count, inputsTm, targetsTm, SequenceLayout.TimeMajor));
            for (int s = 0; s < count; s++)
                for (int t = 0; t < n; t++)
                {
                    // token i is i: stream first + s starts at (first + s)·L + chunk·steps
                    int expected = (first + s) * batcher.StreamLength + chunk * steps + t;
                    Assert.Equal(expected, inputsTm[t * count + s]);
                    Assert.Equal(expected + 1, targetsTm[t * count + s]);
                    Assert.Equal(inputs[s * n + t], inputsTm[t * count + s]);
                }
            Assert.Equal(-5, inputsTm[^1]);
            Assert.Equal(-5, targetsTm[^1]);
        }
        Assert.Throws<ArgumentOutOfRangeException>(() => batcher.GetChunk(0, new int[70], new int[70], (SequenceLayout)3));
    }

    [Fact]
    public void TheBatcherKeepsItsOwnCopyOfTheTokens()
    {
        int[] tokens = Positions(100);
        var batcher = new StreamBatcher(tokens, 2, 10);
        tokens[0] = 999;
        var inputs = new int[20];
        batcher.GetChunk(0, inputs, new int[20]);
        Assert.Equal(0, inputs[0]);
        Assert.Equal(100, batcher.TokenCount);
    }

    [Fact]
    public void BadArgumentsAreRejected()
    {
        Assert.Throws<ArgumentException>(() => new StreamBatcher(Positions(4), 4, 2)); // needs streams + 1 tokens
        Assert.Throws<ArgumentOutOfRangeException>(() => new StreamBatcher(Positions(10), 0, 2));
        Assert.Throws<ArgumentOutOfRangeException>(() => new StreamBatcher(Positions(10), 2, 0));
        var batcher = new StreamBatcher(Positions(101), 4, 10); // 25 steps per stream: chunks of 10, 10, 5
        Assert.Equal(3, batcher.ChunkCount);
        Assert.Equal(5, batcher.ChunkSteps(2));
        var buffer = new int[40];
        Assert.Throws<ArgumentOutOfRangeException>(() => batcher.GetChunk(3, buffer, buffer));
        Assert.Throws<ArgumentOutOfRangeException>(() => batcher.GetChunk(-1, buffer, buffer));
        Assert.Throws<ArgumentOutOfRangeException>(() => batcher.GetChunk(0, 3, 2, buffer, buffer));
        Assert.Throws<ArgumentOutOfRangeException>(() => batcher.GetChunk(0, 0, 0, buffer, buffer));
        Assert.Throws<ArgumentException>(() => batcher.GetChunk(0, new int[39], buffer));
        Assert.Throws<ArgumentException>(() => batcher.GetChunk(0, buffer, new int[39]));
        Assert.Throws<ArgumentOutOfRangeException>(() => batcher.StreamStart(4));
        Assert.Equal(10, batcher.GetChunk(2 - 2, 0, 1, new int[10], new int[10]));
    }
}
