using System;
using System.Runtime.ExceptionServices;
using System.Threading;

namespace RnnGen.Kernels;

/// <summary>
/// Column-split parallel products on persistent helper threads. The caller computes the first block
/// of columns itself and helper t computes block t; each part packs into its own thread's buffers, so
/// on two cores each core streams only its half of a weight (which then stays in that core's L2 —
/// DeepCPU's private-cache partitioning). Helpers are created on first use, park on a semaphore
/// between calls and allocate nothing per call.
/// </summary>
internal static unsafe class GemmParallel
{
    /// <summary>Columns are split at multiples of this (equal to the widest column pass of every kernel,
    /// so each column's instructions do not depend on where the split falls).</summary>
    internal const int ColumnBlock = 64;

    /// <summary>Below this many multiply-adds a second thread costs more to wake than it saves.</summary>
    internal const long MinimumWork = 1L << 16;

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
        public readonly SemaphoreSlim Start = new(0);
        public readonly ManualResetEventSlim Done = new(false);
        public int Part;
        public ExceptionDispatchInfo? Error;
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
            for (int t = 1; t < parts; t++)
            {
                Helper h = s_helpers[t - 1];
                h.Part = t;
                h.Error = null;
                h.Done.Reset();
                h.Start.Release();
            }
            Gemm.Columns(op, c, a, b, m, n, k, accumulate, isa, 0, Math.Min(perPart, n));
            ExceptionDispatchInfo? error = null;
            for (int t = 1; t < parts; t++)
            {
                Helper h = s_helpers[t - 1];
                h.Done.Wait();
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
        while (true)
        {
            h.Start.Wait();
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
            h.Done.Set();
        }
    }
}
