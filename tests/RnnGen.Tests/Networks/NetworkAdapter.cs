using System;

namespace RnnGen.Tests.Networks;

/// <summary>The shape of a declared test network, as the scalar reference needs it.</summary>
public sealed record NetworkConfig(CellKind Cell, int InputSize, int HiddenSize, int Layers, bool Bidirectional, bool Relu, int VocabularySize, int OutputSize,
    bool LinearBeforeReset = true, bool Peepholes = false, SequenceLayout Layout = SequenceLayout.BatchFirst)
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

    /// <summary>
    /// Wraps the adapter of a time-major network so that it takes and returns batch-first tensors
    /// like every other adapter: inputs, tokens and ∂L/∂output are transposed to [steps, batch, …]
    /// before the call, output and ∂L/∂inputs back to [batch, steps, …] after it. States are
    /// [StateCount, batch, H] in both layouts and pass through.
    /// </summary>
    public static NetworkAdapter TimeMajor(NetworkAdapter inner, int stepOutputSize, int inputSize)
    {
        int batch = 0, steps = 0;
        void Forward(ReadOnlySpan<float> inputs, ReadOnlySpan<int> tokens, ReadOnlySpan<int> lengths, Span<float> output,
            Span<float> finalHidden, ReadOnlySpan<float> initialHidden, Span<float> finalCell, ReadOnlySpan<float> initialCell, bool training)
        {
            batch = lengths.Length;
            steps = output.Length / (batch * stepOutputSize);
            float[] timeMajorOutput = new float[output.Length];
            inner.Forward(Transpose.ToTimeMajor(inputs, batch, steps, inputSize), Transpose.ToTimeMajor(tokens, batch, steps, 1), lengths,
                timeMajorOutput, finalHidden, initialHidden, finalCell, initialCell, training);
            Transpose.ToBatchFirst(timeMajorOutput, batch, steps, stepOutputSize).CopyTo(output);
        }
        void Backward(ReadOnlySpan<float> dOutput, Span<float> dInputs, ReadOnlySpan<float> dFinalHidden, Span<float> dInitialHidden,
            ReadOnlySpan<float> dFinalCell, Span<float> dInitialCell)
        {
            float[] timeMajorDInputs = new float[dInputs.Length];
            inner.Backward(Transpose.ToTimeMajor(dOutput, batch, steps, stepOutputSize), timeMajorDInputs, dFinalHidden, dInitialHidden, dFinalCell, dInitialCell);
            if (!dInputs.IsEmpty) Transpose.ToBatchFirst(timeMajorDInputs, batch, steps, inputSize).CopyTo(dInputs);
        }
        return new NetworkAdapter(inner.Network, Forward, Backward, inner.CreateReplica);
    }
}

/// <summary>The tests' own transposes between [batch, steps, width] and [steps, batch, width] (an empty span stays empty).</summary>
public static class Transpose
{
    public static T[] ToTimeMajor<T>(ReadOnlySpan<T> batchFirst, int batch, int steps, int width) => SwapOuter(batchFirst, batch, steps, width);

    public static T[] ToBatchFirst<T>(ReadOnlySpan<T> timeMajor, int batch, int steps, int width) => SwapOuter(timeMajor, steps, batch, width);

    /// <summary>[outer, inner, width] → [inner, outer, width].</summary>
    private static T[] SwapOuter<T>(ReadOnlySpan<T> source, int outer, int inner, int width)
    {
        var result = new T[source.Length];
        if (source.IsEmpty) return result;
        if (source.Length != outer * inner * width) throw new ArgumentException($"{source.Length} values are not [{outer}, {inner}, {width}]");
        for (int o = 0; o < outer; o++)
            for (int i = 0; i < inner; i++)
                source.Slice((o * inner + i) * width, width).CopyTo(result.AsSpan((i * outer + o) * width));
        return result;
    }
}

public sealed record NetworkCase(string Name, NetworkConfig Config, Func<ulong, NetworkAdapter> Create)
{
    public override string ToString() => Name;
}
