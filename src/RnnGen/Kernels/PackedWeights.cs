using System;

namespace RnnGen.Kernels;

/// <summary>
/// The packed copies of one layer direction's weights that a <see cref="RecurrentRunner"/> keeps between
/// calls: W_hh in the time loop's layout and W_ih in the input projection's. Calls that pass the same
/// instance pack each weight once, on first use, instead of on every call (what an inference session does
/// with weights it knows will not change). Generated networks keep one per layer direction while their
/// <c>WeightsFrozen</c> property is true.
/// </summary>
/// <remarks>
/// The runner trusts the copies: a call does not look at the weights it is given once their copy exists
/// (it checks only that the shapes match; a different shape repacks). After the weights change, call
/// <see cref="Clear"/> or use a new instance. Results are bitwise the same as calls without one for
/// sequences of five steps or more. Shorter ones read the weights in place without a kept copy (W_hh
/// in loops of fewer than four steps, W_ih in projections of at most four rows) and the packed copies
/// with one, which rounds differently. An instance serves one call at a time, like the runner it is passed to.
/// </remarks>
public sealed class PackedWeights
{
    // W_hh packed by RecurrentPackedStep.Pack (pinned: the runner aligns its address to 64 bytes once per call).
    internal float[] Recurrent { get; private set; } = [];
    private int _gates, _hidden, _lanes;
    private bool _recurrentReady;

    // W_ihᵀ packed by Gemm.PackBt for the projection's APackedB.
    internal float[] Input { get; private set; } = [];
    private int _columns, _inputSize;
    private bool _inputReady;

    /// <summary>Forgets both copies: the next call packs the weights it is given again. Call it after the weights change.</summary>
    public void Clear()
    {
        _recurrentReady = false;
        _inputReady = false;
    }

    /// <summary>Whether W_hh of this shape is packed already; otherwise sizes the buffer for the call that packs it.</summary>
    internal bool EnsureRecurrent(int gates, int hidden, int lanes, int length)
    {
        if (_recurrentReady && gates == _gates && hidden == _hidden && lanes == _lanes) return true;
        _recurrentReady = false;
        if (Recurrent.Length < length) Recurrent = GC.AllocateArray<float>(length, pinned: true);
        (_gates, _hidden, _lanes) = (gates, hidden, lanes);
        return false;
    }

    /// <summary>The call that packed W_hh (each thread its blocks) has finished.</summary>
    internal void MarkRecurrentPacked() => _recurrentReady = true;

    /// <summary>Packs W_ihᵀ [columns × inputSize] unless a copy of this shape exists.</summary>
    internal void EnsureInput(ReadOnlySpan<float> weightIh, int columns, int inputSize)
    {
        if (_inputReady && columns == _columns && inputSize == _inputSize) return;
        _inputReady = false;
        int length = Gemm.PackedLength(columns, inputSize);
        if (Input.Length < length) Input = GC.AllocateUninitializedArray<float>(length);
        Gemm.PackBt(Input, weightIh, columns, inputSize);
        (_columns, _inputSize, _inputReady) = (columns, inputSize, true);
    }
}
