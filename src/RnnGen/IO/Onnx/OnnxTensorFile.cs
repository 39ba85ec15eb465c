using System;
using System.IO;
using Google.Protobuf;
using RnnGen.IO.Onnx.Proto;

namespace RnnGen.IO.Onnx;

/// <summary>
/// Files that hold one serialized ONNX <c>TensorProto</c>, like the <c>input_N.pb</c> and
/// <c>output_N.pb</c> files of ONNX's backend test cases (<c>test_data_set_0/</c>).
/// </summary>
/// <example>
/// <code>
/// OnnxTensor x = OnnxTensorFile.Read("test_lstm_defaults/test_data_set_0/input_0.pb");
/// // x.Name == "X", x.Dims == [1, 3, 2] (seq_length, batch, input), x.ToFloatArray()
/// </code>
/// </example>
public static class OnnxTensorFile
{
    /// <summary>Reads the tensor in the file at <paramref name="path"/>.</summary>
    /// <exception cref="OnnxFormatException">The file is not a valid TensorProto of a supported type (float, int32, int64), or its data does not match its shape.</exception>
    /// <exception cref="IOException">The file cannot be read.</exception>
    public static OnnxTensor Read(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        return Parse(File.ReadAllBytes(path), Path.GetFileName(path));
    }

    /// <summary>Reads one tensor from the rest of <paramref name="stream"/>.</summary>
    /// <exception cref="OnnxFormatException">The bytes are not a valid TensorProto of a supported type.</exception>
    public static OnnxTensor Read(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        using var buffer = new MemoryStream();
        stream.CopyTo(buffer);
        return Parse(buffer.ToArray(), "stream");
    }

    /// <summary>Decodes one serialized TensorProto.</summary>
    /// <exception cref="OnnxFormatException">The bytes are not a valid TensorProto of a supported type.</exception>
    public static OnnxTensor Parse(ReadOnlySpan<byte> bytes) => Parse(bytes.ToArray(), "tensor");

    /// <summary>Writes <paramref name="tensor"/> to <paramref name="path"/> as a serialized TensorProto (elements in little-endian raw_data).</summary>
    public static void Write(string path, OnnxTensor tensor)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(tensor);
        using FileStream file = File.Create(path);
        tensor.ToProto().WriteTo(file);
    }

    /// <summary>Serializes <paramref name="tensor"/> as a TensorProto.</summary>
    public static byte[] ToBytes(OnnxTensor tensor)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        return tensor.ToProto().ToByteArray();
    }

    private static OnnxTensor Parse(byte[] bytes, string source)
    {
        TensorProto proto;
        try
        {
            proto = TensorProto.Parser.ParseFrom(bytes);
        }
        catch (InvalidProtocolBufferException e)
        {
            throw new OnnxFormatException($"{source} is not a valid ONNX TensorProto: {e.Message}", e);
        }
        return OnnxTensor.FromProto(proto, $"Tensor '{proto.Name}' ({source})");
    }
}
