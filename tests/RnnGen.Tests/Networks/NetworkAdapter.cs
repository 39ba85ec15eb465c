using System;

namespace RnnGen.Tests.Networks;

/// <summary>The shape of a declared test network, as the scalar reference needs it.</summary>
public sealed record NetworkConfig(CellKind Cell, int InputSize, int HiddenSize, int Layers, bool Bidirectional, bool Relu, int VocabularySize, int OutputSize,
    bool LinearBeforeReset = true, bool Peepholes = false)
{
    public int Directions => Bidirectional ? 2 : 1;
    public int Gates => Cell switch { CellKind.Lstm => 4, CellKind.Gru => 3, _ => 1 };
    public int StepOutputSize => OutputSize > 0 ? OutputSize : Directions * HiddenSize;
    public int StateCount => Layers * Directions;
    public bool HasEmbedding => VocabularySize > 0;
}

public delegate void ForwardCall(ReadOnlySpan<float> inputs, ReadOnlySpan<int> tokens, ReadOnlySpan<int> lengths, Span<float> output,
    Span<float> finalHidden, ReadOnlySpan<float> initialHidden, Span<float> finalCell, ReadOnlySpan<float> initialCell, bool training);

public delegate void BackwardCall(ReadOnlySpan<float> dOutput, Span<float> dInputs, ReadOnlySpan<float> dFinalHidden, Span<float> dInitialHidden,
    ReadOnlySpan<float> dFinalCell, Span<float> dInitialCell);

/// <summary>Drives any generated network through one interface (the generated signatures differ per shape).</summary>
public sealed class NetworkAdapter(IRecurrentNetwork network, ForwardCall forward, BackwardCall backward, Func<object> createReplica)
{
    public IRecurrentNetwork Network { get; } = network;
    public ForwardCall Forward { get; } = forward;
    public BackwardCall Backward { get; } = backward;
    public Func<object> CreateReplica { get; } = createReplica;
}

public sealed record NetworkCase(string Name, NetworkConfig Config, Func<ulong, NetworkAdapter> Create)
{
    public override string ToString() => Name;
}
