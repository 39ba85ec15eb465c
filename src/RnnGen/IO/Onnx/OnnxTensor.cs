using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Google.Protobuf;
using Google.Protobuf.Collections;
using RnnGen.IO.Onnx.Proto;

namespace RnnGen.IO.Onnx;

/// <summary>The ONNX element types RnnGen reads and writes (values are ONNX's <c>TensorProto.DataType</c> numbers).</summary>
public enum OnnxElementType
{
    /// <summary><c>FLOAT</c>: 32-bit IEEE 754.</summary>
    Float = 1,
    /// <summary><c>INT32</c>, for example <c>sequence_lens</c>.</summary>
    Int32 = 6,
    /// <summary><c>INT64</c>, for example token ids.</summary>
    Int64 = 7,
}

/// <summary>
/// A named tensor as ONNX stores it in a <c>TensorProto</c>: dimensions (row-major, outermost
/// first) and elements of one of the types in <see cref="OnnxElementType"/>. Immutable.
/// </summary>
public sealed class OnnxTensor
{
    private readonly int[] _dims;
    private readonly float[]? _floats;
    private readonly int[]? _int32s;
    private readonly long[]? _int64s;

    private OnnxTensor(string name, int[] dims, OnnxElementType type, float[]? floats, int[]? int32s, long[]? int64s)
    {
        Name = name;
        _dims = dims;
        ElementType = type;
        _floats = floats;
        _int32s = int32s;
        _int64s = int64s;
    }

    /// <summary>The tensor's name (may be empty).</summary>
    public string Name { get; }

    /// <summary>Dimensions, outermost first; empty for a scalar.</summary>
    public IReadOnlyList<int> Dims => _dims;

    /// <summary>The element type.</summary>
    public OnnxElementType ElementType { get; }

    /// <summary>Number of elements: the product of <see cref="Dims"/> (1 for a scalar).</summary>
    public int ElementCount => _floats?.Length ?? _int32s?.Length ?? _int64s!.Length;

    /// <summary>The dimensions written like <c>[3, 2, 5]</c>.</summary>
    public string ShapeText => "[" + string.Join(", ", _dims) + "]";

    /// <summary>A float tensor; <paramref name="values"/> must hold the product of <paramref name="dims"/> elements.</summary>
    public static OnnxTensor FromFloats(string name, ReadOnlySpan<int> dims, ReadOnlySpan<float> values) =>
        new(name ?? "", CheckDims(dims, values.Length), OnnxElementType.Float, values.ToArray(), null, null);

    /// <summary>An int32 tensor; <paramref name="values"/> must hold the product of <paramref name="dims"/> elements.</summary>
    public static OnnxTensor FromInt32s(string name, ReadOnlySpan<int> dims, ReadOnlySpan<int> values) =>
        new(name ?? "", CheckDims(dims, values.Length), OnnxElementType.Int32, null, values.ToArray(), null);

    /// <summary>An int64 tensor; <paramref name="values"/> must hold the product of <paramref name="dims"/> elements.</summary>
    public static OnnxTensor FromInt64s(string name, ReadOnlySpan<int> dims, ReadOnlySpan<long> values) =>
        new(name ?? "", CheckDims(dims, values.Length), OnnxElementType.Int64, null, null, values.ToArray());

    /// <summary>A copy of the elements of a <see cref="OnnxElementType.Float"/> tensor.</summary>
    /// <exception cref="InvalidOperationException">The tensor is not of type float.</exception>
    public float[] ToFloatArray() =>
        (float[])(_floats ?? throw new InvalidOperationException($"Tensor '{Name}' holds {ElementType} elements, not Float."))
            .Clone();

    /// <summary>A copy of the elements of an integer tensor as int32 (int64 values must fit).</summary>
    /// <exception cref="InvalidOperationException">The tensor is a float tensor, or an int64 value does not fit in an int.</exception>
    public int[] ToInt32Array()
    {
        if (_int32s is not null) return (int[])_int32s.Clone();
        if (_int64s is null) throw new InvalidOperationException($"Tensor '{Name}' holds {ElementType} elements, not integers.");
        var result = new int[_int64s.Length];
        for (int i = 0; i < result.Length; i++)
        {
            long v = _int64s[i];
            if (v is < int.MinValue or > int.MaxValue)
                throw new InvalidOperationException($"Element {i} of tensor '{Name}' is {v}, which does not fit in an int.");
            result[i] = (int)v;
        }
        return result;
    }

