using System;
using RnnGen.Kernels;
using Xunit;

namespace RnnGen.Tests.Kernels;

// Rows.ClearPadding replaces full clears in the generated code, so it must zero exactly the padded
// rows — (b, t) with t ≥ lengths[b] — in the layout the network uses, and leave every real row as it was.
public sealed class RowsTests
{
    [Theory]
    [InlineData(SequenceLayout.BatchFirst)]
    [InlineData(SequenceLayout.TimeMajor)]
    public void ClearPadding_zeroes_exactly_the_padded_rows(SequenceLayout layout)
    {
        int[] lengths = [4, 1, 3, 4, 2];
        const int steps = 4, width = 3;
        int batch = lengths.Length;
        var x = new float[batch * steps * width];
        for (int i = 0; i < x.Length; i++) x[i] = i + 1;
        Rows.ClearPadding(x, lengths, steps, width, layout);
        for (int b = 0; b < batch; b++)
            for (int t = 0; t < steps; t++)
            {
                int row = layout == SequenceLayout.TimeMajor ? t * batch + b : b * steps + t;
                for (int j = 0; j < width; j++)
                {
                    int i = row * width + j;
                    Assert.Equal(t >= lengths[b] ? 0f : i + 1, x[i]);
                }
            }
    }
}
