using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using Google.Protobuf;
using RnnGen.IO.Onnx.Proto;

namespace RnnGen.IO.Onnx;

/// <summary>
/// Writes a generated network as an ONNX model that computes what the network's <c>Forward</c>
/// computes, with the same inputs and outputs (see docs/onnx.md).
/// </summary>
/// <remarks>
/// <para>The graph, for a network of shape (cell, I, H, L layers, D directions, V, O) and batch-first
/// layout (<see cref="SequenceLayout.BatchFirst"/>, the default):</para>
/// <code>
/// inputs   input          float [batch, steps, I]         (dense networks)
///          tokens         int64 [batch, steps]            (networks with an embedding)
///          sequence_lens  int32 [batch]                   each in 1..steps
///          initial_h      float [L·D, batch, H]           (only with InitialStateInputs)
///          initial_c      float [L·D, batch, H]           (LSTM, only with InitialStateInputs)
/// outputs  output         float [batch, steps, O or D·H]  log-probabilities with a head, else
///                                                         the last layer's states [forward; reverse];
///                                                         zero at padded steps, like Forward
///          final_hidden   float [L·D, batch, H]           state at each sequence's own end
///          final_cell     float [L·D, batch, H]           (LSTM)
///
/// valid[b, t] = t &lt; sequence_lens[b]                    Shape, Gather, Range, Cast, Unsqueeze, Less
/// x0 = Transpose(input, [1, 0, 2])                        ONNX recurrent ops are time-major
///   or Gather(embedding.weight, Transpose(Where(valid, tokens, 0)))  padded ids never index the table
/// per layer k:
///   Y, Y_h[, Y_c] = RNN|LSTM|GRU(x_k, W, R, B, sequence_lens[, initial states sliced for layer k])
///     W [D, G·H, in], R [D, G·H, H], B [D, 2·G·H] = [bias_ih; bias_hh], gates in ONNX order
///     GRU: linear_before_reset = 1; relu RNN: activations = Relu per direction
///   x_{k+1} = Reshape(Transpose(Y, [0, 2, 1, 3]), [0, 0, -1])      [T, B, D·H]
/// features = Reshape(Transpose(Y_last, [2, 0, 1, 3]), [0, 0, -1])  [B, T, D·H]
/// head: LogSoftmax(MatMul(features, Transpose(head.weight)) + head.bias, axis = -1)
/// output = Where(valid, features or log-probs, 0)
/// final_hidden = Concat(Y_h of every layer, axis 0), final_cell likewise
/// </code>
/// <para>
/// A time-major network (<see cref="SequenceLayout.TimeMajor"/>, its <see cref="IRecurrentNetwork.Layout"/>)
/// is exported with time-major inputs and output, as its <c>Forward</c> takes them: <c>input</c>
/// [steps, batch, I], <c>tokens</c> [steps, batch], <c>output</c> [steps, batch, O or D·H];
/// valid[t, b] is built the other way round, X needs no Transpose, the recurrent nodes say
/// <c>layout = 0</c>, and the last Y goes through the same Transpose [0, 2, 1, 3] and Reshape as
/// between layers. States are [L·D, batch, H] in both layouts.
/// </para>
/// <para>
/// The padded steps of <c>output</c> are masked to zero in the graph, because ONNX defines only
/// the real steps of Y, and a head turns a zero state into log-softmax of the bias.
/// Parameter initializers keep PyTorch's names where the tensor is stored unchanged
/// (<c>embedding.weight</c>, <c>head.weight</c>, <c>head.bias</c>); the recurrent ones are
/// <c>layer{k}.W</c>, <c>layer{k}.R</c>, <c>layer{k}.B</c>.
/// </para>
/// </remarks>
public static class OnnxExporter
{
    /// <summary>The opset the exporter declares unless told otherwise.</summary>
    public const int DefaultOpset = 14;

    /// <summary>The lowest opset the exporter can declare (RNN, LSTM and GRU version 14).</summary>
    public const int MinOpset = 14;

    /// <summary>The highest opset the exporter can declare (RNN, LSTM and GRU version 22).</summary>
    public const int MaxOpset = 22;

    /// <summary>Graph input of dense networks: float [batch, steps, InputSize] ([steps, batch, InputSize] for a time-major network).</summary>
    public const string InputName = "input";

    /// <summary>Graph input of networks with an embedding: int64 [batch, steps] ([steps, batch] for a time-major network).</summary>
    public const string TokensName = "tokens";