    /// <summary>A copy of the elements of an integer tensor as int64.</summary>
    /// <exception cref="InvalidOperationException">The tensor is a float tensor.</exception>
    public long[] ToInt64Array()
    {
        if (_int64s is not null) return (long[])_int64s.Clone();
        if (_int32s is null) throw new InvalidOperationException($"Tensor '{Name}' holds {ElementType} elements, not integers.");
        var result = new long[_int32s.Length];
        for (int i = 0; i < result.Length; i++) result[i] = _int32s[i];
        return result;
    }

    /// <inheritdoc/>
    public override string ToString() => $"{Name} {ElementType} {ShapeText}";

    private static int[] CheckDims(ReadOnlySpan<int> dims, int count)
    {
        long product = 1;
        foreach (int d in dims)
        {
            if (d < 0) throw new ArgumentOutOfRangeException(nameof(dims), d, "Every dimension must be 0 or more.");
            product *= d;
            if (product > int.MaxValue) throw new ArgumentOutOfRangeException(nameof(dims), "The tensor has more than int.MaxValue elements.");
        }
        if (product != count)
            throw new ArgumentException($"The dimensions [{string.Join(", ", dims.ToArray())}] hold {product} elements, but {count} values were given.", "values");
        return dims.ToArray();
    }

    /// <summary>Decodes a TensorProto, checking everything; <paramref name="what"/> names it in messages.</summary>
    internal static OnnxTensor FromProto(TensorProto proto, string what)
    {
        int[] dims = TensorData.Dims(proto, what);
        int count = TensorData.Count(dims);
        switch (proto.DataType)
        {
            case (int)OnnxElementType.Float:
                return new OnnxTensor(proto.Name, dims, OnnxElementType.Float, TensorData.Floats(proto, count, what), null, null);
            case (int)OnnxElementType.Int32:
                return new OnnxTensor(proto.Name, dims, OnnxElementType.Int32, null, TensorData.Int32s(proto, count, what), null);
            case (int)OnnxElementType.Int64:
                return new OnnxTensor(proto.Name, dims, OnnxElementType.Int64, null, null, TensorData.Int64s(proto, count, what));
            default:
                throw new OnnxFormatException($"{what} has data type {TensorData.TypeName(proto.DataType)}; only FLOAT, INT32 and INT64 tensors are supported.");
        }
    }

    /// <summary>Encodes as a TensorProto with little-endian raw_data.</summary>
    internal TensorProto ToProto()
    {
        var proto = new TensorProto { Name = Name, DataType = (int)ElementType };
        foreach (int d in _dims) proto.Dims.Add(d);
        proto.RawData = _floats is not null ? TensorData.Raw(_floats)
            : _int32s is not null ? TensorData.Raw(_int32s)
            : TensorData.Raw(_int64s!);
        return proto;
    }
}

/// <summary>
/// Reading and writing the elements of TensorProto messages. Every count, length and dimension
/// is checked against the bytes really present before anything is allocated.
/// </summary>
internal static class TensorData
{
    /// <summary>Ranks above this are rejected (ONNX sets no limit; nothing RnnGen reads has more than 4).</summary>
    public const int MaxRank = 32;

    public static int[] Dims(TensorProto proto, string what)
    {
        if (proto.DataLocation == TensorProto.Types.DataLocation.External || proto.ExternalData.Count > 0)
            throw new OnnxFormatException($"{what} keeps its data in an external file; only tensors stored inside the model are supported.");
        if (proto.DataLocation != TensorProto.Types.DataLocation.Default)
            throw new OnnxFormatException($"{what} has an unknown data_location {(int)proto.DataLocation}.");
        if (proto.Segment is not null)
            throw new OnnxFormatException($"{what} is stored in segments; segmented tensors are not supported.");
        if (proto.Dims.Count > MaxRank)
            throw new OnnxFormatException($"{what} has rank {proto.Dims.Count}; at most {MaxRank} is supported.");
        var dims = new int[proto.Dims.Count];
        long product = 1;
        for (int i = 0; i < dims.Length; i++)
        {
            long d = proto.Dims[i];
            if (d < 0 || d > int.MaxValue)
                throw new OnnxFormatException($"{what} has dimension {i} = {d}; dimensions must be between 0 and {int.MaxValue}.");
            product *= d;
            if (product > int.MaxValue)
                throw new OnnxFormatException($"{what} has dimensions {OnnxNetworkShape.Text(proto.Dims)}, more than {int.MaxValue} elements.");
            dims[i] = (int)d;
        }
        return dims;
    }

