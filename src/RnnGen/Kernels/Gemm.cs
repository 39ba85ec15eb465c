using System;
using System.Runtime.CompilerServices;

[assembly: InternalsVisibleTo("RnnGen.Tests")]

namespace RnnGen.Kernels;

/// <summary>
/// Single-precision matrix products on row-major, contiguous matrices. The three shapes are the
/// only ones a recurrent network needs: <see cref="ABt(Span{float}, ReadOnlySpan{float}, ReadOnlySpan{float}, int, int, int, bool)"/>
/// (activations times a PyTorch-layout weight, forward), <see cref="AB(Span{float}, ReadOnlySpan{float}, ReadOnlySpan{float}, int, int, int, bool)"/>
/// (gradient flowing back through a weight) and <see cref="AtB(Span{float}, ReadOnlySpan{float}, ReadOnlySpan{float}, int, int, int, bool)"/>
/// (weight gradient, one product over all time steps).
/// </summary>
/// <remarks>
/// <para>
/// Products with more than four rows run a packed, cache-blocked SGEMM (BLIS/GotoBLAS structure,
/// an 8×32 Vector512 register tile, or Vector256 on hardware without AVX-512). Products with at most
/// four rows — the recurrent product of one time step at small batch, a GEMV at batch 1 — read the
/// operands in place and stream the weight once. Packing buffers are per thread and reused: a call
/// allocates nothing once the buffers have grown to the largest shape seen on that thread.
/// </para>
/// <para>
/// The overloads with a thread count split the columns of C between threads in blocks of 64; every
/// element of C is computed by the same instructions in the same order as on one thread, so the
/// result is bitwise identical whatever the thread count. Calls are otherwise thread-safe: any number
/// of threads may call concurrently (the helper threads serve one parallel call at a time; another
/// parallel call made meanwhile runs on its own thread).
/// </para>
/// <para>
/// Reductions are evaluated in float32 with fused multiply-adds, in an order that depends on the
/// shape but not on the data: results are deterministic for a given shape and thread count and agree
/// with <see cref="GemmReference"/> to within the usual float32 summation bound
/// |error| ≤ k·2⁻²⁴·Σ_p |a||b| (plus |C| when accumulating).
/// </para>
/// </remarks>
public static unsafe class Gemm
{
    // C[m×n] (+)= A[m×k] · B[n×k]ᵀ
    /// <summary>C (m×n) = A (m×k) · Bᵀ where B is n×k; adds to C when <paramref name="accumulate"/>.</summary>
    /// <param name="c">Output, m×n row-major.</param>
    /// <param name="a">Left operand, m×k row-major (e.g. activations, one row per batch element and step).</param>
    /// <param name="b">Right operand, n×k row-major (e.g. a PyTorch weight, one row per output unit).</param>
    /// <param name="m">Rows of C and A.</param>
    /// <param name="n">Columns of C, rows of B.</param>
    /// <param name="k">Columns of A and B (the reduction length).</param>
    /// <param name="accumulate">Add the product to C instead of overwriting it.</param>
    public static void ABt(Span<float> c, ReadOnlySpan<float> a, ReadOnlySpan<float> b, int m, int n, int k, bool accumulate) =>
        ABt(c, a, b, m, n, k, accumulate, threads: 1);

    // C[m×n] (+)= A[m×k] · B[k×n]
    /// <summary>C (m×n) = A (m×k) · B (k×n); adds to C when <paramref name="accumulate"/>.</summary>
    /// <param name="c">Output, m×n row-major.</param>
    /// <param name="a">Left operand, m×k row-major (e.g. gate gradients).</param>
    /// <param name="b">Right operand, k×n row-major (e.g. a PyTorch weight: the gradient flows back through it).</param>
    /// <param name="m">Rows of C and A.</param>
    /// <param name="n">Columns of C and B.</param>
    /// <param name="k">Columns of A, rows of B (the reduction length).</param>
    /// <param name="accumulate">Add the product to C instead of overwriting it.</param>
    public static void AB(Span<float> c, ReadOnlySpan<float> a, ReadOnlySpan<float> b, int m, int n, int k, bool accumulate) =>
        AB(c, a, b, m, n, k, accumulate, threads: 1);

