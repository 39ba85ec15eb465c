using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;

namespace RnnGen.IO.Onnx;

/// <summary>
/// The shape of a generated network as ONNX export and import need it: the same numbers as the
/// network's <c>[RecurrentNetwork]</c> attribute. <see cref="IRecurrentNetwork"/> exposes only the
/// tensor table, which cannot tell a tanh RNN from a relu RNN, so the exporter and importer take
/// this record and check it against the table (<see cref="CheckAgainst"/>) before they do anything.
/// </summary>
/// <param name="Cell">The recurrent cell of every layer.</param>
/// <param name="InputSize">Features per step entering layer 0 (the embedding width when <paramref name="VocabularySize"/> &gt; 0).</param>
/// <param name="HiddenSize">Hidden units per layer and direction.</param>
/// <param name="Layers">Stacked layers, 1 or more.</param>
/// <param name="Bidirectional">Whether every layer also reads right to left.</param>
/// <param name="Relu">For <see cref="CellKind.Rnn"/>: relu instead of tanh. Must be false for other cells.</param>
/// <param name="VocabularySize">Embedding rows when the input is token ids; 0 for dense input.</param>
/// <param name="OutputSize">Classes of the linear + log-softmax head; 0 for none.</param>
/// <example>
/// For <c>[RecurrentNetwork(CellKind.Lstm, InputSize = 100, HiddenSize = 128, Layers = 2, Direction = Direction.Bidirectional, VocabularySize = 20_000, OutputSize = 17)]</c>:
/// <code>new OnnxNetworkShape(CellKind.Lstm, 100, 128, 2, Bidirectional: true, Relu: false, VocabularySize: 20_000, OutputSize: 17)</code>
/// or, for any generated network, <c>OnnxNetworkShape.Of(net)</c>.
/// </example>
public sealed record OnnxNetworkShape(
    CellKind Cell, int InputSize, int HiddenSize, int Layers, bool Bidirectional, bool Relu, int VocabularySize, int OutputSize)
{
    /// <summary>1, or 2 when <see cref="Bidirectional"/>.</summary>
    public int Directions => Bidirectional ? 2 : 1;

    /// <summary>Gate blocks stacked in each weight matrix: 4 (LSTM), 3 (GRU) or 1 (RNN).</summary>
    public int GatesPerCell => Cell switch { CellKind.Lstm => 4, CellKind.Gru => 3, _ => 1 };

    /// <summary>Whether the input is token ids looked up in <c>embedding.weight</c>.</summary>
    public bool HasEmbedding => VocabularySize > 0;

    /// <summary>Whether a linear head with log-softmax follows the last layer.</summary>
    public bool HasHead => OutputSize > 0;

    /// <summary>Values per step of the network's output: <see cref="OutputSize"/> with a head, else Directions × HiddenSize.</summary>
    public int StepOutputSize => HasHead ? OutputSize : Directions * HiddenSize;

    /// <summary>Features per step entering layer <paramref name="layer"/>.</summary>
    public int LayerInputSize(int layer) => layer == 0 ? InputSize : Directions * HiddenSize;

    /// <summary>
    /// Describes a generated network from its <see cref="IRecurrentNetwork.Signature"/> (for
    /// example <c>Lstm I=6 H=7 L=2 bidirectional V=11 O=5</c>, the only place the RNN
    /// nonlinearity is visible) and checks the result against its tensor table.
    /// </summary>
    /// <exception cref="ArgumentException">The signature is not in that form, or disagrees with the tensor table.</exception>
    public static OnnxNetworkShape Of(IRecurrentNetwork network)
    {
        ArgumentNullException.ThrowIfNull(network);
        OnnxNetworkShape shape = ParseSignature(network.Signature)
            ?? throw new ArgumentException(
                $"The network's signature '{network.Signature}' is not of the form 'Lstm I=.. H=.. L=.. forward|bidirectional V=.. O=..'; describe the network with an explicit OnnxNetworkShape.",
                nameof(network));
        shape.CheckAgainst(network);
        return shape;
    }

    /// <summary>
    /// Checks that this shape is valid and that <paramref name="network"/>'s tensor table holds
    /// exactly the tensors (PyTorch names and shapes) a network of this shape has.
    /// </summary>
    /// <exception cref="ArgumentException">The shape is invalid or the table differs; the message names the first difference.</exception>
    public void CheckAgainst(IRecurrentNetwork network)
    {
        ArgumentNullException.ThrowIfNull(network);
        Validate();
        // A reset-first GRU has the same tensors as PyTorch's GRU but other equations: never let the
        // table check pass it off as a linear_before_reset = 1 node.
        if (network.Signature.Contains(" reset-before-linear", StringComparison.Ordinal))
            throw new ArgumentException($"The network '{network.Signature}' is a GRU with LinearBeforeReset = false; ONNX export and import support linear_before_reset = 1 only.", nameof(network));
        var actual = new Dictionary<string, TensorDescriptor>(StringComparer.Ordinal);
        foreach (TensorDescriptor t in network.Tensors) actual[t.Name] = t;
        foreach ((string name, int[] dims) in ExpectedTensors())
        {
            if (!actual.Remove(name, out TensorDescriptor? t))
                throw new ArgumentException($"The network has no tensor '{name}', which a network of shape {this} has (network signature: '{network.Signature}').", nameof(network));
            if (!t.Shape.SequenceEqual(dims))
                throw new ArgumentException($"Tensor '{name}' of the network is {t.ShapeText}; shape {this} needs {Text(dims)} (network signature: '{network.Signature}').", nameof(network));
            if ((long)t.Offset + t.Length > network.Parameters.Length)
                throw new ArgumentException($"Tensor '{name}' ends at {(long)t.Offset + t.Length}, past the {network.Parameters.Length} parameters.", nameof(network));
        }
        if (actual.Count > 0)
            throw new ArgumentException($"The network has tensor '{actual.Keys.First()}', which a network of shape {this} does not have (network signature: '{network.Signature}').", nameof(network));
    }

    /// <summary>Every parameter tensor of this shape with its PyTorch name and shape, in the generator's order.</summary>
    internal IEnumerable<(string Name, int[] Shape)> ExpectedTensors()
    {
        if (HasEmbedding) yield return ("embedding.weight", [VocabularySize, InputSize]);
        int gh = GatesPerCell * HiddenSize;
        for (int layer = 0; layer < Layers; layer++)
        {
            for (int d = 0; d < Directions; d++)
            {
                string key = TensorKey(layer, d);
                yield return ("weight_ih_l" + key, [gh, LayerInputSize(layer)]);
                yield return ("weight_hh_l" + key, [gh, HiddenSize]);
                yield return ("bias_ih_l" + key, [gh]);
                yield return ("bias_hh_l" + key, [gh]);
            }
        }
        if (HasHead)
        {
            yield return ("head.weight", [OutputSize, Directions * HiddenSize]);
            yield return ("head.bias", [OutputSize]);
        }
    }

    /// <summary><c>0</c>, <c>0_reverse</c>, <c>1</c>, …: the suffix of a layer's PyTorch tensor names.</summary>
    internal static string TensorKey(int layer, int direction) =>
        layer.ToString(CultureInfo.InvariantCulture) + (direction == 1 ? "_reverse" : "");

    /// <summary>Throws if the numbers cannot describe a network.</summary>
    internal void Validate()
    {
        if (!Enum.IsDefined(Cell)) throw new ArgumentException($"Cell {(int)Cell} is not a CellKind.", "shape");
        if (InputSize <= 0) throw new ArgumentException($"InputSize is {InputSize}; it must be positive.", "shape");
        if (HiddenSize <= 0) throw new ArgumentException($"HiddenSize is {HiddenSize}; it must be positive.", "shape");
        if (Layers <= 0) throw new ArgumentException($"Layers is {Layers}; it must be positive.", "shape");
        if (VocabularySize < 0) throw new ArgumentException($"VocabularySize is {VocabularySize}; it must be 0 (dense input) or positive.", "shape");
        if (OutputSize < 0) throw new ArgumentException($"OutputSize is {OutputSize}; it must be 0 (no head) or positive.", "shape");
        if (Relu && Cell != CellKind.Rnn) throw new ArgumentException($"Relu is only an option of RNN cells, not of {Cell}.", "shape");
        _ = checked(GatesPerCell * HiddenSize * Math.Max(InputSize, Directions * HiddenSize));
    }

    /// <summary>Parses the generator's signature format; null when it is not in that format.</summary>
    internal static OnnxNetworkShape? ParseSignature(string? signature)
    {
        if (string.IsNullOrWhiteSpace(signature)) return null;
        string[] parts = signature.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length != 7) return null;
        (CellKind cell, bool relu) cellPart;
        switch (parts[0])
        {
            case "Lstm": cellPart = (CellKind.Lstm, false); break;
            case "Gru": cellPart = (CellKind.Gru, false); break;
            case "Rnn(tanh)": cellPart = (CellKind.Rnn, false); break;
            case "Rnn(relu)": cellPart = (CellKind.Rnn, true); break;
            default: return null;
        }
        bool bidirectional;
        switch (parts[4])
        {
            case "forward": bidirectional = false; break;
            case "bidirectional": bidirectional = true; break;
            default: return null;
        }
        if (!Number(parts[1], "I=", out int input) || !Number(parts[2], "H=", out int hidden) || !Number(parts[3], "L=", out int layers)
            || !Number(parts[5], "V=", out int vocabulary) || !Number(parts[6], "O=", out int output))
            return null;
        return new OnnxNetworkShape(cellPart.cell, input, hidden, layers, bidirectional, cellPart.relu, vocabulary, output);

        static bool Number(string part, string prefix, out int value)
        {
            value = 0;
            return part.StartsWith(prefix, StringComparison.Ordinal)
                && int.TryParse(part.AsSpan(prefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out value);
        }
    }

    internal static string Text(IEnumerable<long> dims) => "[" + string.Join(", ", dims) + "]";

    private static string Text(int[] dims) => "[" + string.Join(", ", dims) + "]";

    /// <inheritdoc/>
    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture,
            $"{(Cell == CellKind.Rnn ? (Relu ? "Rnn(relu)" : "Rnn(tanh)") : Cell.ToString())} I={InputSize} H={HiddenSize} L={Layers} {(Bidirectional ? "bidirectional" : "forward")} V={VocabularySize} O={OutputSize}");
}
