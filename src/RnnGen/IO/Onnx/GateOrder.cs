using System;

namespace RnnGen.IO.Onnx;

/// <summary>
/// PyTorch and ONNX stack the gate blocks of a recurrent weight matrix in different orders:
/// <code>
///         PyTorch (RnnGen)    ONNX
/// LSTM    i, f, g, o          i, o, f, c      (c is PyTorch's g, the cell candidate)
/// GRU     r, z, n             z, r, h         (h is PyTorch's n, the new-state candidate)
/// RNN     (one block)         (one block)
/// </code>
/// Every block is H consecutive rows (of a weight matrix) or H consecutive values (of a bias).
/// Export copies ONNX block j from PyTorch block <c>FromPyTorch[j]</c>; import copies it back.
/// </summary>
internal static class GateOrder
{
    private static readonly int[] s_lstm = [0, 3, 1, 2]; // ONNX i, o, f, c ← PyTorch i(0), o(3), f(1), g(2)
    private static readonly int[] s_gru = [1, 0, 2];     // ONNX z, r, h ← PyTorch z(1), r(0), n(2)
    private static readonly int[] s_rnn = [0];

    /// <summary>For each ONNX gate block, the PyTorch block it holds.</summary>
    public static ReadOnlySpan<int> FromPyTorch(CellKind cell) => cell switch
    {
        CellKind.Lstm => s_lstm,
        CellKind.Gru => s_gru,
        _ => s_rnn,
    };

    /// <summary>ONNX's names of the gate blocks, for documentation and messages.</summary>
    public static string OnnxNames(CellKind cell) => cell switch
    {
        CellKind.Lstm => "i, o, f, c",
        CellKind.Gru => "z, r, h",
        _ => "one block",
    };

    /// <summary>Writes <paramref name="pyTorch"/> (gates in PyTorch order, blocks of <paramref name="blockLength"/>) into <paramref name="onnx"/> in ONNX order.</summary>
    public static void ToOnnx(CellKind cell, ReadOnlySpan<float> pyTorch, Span<float> onnx, int blockLength)
    {
        ReadOnlySpan<int> order = FromPyTorch(cell);
        for (int j = 0; j < order.Length; j++)
            pyTorch.Slice(order[j] * blockLength, blockLength).CopyTo(onnx.Slice(j * blockLength, blockLength));
    }

    /// <summary>The inverse of <see cref="ToOnnx"/>.</summary>
    public static void ToPyTorch(CellKind cell, ReadOnlySpan<float> onnx, Span<float> pyTorch, int blockLength)
    {
        ReadOnlySpan<int> order = FromPyTorch(cell);
        for (int j = 0; j < order.Length; j++)
            onnx.Slice(j * blockLength, blockLength).CopyTo(pyTorch.Slice(order[j] * blockLength, blockLength));
    }
}