    /// <summary>Graph input: int32 [batch], each sequence's length (1..steps).</summary>
    public const string SequenceLengthsName = "sequence_lens";

    /// <summary>Optional graph input: float [Layers × Directions, batch, HiddenSize].</summary>
    public const string InitialHiddenName = "initial_h";

    /// <summary>Optional graph input of LSTMs: float [Layers × Directions, batch, HiddenSize].</summary>
    public const string InitialCellName = "initial_c";

    /// <summary>Graph output: float [batch, steps, StepOutputSize] ([steps, batch, StepOutputSize] for a time-major network).</summary>
    public const string OutputName = "output";

    /// <summary>Graph output: float [Layers × Directions, batch, HiddenSize].</summary>
    public const string FinalHiddenName = "final_hidden";

    /// <summary>Graph output of LSTMs: float [Layers × Directions, batch, HiddenSize].</summary>
    public const string FinalCellName = "final_cell";

    /// <summary>Writes the model to the file at <paramref name="path"/> (created or replaced).</summary>
    /// <exception cref="ArgumentException"><paramref name="shape"/> does not describe <paramref name="network"/>.</exception>
    public static void Export(IRecurrentNetwork network, OnnxNetworkShape shape, string path, OnnxExportOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        byte[] bytes = ExportToBytes(network, shape, options);
        File.WriteAllBytes(path, bytes);
    }

    /// <summary>Writes the model to <paramref name="destination"/>.</summary>
    /// <exception cref="ArgumentException"><paramref name="shape"/> does not describe <paramref name="network"/>.</exception>
    public static void Export(IRecurrentNetwork network, OnnxNetworkShape shape, Stream destination, OnnxExportOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(destination);
        BuildModel(network, shape, options ?? new OnnxExportOptions()).WriteTo(destination);
    }

    /// <summary>The serialized model.</summary>
    /// <exception cref="ArgumentException"><paramref name="shape"/> does not describe <paramref name="network"/>.</exception>
    public static byte[] ExportToBytes(IRecurrentNetwork network, OnnxNetworkShape shape, OnnxExportOptions? options = null) =>
        BuildModel(network, shape, options ?? new OnnxExportOptions()).ToByteArray();

    /// <summary>The IR version that goes with an opset (ONNX 1.9 … 1.17).</summary>
    internal static long IrVersionFor(int opset) => opset switch
    {
        <= 18 => 8,
        <= 20 => 9,
        _ => 10,
    };

    internal static ModelProto BuildModel(IRecurrentNetwork network, OnnxNetworkShape shape, OnnxExportOptions options)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(shape);
        shape.CheckAgainst(network);
        var tensors = network.Tensors.ToDictionary(t => t.Name, StringComparer.Ordinal);
        float[] parameters = network.Parameters;
        int h = shape.HiddenSize, dirs = shape.Directions, gates = shape.GatesPerCell, states = shape.Layers * dirs;
        bool lstm = shape.Cell == CellKind.Lstm;
        // The sequence tensors' layout is the network's: time-major ones need no Transpose on the way in or out.
        bool timeMajor = network.Layout == SequenceLayout.TimeMajor;
        object[] sequenceDims = timeMajor ? ["steps", "batch"] : ["batch", "steps"];
        string sequenceText = timeMajor ? "steps, batch" : "batch, steps";

        var g = new GraphBuilder(options.GraphName);
        g.Graph.DocString =
            $"RnnGen network {shape}. {(timeMajor ? "Time-major" : "Batch-first")} like the generated Forward: {(shape.HasEmbedding ? TokensName + $" int64 [{sequenceText}]" : InputName + $" float [{sequenceText}, " + shape.InputSize + "]")}, "
            + $"{SequenceLengthsName} int32 [batch]; {OutputName} [{sequenceText}, {shape.StepOutputSize}] "
            + (shape.HasHead ? "log-probabilities" : "hidden states [forward; reverse]") + ", zero at padded steps; "
            + $"{FinalHiddenName}{(lstm ? "/" + FinalCellName : "")} [{states}, batch, {h}].";

        // ---- inputs
        string source = shape.HasEmbedding ? TokensName : InputName;
        if (shape.HasEmbedding)
            g.Input(TokensName, TensorProto.Types.DataType.Int64, sequenceDims);
        else
            g.Input(InputName, TensorProto.Types.DataType.Float, [.. sequenceDims, shape.InputSize]);
        g.Input(SequenceLengthsName, TensorProto.Types.DataType.Int32, "batch");
        if (options.InitialStateInputs)
        {
            g.Input(InitialHiddenName, TensorProto.Types.DataType.Float, states, "batch", h);
            if (lstm) g.Input(InitialCellName, TensorProto.Types.DataType.Float, states, "batch", h);
        }