    // C[m×n] (+)= A[k×m]ᵀ · B[k×n]
    /// <summary>C (m×n) = Aᵀ · B where A is k×m and B is k×n; adds to C when <paramref name="accumulate"/>.</summary>
    /// <param name="c">Output, m×n row-major (e.g. a weight gradient).</param>
    /// <param name="a">Left operand, k×m row-major (e.g. gate gradients of all steps).</param>
    /// <param name="b">Right operand, k×n row-major (e.g. the inputs of all steps).</param>
    /// <param name="m">Rows of C, columns of A.</param>
    /// <param name="n">Columns of C and B.</param>
    /// <param name="k">Rows of A and B (the reduction length, e.g. batch × steps).</param>
    /// <param name="accumulate">Add the product to C instead of overwriting it.</param>
    public static void AtB(Span<float> c, ReadOnlySpan<float> a, ReadOnlySpan<float> b, int m, int n, int k, bool accumulate) =>
        AtB(c, a, b, m, n, k, accumulate, threads: 1);

    /// <summary>
    /// <see cref="ABt(Span{float}, ReadOnlySpan{float}, ReadOnlySpan{float}, int, int, int, bool)"/> on up to
    /// <paramref name="threads"/> threads (the caller and helper threads), splitting the columns of C.
    /// The result is bitwise identical to the single-threaded call.
    /// </summary>
    /// <param name="c">Output, m×n row-major.</param>
    /// <param name="a">Left operand, m×k row-major.</param>
    /// <param name="b">Right operand, n×k row-major.</param>
    /// <param name="m">Rows of C and A.</param>
    /// <param name="n">Columns of C, rows of B.</param>
    /// <param name="k">Columns of A and B.</param>
    /// <param name="accumulate">Add the product to C instead of overwriting it.</param>
    /// <param name="threads">Most threads to use; 1 runs on the caller only. Capped at the processor count.</param>
    public static void ABt(Span<float> c, ReadOnlySpan<float> a, ReadOnlySpan<float> b, int m, int n, int k, bool accumulate, int threads)
    {
        CheckSizes(c, a, b, m, n, k, threads);
        fixed (float* pc = c, pa = a, pb = b)
            Run(GemmOp.ABt, pc, pa, pb, m, n, k, accumulate, threads);
    }

    /// <summary>
    /// <see cref="AB(Span{float}, ReadOnlySpan{float}, ReadOnlySpan{float}, int, int, int, bool)"/> on up to
    /// <paramref name="threads"/> threads (the caller and helper threads), splitting the columns of C.
    /// The result is bitwise identical to the single-threaded call.
    /// </summary>
    /// <param name="c">Output, m×n row-major.</param>
    /// <param name="a">Left operand, m×k row-major.</param>
    /// <param name="b">Right operand, k×n row-major.</param>
    /// <param name="m">Rows of C and A.</param>
    /// <param name="n">Columns of C and B.</param>
    /// <param name="k">Columns of A, rows of B.</param>
    /// <param name="accumulate">Add the product to C instead of overwriting it.</param>
    /// <param name="threads">Most threads to use; 1 runs on the caller only. Capped at the processor count.</param>
    public static void AB(Span<float> c, ReadOnlySpan<float> a, ReadOnlySpan<float> b, int m, int n, int k, bool accumulate, int threads)
    {
        CheckSizes(c, a, b, m, n, k, threads);
        fixed (float* pc = c, pa = a, pb = b)
            Run(GemmOp.AB, pc, pa, pb, m, n, k, accumulate, threads);
    }

