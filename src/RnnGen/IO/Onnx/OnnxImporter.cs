using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using Google.Protobuf;
using RnnGen.IO.Onnx.Proto;

namespace RnnGen.IO.Onnx;

/// <summary>
/// Loads the weights of an ONNX model's recurrent layers (and of its embedding and head, when the
/// network has them) into a generated network: the inverse of <see cref="OnnxExporter"/>, and it
/// reads models written by other tools (PyTorch's exporter, for instance) too.
/// </summary>
/// <remarks>
/// <para>What is read:</para>
/// <list type="bullet">
/// <item>Recurrent layers: the model's RNN/LSTM/GRU nodes in graph order, one per layer. Each node's
/// W [D, G·H, in], R [D, G·H, H] and optional B [D, 2·G·H] (absent = zeros) must be constants
/// (initializers or Constant nodes); gate blocks are reordered from ONNX's order (LSTM i,o,f,c;
/// GRU z,r,h) to PyTorch's (i,f,g,o; r,z,n). Supported attributes: <c>hidden_size</c>,
/// <c>direction</c> forward/bidirectional, <c>activations</c> equal to the cell's defaults (or Relu
/// for relu RNNs), GRU <c>linear_before_reset = 1</c>, <c>input_forget = 0</c>, <c>layout</c>.
/// Anything else (peepholes P, clip, activation parameters, reverse-only direction,
/// <c>linear_before_reset = 0</c>, …) is an <see cref="OnnxFormatException"/> naming it.</item>
/// <item>Embedding: the initializer <c>embedding.weight</c> [V, I], else the constant table of the
/// model's only Gather on a float constant.</item>
/// <item>Head: the initializers <c>head.weight</c> [O, D·H] and <c>head.bias</c> [O], else a MatMul
/// by a constant [D·H, O] followed by an Add of a constant [O], or a Gemm with constant B and C.</item>
/// </list>
/// <para>Everything is read and checked before the network is touched: on any error the
/// network's parameters are unchanged.</para>
/// </remarks>
public static class OnnxImporter
{
    /// <summary>Loads the weights of the ONNX model in the file at <paramref name="path"/> into <paramref name="network"/>.</summary>
    /// <exception cref="ArgumentException"><paramref name="shape"/> does not describe <paramref name="network"/>.</exception>
    /// <exception cref="OnnxFormatException">The file is not a valid ONNX model, or does not fit the network; the message says what and where.</exception>
    /// <exception cref="IOException">The file cannot be read.</exception>
    public static void LoadWeights(IRecurrentNetwork network, OnnxNetworkShape shape, string path)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(shape);
        ArgumentException.ThrowIfNullOrEmpty(path);
        shape.CheckAgainst(network);
        Load(network, shape, File.ReadAllBytes(path), $"The file '{path}'");
    }

    /// <summary>Loads the weights of the ONNX model read from the rest of <paramref name="stream"/> into <paramref name="network"/>.</summary>
    /// <exception cref="ArgumentException"><paramref name="shape"/> does not describe <paramref name="network"/>.</exception>
    /// <exception cref="OnnxFormatException">The bytes are not a valid ONNX model, or do not fit the network.</exception>
    public static void LoadWeights(IRecurrentNetwork network, OnnxNetworkShape shape, Stream stream)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(shape);
        ArgumentNullException.ThrowIfNull(stream);
        shape.CheckAgainst(network);
        using var buffer = new MemoryStream();
        stream.CopyTo(buffer);
        Load(network, shape, buffer.ToArray(), "The stream");
    }

    /// <summary>Loads the weights of the serialized ONNX model <paramref name="model"/> into <paramref name="network"/>.</summary>
    /// <exception cref="ArgumentException"><paramref name="shape"/> does not describe <paramref name="network"/>.</exception>
    /// <exception cref="OnnxFormatException">The bytes are not a valid ONNX model, or do not fit the network.</exception>
    public static void LoadWeights(IRecurrentNetwork network, OnnxNetworkShape shape, ReadOnlySpan<byte> model)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(shape);
        shape.CheckAgainst(network);
        Load(network, shape, model.ToArray(), "The model");
    }

    private static void Load(IRecurrentNetwork network, OnnxNetworkShape shape, byte[] bytes, string source)
    {
        ModelProto model;
        try
        {
            model = ModelProto.Parser.ParseFrom(bytes);
        }
        catch (InvalidProtocolBufferException e)
        {
            throw new OnnxFormatException($"{source} is not a valid ONNX model: {e.Message}", e);
        }

        var reader = new ModelReader(model, source);
        float[] staged = (float[])network.Parameters.Clone();
        var tensors = network.Tensors.ToDictionary(t => t.Name, StringComparer.Ordinal);
        reader.ReadRecurrentLayers(shape, tensors, staged);
        if (shape.HasEmbedding) reader.ReadEmbedding(shape, tensors["embedding.weight"].Slice(staged));
        if (shape.HasHead) reader.ReadHead(shape, tensors["head.weight"].Slice(staged), tensors["head.bias"].Slice(staged));
        staged.AsSpan().CopyTo(network.Parameters);
    }

    /// <summary>The checks and lookups of one parsed model.</summary>
    private sealed class ModelReader
    {
        private readonly GraphProto _graph;
        private readonly string _source;
        private readonly Dictionary<string, TensorProto> _constants = new(StringComparer.Ordinal);

        public ModelReader(ModelProto model, string source)
        {
            _source = source;
            _graph = model.Graph ?? throw new OnnxFormatException($"{source} has no graph.");
            bool hasOnnxOpset = false;
            foreach (OperatorSetIdProto opset in model.OpsetImport)
            {
                if (!IsOnnxDomain(opset.Domain)) continue;
                hasOnnxOpset = true;
                if (opset.Version < 7)
                    throw new OnnxFormatException($"{source} imports ONNX opset {opset.Version}; opset 7 or later is required (earlier RNN/LSTM/GRU definitions differ).");
            }
            if (!hasOnnxOpset)
                throw new OnnxFormatException($"{source} imports no ONNX operator set (opset_import has no entry for the default domain).");

            foreach (TensorProto t in _graph.Initializer)
            {
                if (t.Name.Length == 0) continue;
                if (!_constants.TryAdd(t.Name, t))
                    throw new OnnxFormatException($"{source} has two initializers named '{t.Name}'.");
            }
            foreach (NodeProto node in _graph.Node)
            {
                if (node.OpType != "Constant" || !IsOnnxDomain(node.Domain) || node.Output.Count != 1) continue;
                AttributeProto? value = node.Attribute.FirstOrDefault(a => a.Name == "value");
                if (value?.T is null) continue;
                if (!_constants.TryAdd(node.Output[0], value.T))
                    throw new OnnxFormatException($"{source}: Constant node '{node.Name}' produces '{node.Output[0]}', which is also an initializer or another constant.");
            }
        }

        public void ReadRecurrentLayers(OnnxNetworkShape shape, Dictionary<string, TensorDescriptor> tensors, float[] staged)
        {
            string expectedOp = shape.Cell switch { CellKind.Lstm => "LSTM", CellKind.Gru => "GRU", _ => "RNN" };
            var nodes = new List<NodeProto>();
            foreach (NodeProto node in _graph.Node)
            {
                if (!IsOnnxDomain(node.Domain) || node.OpType is not ("RNN" or "LSTM" or "GRU")) continue;
                if (node.OpType != expectedOp)
                    throw new OnnxFormatException($"{_source}: node {Describe(node)} is an {node.OpType}, but the network is made of {expectedOp} layers ({shape}).");
                nodes.Add(node);
            }
            if (nodes.Count == 0)
                throw new OnnxFormatException($"{_source} has no {expectedOp} node; the network has {shape.Layers} {expectedOp} layer(s).");
            if (nodes.Count != shape.Layers)
                throw new OnnxFormatException($"{_source} has {nodes.Count} {expectedOp} node(s); the network has {shape.Layers} layer(s), one node each.");

            for (int layer = 0; layer < nodes.Count; layer++)
                ReadLayer(nodes[layer], layer, shape, tensors, staged);
        }

        private void ReadLayer(NodeProto node, int layer, OnnxNetworkShape shape, Dictionary<string, TensorDescriptor> tensors, float[] staged)
        {
            string where = $"{_source}: {node.OpType} node {Describe(node)} (layer {layer})";
            CheckAttributes(node, where, shape);

            int lstmPeepholeInput = 7;
            if (shape.Cell == CellKind.Lstm && node.Input.Count > lstmPeepholeInput && node.Input[lstmPeepholeInput].Length > 0)
                throw new OnnxFormatException($"{where} has peephole weights P ('{node.Input[lstmPeepholeInput]}'); LSTMs with peepholes are not supported.");
            if (node.Input.Count < 3 || node.Input[1].Length == 0 || node.Input[2].Length == 0)
                throw new OnnxFormatException($"{where} lacks its weight input{(node.Input.Count < 2 || node.Input[1].Length == 0 ? " W" : " R")}.");

            int h = shape.HiddenSize, dirs = shape.Directions, gh = shape.GatesPerCell * h, input = shape.LayerInputSize(layer);
            float[] w = ReadFloats(node.Input[1], $"{where} input W", [dirs, gh, input]);
            float[] r = ReadFloats(node.Input[2], $"{where} input R", [dirs, gh, h]);
            float[] b = node.Input.Count > 3 && node.Input[3].Length > 0
                ? ReadFloats(node.Input[3], $"{where} input B", [dirs, 2 * gh])
                : new float[dirs * 2 * gh];

            for (int d = 0; d < dirs; d++)
            {
                string key = OnnxNetworkShape.TensorKey(layer, d);
                GateOrder.ToPyTorch(shape.Cell, w.AsSpan(d * gh * input, gh * input), tensors["weight_ih_l" + key].Slice(staged), h * input);
                GateOrder.ToPyTorch(shape.Cell, r.AsSpan(d * gh * h, gh * h), tensors["weight_hh_l" + key].Slice(staged), h * h);
                GateOrder.ToPyTorch(shape.Cell, b.AsSpan(d * 2 * gh, gh), tensors["bias_ih_l" + key].Slice(staged), h);
                GateOrder.ToPyTorch(shape.Cell, b.AsSpan(d * 2 * gh + gh, gh), tensors["bias_hh_l" + key].Slice(staged), h);
            }
        }

        private static void CheckAttributes(NodeProto node, string where, OnnxNetworkShape shape)
        {
            string direction = "forward";
            string[]? activations = null;
            long linearBeforeReset = 0;
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (AttributeProto a in node.Attribute)
            {
                if (!seen.Add(a.Name))
                    throw new OnnxFormatException($"{where} has attribute '{a.Name}' twice.");
                switch (a.Name)
                {
                    case "hidden_size":
                        long hidden = Int(a, where);
                        if (hidden != shape.HiddenSize)
                            throw new OnnxFormatException($"{where} has hidden_size {hidden}; the network's hidden size is {shape.HiddenSize}.");
                        break;
                    case "direction":
                        direction = Str(a, where);
                        break;
                    case "activations":
                        if (a.Type != AttributeProto.Types.AttributeType.Strings)
                            throw new OnnxFormatException($"{where}: attribute 'activations' is of type {a.Type}; STRINGS is required.");
                        activations = a.Strings.Select(s => Encoding.UTF8.GetString(s.Span)).ToArray();
                        break;
                    case "linear_before_reset" when shape.Cell == CellKind.Gru:
                        linearBeforeReset = Int(a, where);
                        break;
                    case "input_forget" when shape.Cell == CellKind.Lstm:
                        if (Int(a, where) != 0)
                            throw new OnnxFormatException($"{where} has input_forget = {a.I}; coupled input and forget gates are not supported.");
                        break;
                    case "layout":
                        long layout = Int(a, where);
                        if (layout is not (0 or 1))
                            throw new OnnxFormatException($"{where} has layout = {layout}; ONNX defines 0 (time-major) and 1 (batch-major).");
                        break; // Weights are laid out the same either way.
                    case "clip":
                        throw new OnnxFormatException($"{where} has attribute 'clip'; cell clipping is not supported.");
                    case "activation_alpha":
                    case "activation_beta":
                        throw new OnnxFormatException($"{where} has attribute '{a.Name}'; parameterized activations are not supported.");
                    default:
                        throw new OnnxFormatException($"{where} has attribute '{a.Name}', which is not supported for {node.OpType}.");
                }
            }

            switch (direction)
            {
                case "forward" when shape.Bidirectional:
                    throw new OnnxFormatException($"{where} is forward-only; the network is bidirectional.");
                case "bidirectional" when !shape.Bidirectional:
                    throw new OnnxFormatException($"{where} is bidirectional; the network is forward-only.");
                case "forward":
                case "bidirectional":
                    break;
                case "reverse":
                    throw new OnnxFormatException($"{where} has direction 'reverse'; reverse-only layers are not supported (RnnGen layers are forward or bidirectional).");
                default:
                    throw new OnnxFormatException($"{where} has direction '{direction}'; ONNX defines forward, reverse and bidirectional.");
            }

            if (shape.Cell == CellKind.Gru && linearBeforeReset != 1)
                throw new OnnxFormatException(
                    $"{where} has linear_before_reset = {linearBeforeReset}; only 1 is supported (RnnGen's GRU, like PyTorch's, applies the reset gate after the recurrent product: n = tanh(W_in x + b_in + r ⊙ (W_hn h + b_hn))).");

            string[] perDirection = shape.Cell switch
            {
                CellKind.Lstm => ["Sigmoid", "Tanh", "Tanh"],
                CellKind.Gru => ["Sigmoid", "Tanh"],
                _ => [shape.Relu ? "Relu" : "Tanh"],
            };
            if (activations is null)
            {
                if (shape.Relu)
                    throw new OnnxFormatException($"{where} uses the default activation Tanh; the network is a relu RNN.");
                return;
            }
            string[] expected = Enumerable.Range(0, shape.Directions).SelectMany(_ => perDirection).ToArray();
            if (!activations.SequenceEqual(expected, StringComparer.OrdinalIgnoreCase))
                throw new OnnxFormatException(
                    $"{where} has activations [{string.Join(", ", activations)}]; the network needs [{string.Join(", ", expected)}] (other activations are not supported).");
        }

        public void ReadEmbedding(OnnxNetworkShape shape, Span<float> destination)
        {
            string name = "embedding.weight";
            if (!_constants.ContainsKey(name))
            {
                var candidates = _graph.Node
                    .Where(n => n.OpType == "Gather" && IsOnnxDomain(n.Domain) && n.Input.Count >= 1
                        && _constants.TryGetValue(n.Input[0], out TensorProto? t) && t.DataType == (int)TensorProto.Types.DataType.Float)
                    .Select(n => n.Input[0]).Distinct().ToList();
                if (candidates.Count != 1)
                    throw new OnnxFormatException(
                        $"{_source} has no initializer 'embedding.weight' and {(candidates.Count == 0 ? "no" : candidates.Count.ToString(CultureInfo.InvariantCulture))} Gather node(s) on a constant float table; the network has an embedding [{shape.VocabularySize}, {shape.InputSize}].");
                name = candidates[0];
            }
            ReadFloats(name, $"{_source}: embedding table '{name}'", [shape.VocabularySize, shape.InputSize]).CopyTo(destination);
        }

        public void ReadHead(OnnxNetworkShape shape, Span<float> weight, Span<float> bias)
        {
            int o = shape.OutputSize, features = shape.Directions * shape.HiddenSize;
            if (_constants.ContainsKey("head.weight") || _constants.ContainsKey("head.bias"))
            {
                ReadFloats("head.weight", $"{_source}: head weight 'head.weight'", [o, features]).CopyTo(weight);
                ReadFloats("head.bias", $"{_source}: head bias 'head.bias'", [o]).CopyTo(bias);
                return;
            }

            // A MatMul by a constant [features, O] whose result gets a constant [O] added, or a Gemm.
            foreach (NodeProto node in _graph.Node)
            {
                if (!IsOnnxDomain(node.Domain) || node.Input.Count < 2 || node.Output.Count < 1) continue;
                if (node.OpType == "MatMul" && IsFloatConstant(node.Input[1], features, o))
                {
                    NodeProto? add = _graph.Node.FirstOrDefault(n => n.OpType == "Add" && IsOnnxDomain(n.Domain) && n.Input.Count == 2 && n.Input.Contains(node.Output[0]));
                    string? biasName = add?.Input.FirstOrDefault(i => i != node.Output[0] && IsFloatConstant(i, o));
                    if (biasName is null) continue;
                    float[] transposed = ReadFloats(node.Input[1], $"{_source}: head weight '{node.Input[1]}' of MatMul {Describe(node)}", [features, o]);
                    Transpose(transposed, weight, features, o);
                    ReadFloats(biasName, $"{_source}: head bias '{biasName}'", [o]).CopyTo(bias);
                    return;
                }
                if (node.OpType == "Gemm" && node.Input.Count >= 3)
                {
                    long transB = 0;
                    foreach (AttributeProto a in node.Attribute)
                    {
                        switch (a.Name)
                        {
                            case "transB": transB = Int(a, $"{_source}: Gemm {Describe(node)}"); break;
                            case "transA" when a.I != 0:
                            case "alpha" when a.F != 1f:
                            case "beta" when a.F != 1f:
                                throw new OnnxFormatException($"{_source}: Gemm {Describe(node)} has attribute '{a.Name}' other than its default; only a plain linear layer is supported as the head.");
                        }
                    }
                    int[] dims = transB != 0 ? [o, features] : [features, o];
                    if (!IsFloatConstant(node.Input[1], dims) || !IsFloatConstant(node.Input[2], o)) continue;
                    float[] w = ReadFloats(node.Input[1], $"{_source}: head weight '{node.Input[1]}' of Gemm {Describe(node)}", dims);
                    if (transB != 0) w.CopyTo(weight);
                    else Transpose(w, weight, features, o);
                    ReadFloats(node.Input[2], $"{_source}: head bias '{node.Input[2]}'", [o]).CopyTo(bias);
                    return;
                }
            }
            throw new OnnxFormatException(
                $"{_source} has no initializers 'head.weight' [{o}, {features}] and 'head.bias' [{o}], and no MatMul + Add or Gemm with constant weights of those sizes; the network has a head.");
        }

        private static void Transpose(ReadOnlySpan<float> rowsByColumns, Span<float> destination, int rows, int columns)
        {
            for (int i = 0; i < rows; i++)
                for (int j = 0; j < columns; j++)
                    destination[j * rows + i] = rowsByColumns[i * columns + j];
        }

        private bool IsFloatConstant(string name, params int[] dims) =>
            _constants.TryGetValue(name, out TensorProto? t)
            && t.DataType == (int)TensorProto.Types.DataType.Float
            && t.Dims.Count == dims.Length
            && t.Dims.Zip(dims).All(p => p.First == p.Second);

        private float[] ReadFloats(string name, string what, int[] expectedDims)
        {
            if (!_constants.TryGetValue(name, out TensorProto? t))
            {
                NodeProto? producer = _graph.Node.FirstOrDefault(n => n.Output.Contains(name));
                throw new OnnxFormatException(producer is null
                    ? $"{what}: '{name}' is not an initializer of the graph (nor a Constant)."
                    : $"{what}: '{name}' is computed by {producer.OpType} node {Describe(producer)}; only constant weights (initializers or Constant nodes) can be loaded.");
            }
            int[] dims = TensorData.Dims(t, $"{what} ('{name}')");
            if (!dims.AsSpan().SequenceEqual(expectedDims))
                throw new OnnxFormatException($"{what} ('{name}') has shape [{string.Join(", ", dims)}]; the network needs [{string.Join(", ", expectedDims)}].");
            return TensorData.Floats(t, TensorData.Count(dims), $"{what} ('{name}')");
        }

        private static long Int(AttributeProto a, string where) =>
            a.Type == AttributeProto.Types.AttributeType.Int
                ? a.I
                : throw new OnnxFormatException($"{where}: attribute '{a.Name}' is of type {a.Type}; INT is required.");

        private static string Str(AttributeProto a, string where) =>
            a.Type == AttributeProto.Types.AttributeType.String
                ? Encoding.UTF8.GetString(a.S.Span)
                : throw new OnnxFormatException($"{where}: attribute '{a.Name}' is of type {a.Type}; STRING is required.");

        private string Describe(NodeProto node) =>
            node.Name.Length > 0 ? $"'{node.Name}'" : $"#{_graph.Node.IndexOf(node)}";
    }

    private static bool IsOnnxDomain(string domain) => domain.Length == 0 || domain == "ai.onnx";
}
