using System;
using System.Diagnostics;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.ExceptionServices;
using System.Runtime.InteropServices;
using System.Threading;

namespace RnnGen.Kernels;

/// <summary>
/// Runs the time loop of one recurrent layer for a single sequence — inference at batch 1 — on one
/// thread or on two cores. Generated networks own one each and call it from their forward pass;
/// users set the thread count through the network's <c>RecurrentThreads</c> property.
/// </summary>
/// <remarks>
/// <para>
/// Calls of several steps first pack W_hh [G·H × H] so that each step reads it as one sequential
/// stream of broadcast multiply-adds, 16 units at a time (each thread packs its own units); short
/// calls (a streaming step) read it in place as dot products of 8 rows. A caller whose weights do not
/// change passes a <see cref="PackedWeights"/>: the packing is then done once, and every call, short
/// ones too, runs the packed form. Either way the bias, gate
/// activations and state update are fused behind the product (<see cref="IsSupported"/> tells
/// whether the SIMD step is available; generated code keeps its generic loop otherwise).
/// </para>
/// <para>
/// With two threads (DeepCPU's private-cache partitioning) each core owns half of the hidden units:
/// their G gate rows of W_hh (for LSTM rows j, H+j, 2H+j, 3H+j of each owned unit j), their part of
/// the cell state and their half of h. Per step each core computes its units and writes its half of
/// the next h, then the two meet at a barrier; the rows a core reads stay in its own L2 from step to
/// step and from call to call. The helper is one persistent thread, created on first use: it spins
/// briefly between steps and between calls, then blocks, so an idle network does not burn a core.
/// A unit's arithmetic does not depend on the thread that computes it: one and two threads give
/// bitwise identical results. If the helper has not started by the time the caller finishes its
/// first step (a busy machine), the caller takes the whole call back and runs it alone.
/// </para>
/// <para>
/// A call allocates nothing once the state buffers have been sized (on first use). An instance
/// serves one call at a time, like the network that owns it. <see cref="Dispose"/> stops the helper.
/// </para>
/// </remarks>
public sealed unsafe class RecurrentRunner : IDisposable
{
    private Worker _worker = new();
    private int _threads = 1;
    private bool _disposed;

    /// <summary>Whether this hardware has the SIMD step (256-bit vectors); when it does not, callers keep their generic path.</summary>
    public static bool IsSupported => RecurrentStep.IsSupported;

    /// <summary>
    /// Threads a call uses: 1 (default) or 2. With 2, a helper thread is started on first use and
    /// each thread owns half of the hidden units; setting 1 again stops the helper thread (and waits
    /// for it to exit). Results do not depend on this setting.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is not 1 or 2.</exception>
    /// <exception cref="ObjectDisposedException">Set to 2 after <see cref="Dispose"/>.</exception>
    public int Threads
    {
        get => _threads;
        set
        {
            if (value is not (1 or 2)) throw new ArgumentOutOfRangeException(nameof(value), value, "RecurrentThreads must be 1 or 2.");
            ObjectDisposedException.ThrowIf(value == 2 && _disposed, this);
            if (value == 1 && _worker.Started)
            {
                _worker.Stop(join: true);
                _worker = new Worker();
            }
            _threads = value;
        }
    }

    /// <summary>Finalizer: stops the helper thread of a runner that was not disposed.</summary>
    ~RecurrentRunner() => _worker.Stop(join: false);

    /// <summary>Stops the helper thread (if one was started) and waits for it to exit. Calls made afterwards run on one thread.</summary>
    public void Dispose()
    {
        _threads = 1;
        _disposed = true;
        _worker.Stop(join: true);
        GC.SuppressFinalize(this);
    }

