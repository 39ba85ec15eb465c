using System;
using System.IO;
using Google.Protobuf;

namespace RnnGen.Benchmarks;

/// <summary>
/// Writes a one-node ONNX model (LSTM or GRU, one layer, forward) as ModelProto bytes, field by
/// field with <see cref="CodedOutputStream"/>: no onnx.proto is compiled. Field numbers are those
/// of onnx/onnx.proto (IR version 8, opset 14).
/// </summary>
/// <remarks>
/// The graph is <c>Y = LSTM|GRU(X, W, R, B)</c> with X [T, B, I] time-major and Y [T, 1, B, H].
/// The weights come in PyTorch's layout and gate order (LSTM i,f,g,o; GRU r,z,n) and are
/// reordered to ONNX's (LSTM i,o,f,c; GRU z,r,h). The GRU uses <c>linear_before_reset = 1</c>,
/// which is PyTorch's (and RnnGen's) GRU.
/// </remarks>
internal static class OnnxModel
{
    // onnx.proto field numbers.
    private const int ModelIrVersion = 1, ModelProducerName = 2, ModelGraph = 7, ModelOpsetImport = 8;
    private const int OpsetVersion = 2;
    private const int GraphNode = 1, GraphName = 2, GraphInitializer = 5, GraphInput = 11, GraphOutput = 12;
    private const int NodeInput = 1, NodeOutput = 2, NodeName = 3, NodeOpType = 4, NodeAttribute = 5;
    private const int AttributeName = 1, AttributeI = 3, AttributeS = 4, AttributeType = 20;
    private const int AttributeTypeInt = 2, AttributeTypeString = 3;
    private const int TensorDims = 1, TensorDataType = 2, TensorName = 8, TensorRawData = 9;
    private const int ElementFloat = 1;
    private const int ValueInfoName = 1, ValueInfoType = 2;
    private const int TypeTensor = 1, TypeTensorElemType = 1, TypeTensorShape = 2;
    private const int ShapeDim = 1, DimValue = 1;

    /// <summary>ONNX gate block k is PyTorch gate block Permutation[k].</summary>
    private static int[] Permutation(CellKind cell) => cell switch
    {
        CellKind.Lstm => [0, 3, 1, 2], // ONNX i,o,f,c from PyTorch i,f,g,o
        CellKind.Gru => [1, 0, 2],     // ONNX z,r,h from PyTorch r,z,n
        _ => throw new ArgumentOutOfRangeException(nameof(cell), cell, "LSTM and GRU only."),
    };

    /// <summary>Builds the model for a fixed [steps, batch, inputSize] input.</summary>
    /// <param name="weightIh">weight_ih_l0 [G·H, I] (PyTorch).</param>
    /// <param name="weightHh">weight_hh_l0 [G·H, H].</param>
    /// <param name="biasIh">bias_ih_l0 [G·H].</param>
    /// <param name="biasHh">bias_hh_l0 [G·H].</param>
    public static byte[] Build(CellKind cell, int inputSize, int hiddenSize, int steps, int batch,
                               ReadOnlySpan<float> weightIh, ReadOnlySpan<float> weightHh, ReadOnlySpan<float> biasIh, ReadOnlySpan<float> biasHh)
    {
        int[] perm = Permutation(cell);
        int gates = perm.Length, gh = gates * hiddenSize;
        float[] w = Reorder(weightIh, perm, hiddenSize * inputSize);
        float[] r = Reorder(weightHh, perm, hiddenSize * hiddenSize);
        float[] b = new float[2 * gh];
        Reorder(biasIh, perm, hiddenSize).CopyTo(b, 0);
        Reorder(biasHh, perm, hiddenSize).CopyTo(b, gh);

        ByteString node = Message(o =>
        {
            foreach (string input in new[] { "X", "W", "R", "B" }) WriteString(o, NodeInput, input);
            WriteString(o, NodeOutput, "Y");
            WriteString(o, NodeName, "rnn");
            WriteString(o, NodeOpType, cell == CellKind.Lstm ? "LSTM" : "GRU");
            WriteMessage(o, NodeAttribute, IntAttribute("hidden_size", hiddenSize));
            WriteMessage(o, NodeAttribute, StringAttribute("direction", "forward"));
            if (cell == CellKind.Gru) WriteMessage(o, NodeAttribute, IntAttribute("linear_before_reset", 1));
        });
        ByteString graph = Message(o =>
        {
            WriteMessage(o, GraphNode, node);
            WriteString(o, GraphName, "rnngen_benchmark");
            WriteMessage(o, GraphInitializer, Tensor("W", [1, gh, inputSize], w));
            WriteMessage(o, GraphInitializer, Tensor("R", [1, gh, hiddenSize], r));
            WriteMessage(o, GraphInitializer, Tensor("B", [1, 2 * gh], b));
            WriteMessage(o, GraphInput, ValueInfo("X", [steps, batch, inputSize]));
            WriteMessage(o, GraphOutput, ValueInfo("Y", [steps, 1, batch, hiddenSize]));
        });
        ByteString model = Message(o =>
        {
            o.WriteTag(ModelIrVersion, WireFormat.WireType.Varint);
            o.WriteInt64(8);
            WriteString(o, ModelProducerName, "RnnGen.Benchmarks");
            WriteMessage(o, ModelGraph, graph);
            WriteMessage(o, ModelOpsetImport, Message(op =>
            {
                op.WriteTag(OpsetVersion, WireFormat.WireType.Varint);
                op.WriteInt64(14);
            }));
        });
        return model.ToByteArray();
    }