        // ---- valid[b, t] = t < sequence_lens[b] (valid[t, b] when time-major): masks padded token ids and padded output rows.
        string zeroI64 = g.ConstInt64("rnngen.zero_i64", [], 0);
        string oneI64 = g.ConstInt64("rnngen.one_i64", [], 1);
        string axes0 = g.ConstInt64("rnngen.axes_0", [1], 0);
        string axes1 = g.ConstInt64("rnngen.axes_1", [1], 1);
        string axes2 = g.ConstInt64("rnngen.axes_2", [1], 2);
        string mergeLast = g.ConstInt64("rnngen.shape_0_0_-1", [3], 0, 0, -1);
        string zeroF = g.ConstFloat("rnngen.zero_f", [], 0f);

        string inputShape = g.Node("Shape", "mask/input_shape", [source]);
        string steps = g.Node("Gather", "mask/steps", [inputShape, timeMajor ? zeroI64 : oneI64], GraphBuilder.Int("axis", 0));
        string stepIndex = g.Node("Range", "mask/step_index", [zeroI64, steps, oneI64]);
        string stepRow = timeMajor
            ? g.Node("Unsqueeze", "mask/step_column", [stepIndex, axes1])
            : g.Node("Unsqueeze", "mask/step_row", [stepIndex, axes0]);
        string lengths64 = g.Node("Cast", "mask/lengths_i64", [SequenceLengthsName], GraphBuilder.Int("to", (long)TensorProto.Types.DataType.Int64));
        string lengthColumn = timeMajor
            ? g.Node("Unsqueeze", "mask/length_row", [lengths64, axes0])
            : g.Node("Unsqueeze", "mask/length_column", [lengths64, axes1]);
        string valid = g.Node("Less", "mask/valid", [stepRow, lengthColumn]);

        // ---- layer 0 input, time-major [T, B, I]
        string x;
        if (shape.HasEmbedding)
        {
            TensorDescriptor emb = tensors["embedding.weight"];
            g.Initializer(emb.Name, TensorProto.Types.DataType.Float, [shape.VocabularySize, shape.InputSize], emb.Slice(parameters));
            string cleanTokens = g.Node("Where", "embedding/tokens_masked", [valid, TokensName, zeroI64]);
            string tokensTm = timeMajor ? cleanTokens : g.Node("Transpose", "embedding/tokens_time_major", [cleanTokens], GraphBuilder.Ints("perm", 1, 0));
            x = g.Node("Gather", "embedding/lookup", [emb.Name, tokensTm], GraphBuilder.Int("axis", 0));
        }
        else
        {
            x = timeMajor ? InputName : g.Node("Transpose", "input/time_major", [InputName], GraphBuilder.Ints("perm", 1, 0, 2));
        }

