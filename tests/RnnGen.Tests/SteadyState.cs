using System;

namespace RnnGen.Tests;

/// <summary>Allocation checks of code that must allocate nothing once warmed up.</summary>
public static class SteadyState
{
    /// <summary>
    /// Bytes this thread allocates while <paramref name="body"/> runs, in the cleanest of up to three rounds.
    /// The runtime may allocate on the calling thread while tiered compilation swaps in optimized code in the
    /// middle of a round. Code that allocates on every run shows in every round; an allocation made once
    /// (a buffer grown on first use) may hide, as it should: it is not steady state.
    /// </summary>
    public static long Allocated(Action body)
    {
        long least = long.MaxValue;
        for (int round = 0; round < 3 && least != 0; round++)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            body();
            least = Math.Min(least, GC.GetAllocatedBytesForCurrentThread() - before);
        }
        return least;
    }
}
