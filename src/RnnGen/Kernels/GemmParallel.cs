using System;
using System.Diagnostics;
using System.Runtime.ExceptionServices;
using System.Threading;

namespace RnnGen.Kernels;

/// <summary>
/// Column-split parallel products on persistent helper threads. The caller computes the first block
/// of columns itself and helper t computes block t; each part packs into its own thread's buffers, so
/// on two cores each core streams only its half of a weight (which then stays in that core's L2 —
/// DeepCPU's private-cache partitioning). Helpers are created on first use and allocate nothing per
/// call. After a job a helper spins for <see cref="SpinTicks"/> before parking on a semaphore, so
/// back-to-back calls (one per time step) do not pay a kernel wake-up each; and a part that no
/// helper has started by the time the caller finishes its own is taken back by the caller, so a
/// helper that is not scheduled (busy machine) costs little.
/// </summary>
internal static unsafe class GemmParallel
{
    /// <summary>Columns are split at multiples of this (equal to the widest column pass of every kernel,
    /// so each column's instructions do not depend on where the split falls).</summary>
    internal const int ColumnBlock = 64;

    /// <summary>Below this many multiply-adds a second thread costs more to wake than it saves.</summary>
    internal const long MinimumWork = 1L << 16;

    /// <summary>How long an idle helper polls for the next job before it blocks (about 100 µs).</summary>
    private static readonly long SpinTicks = Stopwatch.Frequency / 10_000;

    private static readonly object s_gate = new();
    private static Helper[] s_helpers = [];

    // The call being served; written under s_gate before the helpers are released.
    private static Job s_job;

    private struct Job
    {
        public GemmOp Op;
        public float* C, A, B;
        public int M, N, K, ColumnsPerPart;
        public bool Accumulate;
        public GemmIsa Isa;
    }

    // A helper's part of a call moves through these phases; the state word is ticket·4 + phase, so a
    // late helper can never mistake an old call for the current one.
    private const int Posted = 1, TakenByHelper = 2, Done = 3;

    private sealed class Helper
    {
        public readonly SemaphoreSlim Wake = new(0);
        public int Ticket;     // calls posted to this helper (written by the caller under s_gate)
        public int State;      // Ticket·4 + phase
        public int Sleeping;   // 1 while the helper is (about to be) blocked on Wake
        public int Part;
        public ExceptionDispatchInfo? Error;

        // Caller side: hand over the next part and wake the helper if it parked.
        public void Post(int part)
        {
            Part = part;
            Error = null;
            int ticket = Ticket + 1;
            Volatile.Write(ref State, ticket * 4 + Posted);
            Volatile.Write(ref Ticket, ticket);
            if (Interlocked.CompareExchange(ref Sleeping, 0, 1) == 1) Wake.Release();
        }

        // Caller side, after its own part: if the helper has not started (not yet scheduled, still
        // waking up), take the part back and run it here; otherwise wait for the helper to finish.
        // Either way the same instructions compute the same columns, so the bits do not change, and
        // a busy machine never makes the parallel call much slower than the single-threaded one.
        public bool TryTakeBack() => Interlocked.CompareExchange(ref State, Ticket * 4 + Done, Ticket * 4 + Posted) == Ticket * 4 + Posted;

        public void WaitDone()
        {
            SpinWait spin = default;
            int done = Ticket * 4 + Done;
            while (Volatile.Read(ref State) != done) spin.SpinOnce(sleep1Threshold: -1);
        }
    }

    /// <summary>Runs the product on <paramref name="parts"/> threads, the caller included.</summary>
    internal static void Run(GemmOp op, float* c, float* a, float* b, int m, int n, int k, bool accumulate, GemmIsa isa, int parts)
    {
        int perPart = (n + parts - 1) / parts;
        perPart = (perPart + ColumnBlock - 1) / ColumnBlock * ColumnBlock;
        parts = (n + perPart - 1) / perPart;

        // One parallel call at a time uses the helpers; a concurrent one runs on its own thread and
        // produces the same bits.
        if (parts <= 1 || !Monitor.TryEnter(s_gate))
        {
            Gemm.Columns(op, c, a, b, m, n, k, accumulate, isa, 0, n);
            return;
        }
        try
        {
            EnsureHelpers(parts - 1);
            s_job = new Job { Op = op, C = c, A = a, B = b, M = m, N = n, K = k, ColumnsPerPart = perPart, Accumulate = accumulate, Isa = isa };
            for (int t = 1; t < parts; t++) s_helpers[t - 1].Post(t);
            // Every part must be finished (or never started) before the caller returns and its
            // operands are unpinned, even if one part throws.
            ExceptionDispatchInfo? error = null;
            for (int t = 0; t < parts; t++)
            {
                Helper? h = t == 0 ? null : s_helpers[t - 1];
                if (h is null || h.TryTakeBack())
                {
                    try
                    {
                        Gemm.Columns(op, c, a, b, m, n, k, accumulate, isa, t * perPart, Math.Min(n, (t + 1) * perPart));
                    }
                    catch (Exception e)
                    {
                        error ??= ExceptionDispatchInfo.Capture(e);
                    }
                }
                else
                {
                    h.WaitDone();
                    error ??= h.Error;
                }
            }
            error?.Throw();
        }
        finally
        {
            Monitor.Exit(s_gate);
        }
    }

    private static void EnsureHelpers(int count)
    {
        if (s_helpers.Length >= count) return;
        Helper[] helpers = new Helper[count];
        Array.Copy(s_helpers, helpers, s_helpers.Length);
        for (int t = s_helpers.Length; t < count; t++)
        {
            Helper h = new();
            helpers[t] = h;
            Thread thread = new(() => Serve(h)) { IsBackground = true, Name = $"RnnGen GEMM helper {t + 1}" };
            thread.Start();
        }
        s_helpers = helpers;
    }

    private static void Serve(Helper h)
    {
        int seen = 0;
        while (true)
        {
            // Poll for a while, then park; the caller's Post wakes a parked helper.
            long start = Stopwatch.GetTimestamp();
            while (Volatile.Read(ref h.Ticket) == seen && Stopwatch.GetTimestamp() - start < SpinTicks) Thread.SpinWait(20);
            if (Volatile.Read(ref h.Ticket) == seen)
            {
                Interlocked.Exchange(ref h.Sleeping, 1);
                // A call posted between the poll and the flag: take it unless the caller already
                // cleared the flag, in which case its Release is on the way and must be consumed.
                if (Volatile.Read(ref h.Ticket) == seen || Interlocked.CompareExchange(ref h.Sleeping, 0, 1) != 1)
                    h.Wake.Wait();
            }
            seen = Volatile.Read(ref h.Ticket);

            // Claim the part; if the caller took it back meanwhile, there is nothing to do.
            if (Interlocked.CompareExchange(ref h.State, seen * 4 + TakenByHelper, seen * 4 + Posted) != seen * 4 + Posted) continue;
            try
            {
                Job job = s_job;
                int j0 = h.Part * job.ColumnsPerPart;
                int j1 = Math.Min(job.N, j0 + job.ColumnsPerPart);
                Gemm.Columns(job.Op, job.C, job.A, job.B, job.M, job.N, job.K, job.Accumulate, job.Isa, j0, j1);
            }
            catch (Exception e)
            {
                h.Error = ExceptionDispatchInfo.Capture(e);
            }
            Volatile.Write(ref h.State, seen * 4 + Done);
        }
    }
}