    // h_t = act(x_t + h_{t−1}·W_hhᵀ + b_hh), t = 0 … length−1 (positions reversed when `reverse`).
    /// <summary>Elman RNN layer over one sequence: <c>h = act(x + h·W_hhᵀ + b_hh)</c> per step.</summary>
    /// <param name="weightHh">W_hh [H × H], PyTorch layout.</param>
    /// <param name="biasHh">b_hh [H].</param>
    /// <param name="inputProjection">x·W_ihᵀ + b_ih of every position [≥ length × H].</param>
    /// <param name="hidden">[H]: the initial hidden state on entry, the final one on return.</param>
    /// <param name="output">Receives h of position p at <c>p·outputStride</c> (H values).</param>
    /// <param name="outputStride">Floats between consecutive positions of <paramref name="output"/> (≥ H).</param>
    /// <param name="length">Positions to run (≥ 1).</param>
    /// <param name="reverse">Run from the last position to the first (the reverse direction of a bidirectional layer).</param>
    /// <param name="relu">ReLU instead of tanh.</param>
    /// <param name="packed">Optional: the packed copy of W_hh kept between calls (see <see cref="PackedWeights"/>); with null, calls of 4 steps or more pack it per call and shorter ones read it in place.</param>
    public void Rnn(ReadOnlySpan<float> weightHh, ReadOnlySpan<float> biasHh, ReadOnlySpan<float> inputProjection, Span<float> hidden,
        Span<float> output, int outputStride, int length, bool reverse, bool relu, PackedWeights? packed = null) =>
        Run(relu ? RecurrentStep.Cell.RnnRelu : RecurrentStep.Cell.Rnn, 1, weightHh, biasHh, inputProjection, hidden, default, output, outputStride, length, reverse, packed);

    // gates i, f, g, o; c_t = f⊙c_{t−1} + i⊙g, h_t = o⊙tanh(c_t)
    /// <summary>LSTM layer over one sequence (gates i, f, g, o).</summary>
    /// <param name="weightHh">W_hh [4H × H], PyTorch layout.</param>
    /// <param name="biasHh">b_hh [4H].</param>
    /// <param name="inputProjection">x·W_ihᵀ + b_ih of every position [≥ length × 4H].</param>
    /// <param name="hidden">[H]: the initial hidden state on entry, the final one on return.</param>
    /// <param name="cell">[H]: the initial cell state on entry, the final one on return.</param>
    /// <param name="output">Receives h of position p at <c>p·outputStride</c> (H values).</param>
    /// <param name="outputStride">Floats between consecutive positions of <paramref name="output"/> (≥ H).</param>
    /// <param name="length">Positions to run (≥ 1).</param>
    /// <param name="reverse">Run from the last position to the first.</param>
    /// <param name="packed">Optional: the packed copy of W_hh kept between calls (see <see cref="PackedWeights"/>); with null, calls of 4 steps or more pack it per call and shorter ones read it in place.</param>
    public void Lstm(ReadOnlySpan<float> weightHh, ReadOnlySpan<float> biasHh, ReadOnlySpan<float> inputProjection, Span<float> hidden, Span<float> cell,
        Span<float> output, int outputStride, int length, bool reverse, PackedWeights? packed = null)
    {
        if (cell.Length != hidden.Length) throw new ArgumentException($"The cell state holds {cell.Length} values; the hidden state holds {hidden.Length}.", nameof(cell));
        Run(RecurrentStep.Cell.Lstm, 4, weightHh, biasHh, inputProjection, hidden, cell, output, outputStride, length, reverse, packed);
    }

    // gates r, z, n; n = tanh(x_n + r⊙(W_hn·h + b_hn)), h_t = (1−z)⊙n + z⊙h_{t−1}
    /// <summary>GRU layer over one sequence (gates r, z, n; reset applied after the recurrent product, PyTorch's GRU).</summary>
    /// <param name="weightHh">W_hh [3H × H], PyTorch layout.</param>
    /// <param name="biasHh">b_hh [3H].</param>
    /// <param name="inputProjection">x·W_ihᵀ + b_ih of every position [≥ length × 3H].</param>
    /// <param name="hidden">[H]: the initial hidden state on entry, the final one on return.</param>
    /// <param name="output">Receives h of position p at <c>p·outputStride</c> (H values).</param>
    /// <param name="outputStride">Floats between consecutive positions of <paramref name="output"/> (≥ H).</param>
    /// <param name="length">Positions to run (≥ 1).</param>
    /// <param name="reverse">Run from the last position to the first.</param>
    /// <param name="packed">Optional: the packed copy of W_hh kept between calls (see <see cref="PackedWeights"/>); with null, calls of 4 steps or more pack it per call and shorter ones read it in place.</param>
    public void Gru(ReadOnlySpan<float> weightHh, ReadOnlySpan<float> biasHh, ReadOnlySpan<float> inputProjection, Span<float> hidden,
        Span<float> output, int outputStride, int length, bool reverse, PackedWeights? packed = null) =>
        Run(RecurrentStep.Cell.Gru, 3, weightHh, biasHh, inputProjection, hidden, default, output, outputStride, length, reverse, packed);

