using System;

namespace RnnGen.IO.Onnx;

/// <summary>Options of <see cref="OnnxExporter"/>.</summary>
public sealed class OnnxExportOptions
{
    private int _opset = OnnxExporter.DefaultOpset;

    /// <summary>
    /// The ONNX opset the model imports, from <see cref="OnnxExporter.MinOpset"/> (14, the first with
    /// today's RNN/LSTM/GRU) to <see cref="OnnxExporter.MaxOpset"/>. Default 14. The graph is the same
    /// for every opset in the range; only the declared version (and the IR version) changes.
    /// </summary>
    public int Opset
    {
        get => _opset;
        init
        {
            if (value < OnnxExporter.MinOpset || value > OnnxExporter.MaxOpset)
                throw new ArgumentOutOfRangeException(nameof(Opset), value, $"The opset must be between {OnnxExporter.MinOpset} and {OnnxExporter.MaxOpset}.");
            _opset = value;
        }
    }

    /// <summary>
    /// Whether the graph takes the initial states as inputs: <c>initial_h</c> (and <c>initial_c</c>
    /// for LSTM) of shape [Layers × Directions, batch, HiddenSize], like the generated
    /// <c>Forward</c>'s <c>initialHidden</c>/<c>initialCell</c>. Without them the states start at zero.
    /// Default false (ONNX graph inputs cannot be left out at run time).
    /// </summary>
    public bool InitialStateInputs { get; init; }

    /// <summary>The graph's name. Default <c>rnngen</c>.</summary>
    public string GraphName { get; init; } = "rnngen";
}