        // ---- recurrent layers
        string opType = shape.Cell switch { CellKind.Lstm => "LSTM", CellKind.Gru => "GRU", _ => "RNN" };
        var finalHidden = new List<string>();
        var finalCell = new List<string>();
        string lastY = "";
        for (int layer = 0; layer < shape.Layers; layer++)
        {
            string prefix = "layer" + layer.ToString(CultureInfo.InvariantCulture);
            int input = shape.LayerInputSize(layer);
            int gh = gates * h;
            var w = new float[dirs * gh * input];
            var r = new float[dirs * gh * h];
            var b = new float[dirs * 2 * gh];
            for (int d = 0; d < dirs; d++)
            {
                string key = OnnxNetworkShape.TensorKey(layer, d);
                GateOrder.ToOnnx(shape.Cell, tensors["weight_ih_l" + key].Slice(parameters), w.AsSpan(d * gh * input, gh * input), h * input);
                GateOrder.ToOnnx(shape.Cell, tensors["weight_hh_l" + key].Slice(parameters), r.AsSpan(d * gh * h, gh * h), h * h);
                GateOrder.ToOnnx(shape.Cell, tensors["bias_ih_l" + key].Slice(parameters), b.AsSpan(d * 2 * gh, gh), h);
                GateOrder.ToOnnx(shape.Cell, tensors["bias_hh_l" + key].Slice(parameters), b.AsSpan(d * 2 * gh + gh, gh), h);
            }
            g.Initializer(prefix + ".W", TensorProto.Types.DataType.Float, [dirs, gh, input], w);
            g.Initializer(prefix + ".R", TensorProto.Types.DataType.Float, [dirs, gh, h], r);
            g.Initializer(prefix + ".B", TensorProto.Types.DataType.Float, [dirs, 2 * gh], b);

            string initialH = "", initialC = "";
            if (options.InitialStateInputs)
            {
                if (shape.Layers == 1)
                {
                    initialH = InitialHiddenName;
                    initialC = lstm ? InitialCellName : "";
                }
                else
                {
                    string starts = g.ConstInt64(prefix + ".state_start", [1], layer * dirs);
                    string ends = g.ConstInt64(prefix + ".state_end", [1], (layer + 1) * dirs);
                    initialH = g.Node("Slice", prefix + "/initial_h", [InitialHiddenName, starts, ends, axes0]);
                    if (lstm) initialC = g.Node("Slice", prefix + "/initial_c", [InitialCellName, starts, ends, axes0]);
                }
            }

            var inputs = new List<string> { x, prefix + ".W", prefix + ".R", prefix + ".B", SequenceLengthsName, initialH };
            if (lstm) inputs.Add(initialC);
            while (inputs[^1].Length == 0) inputs.RemoveAt(inputs.Count - 1);
            var outputs = new List<string> { prefix + "/Y", prefix + "/Y_h" };
            if (lstm) outputs.Add(prefix + "/Y_c");

            var attributes = new List<AttributeProto>
            {
                GraphBuilder.Int("hidden_size", h),
                GraphBuilder.String("direction", shape.Bidirectional ? "bidirectional" : "forward"),
            };
            if (shape.Cell == CellKind.Gru) attributes.Add(GraphBuilder.Int("linear_before_reset", 1));
            if (timeMajor) attributes.Add(GraphBuilder.Int("layout", 0)); // ONNX's default, written out: the model is time-major like the network
            if (shape.Relu) attributes.Add(GraphBuilder.Strings("activations", Enumerable.Repeat("Relu", dirs).ToArray()));
            g.NodeMulti(opType, prefix, inputs, outputs, attributes.ToArray());
            finalHidden.Add(prefix + "/Y_h");
            if (lstm) finalCell.Add(prefix + "/Y_c");
            lastY = prefix + "/Y";

            if (layer + 1 < shape.Layers)
            {
                // Y [T, D, B, H] → [T, B, D, H] → [T, B, D·H]: the next layer's time-major input.
                string ytm = g.Node("Transpose", prefix + "/Y_time_major", [lastY], GraphBuilder.Ints("perm", 0, 2, 1, 3));
                x = g.Node("Reshape", prefix + "/output", [ytm, mergeLast]);
            }
        }

        // ---- last layer's output, batch-first [B, T, D·H] (time-major [T, B, D·H]); optional head; padded steps zeroed.
        string yOrdered = timeMajor
            ? g.Node("Transpose", "output/time_major", [lastY], GraphBuilder.Ints("perm", 0, 2, 1, 3))
            : g.Node("Transpose", "output/batch_first", [lastY], GraphBuilder.Ints("perm", 2, 0, 1, 3));
        string features = g.Node("Reshape", "output/features", [yOrdered, mergeLast]);
        string result = features;
        if (shape.HasHead)
        {
            TensorDescriptor hw = tensors["head.weight"], hb = tensors["head.bias"];
            g.Initializer(hw.Name, TensorProto.Types.DataType.Float, [shape.OutputSize, dirs * h], hw.Slice(parameters));
            g.Initializer(hb.Name, TensorProto.Types.DataType.Float, [shape.OutputSize], hb.Slice(parameters));
            string wt = g.Node("Transpose", "head/weight_t", [hw.Name], GraphBuilder.Ints("perm", 1, 0));
            string product = g.Node("MatMul", "head/matmul", [features, wt]);
            string logits = g.Node("Add", "head/logits", [product, hb.Name]);
            result = g.Node("LogSoftmax", "head/log_probs", [logits], GraphBuilder.Int("axis", -1));
        }
        string valid3 = g.Node("Unsqueeze", "mask/valid_3d", [valid, axes2]);
        g.NodeMulti("Where", "output/mask", [valid3, result, zeroF], [OutputName]);
        g.NodeMulti("Concat", "final_hidden/concat", finalHidden, [FinalHiddenName], GraphBuilder.Int("axis", 0));
        if (lstm) g.NodeMulti("Concat", "final_cell/concat", finalCell, [FinalCellName], GraphBuilder.Int("axis", 0));