    // projection[r] = input[r]·W_ihᵀ + b_ih, r < rows. Two threads: each computes the columns of the
    // hidden units its time loop will own (for every gate), so each core then reads its part of the
    // projection from its own cache; splits fall on multiples of GemmParallel.ColumnBlock.
    /// <summary>
    /// The input projection of one sequence, before its time loop: <c>projection[t] = input[t]·W_ihᵀ + b_ih</c>
    /// for every position t, on <see cref="Threads"/> threads (the same helper as the loop) when it has at least
    /// 2²² multiply-adds, or 2¹⁶ for at most four rows (smaller ones run on the caller: sharing them cost more than it
    /// saved). With two,
    /// each thread computes the columns of the hidden units it owns in the loop, when the split falls on
    /// multiples of 64 columns (otherwise the first and second halves of the columns); either way the
    /// GEMM's arithmetic per column does not depend on the split, so the bits are the same as on one
    /// thread and as <c>Gemm.ABt</c> followed by <c>Rows.AddBias</c> (with a <see cref="PackedWeights"/>,
    /// for more than 4 rows: shorter projections then read the packed W_ihᵀ, which rounds differently).
    /// </summary>
    /// <param name="projection">Receives [rows × G·H].</param>
    /// <param name="input">[rows × inputSize], one row per position.</param>
    /// <param name="weightIh">W_ih [G·H × inputSize], PyTorch layout.</param>
    /// <param name="biasIh">b_ih [G·H].</param>
    /// <param name="rows">Positions (≥ 1).</param>
    /// <param name="inputSize">Features per position (≥ 1).</param>
    /// <param name="hidden">Hidden units H; G·H, the length of <paramref name="biasIh"/>, must be a multiple of it.</param>
    /// <param name="packed">Optional: the packed copy of W_ih kept between calls (see <see cref="PackedWeights"/>); null packs it per call
    /// (at most 4 rows: reads it in place). Pass the same instance as to the time loop that follows: the two threads split the columns
    /// where the loop splits its units.</param>
    public void Project(Span<float> projection, ReadOnlySpan<float> input, ReadOnlySpan<float> weightIh, ReadOnlySpan<float> biasIh, int rows, int inputSize, int hidden,
        PackedWeights? packed = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(rows, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(inputSize, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(hidden, 1);
        int n = biasIh.Length;
        if (n == 0 || n % hidden != 0) throw new ArgumentException($"The bias holds {n} values; G·H with H = {hidden} is expected.", nameof(biasIh));
        CheckLength(weightIh.Length, (long)n * inputSize, nameof(weightIh));
        if (input.Length < (long)rows * inputSize) throw new ArgumentException($"The input holds {input.Length} values; {rows} positions of {inputSize} need {(long)rows * inputSize}.", nameof(input));
        if (projection.Length < (long)rows * n) throw new ArgumentException($"The projection holds {projection.Length} values; {rows} positions of {n} need {(long)rows * n}.", nameof(projection));
        if ((long)rows * n > int.MaxValue || (long)rows * inputSize > int.MaxValue) throw new ArgumentOutOfRangeException(nameof(rows), rows, "The input and the projection must hold fewer than 2³¹ values.");

        const int Block = GemmParallel.ColumnBlock;
        int unitsPerBlock = UnitsPerBlock(rows, packed);
        int ownedUnits = CallerBlocks((hidden + unitsPerBlock - 1) / unitsPerBlock) * unitsPerBlock; // the caller's units in the loop
        int half = (n / 2 + Block - 1) / Block * Block;
        bool byUnits = hidden % Block == 0 && ownedUnits % Block == 0 && ownedUnits < hidden;
        // A projection of a few rows (a streaming step) reads W_ih once and is bound by that read: halving it pays from
        // GemmParallel.MinimumWork on. One of many rows packs its input per column range: it pays from TwoThreadProjectionMinimum.
        long work = (long)rows * n * inputSize;
        bool two = _threads == 2 && (byUnits || half < n) && work >= (rows <= GemmSmall.MaxRows ? GemmParallel.MinimumWork : TwoThreadProjectionMinimum);
        // Kept packed: W_ihᵀ in the GEMM's panels, packed on first use. For more than GemmSmall.MaxRows rows the product
        // with the packed panels has the bits of the unpacked one; shorter ones round differently (as the loop's short calls do).
        packed?.EnsureInput(weightIh, n, inputSize);
        fixed (float* c = projection, a = input, b = weightIh, bias = biasIh, pb = packed?.Input)
        {
            // Per gate g, the caller computes columns g·H + [0, split) and the helper g·H + [split, H), with
            // GateWidth = H (byUnits) or n (one range per thread) and SplitBlock = the split inside it.
            _job = new Job
            {
                Projecting = true, C = c, X = (float*)a, W = packed is not null ? pb : (float*)b, WeightsPacked = packed is not null,
                Bias = (float*)bias, Length = rows, Columns = n, InputSize = inputSize, Isa = GemmDispatch.Current,
                GateWidth = byUnits ? hidden : n, SplitBlock = !two ? n : byUnits ? ownedUnits : half,
            };
            if (two) ProjectTwo();
            else ProjectColumns(ref _job, 0, n);
        }
    }

    // Columns g·GateWidth + [u0, u1) of every gate g.
    private static void ProjectPart(ref Job job, int u0, int u1)
    {
        for (int g0 = 0; g0 < job.Columns; g0 += job.GateWidth) ProjectColumns(ref job, g0 + u0, g0 + u1);
    }

    // Job fields of a projection: C the output, X the input, W = W_ih, Bias = b_ih, Length = rows.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void ProjectColumns(ref Job job, int j0, int j1)
    {
        int n = job.Columns;
        Gemm.Columns(job.WeightsPacked ? GemmOp.APackedB : GemmOp.ABt, job.C, job.X, job.W, job.Length, n, job.InputSize, false, job.Isa, j0, j1);
        var bias = new ReadOnlySpan<float>(job.Bias + j0, j1 - j0);
        for (int r = 0; r < job.Length; r++)
        {
            var row = new Span<float>(job.C + (nint)r * n + j0, j1 - j0);
            TensorPrimitives.Add(row, bias, row);
        }
    }

    // ───────────────────────────── one call ─────────────────────────────

    // What both threads read during a call; written by the caller before the call is posted.
    private struct Job
    {
        public RecurrentStep.Cell Cell;
        public bool Projecting; // a Project call, not a time loop
        public bool WeightsPacked; // W is packed already: a Project call's W_ihᵀ (GEMM panels), or a loop's W_hh kept by PackedWeights
        public int Columns, InputSize, GateWidth; // of a Project call
        public GemmIsa Isa; // of a Project call: the caller's kernel choice (a per-thread setting), used by both threads
        public float* W, Source, Bias, X, C, Output, H0, H1; // W: the weights the steps read (Source, or its packed copy)
        public int Hidden, Gates, Length, OutputStride, SplitBlock, Blocks, Lanes; // Lanes: units per block of the packed form (0: in place)
        public bool Reverse;
    }

    /// <summary>
    /// Projections of more than <see cref="GemmSmall.MaxRows"/> rows and fewer multiply-adds run on the caller alone.
    /// Measured on Zen 5 (profile benchmark, W_ih kept packed): LSTM I=64 H=128 T=50 (1.6 M) took 19 µs on one thread
    /// and 28 on two, where each thread runs four GEMMs of 64 columns (one per gate) and packs the input for each;
    /// GRU I=256 H=256 T=100 (19.7 M) went 199 → 132 µs. A streaming step's single row has no input to pack and is
    /// bound by reading W_ih: it is shared from <see cref="GemmParallel.MinimumWork"/> on (LSTM I=256 H=256, one-step
    /// calls on two threads: 19–27 µs with this threshold applied to it, 13.4–17.3 µs without).
    /// </summary>
    internal long TwoThreadProjectionMinimum { get; set; } = 1L << 22;

    /// <summary>Calls of at least this many steps first pack W_hh (each thread its own blocks); shorter ones read it in place, unless given a <see cref="PackedWeights"/>.</summary>
    internal static int PackedMinimumSteps = 4;

    /// <summary>Tests: units per block of the packed form (16 needs AVX-512; 8 runs the AVX2 kernel on any machine).</summary>
    internal int PackedLanes { get; set; } = RecurrentPackedStep.Lanes;

    // The packed W_hh of calls given no PackedWeights: cleared before each, so every such call packs again.
    private readonly PackedWeights _perCall = new();

    private static readonly long MaxPatienceTicks = Stopwatch.Frequency / 5_000; // 200 µs

    private float[] _h = [];   // two pinned h buffers [2 × stride], each padded to whole blocks and to a cache line
    private int _hStride;
    private Job _job;

    /// <summary>Tests: never take a call back from the helper, wait for it to join (so the two-thread path surely runs).</summary>
    internal bool WaitForHelper { get; set; }

    /// <summary>Test hook: called as (thread, step) at the start of every step's work; may throw.</summary>
    internal Action<int, int>? StepHook { get; set; }

    private void Run(RecurrentStep.Cell cell, int gates, ReadOnlySpan<float> weightHh, ReadOnlySpan<float> biasHh, ReadOnlySpan<float> inputProjection,
        Span<float> hidden, Span<float> cellState, Span<float> output, int outputStride, int length, bool reverse, PackedWeights? packed)
    {
        int n = hidden.Length;
        if (!IsSupported) throw new PlatformNotSupportedException("The batch-1 recurrent step needs 256-bit SIMD; check RecurrentRunner.IsSupported.");
        if (n == 0) throw new ArgumentException("The hidden state is empty.", nameof(hidden));
        ArgumentOutOfRangeException.ThrowIfLessThan(length, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(outputStride, n);
        CheckLength(weightHh.Length, (long)gates * n * n, nameof(weightHh));
        CheckLength(biasHh.Length, (long)gates * n, nameof(biasHh));
        if (inputProjection.Length < (long)length * gates * n) throw new ArgumentException($"The input projection holds {inputProjection.Length} values; {length} positions need {(long)length * gates * n}.", nameof(inputProjection));
        if (output.Length < (long)(length - 1) * outputStride + n) throw new ArgumentException($"The output holds {output.Length} values; {length} positions {outputStride} apart need {(long)(length - 1) * outputStride + n}.", nameof(output));

        EnsureState(n);
        int lanes = RunsPacked(length, packed) ? PackedLanes : 0; // 0: the row form reads W_hh in place (blocks of RecurrentStep.Block)
        PackedWeights target = packed ?? _perCall;
        if (packed is null) _perCall.Clear();
        bool kept = false; // W_hh already packed in `target` by an earlier call
        if (lanes > 0)
        {
            long packedLength = RecurrentPackedStep.PackedLength(gates, n, lanes) + 16; // + a cache line for alignment
            if (packedLength > Array.MaxLength) lanes = 0; // (a W_hh of more than 8 GB: read in place)
            else kept = target.EnsureRecurrent(gates, n, lanes, (int)packedLength);
        }
        fixed (float* w = weightHh, bias = biasHh, x = inputProjection, h = hidden, c = cellState, o = output, hb = _h, pw = target.Recurrent)
        {
            // The two h buffers: the current step reads one and writes the other.
            float* h0 = (float*)(((nint)hb + 63) & ~(nint)63);
            new ReadOnlySpan<float>(h, n).CopyTo(new Span<float>(h0, n));
            int blocks = lanes > 0 ? RecurrentPackedStep.Blocks(n, lanes) : RecurrentStep.Blocks(n);
            _job = new Job
            {
                Cell = cell, W = lanes > 0 ? (float*)(((nint)pw + 63) & ~(nint)63) : w, Source = w, Lanes = lanes, WeightsPacked = kept, Bias = bias, X = x, C = c, Output = o, H0 = h0, H1 = h0 + _hStride,
                Hidden = n, Gates = gates, Length = length, OutputStride = outputStride, Blocks = blocks,
                SplitBlock = CallerBlocks(blocks), Reverse = reverse,
            };
            if (_threads == 2 && blocks >= 2) RunTwo();
            else Steps(ref _job, 0, 0, blocks, length, thread: -1);
            if (lanes > 0) target.MarkRecurrentPacked(); // only after a call that finished: a failed one may have packed part of it
            float* final = (length & 1) == 0 ? h0 : h0 + _hStride;
            new ReadOnlySpan<float>(final, n).CopyTo(hidden);
        }
    }

    // Units per block of the kernel a call of `length` steps runs: the packed form's lanes (long calls,
    // and every call that keeps its packed W_hh), or the in-place row form's 8. Project uses it to split
    // its columns where the loop will split its units.
    private int UnitsPerBlock(int length, PackedWeights? packed) => RunsPacked(length, packed) ? PackedLanes : RecurrentStep.Block;

    private static bool RunsPacked(int length, PackedWeights? packed) => length >= PackedMinimumSteps || packed is not null;

    // The caller's share of a call's blocks, the first half rounded up (the helper takes the rest).
    private static int CallerBlocks(int blocks) => (blocks + 1) / 2;

    private static void CheckLength(int actual, long expected, string name)
    {
        if (actual != expected) throw new ArgumentException($"'{name}' holds {actual} values; {expected} are expected.", name);
    }

    private void EnsureState(int n)
    {
        int stride = (n + 15) & ~15; // whole blocks of either form (8 or 16 units), whole cache lines
        if (stride == _hStride) return;
        _h = GC.AllocateArray<float>(2 * stride + 16, pinned: true);
        _hStride = stride;
    }

    // Steps [first, last) over blocks [block0, block1) on one thread; `thread` ≥ 0 meets the other
    // thread at a barrier after every step (-1: alone).
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Steps(ref Job job, int first, int block0, int block1, int last, int thread)
    {
        Action<int, int>? hook = StepHook;
        if (first == 0 && job.Lanes > 0 && !job.WeightsPacked) RecurrentPackedStep.Pack(job.W, job.Source, job.Gates, job.Hidden, job.Lanes, block0, block1);
        for (int s = first; s < last; s++)
        {
            hook?.Invoke(Math.Max(thread, 0), s);
            int position = job.Reverse ? job.Length - 1 - s : s;
            float* hCur = (s & 1) == 0 ? job.H0 : job.H1, hNext = (s & 1) == 0 ? job.H1 : job.H0;
            float* x = job.X + (nint)position * job.Gates * job.Hidden, output = job.Output + (nint)position * job.OutputStride;
            if (job.Lanes > 0)
                RecurrentPackedStep.Run(job.Cell, job.Lanes, job.W, job.Bias, x, hCur, hNext, job.C, output, job.Hidden, block0, block1, descending: (s & 1) == 1);
            else
                RecurrentStep.Run(job.Cell, job.W, job.Bias, x, hCur, hNext, job.C, output, job.Hidden, block0, block1);
            if (thread >= 0 && !_worker.Arrive(thread, s + 1)) return;
        }
    }

    // Caller: blocks [0, split); helper: [split, blocks). If the helper has not claimed the call soon
    // after the caller's first step — while joining would still save time — the caller takes it back
    // and runs everything alone.
    private void RunTwo()
    {
        _worker.EnsureStarted(this);
        long start = Stopwatch.GetTimestamp();
        _worker.Post(this);
        ExceptionDispatchInfo? error = null;
        try
        {
            Steps(ref _job, 0, 0, _job.SplitBlock, 1, thread: -1);
            long now = Stopwatch.GetTimestamp();
            long patience = WaitForHelper ? long.MaxValue : Math.Min((now - start) * (_job.Length - 1) / 4, MaxPatienceTicks);
            while (!_worker.Claimed && Stopwatch.GetTimestamp() - now < patience) Thread.SpinWait(1);
            if (_worker.TryTakeBack())
            {
                Steps(ref _job, 0, _job.SplitBlock, _job.Blocks, 1, thread: -1);
                Steps(ref _job, 1, 0, _job.Blocks, _job.Length, thread: -1);
                return;
            }
            if (_worker.Arrive(0, 1)) Steps(ref _job, 1, 0, _job.SplitBlock, _job.Length, thread: 0);
        }
        catch (Exception e)
        {
            error = ExceptionDispatchInfo.Capture(e);
            if (!_worker.TryTakeBack()) _worker.Abort();
        }
        finally
        {
            // The helper must be done with the call before its memory is unpinned, whatever happened.
            _worker.WaitDone();
        }
        error?.Throw();
        _worker.ThrowIfFaulted();
    }

    // Caller: columns [0, split) of each gate; helper: [split, H), unless it has not claimed them by the time the
    // caller is done with its own (then the caller computes them too: the same bits either way).
    private void ProjectTwo()
    {
        _worker.EnsureStarted(this);
        _worker.Post(this);
        ExceptionDispatchInfo? error = null;
        try
        {
            ProjectPart(ref _job, 0, _job.SplitBlock);
            while (WaitForHelper && !_worker.Claimed) Thread.SpinWait(1);
            if (_worker.TryTakeBack()) ProjectPart(ref _job, _job.SplitBlock, _job.GateWidth);
        }
        catch (Exception e)
        {
            error = ExceptionDispatchInfo.Capture(e);
            _worker.TryTakeBack();
        }
        finally
        {
            _worker.WaitDone(); // the helper must be done before the operands are unpinned
        }
        error?.Throw();
        _worker.ThrowIfFaulted();
    }

    // Helper side of a call.
    private void Serve()
    {
        if (_job.Projecting) ProjectPart(ref _job, _job.SplitBlock, _job.GateWidth);
        else Steps(ref _job, 0, _job.SplitBlock, _job.Blocks, _job.Length, thread: 1);
    }

    // ───────────────────────────── the helper thread ─────────────────────────────

    // Owns the thread and the handshake; the thread references only this object (and the runner
    // while a call is in flight), so an undisposed runner can still be finalized, which stops it.
    private sealed class Worker
    {
        private static readonly long SpinTicks = Stopwatch.Frequency / 10_000;   // 100 µs of polling before blocking
        private static readonly long YieldTicks = Stopwatch.Frequency / 1_000;   // then yield, then sleep, inside a call

        private const int Posted = 1, Taken = 2, Done = 3;
        private readonly SemaphoreSlim _wake = new(0);
        private readonly Counters _counters = new();
        private Thread? _thread;
        private RecurrentRunner? _runner;
        private int _ticket, _state, _sleeping, _stopping, _aborted;
        private ExceptionDispatchInfo? _error;

        public bool Stopped => Volatile.Read(ref _stopping) != 0;

        public bool Started => _thread is not null;

        public void EnsureStarted(RecurrentRunner runner)
        {
            ObjectDisposedException.ThrowIf(Stopped, runner);
            if (_thread is not null) return;
            _thread = new Thread(Loop) { IsBackground = true, Name = "RnnGen recurrent helper" };
            _thread.Start();
        }

        public void Post(RecurrentRunner runner)
        {
            _runner = runner;
            _error = null;
            _aborted = 0;
            _counters.Reset();
            int ticket = _ticket + 1;
            Volatile.Write(ref _state, ticket * 4 + Posted);
            Volatile.Write(ref _ticket, ticket);
            if (Interlocked.CompareExchange(ref _sleeping, 0, 1) == 1) _wake.Release();
        }

        public bool TryTakeBack()
        {
            if (Interlocked.CompareExchange(ref _state, _ticket * 4 + Done, _ticket * 4 + Posted) != _ticket * 4 + Posted) return false;
            _runner = null;
            return true;
        }

        public void Abort() => Volatile.Write(ref _aborted, 1);

        public bool Claimed => Volatile.Read(ref _state) != _ticket * 4 + Posted;

        public void WaitDone()
        {
            int done = _ticket * 4 + Done;
            long start = Stopwatch.GetTimestamp();
            while (Volatile.Read(ref _state) != done) Pause(start);
        }

        public void ThrowIfFaulted() => _error?.Throw();

        // Thread `thread` has finished step `count` − 1; waits for the other one. False: the call was
        // aborted (the other thread failed), stop working on it.
        public bool Arrive(int thread, int count)
        {
            _counters.Publish(thread, count);
            // A step lasts microseconds: poll the other counter tightly first (one pause per poll, no
            // clock read), then fall back to the timed spin-yield-sleep.
            for (int i = 0; i < 2048; i++)
            {
                if (_counters.Read(1 - thread) >= count) return Volatile.Read(ref _aborted) == 0;
                Thread.SpinWait(1);
            }
            long start = Stopwatch.GetTimestamp();
            while (_counters.Read(1 - thread) < count)
            {
                if (Volatile.Read(ref _aborted) != 0) return false;
                Pause(start);
            }
            return Volatile.Read(ref _aborted) == 0;
        }

        // Spin, then yield, then sleep: a wait that lasts (the other thread is not running) stops burning the core.
        private static void Pause(long start)
        {
            long waited = Stopwatch.GetTimestamp() - start;
            if (waited < SpinTicks) Thread.SpinWait(8);
            else if (waited < YieldTicks) Thread.Yield();
            else Thread.Sleep(1);
        }

        public void Stop(bool join)
        {
            if (Interlocked.Exchange(ref _stopping, 1) != 0) return;
            Thread? thread = _thread;
            if (thread is null) return;
            Interlocked.Exchange(ref _sleeping, 0);
            _wake.Release();
            if (join && thread != Thread.CurrentThread) thread.Join();
        }

        private void Loop()
        {
            int seen = 0;
            while (true)
            {
                // Poll for a while, then park; Post (or Stop) wakes a parked helper.
                long start = Stopwatch.GetTimestamp();
                while (Volatile.Read(ref _ticket) == seen && !Stopped && Stopwatch.GetTimestamp() - start < SpinTicks) Thread.SpinWait(1);
                if (Volatile.Read(ref _ticket) == seen && !Stopped)
                {
                    Interlocked.Exchange(ref _sleeping, 1);
                    // A call posted between the poll and the flag: take it unless the caller already
                    // cleared the flag, in which case its Release is on the way and must be consumed.
                    if ((Volatile.Read(ref _ticket) == seen && !Stopped) || Interlocked.CompareExchange(ref _sleeping, 0, 1) != 1)
                        _wake.Wait();
                }
                if (Stopped) return;
                seen = Volatile.Read(ref _ticket);
                if (Interlocked.CompareExchange(ref _state, seen * 4 + Taken, seen * 4 + Posted) != seen * 4 + Posted) continue;
                try
                {
                    _runner!.Serve();
                }
                catch (Exception e)
                {
                    _error = ExceptionDispatchInfo.Capture(e);
                    Abort();
                }
                _runner = null; // between calls the thread keeps no runner alive (its finalizer stops the thread)
                Volatile.Write(ref _state, seen * 4 + Done);
            }
        }
    }

    // The two step counters, each on its own cache line.
    [StructLayout(LayoutKind.Explicit, Size = 192)]
    private struct CounterLines
    {
        [FieldOffset(64)] public int Thread0;
        [FieldOffset(128)] public int Thread1;
    }

    private sealed class Counters
    {
        private CounterLines _lines;
        public void Reset() { _lines.Thread0 = 0; _lines.Thread1 = 0; }
        public void Publish(int thread, int count)
        {
            if (thread == 0) Volatile.Write(ref _lines.Thread0, count);
            else Volatile.Write(ref _lines.Thread1, count);
        }
        public int Read(int thread) => thread == 0 ? Volatile.Read(ref _lines.Thread0) : Volatile.Read(ref _lines.Thread1);
    }
}
