using System;
using System.Collections.Generic;

namespace RnnGen;

/// <summary>
/// One named parameter tensor inside a network's flat parameter array: PyTorch's name and shape,
/// and where its elements start. Save/load, safetensors, ONNX export and optimizers all read this table.
/// </summary>
public sealed class TensorDescriptor
{
    private readonly int[] _shape;

    /// <summary>Creates a descriptor.</summary>
    /// <param name="name">PyTorch <c>state_dict</c> key, for example <c>weight_ih_l0_reverse</c>.</param>
    /// <param name="offset">Index of the first element in the flat parameter array.</param>
    /// <param name="shape">Dimensions, outermost first (row-major).</param>
    public TensorDescriptor(string name, int offset, params int[] shape)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        ArgumentNullException.ThrowIfNull(shape);
        long length = 1;
        foreach (int d in shape)
        {
            if (d <= 0) throw new ArgumentOutOfRangeException(nameof(shape), $"Tensor '{name}' has a dimension of {d}; every dimension must be positive.");
            length *= d;
        }
        Name = name;
        Offset = offset;
        _shape = (int[])shape.Clone();
        Length = checked((int)length);
    }

    /// <summary>PyTorch <c>state_dict</c> key.</summary>
    public string Name { get; }

    /// <summary>Index of the first element in the flat parameter array.</summary>
    public int Offset { get; }

    /// <summary>Number of elements (product of <see cref="Shape"/>).</summary>
    public int Length { get; }

    /// <summary>Dimensions, outermost first.</summary>
    public IReadOnlyList<int> Shape => _shape;

    /// <summary>The shape written like <c>[512, 100]</c>, for messages.</summary>
    public string ShapeText => "[" + string.Join(", ", _shape) + "]";

    /// <summary>This tensor's elements within <paramref name="flat"/>.</summary>
    public Span<float> Slice(float[] flat) => flat.AsSpan(Offset, Length);

    /// <inheritdoc/>
    public override string ToString() => $"{Name} {ShapeText} @ {Offset}";
}

/// <summary>
/// What every generated network exposes to the runtime: the flat parameter and gradient arrays
/// and the table that names their slices. Optimizers, clipping and checkpoints work on this.
/// </summary>
public interface IRecurrentNetwork
{
    /// <summary>A one-line description of the network's shape; two networks with equal signatures have identical parameter layouts.</summary>
    string Signature { get; }

    /// <summary>All parameters, contiguous, in the order of <see cref="Tensors"/>.</summary>
    float[] Parameters { get; }

    /// <summary>Gradients, same layout as <see cref="Parameters"/>; backward passes accumulate into it.</summary>
    float[] Gradients { get; }

    /// <summary>Names, shapes and offsets of every parameter tensor.</summary>
    IReadOnlyList<TensorDescriptor> Tensors { get; }

    /// <summary>
    /// The layout of the sequence tensors the network reads and writes (its attribute's
    /// <see cref="RecurrentNetworkAttribute.Layout"/>); <see cref="SequenceLayout.BatchFirst"/> unless the network says otherwise.
    /// </summary>
    SequenceLayout Layout => SequenceLayout.BatchFirst;
}