    /// <summary>
    /// <see cref="AtB(Span{float}, ReadOnlySpan{float}, ReadOnlySpan{float}, int, int, int, bool)"/> on up to
    /// <paramref name="threads"/> threads (the caller and helper threads), splitting the columns of C.
    /// The result is bitwise identical to the single-threaded call.
    /// </summary>
    /// <param name="c">Output, m×n row-major.</param>
    /// <param name="a">Left operand, k×m row-major.</param>
    /// <param name="b">Right operand, k×n row-major.</param>
    /// <param name="m">Rows of C, columns of A.</param>
    /// <param name="n">Columns of C and B.</param>
    /// <param name="k">Rows of A and B.</param>
    /// <param name="accumulate">Add the product to C instead of overwriting it.</param>
    /// <param name="threads">Most threads to use; 1 runs on the caller only. Capped at the processor count.</param>
    public static void AtB(Span<float> c, ReadOnlySpan<float> a, ReadOnlySpan<float> b, int m, int n, int k, bool accumulate, int threads)
    {
        CheckSizes(c, a, b, m, n, k, threads);
        fixed (float* pc = c, pa = a, pb = b)
            Run(GemmOp.AtB, pc, pa, pb, m, n, k, accumulate, threads);
    }

    // packed[⌈n/32⌉·32 × k] ← B[n×k]ᵀ, blocked for APackedB
    /// <summary>
    /// Packs a PyTorch-layout weight B (n×k row-major) once, so that repeated products
    /// C = A·Bᵀ — the recurrent product of every time step — skip packing it per call:
    /// <c>APackedB(c, a, packed, m, n, k, accumulate)</c> equals <c>ABt(c, a, b, m, n, k, accumulate)</c>.
    /// Repack whenever B changes (e.g. after each optimizer step).
    /// </summary>
    /// <param name="packed">Destination of <see cref="PackedLength"/>(n, k) floats.</param>
    /// <param name="b">The weight, n×k row-major.</param>
    /// <param name="n">Rows of B (columns of the products).</param>
    /// <param name="k">Columns of B (the reduction length).</param>
    public static void PackBt(Span<float> packed, ReadOnlySpan<float> b, int n, int k)
    {
        CheckPacked(packed, b, n, k);
        fixed (float* pp = packed, pb = b)
            GemmPacked.PackWhole(pp, pb, 1, k, k, n, GemmDispatch.Current);
    }

    // packed[⌈n/32⌉·32 × k] ← B[k×n], blocked for APackedB
    /// <summary>
    /// Packs B (k×n row-major) once, so that repeated products C = A·B — the gradient flowing back
    /// through a weight at every time step — skip packing it per call:
    /// <c>APackedB(c, a, packed, m, n, k, accumulate)</c> equals <c>AB(c, a, b, m, n, k, accumulate)</c>.
    /// </summary>
    /// <param name="packed">Destination of <see cref="PackedLength"/>(n, k) floats.</param>
    /// <param name="b">The matrix, k×n row-major.</param>
    /// <param name="k">Rows of B (the reduction length).</param>
    /// <param name="n">Columns of B and of the products.</param>
    public static void PackB(Span<float> packed, ReadOnlySpan<float> b, int k, int n)
    {
        CheckPacked(packed, b, n, k);
        fixed (float* pp = packed, pb = b)
            GemmPacked.PackWhole(pp, pb, n, 1, k, n, GemmDispatch.Current);
    }

    /// <summary>Floats needed for a right operand packed by <see cref="PackBt"/> or <see cref="PackB"/>:
    /// k·⌈n/32⌉·32. The packed form does not depend on the hardware.</summary>
    /// <param name="n">Columns of the products.</param>
    /// <param name="k">Reduction length.</param>
    public static int PackedLength(int n, int k)
    {
        if (n < 0 || k < 0) throw new ArgumentOutOfRangeException(nameof(n), $"Matrix sizes must not be negative (n={n}, k={k}).");
        long length = GemmPacked.PackedLength(n, k);
        if (length > int.MaxValue) throw new ArgumentOutOfRangeException(nameof(n), $"A packed {k}×{n} matrix would hold more than 2³¹ floats.");
        return (int)length;
    }

