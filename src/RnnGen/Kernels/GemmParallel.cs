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
/// back-to-back calls (one per time step) do not pay a kernel wake-up each.
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

    private sealed class Helper
    {
        public readonly SemaphoreSlim Wake = new(0);
        public int Posted;     // jobs posted by the caller (written under s_gate)
        public int Completed;  // jobs finished by the helper
        public int Sleeping;   // 1 while the helper is (about to be) blocked on Wake
        public int Part;
        public ExceptionDispatchInfo? Error;

        // Caller side: hand over the next job and wake the helper if it parked.
        public void Post(int part)
        {
            Part = part;
            Error = null;
            Volatile.Write(ref Posted, Posted + 1);
            if (Interlocked.CompareExchange(ref Sleeping, 0, 1) == 1) Wake.Release();
        }

        // Caller side: wait for the job posted last.
        public void WaitCompleted()
        {
            SpinWait spin = default;
            while (Volatile.Read(ref Completed) != Posted) spin.SpinOnce(sleep1Threshold: -1);
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
            Gemm.Columns(op, c, a, b, m, n, k, accumulate, isa, 0, Math.Min(perPart, n));
            ExceptionDispatchInfo? error = null;
            for (int t = 1; t < parts; t++)
            {
                Helper h = s_helpers[t - 1];
                h.WaitCompleted();
                error ??= h.Error;
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
            while (Volatile.Read(ref h.Posted) == seen && Stopwatch.GetTimestamp() - start < SpinTicks) Thread.SpinWait(20);
            if (Volatile.Read(ref h.Posted) == seen)
            {
                Interlocked.Exchange(ref h.Sleeping, 1);
                // A job posted between the poll and the flag: take it back unless the caller already
                // cleared the flag, in which case its Release is on the way and must be consumed.
                if (Volatile.Read(ref h.Posted) == seen || Interlocked.CompareExchange(ref h.Sleeping, 0, 1) != 1)
                    h.Wake.Wait();
            }
            seen = Volatile.Read(ref h.Posted);
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
            Volatile.Write(ref h.Completed, seen);
        }
    }
}
