using System.Collections.Generic;

namespace RnnGen.Generator.Planning;

/// <summary>
/// Lays tensors out one after another in the flat parameter array. Offsets saturate at
/// int.MaxValue instead of wrapping: validation has already refused shapes that large, and a
/// saturated plan can never look valid.
/// </summary>
internal sealed class TensorTable
{
    private readonly List<TensorPlan> _tensors = new();

    /// <summary>Offset of the next tensor, and at the end the parameter count.</summary>
    public int Offset { get; private set; }

    /// <summary>The tensors in layout order.</summary>
    public EquatableArray<TensorPlan> ToArray() => _tensors.ToEquatableArray();

    /// <summary>An empty table starting at offset 0.</summary>
    public TensorTable() { }

    /// <summary>A table that starts with tensors laid out elsewhere (a sequence-to-sequence network's encoder) occupying [0, <paramref name="offset"/>).</summary>
    public TensorTable(IEnumerable<TensorPlan> placed, int offset)
    {
        _tensors.AddRange(placed);
        Offset = offset;
    }

    /// <summary>Appends a tensor at the current offset.</summary>
    public TensorPlan Add(string key, string property, InitKind init, int fanIn, string description, params int[] shape)
    {
        var t = new TensorPlan(key, property, Offset, shape.ToEquatableArray(), init, fanIn, description);
        long end = (long)Offset + t.Length;
        Offset = end > int.MaxValue ? int.MaxValue : (int)end;
        _tensors.Add(t);
        return t;
    }

    /// <summary>Gate blocks stacked in a cell's weights: LSTM 4 (i, f, g, o), GRU 3 (r, z, n), RNN 1.</summary>
    public static int GatesOf(Parsing.Cell cell) => cell switch { Parsing.Cell.Lstm => 4, Parsing.Cell.Gru => 3, _ => 1 };
}