    public static int Count(int[] dims)
    {
        int count = 1;
        foreach (int d in dims) count *= d; // Dims has checked the product fits.
        return count;
    }

    public static float[] Floats(TensorProto proto, int count, string what)
    {
        if (proto.DataType != (int)TensorProto.Types.DataType.Float)
            throw new OnnxFormatException($"{what} has data type {TypeName(proto.DataType)}; FLOAT is required.");
        return Elements(proto, count, proto.FloatData, "float_data", what);
    }

    public static int[] Int32s(TensorProto proto, int count, string what) => Elements(proto, count, proto.Int32Data, "int32_data", what);

    public static long[] Int64s(TensorProto proto, int count, string what) => Elements(proto, count, proto.Int64Data, "int64_data", what);

    // The elements from raw_data (little-endian) or from the typed field, whichever the tensor uses.
    // Sizes are checked against the data present before the array is allocated.
    private static T[] Elements<T>(TensorProto proto, int count, RepeatedField<T> typed, string field, string what) where T : unmanaged
    {
        CheckOneStorage(proto, typed.Count, what);
        if (!proto.RawData.IsEmpty)
        {
            int size = Unsafe.SizeOf<T>();
            ReadOnlySpan<byte> raw = CheckRaw(proto, count, size, what);
            var fromRaw = new T[count];
            Span<byte> bytes = MemoryMarshal.AsBytes(fromRaw.AsSpan());
            raw.CopyTo(bytes);
            if (!BitConverter.IsLittleEndian)
                for (int i = 0; i < count; i++) bytes.Slice(i * size, size).Reverse();
            return fromRaw;
        }
        CheckCount(typed.Count, count, field, what);
        var values = new T[count];
        typed.CopyTo(values, 0);
        return values;
    }

    public static ByteString Raw(ReadOnlySpan<float> values)
    {
        if (BitConverter.IsLittleEndian) return ByteString.CopyFrom(MemoryMarshal.AsBytes(values));
        var bytes = new byte[values.Length * 4];
        for (int i = 0; i < values.Length; i++) BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(i * 4), values[i]);
        return ByteString.CopyFrom(bytes);
    }

    public static ByteString Raw(ReadOnlySpan<int> values)
    {
        var bytes = new byte[values.Length * 4];
        for (int i = 0; i < values.Length; i++) BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(i * 4), values[i]);
        return ByteString.CopyFrom(bytes);
    }

    public static ByteString Raw(ReadOnlySpan<long> values)
    {
        var bytes = new byte[values.Length * 8];
        for (int i = 0; i < values.Length; i++) BinaryPrimitives.WriteInt64LittleEndian(bytes.AsSpan(i * 8), values[i]);
        return ByteString.CopyFrom(bytes);
    }

    public static string TypeName(int dataType) =>
        Enum.IsDefined((TensorProto.Types.DataType)dataType)
            ? ((TensorProto.Types.DataType)dataType).ToString().ToUpperInvariant() + $" ({dataType})"
            : $"{dataType} (unknown)";

    private static void CheckOneStorage(TensorProto proto, int typedCount, string what)
    {
        int fields = (proto.RawData.IsEmpty ? 0 : 1) + (proto.FloatData.Count > 0 ? 1 : 0) + (proto.Int32Data.Count > 0 ? 1 : 0)
            + (proto.Int64Data.Count > 0 ? 1 : 0) + (proto.DoubleData.Count > 0 ? 1 : 0) + (proto.Uint64Data.Count > 0 ? 1 : 0)
            + (proto.StringData.Count > 0 ? 1 : 0);
        if (fields > 1 || (fields == 1 && proto.RawData.IsEmpty && typedCount == 0))
            throw new OnnxFormatException($"{what} stores its elements in a field that does not match its data type {TypeName(proto.DataType)}, or in more than one field.");
    }

    private static ReadOnlySpan<byte> CheckRaw(TensorProto proto, int count, int size, string what)
    {
        ReadOnlySpan<byte> raw = proto.RawData.Span;
        if (raw.Length != (long)count * size)
            throw new OnnxFormatException($"{what} has {raw.Length} bytes of raw_data; its shape {OnnxNetworkShape.Text(proto.Dims)} needs {(long)count * size}.");
        return raw;
    }

    private static void CheckCount(int actual, int expected, string field, string what)
    {
        if (actual != expected)
            throw new OnnxFormatException($"{what} has {actual} values in {field}; its shape needs {expected}.");
    }
}