    // C[m×n] (+)= A[m×k] · op(B)[k×n], op(B) packed
    /// <summary>
    /// C (m×n) = A (m×k) · op(B), where op(B) (k×n) was packed by <see cref="PackBt"/> (op(B) = Bᵀ) or
    /// <see cref="PackB"/> (op(B) = B); adds to C when <paramref name="accumulate"/>. Bitwise equal to
    /// the unpacked product for m &gt; 4; for m ≤ 4 it streams the packed weight once (the per-step
    /// recurrent product at small batch).
    /// </summary>
    /// <param name="c">Output, m×n row-major.</param>
    /// <param name="a">Left operand, m×k row-major.</param>
    /// <param name="packedB">op(B) packed for n columns and reduction length k.</param>
    /// <param name="m">Rows of C and A.</param>
    /// <param name="n">Columns of C (as passed when packing).</param>
    /// <param name="k">Columns of A, the reduction length (as passed when packing).</param>
    /// <param name="accumulate">Add the product to C instead of overwriting it.</param>
    public static void APackedB(Span<float> c, ReadOnlySpan<float> a, ReadOnlySpan<float> packedB, int m, int n, int k, bool accumulate) =>
        APackedB(c, a, packedB, m, n, k, accumulate, threads: 1);

    /// <summary>
    /// <see cref="APackedB(Span{float}, ReadOnlySpan{float}, ReadOnlySpan{float}, int, int, int, bool)"/> on up to
    /// <paramref name="threads"/> threads, splitting the columns of C; bitwise identical to one thread.
    /// </summary>
    /// <param name="c">Output, m×n row-major.</param>
    /// <param name="a">Left operand, m×k row-major.</param>
    /// <param name="packedB">op(B) packed for n columns and reduction length k.</param>
    /// <param name="m">Rows of C and A.</param>
    /// <param name="n">Columns of C.</param>
    /// <param name="k">Columns of A, the reduction length.</param>
    /// <param name="accumulate">Add the product to C instead of overwriting it.</param>
    /// <param name="threads">Most threads to use; 1 runs on the caller only. Capped at the processor count.</param>
    public static void APackedB(Span<float> c, ReadOnlySpan<float> a, ReadOnlySpan<float> packedB, int m, int n, int k, bool accumulate, int threads)
    {
        CheckSizes(c, a, [], m, n, 0, threads);
        if (k < 0) throw new ArgumentOutOfRangeException(nameof(k), $"Matrix sizes must not be negative (m={m}, n={n}, k={k}).");
        if (a.Length < (long)m * k) throw new ArgumentException($"A holds {a.Length} elements; {m}×{k} = {(long)m * k} are needed.", nameof(a));
        if (packedB.Length < GemmPacked.PackedLength(n, k))
            throw new ArgumentException($"The packed operand holds {packedB.Length} floats; PackedLength({n}, {k}) = {GemmPacked.PackedLength(n, k)} are needed.", nameof(packedB));
        fixed (float* pc = c, pa = a, pb = packedB)
            Run(GemmOp.APackedB, pc, pa, pb, m, n, k, accumulate, threads);
    }

    private static void CheckPacked(Span<float> packed, ReadOnlySpan<float> b, int n, int k)
    {
        int length = PackedLength(n, k);
        if (b.Length < (long)n * k) throw new ArgumentException($"B holds {b.Length} elements; {n}×{k} = {(long)n * k} are needed.", nameof(b));
        if (packed.Length < length) throw new ArgumentException($"The destination holds {packed.Length} floats; PackedLength({n}, {k}) = {length} are needed.", nameof(packed));
    }

    private static void Run(GemmOp op, float* c, float* a, float* b, int m, int n, int k, bool accumulate, int threads)
    {
        GemmIsa isa = GemmDispatch.Current;
        // Columns go to threads in blocks of ColumnBlock; a part must be worth waking a thread for.
        int parts = Math.Min(Math.Min(threads, Environment.ProcessorCount), (n + GemmParallel.ColumnBlock - 1) / GemmParallel.ColumnBlock);
        if (parts > 1 && (long)m * n * k >= GemmParallel.MinimumWork)
            GemmParallel.Run(op, c, a, b, m, n, k, accumulate, isa, parts);
        else
            Columns(op, c, a, b, m, n, k, accumulate, isa, 0, n);
    }

