using System;
using System.Collections.Generic;
using System.Numerics.Tensors;

namespace RnnGen;

/// <summary>
/// A lookup table of vectors whose row count is known only at run time (a vocabulary built from
/// data), for feeding a generated network with a dense input. Implements
/// <see cref="IRecurrentNetwork"/> so optimizers, clipping and checkpoints treat it like any network.
/// </summary>
public sealed class EmbeddingTable : IRecurrentNetwork
{
    private readonly TensorDescriptor[] _tensors;

    /// <summary>Creates a table initialized N(0, 1) like <c>nn.Embedding</c>, scaled by <paramref name="scale"/>.</summary>
    /// <param name="name">Tensor name used in checkpoints and safetensors files, e.g. <c>word_embedding.weight</c>.</param>
    /// <param name="rows">Number of rows (vocabulary size).</param>
    /// <param name="width">Length of each vector.</param>
    /// <param name="seed">Seed of the initialization.</param>
    /// <param name="scale">Standard deviation of the initial values.</param>
    public EmbeddingTable(string name, int rows, int width, ulong seed, float scale = 1f)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(rows);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(width);
        Rows = rows;
        Width = width;
        Parameters = new float[checked(rows * width)];
        Gradients = new float[Parameters.Length];
        _tensors = [new TensorDescriptor(name, 0, rows, width)];
        var random = new SeededRandom(seed);
        for (int i = 0; i < Parameters.Length; i++) Parameters[i] = scale * random.NextGaussian();
    }

    /// <summary>Number of rows.</summary>
    public int Rows { get; }

    /// <summary>Length of each vector.</summary>
    public int Width { get; }

    /// <inheritdoc/>
    public string Signature => $"Embedding {_tensors[0].Name} [{Rows}, {Width}]";

    /// <inheritdoc/>
    public float[] Parameters { get; }

    /// <inheritdoc/>
    public float[] Gradients { get; }

    /// <inheritdoc/>
    public IReadOnlyList<TensorDescriptor> Tensors => _tensors;

    /// <summary>The vector of row <paramref name="id"/>.</summary>
    public ReadOnlySpan<float> Row(int id)
    {
        if ((uint)id >= (uint)Rows) throw new ArgumentOutOfRangeException(nameof(id), id, $"Row ids are in [0, {Rows}).");
        return Parameters.AsSpan(id * Width, Width);
    }

    /// <summary>Adds <paramref name="gradient"/> to the gradient of row <paramref name="id"/>.</summary>
    public void AccumulateGradient(int id, ReadOnlySpan<float> gradient)
    {
        if ((uint)id >= (uint)Rows) throw new ArgumentOutOfRangeException(nameof(id), id, $"Row ids are in [0, {Rows}).");
        NetworkArguments.CheckLength(gradient.Length, Width, nameof(gradient), "[Width]");
        Span<float> row = Gradients.AsSpan(id * Width, Width);
        TensorPrimitives.Add(row, gradient, row);
    }
}