        g.Output(OutputName, TensorProto.Types.DataType.Float, [.. sequenceDims, shape.StepOutputSize]);
        g.Output(FinalHiddenName, TensorProto.Types.DataType.Float, states, "batch", h);
        if (lstm) g.Output(FinalCellName, TensorProto.Types.DataType.Float, states, "batch", h);

        var model = new ModelProto
        {
            IrVersion = IrVersionFor(options.Opset),
            ProducerName = "RnnGen",
            ProducerVersion = typeof(OnnxExporter).Assembly.GetName().Version?.ToString() ?? "",
            Graph = g.Graph,
            DocString = g.Graph.DocString,
        };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = options.Opset });
        model.MetadataProps.Add(new StringStringEntryProto { Key = "rnngen.shape", Value = shape.ToString() });
        model.MetadataProps.Add(new StringStringEntryProto { Key = "rnngen.signature", Value = network.Signature ?? "" });
        return model;
    }

    /// <summary>Appends nodes, initializers and value infos to a graph; every node gets a unique name.</summary>
    private sealed class GraphBuilder(string name)
    {
        public GraphProto Graph { get; } = new() { Name = name };

        /// <summary>Adds a one-output node named <paramref name="nodeName"/> whose output has the same name; returns it.</summary>
        public string Node(string op, string nodeName, IEnumerable<string> inputs, params AttributeProto[] attributes)
        {
            NodeMulti(op, nodeName, inputs, [nodeName], attributes);
            return nodeName;
        }

        public void NodeMulti(string op, string nodeName, IEnumerable<string> inputs, IEnumerable<string> outputs, params AttributeProto[] attributes)
        {
            var node = new NodeProto { OpType = op, Name = nodeName };
            node.Input.AddRange(inputs);
            node.Output.AddRange(outputs);
            node.Attribute.AddRange(attributes);
            Graph.Node.Add(node);
        }

        public void Initializer(string tensorName, TensorProto.Types.DataType type, long[] dims, ReadOnlySpan<float> values)
        {
            var t = new TensorProto { Name = tensorName, DataType = (int)type, RawData = TensorData.Raw(values) };
            t.Dims.AddRange(dims);
            Graph.Initializer.Add(t);
        }

        public string ConstInt64(string tensorName, long[] dims, params long[] values)
        {
            var t = new TensorProto { Name = tensorName, DataType = (int)TensorProto.Types.DataType.Int64, RawData = TensorData.Raw(values) };
            t.Dims.AddRange(dims);
            Graph.Initializer.Add(t);
            return tensorName;
        }

        public string ConstFloat(string tensorName, long[] dims, params float[] values)
        {
            Initializer(tensorName, TensorProto.Types.DataType.Float, dims, values);
            return tensorName;
        }

        public void Input(string valueName, TensorProto.Types.DataType type, params object[] dims) => Graph.Input.Add(Value(valueName, type, dims));

        public void Output(string valueName, TensorProto.Types.DataType type, params object[] dims) => Graph.Output.Add(Value(valueName, type, dims));

        private static ValueInfoProto Value(string valueName, TensorProto.Types.DataType type, object[] dims)
        {
            var shape = new TensorShapeProto();
            foreach (object d in dims)
            {
                shape.Dim.Add(d is string param
                    ? new TensorShapeProto.Types.Dimension { DimParam = param }
                    : new TensorShapeProto.Types.Dimension { DimValue = Convert.ToInt64(d, CultureInfo.InvariantCulture) });
            }
            return new ValueInfoProto
            {
                Name = valueName,
                Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)type, Shape = shape } },
            };
        }

        public static AttributeProto Int(string attributeName, long value) =>
            new() { Name = attributeName, Type = AttributeProto.Types.AttributeType.Int, I = value };

        public static AttributeProto Ints(string attributeName, params long[] values)
        {
            var a = new AttributeProto { Name = attributeName, Type = AttributeProto.Types.AttributeType.Ints };
            a.Ints.AddRange(values);
            return a;
        }

        public static AttributeProto String(string attributeName, string value) =>
            new() { Name = attributeName, Type = AttributeProto.Types.AttributeType.String, S = ByteString.CopyFromUtf8(value) };

        public static AttributeProto Strings(string attributeName, params string[] values)
        {
            var a = new AttributeProto { Name = attributeName, Type = AttributeProto.Types.AttributeType.Strings };
            foreach (string v in values) a.Strings.Add(ByteString.CopyFromUtf8(v));
            return a;
        }
    }
}