    /// <summary>Computes columns [j0, j1) of C for one of the three products.</summary>
    internal static void Columns(GemmOp op, float* c, float* a, float* b, int m, int n, int k, bool add, GemmIsa isa, int j0, int j1)
    {
        int cols = j1 - j0;
        if (cols <= 0 || m == 0) return;
        float* cj = c + j0;
        switch (op)
        {
            case GemmOp.ABt:
                // op(A)[i,p] = a[i·k + p]; op(B)[p,j] = b[j·k + p]
                if (m <= GemmSmall.MaxRows && k > 0) GemmSmall.Dot(cj, n, a, k, b + (nint)j0 * k, k, m, cols, k, add, isa);
                else GemmPacked.Multiply(cj, n, a, k, 1, b + (nint)j0 * k, 1, k, m, cols, k, add, isa);
                break;
            case GemmOp.AB:
                // op(A)[i,p] = a[i·k + p]; op(B)[p,j] = b[p·n + j]
                if (m <= GemmSmall.MaxRows && k > 0) GemmSmall.Axpy(cj, n, a, k, 1, b + j0, n, m, cols, k, add, isa);
                else GemmPacked.Multiply(cj, n, a, k, 1, b + j0, n, 1, m, cols, k, add, isa);
                break;
            case GemmOp.APackedB:
                // op(A)[i,p] = a[i·k + p]; op(B) packed, ⌈n/NR⌉·NR columns
                nint padded = (n + GemmPacked.NR - 1) / GemmPacked.NR * GemmPacked.NR;
                if (m <= GemmSmall.MaxRows && k > 0 && isa != GemmIsa.Scalar) GemmSmall.Panels(cj, n, a, k, b, padded, j0, m, cols, k, add, isa);
                else GemmPacked.MultiplyPrepacked(cj, n, a, k, 1, b, padded, j0, m, cols, k, add, isa);
                break;
            default:
                // op(A)[i,p] = a[p·m + i]; op(B)[p,j] = b[p·n + j]
                if (m <= GemmSmall.MaxRows && k > 0) GemmSmall.Axpy(cj, n, a, 1, m, b + j0, n, m, cols, k, add, isa);
                else GemmPacked.Multiply(cj, n, a, 1, m, b + j0, n, 1, m, cols, k, add, isa);
                break;
        }
    }

    private static void CheckSizes(Span<float> c, ReadOnlySpan<float> a, ReadOnlySpan<float> b, int m, int n, int k, int threads)
    {
        if (m < 0 || n < 0 || k < 0) throw new ArgumentOutOfRangeException(nameof(m), $"Matrix sizes must not be negative (m={m}, n={n}, k={k}).");
        if (a.Length < (long)m * k) throw new ArgumentException($"A holds {a.Length} elements; {m}×{k} = {(long)m * k} are needed.", nameof(a));
        if (b.Length < (long)k * n) throw new ArgumentException($"B holds {b.Length} elements; {k}×{n} = {(long)k * n} are needed.", nameof(b));
        if (c.Length < (long)m * n) throw new ArgumentException($"C holds {c.Length} elements; {m}×{n} = {(long)m * n} are needed.", nameof(c));
        if ((long)m * n > int.MaxValue || (long)m * k > int.MaxValue || (long)k * n > int.MaxValue)
            throw new ArgumentOutOfRangeException(nameof(m), $"Matrices must hold fewer than 2³¹ elements (m={m}, n={n}, k={k}).");
        if (threads < 1) throw new ArgumentOutOfRangeException(nameof(threads), threads, "At least one thread is needed.");
    }
}

/// <summary>Which of the three products a call computes.</summary>
internal enum GemmOp
{
    /// <summary>C (+)= A·Bᵀ.</summary>
    ABt,
    /// <summary>C (+)= A·B.</summary>
    AB,
    /// <summary>C (+)= Aᵀ·B.</summary>
    AtB,
    /// <summary>C (+)= A·op(B), op(B) packed once.</summary>
    APackedB,
}