    private static float[] Reorder(ReadOnlySpan<float> source, int[] perm, int block)
    {
        var result = new float[perm.Length * block];
        for (int k = 0; k < perm.Length; k++) source.Slice(perm[k] * block, block).CopyTo(result.AsSpan(k * block, block));
        return result;
    }

    private static ByteString IntAttribute(string name, long value) => Message(o =>
    {
        WriteString(o, AttributeName, name);
        o.WriteTag(AttributeI, WireFormat.WireType.Varint);
        o.WriteInt64(value);
        o.WriteTag(AttributeType, WireFormat.WireType.Varint);
        o.WriteEnum(AttributeTypeInt);
    });

    private static ByteString StringAttribute(string name, string value) => Message(o =>
    {
        WriteString(o, AttributeName, name);
        WriteString(o, AttributeS, value);
        o.WriteTag(AttributeType, WireFormat.WireType.Varint);
        o.WriteEnum(AttributeTypeString);
    });

    private static ByteString Tensor(string name, long[] dims, float[] values) => Message(o =>
    {
        foreach (long d in dims)
        {
            o.WriteTag(TensorDims, WireFormat.WireType.Varint);
            o.WriteInt64(d);
        }
        o.WriteTag(TensorDataType, WireFormat.WireType.Varint);
        o.WriteInt32(ElementFloat);
        WriteString(o, TensorName, name);
        // raw_data: little-endian float32, which is this machine's layout.
        byte[] raw = new byte[values.Length * sizeof(float)];
        Buffer.BlockCopy(values, 0, raw, 0, raw.Length);
        o.WriteTag(TensorRawData, WireFormat.WireType.LengthDelimited);
        o.WriteBytes(ByteString.CopyFrom(raw));
    });

    private static ByteString ValueInfo(string name, long[] dims) => Message(o =>
    {
        WriteString(o, ValueInfoName, name);
        WriteMessage(o, ValueInfoType, Message(type =>
            WriteMessage(type, TypeTensor, Message(tensor =>
            {
                tensor.WriteTag(TypeTensorElemType, WireFormat.WireType.Varint);
                tensor.WriteInt32(ElementFloat);
                WriteMessage(tensor, TypeTensorShape, Message(shape =>
                {
                    foreach (long d in dims)
                        WriteMessage(shape, ShapeDim, Message(dim =>
                        {
                            dim.WriteTag(DimValue, WireFormat.WireType.Varint);
                            dim.WriteInt64(d);
                        }));
                }));
            }))));
    });

    private static void WriteString(CodedOutputStream o, int field, string value)
    {
        o.WriteTag(field, WireFormat.WireType.LengthDelimited);
        o.WriteString(value);
    }

    private static void WriteMessage(CodedOutputStream o, int field, ByteString message)
    {
        o.WriteTag(field, WireFormat.WireType.LengthDelimited);
        o.WriteBytes(message);
    }

    private static ByteString Message(Action<CodedOutputStream> write)
    {
        using var stream = new MemoryStream();
        using (var o = new CodedOutputStream(stream, leaveOpen: true))
        {
            write(o);
        }
        return ByteString.CopyFrom(stream.ToArray());
    }
}
