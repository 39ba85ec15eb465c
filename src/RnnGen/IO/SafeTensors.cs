using System;
using System.Buffers;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.IO;
using System.Numerics.Tensors;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Unicode;

namespace RnnGen.IO;

// The safetensors format, as this file reads and writes it:
//
//   [8 bytes]  N, unsigned 64-bit little-endian: the length of the header
//   [N bytes]  the header: a UTF-8 JSON object. Each key names a tensor and maps to
//              {"dtype": "F32", "shape": [d0, d1, ...], "data_offsets": [begin, end]},
//              byte offsets relative to the start of the data section, end exclusive.
//              The optional key "__metadata__" maps to an object of string -> string.
//              Writers may pad the header with trailing spaces to align the data.
//   [rest]     the data section: each tensor's elements, row-major, little-endian. The ranges
//              tile the section exactly: no overlaps, no holes, nothing after the last one.
//
// Reading trusts nothing: every length, offset and shape is checked against the bytes that are
// really there before anything is allocated or copied, and every malformed input surfaces as a
// SafeTensorsException whose message names the tensor or field at fault.

/// <summary>
/// A safetensors file (or stream, or buffer) that is malformed, or that does not fit the network
/// it is being loaded into. The message names the tensor or header field at fault.
/// </summary>
/// <remarks>
/// It derives from <see cref="IOException"/> (<see cref="InvalidDataException"/>, the natural base,
/// is sealed), so code that handles failed loads by catching <see cref="IOException"/> sees it too.
/// </remarks>
public sealed class SafeTensorsException : IOException
{
    /// <summary>Creates an exception with a message.</summary>
    /// <param name="message">What is wrong, naming the tensor or field.</param>
    public SafeTensorsException(string message)
        : base(message)
    {
    }

    /// <summary>Creates an exception with a message and the exception that caused it.</summary>
    /// <param name="message">What is wrong, naming the tensor or field.</param>
    /// <param name="innerException">The underlying error, for example a JSON syntax error.</param>
    public SafeTensorsException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates an exception about one tensor.</summary>
    /// <param name="message">What is wrong, naming the tensor.</param>
    /// <param name="tensorName">The tensor at fault (as spelled in the file), or <see langword="null"/>.</param>
    /// <param name="innerException">The underlying error, if any.</param>
    public SafeTensorsException(string message, string? tensorName, Exception? innerException)
        : base(message, innerException)
    {
        TensorName = tensorName;
    }

    /// <summary>The (first) tensor the error is about, as spelled in the file; <see langword="null"/> when the error concerns the file as a whole.</summary>
    public string? TensorName { get; }
}

/// <summary>Element types a safetensors header can name (its <c>dtype</c> field).</summary>
/// <remarks>
/// Every type is understood structurally (its size, so offsets can be checked), but only
/// <see cref="F32"/>, <see cref="F16"/> and <see cref="BF16"/> convert to <see cref="float"/>.
/// </remarks>
public enum SafeTensorsDType
{
    /// <summary><c>BOOL</c>: one byte per element.</summary>
    Bool,

    /// <summary><c>U8</c>: unsigned 8-bit integer.</summary>
    U8,

    /// <summary><c>I8</c>: signed 8-bit integer.</summary>
    I8,

    /// <summary><c>F8_E5M2</c>: 8-bit float, 5 exponent and 2 mantissa bits.</summary>
    F8E5M2,

    /// <summary><c>F8_E4M3</c>: 8-bit float, 4 exponent and 3 mantissa bits.</summary>
    F8E4M3,

    /// <summary><c>I16</c>: signed 16-bit integer.</summary>
    I16,

    /// <summary><c>U16</c>: unsigned 16-bit integer.</summary>
    U16,

    /// <summary><c>F16</c>: IEEE 754 half precision; converts exactly to <see cref="float"/>.</summary>
    F16,

    /// <summary><c>BF16</c>: bfloat16, the upper half of a float32; converts exactly to <see cref="float"/>.</summary>
    BF16,

    /// <summary><c>I32</c>: signed 32-bit integer.</summary>
    I32,

    /// <summary><c>U32</c>: unsigned 32-bit integer.</summary>
    U32,

    /// <summary><c>F32</c>: IEEE 754 single precision, the native type of RnnGen.</summary>
    F32,

    /// <summary><c>F64</c>: IEEE 754 double precision.</summary>
    F64,

    /// <summary><c>I64</c>: signed 64-bit integer.</summary>
    I64,

    /// <summary><c>U64</c>: unsigned 64-bit integer.</summary>
    U64,
}

/// <summary>One tensor read from a safetensors file: its name, element type, shape and raw bytes.</summary>
public sealed class SafeTensor
{
    private readonly long[] _shape;
    private readonly byte[] _data;

    internal SafeTensor(string name, SafeTensorsDType dtype, long[] shape, long elementCount, byte[] data)
    {
        Name = name;
        DType = dtype;
        _shape = shape;
        ElementCount = elementCount;
        _data = data;
    }

    /// <summary>The tensor's key in the header, for example <c>lstm.weight_ih_l0</c>.</summary>
    public string Name { get; }

    /// <summary>The element type.</summary>
    public SafeTensorsDType DType { get; }

    /// <summary>The element type as the header spells it, for example <c>BF16</c>.</summary>
    public string DTypeName => SafeTensorsFormat.DTypeName(DType);

    /// <summary>Dimensions, outermost first; empty for a scalar.</summary>
    public IReadOnlyList<long> Shape => _shape;

    /// <summary>The shape written like <c>[512, 100]</c>, for messages.</summary>
    public string ShapeText => SafeTensorsFormat.ShapeText(_shape);

    /// <summary>Number of elements (product of <see cref="Shape"/>; 1 for a scalar).</summary>
    public long ElementCount { get; }

    /// <summary>The elements exactly as stored: row-major, little-endian, <see cref="DType"/>-encoded.</summary>
    public ReadOnlyMemory<byte> RawData => _data;

    /// <summary>Whether <see cref="CopyTo"/> and <see cref="ToSingleArray"/> accept this tensor (F32, F16 or BF16).</summary>
    public bool CanConvertToSingle => DType is SafeTensorsDType.F32 or SafeTensorsDType.F16 or SafeTensorsDType.BF16;

    /// <summary>The elements as float32 (F16 and BF16 are widened exactly).</summary>
    /// <exception cref="SafeTensorsException">The dtype is not F32, F16 or BF16.</exception>
    public float[] ToSingleArray()
    {
        EnsureConvertible();
        var result = new float[ElementCount];
        CopyTo(result);
        return result;
    }

    /// <summary>Writes the elements as float32 into <paramref name="destination"/>, which must hold exactly <see cref="ElementCount"/> elements.</summary>
    /// <param name="destination">Receives the elements; its length must equal <see cref="ElementCount"/>.</param>
    /// <exception cref="SafeTensorsException">The dtype is not F32, F16 or BF16.</exception>
    /// <exception cref="ArgumentException"><paramref name="destination"/> has the wrong length.</exception>
    public void CopyTo(Span<float> destination)
    {
        EnsureConvertible();
        if (destination.Length != ElementCount)
        {
            throw new ArgumentException(
                $"Tensor '{Name}' has {ElementCount} elements but the destination holds {destination.Length}.", nameof(destination));
        }

        ReadOnlySpan<byte> raw = _data;
        switch (DType)
        {
            case SafeTensorsDType.F32:
                if (BitConverter.IsLittleEndian)
                {
                    MemoryMarshal.Cast<byte, float>(raw).CopyTo(destination);
                }
                else
                {
                    for (int i = 0; i < destination.Length; i++)
                        destination[i] = BinaryPrimitives.ReadSingleLittleEndian(raw.Slice(4 * i, 4));
                }
                break;

            case SafeTensorsDType.F16:
                if (BitConverter.IsLittleEndian)
                {
                    // Every half-precision value (subnormals, infinities, NaNs included) is exactly a float.
                    TensorPrimitives.ConvertToSingle(MemoryMarshal.Cast<byte, Half>(raw), destination);
                }
                else
                {
                    for (int i = 0; i < destination.Length; i++)
                        destination[i] = (float)BinaryPrimitives.ReadHalfLittleEndian(raw.Slice(2 * i, 2));
                }
                break;

            default: // BF16: the 16 bits are the upper half of the float32 bit pattern.
                for (int i = 0; i < destination.Length; i++)
                {
                    uint bits = BinaryPrimitives.ReadUInt16LittleEndian(raw.Slice(2 * i, 2));
                    destination[i] = BitConverter.UInt32BitsToSingle(bits << 16);
                }
                break;
        }
    }

    /// <inheritdoc/>
    public override string ToString() => $"{Name} {DTypeName} {ShapeText}";

    private void EnsureConvertible()
    {
        if (!CanConvertToSingle)
        {
            throw new SafeTensorsException(
                $"Tensor '{Name}' has dtype {DTypeName}, which does not convert to float32 (supported: F32, F16, BF16).", Name, null);
        }
    }
}

/// <summary>
/// A parsed safetensors file: its tensors (in header order) and its <c>__metadata__</c>. Also the
/// entry point for loading a PyTorch <c>state_dict</c> into a network and saving one from it.
/// </summary>
/// <remarks>
/// Reading validates the whole layout before copying any data, and raises only
/// <see cref="SafeTensorsException"/> for malformed content (I/O failures such as a missing file
/// surface as the usual <see cref="IOException"/> family). Tensors may be listed in the header in any
/// order, but their byte ranges must tile the data section exactly, as the format requires.
/// </remarks>
public sealed class SafeTensorsFile
{
    /// <summary>The default upper bound on the header length, 100 MB, as in the reference implementation.</summary>
    public const long DefaultMaxHeaderLength = 100_000_000;

    private readonly SafeTensor[] _tensors;
    private readonly Dictionary<string, SafeTensor> _byName;
    private readonly Dictionary<string, string> _metadata;

    private SafeTensorsFile(SafeTensor[] tensors, Dictionary<string, string> metadata)
    {
        _tensors = tensors;
        _metadata = metadata;
        _byName = new Dictionary<string, SafeTensor>(tensors.Length, StringComparer.Ordinal);
        foreach (SafeTensor t in tensors) _byName.Add(t.Name, t);
    }

    /// <summary>All tensors, in the order the header lists them.</summary>
    public IReadOnlyList<SafeTensor> Tensors => _tensors;

    /// <summary>The <c>__metadata__</c> entries (empty when the file has none).</summary>
    public IReadOnlyDictionary<string, string> Metadata => _metadata;

    /// <summary>The tensor called <paramref name="name"/>.</summary>
    /// <param name="name">The tensor's key, exactly as in the file.</param>
    /// <exception cref="KeyNotFoundException">No tensor has that name.</exception>
    public SafeTensor this[string name] =>
        _byName.TryGetValue(name, out SafeTensor? t) ? t : throw new KeyNotFoundException($"The file has no tensor named '{name}'.");

    /// <summary>Looks a tensor up by name.</summary>
    /// <param name="name">The tensor's key, exactly as in the file.</param>
    /// <param name="tensor">The tensor, when found.</param>
    /// <returns>Whether the file has a tensor called <paramref name="name"/>.</returns>
    public bool TryGetTensor(string name, [MaybeNullWhen(false)] out SafeTensor tensor) => _byName.TryGetValue(name, out tensor);

    // ───────────────────────────── reading ─────────────────────────────

    /// <summary>Reads and validates a safetensors file.</summary>
    /// <param name="path">The file.</param>
    /// <param name="maxHeaderLength">Largest header (in bytes) accepted; guards against hostile length fields.</param>
    /// <returns>The parsed file, with all tensor data in memory.</returns>
    /// <exception cref="SafeTensorsException">The file is malformed; the message starts with the path and names the problem.</exception>
    public static SafeTensorsFile Read(string path, long maxHeaderLength = DefaultMaxHeaderLength)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        CheckMaxHeaderLength(maxHeaderLength);
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
        try
        {
            return ReadSeekable(stream, maxHeaderLength);
        }
        catch (SafeTensorsException ex)
        {
            throw new SafeTensorsException($"{path}: {ex.Message}", ex.TensorName, ex);
        }
    }

    /// <summary>Reads and validates a safetensors file from the current position of <paramref name="stream"/> to its end.</summary>
    /// <param name="stream">The source; a non-seekable stream is read to its end first.</param>
    /// <param name="maxHeaderLength">Largest header (in bytes) accepted; guards against hostile length fields.</param>
    /// <returns>The parsed file, with all tensor data in memory.</returns>
    /// <exception cref="SafeTensorsException">The content is malformed.</exception>
    public static SafeTensorsFile Read(Stream stream, long maxHeaderLength = DefaultMaxHeaderLength)
    {
        ArgumentNullException.ThrowIfNull(stream);
        CheckMaxHeaderLength(maxHeaderLength);
        if (stream.CanSeek) return ReadSeekable(stream, maxHeaderLength);

        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return Read(new ReadOnlySpan<byte>(copy.GetBuffer(), 0, (int)copy.Length), maxHeaderLength);
    }

    /// <summary>Reads and validates a safetensors file held in memory; the tensors get copies of their bytes.</summary>
    /// <param name="bytes">The whole file.</param>
    /// <param name="maxHeaderLength">Largest header (in bytes) accepted; guards against hostile length fields.</param>
    /// <returns>The parsed file.</returns>
    /// <exception cref="SafeTensorsException">The content is malformed.</exception>
    public static SafeTensorsFile Read(ReadOnlySpan<byte> bytes, long maxHeaderLength = DefaultMaxHeaderLength)
    {
        CheckMaxHeaderLength(maxHeaderLength);
        int headerLength = CheckHeaderLength(bytes.Length, bytes.Length >= 8 ? BinaryPrimitives.ReadUInt64LittleEndian(bytes) : 0, maxHeaderLength);
        ReadOnlySpan<byte> data = bytes.Slice(8 + headerLength);
        Layout layout = SafeTensorsFormat.ParseHeader(bytes.Slice(8, headerLength).ToArray(), data.Length);

        var tensors = new SafeTensor[layout.Entries.Count];
        for (int i = 0; i < tensors.Length; i++)
        {
            Entry e = layout.Entries[i];
            byte[] payload = data.Slice((int)e.Begin, CheckedByteLength(e)).ToArray();
            tensors[i] = new SafeTensor(e.Name, e.DType, e.Shape, e.ElementCount, payload);
        }
        return new SafeTensorsFile(tensors, layout.Metadata);
    }

    private static SafeTensorsFile ReadSeekable(Stream stream, long maxHeaderLength)
    {
        long available = stream.Length - stream.Position;
        Span<byte> lengthField = stackalloc byte[8];
        if (available >= 8) stream.ReadExactly(lengthField);
        int headerLength = CheckHeaderLength(available, available >= 8 ? BinaryPrimitives.ReadUInt64LittleEndian(lengthField) : 0, maxHeaderLength);

        var header = new byte[headerLength];
        ReadOrFail(stream, header, "the header");
        long dataLength = available - 8 - headerLength;
        Layout layout = SafeTensorsFormat.ParseHeader(header, dataLength);

        // The ranges tile the data section from byte 0, so reading them in offset order is one sequential pass.
        var tensors = new SafeTensor[layout.Entries.Count];
        foreach (int i in layout.DataOrder)
        {
            Entry e = layout.Entries[i];
            var payload = new byte[CheckedByteLength(e)];
            ReadOrFail(stream, payload, $"tensor '{e.Name}'");
            tensors[i] = new SafeTensor(e.Name, e.DType, e.Shape, e.ElementCount, payload);
        }
        return new SafeTensorsFile(tensors, layout.Metadata);
    }

    private static void ReadOrFail(Stream stream, byte[] buffer, string what)
    {
        try
        {
            stream.ReadExactly(buffer);
        }
        catch (EndOfStreamException ex)
        {
            throw new SafeTensorsException($"The stream ended while reading {what} (it became shorter while being read).", ex);
        }
    }

    private static void CheckMaxHeaderLength(long maxHeaderLength)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxHeaderLength);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(maxHeaderLength, (long)Array.MaxLength);
    }

    // Validates the 8-byte length field against the limit and the bytes that follow it.
    private static int CheckHeaderLength(long totalLength, ulong headerLength, long maxHeaderLength)
    {
        if (totalLength < 8)
        {
            throw new SafeTensorsException(
                $"The file has {totalLength} bytes, too few for the 8-byte header length that starts every safetensors file.");
        }
        if (headerLength > (ulong)maxHeaderLength)
        {
            throw new SafeTensorsException(
                $"The header length field says {headerLength} bytes, above the limit of {maxHeaderLength} bytes.");
        }
        if (headerLength > (ulong)(totalLength - 8))
        {
            throw new SafeTensorsException(
                $"The header length field says {headerLength} bytes, but only {totalLength - 8} bytes follow it.");
        }
        return (int)headerLength;
    }

    private static int CheckedByteLength(Entry e)
    {
        long length = e.End - e.Begin;
        if (length > Array.MaxLength)
        {
            throw new SafeTensorsException($"Tensor '{e.Name}' has {length} bytes, more than one array can hold.", e.Name, null);
        }
        return (int)length;
    }

    // ─────────────────────── networks (PyTorch state_dict) ───────────────────────

    /// <summary>
    /// Loads a PyTorch <c>state_dict</c> saved as safetensors into <paramref name="network"/>'s parameters.
    /// Nothing is written unless every tensor is present, has the right shape and a float dtype.
    /// </summary>
    /// <param name="network">The network whose <see cref="IRecurrentNetwork.Parameters"/> receive the values.</param>
    /// <param name="path">The safetensors file.</param>
    /// <param name="prefix">
    /// Module path in front of each key, for example <c>lstm.</c> when the PyTorch model holds the
    /// recurrent layers as <c>self.lstm</c>; a missing trailing dot is added. Keys outside the prefix
    /// belong to other modules and are ignored.
    /// </param>
    /// <param name="allowExtra">Whether keys under the prefix that the network does not have are tolerated.</param>
    /// <exception cref="SafeTensorsException">The file is malformed, or keys are missing, extra, of the wrong shape or of an unsupported dtype; the message lists every problem.</exception>
    public static void LoadInto(IRecurrentNetwork network, string path, string? prefix = null, bool allowExtra = false)
    {
        ArgumentNullException.ThrowIfNull(network);
        SafeTensorsFile file = Read(path);
        file.CopyInto(network, prefix, allowExtra, path);
    }

    /// <summary>Loads a PyTorch <c>state_dict</c> saved as safetensors from a stream; see <see cref="LoadInto(IRecurrentNetwork, string, string?, bool)"/>.</summary>
    /// <param name="network">The network whose <see cref="IRecurrentNetwork.Parameters"/> receive the values.</param>
    /// <param name="stream">The safetensors content, read from its current position to its end.</param>
    /// <param name="prefix">Module path in front of each key, for example <c>lstm.</c>; a missing trailing dot is added.</param>
    /// <param name="allowExtra">Whether keys under the prefix that the network does not have are tolerated.</param>
    /// <exception cref="SafeTensorsException">The content is malformed or does not fit the network.</exception>
    public static void LoadInto(IRecurrentNetwork network, Stream stream, string? prefix = null, bool allowExtra = false)
    {
        ArgumentNullException.ThrowIfNull(network);
        Read(stream).CopyInto(network, prefix, allowExtra, source: null);
    }

    /// <summary>
    /// Copies this file's tensors into <paramref name="network"/>'s parameters, matching keys to
    /// <see cref="TensorDescriptor.Name"/>. Nothing is written unless everything validates.
    /// </summary>
    /// <param name="network">The network whose <see cref="IRecurrentNetwork.Parameters"/> receive the values.</param>
    /// <param name="prefix">Module path in front of each key, for example <c>lstm.</c>; a missing trailing dot is added. Keys outside it are ignored.</param>
    /// <param name="allowExtra">Whether keys under the prefix that the network does not have are tolerated.</param>
    /// <exception cref="SafeTensorsException">Keys are missing, extra, of the wrong shape or of an unsupported dtype; the message lists every problem with both shapes.</exception>
    public void CopyInto(IRecurrentNetwork network, string? prefix = null, bool allowExtra = false)
    {
        ArgumentNullException.ThrowIfNull(network);
        CopyInto(network, prefix, allowExtra, source: null);
    }

    private void CopyInto(IRecurrentNetwork network, string? prefix, bool allowExtra, string? source)
    {
        string keyPrefix = string.IsNullOrEmpty(prefix) ? "" : prefix.EndsWith('.') ? prefix : prefix + ".";
        float[] parameters = network.Parameters ?? throw new ArgumentException("The network's Parameters array is null.", nameof(network));
        IReadOnlyList<TensorDescriptor> descriptors = network.Tensors ?? throw new ArgumentException("The network's Tensors table is null.", nameof(network));

        var problems = new List<string>();
        string? firstBadTensor = null;
        var expectedKeys = new HashSet<string>(StringComparer.Ordinal);
        var plan = new List<(SafeTensor Source, TensorDescriptor Target)>(descriptors.Count);
        int missing = 0;

        foreach (TensorDescriptor d in descriptors)
        {
            if ((long)d.Offset + d.Length > parameters.Length)
            {
                throw new ArgumentException(
                    $"The network's tensor '{d.Name}' ({d.ShapeText} at {d.Offset}) lies outside its {parameters.Length} parameters.", nameof(network));
            }
            string key = keyPrefix + d.Name;
            if (!expectedKeys.Add(key))
            {
                throw new ArgumentException($"The network's tensor table names '{d.Name}' twice.", nameof(network));
            }

            if (!TryGetTensor(key, out SafeTensor? t))
            {
                missing++;
                firstBadTensor ??= key;
                problems.Add($"'{key}' is missing from the file (the network expects shape {d.ShapeText}).");
            }
            else if (!ShapeEquals(t.Shape, d.Shape))
            {
                firstBadTensor ??= key;
                problems.Add($"'{key}' has shape {t.ShapeText} in the file, but the network expects {d.ShapeText}.");
            }
            else if (!t.CanConvertToSingle)
            {
                firstBadTensor ??= key;
                problems.Add($"'{key}' has dtype {t.DTypeName} in the file, which cannot be loaded as float32 (supported: F32, F16, BF16).");
            }
            else
            {
                plan.Add((t, d));
            }
        }

        if (!allowExtra)
        {
            foreach (SafeTensor t in _tensors)
            {
                if (t.Name.StartsWith(keyPrefix, StringComparison.Ordinal) && !expectedKeys.Contains(t.Name))
                {
                    firstBadTensor ??= t.Name;
                    problems.Add($"'{t.Name}' ({t.DTypeName} {t.ShapeText}) is in the file, but the network has no such tensor (pass allowExtra to ignore it).");
                }
            }
        }

        if (problems.Count > 0)
        {
            var message = new StringBuilder();
            if (source is not null) message.Append(source).Append(": ");
            message.Append(CultureInfo.InvariantCulture,
                $"cannot load into network '{network.Signature}': {problems.Count} problem{(problems.Count == 1 ? "" : "s")}:");
            foreach (string p in problems) message.Append("\n  - ").Append(p);
            if (missing == descriptors.Count && descriptors.Count > 0 && SuggestPrefix(descriptors[0].Name) is string hint)
            {
                message.Append(CultureInfo.InvariantCulture, $"\nThe file has '{hint}{descriptors[0].Name}': did you mean prefix \"{hint}\"?");
            }
            throw new SafeTensorsException(message.ToString(), firstBadTensor, null);
        }

        // Everything validated: only now touch the network.
        foreach ((SafeTensor t, TensorDescriptor d) in plan) t.CopyTo(d.Slice(parameters));
    }

    private string? SuggestPrefix(string name)
    {
        foreach (SafeTensor t in _tensors)
        {
            if (t.Name.Length > name.Length && t.Name.EndsWith("." + name, StringComparison.Ordinal))
                return t.Name.Substring(0, t.Name.Length - name.Length);
        }
        return null;
    }

    private static bool ShapeEquals(IReadOnlyList<long> file, IReadOnlyList<int> network)
    {
        if (file.Count != network.Count) return false;
        for (int i = 0; i < file.Count; i++)
        {
            if (file[i] != network[i]) return false;
        }
        return true;
    }

    /// <summary>
    /// Saves every parameter tensor of <paramref name="network"/> as F32, in table order, so that
    /// <c>safetensors.torch.load_file</c> followed by <c>load_state_dict</c> loads it in PyTorch.
    /// The file is written to a temporary file beside <paramref name="path"/> and then moved over it.
    /// </summary>
    /// <param name="network">The network to save.</param>
    /// <param name="path">The destination; replaced if it exists.</param>
    /// <param name="metadata">
    /// Extra <c>__metadata__</c> entries. <c>format</c> = <c>pt</c> and <c>rnngen.signature</c> =
    /// <see cref="IRecurrentNetwork.Signature"/> are added unless given here.
    /// </param>
    public static void Save(IRecurrentNetwork network, string path, IReadOnlyDictionary<string, string>? metadata = null)
    {
        ForNetwork(network, metadata).Save(path);
    }

    /// <summary>Writes every parameter tensor of <paramref name="network"/> to <paramref name="stream"/>; see <see cref="Save(IRecurrentNetwork, string, IReadOnlyDictionary{string, string}?)"/>.</summary>
    /// <param name="network">The network to save.</param>
    /// <param name="stream">The destination, written from its current position.</param>
    /// <param name="metadata">Extra <c>__metadata__</c> entries.</param>
    public static void Save(IRecurrentNetwork network, Stream stream, IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ForNetwork(network, metadata).WriteTo(stream);
    }

    private static SafeTensorsWriter ForNetwork(IRecurrentNetwork network, IReadOnlyDictionary<string, string>? metadata)
    {
        ArgumentNullException.ThrowIfNull(network);
        float[] parameters = network.Parameters ?? throw new ArgumentException("The network's Parameters array is null.", nameof(network));
        IReadOnlyList<TensorDescriptor> descriptors = network.Tensors ?? throw new ArgumentException("The network's Tensors table is null.", nameof(network));
        var writer = new SafeTensorsWriter();
        writer.Metadata["format"] = "pt";
        writer.Metadata["rnngen.signature"] = network.Signature ?? "";
        if (metadata is not null)
        {
            foreach (KeyValuePair<string, string> kv in metadata) writer.Metadata[kv.Key] = kv.Value;
        }

        foreach (TensorDescriptor d in descriptors)
        {
            if ((long)d.Offset + d.Length > parameters.Length)
            {
                throw new ArgumentException(
                    $"The network's tensor '{d.Name}' ({d.ShapeText} at {d.Offset}) lies outside its {parameters.Length} parameters.", nameof(network));
            }
            var shape = new int[d.Shape.Count];
            for (int i = 0; i < shape.Length; i++) shape[i] = d.Shape[i];
            writer.Add(d.Name, parameters.AsMemory(d.Offset, d.Length), shape);
        }
        return writer;
    }
}

/// <summary>
/// Builds a safetensors file of F32 tensors: add tensors and metadata, then write to a stream,
/// a byte array or (atomically) a file. Tensors are laid out in the order they were added.
/// </summary>
public sealed class SafeTensorsWriter
{
    private readonly List<(string Name, ReadOnlyMemory<float> Data, int[] Shape)> _tensors = new();
    private readonly HashSet<string> _names = new(StringComparer.Ordinal);

    /// <summary>The <c>__metadata__</c> entries to write (string to string); written sorted by key.</summary>
    public IDictionary<string, string> Metadata { get; } = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>Number of tensors added so far.</summary>
    public int Count => _tensors.Count;

    /// <summary>Adds an F32 tensor. The data is referenced, not copied: it is read when the file is written.</summary>
    /// <param name="name">The tensor's key; unique, and not <c>__metadata__</c>.</param>
    /// <param name="data">The elements, row-major; its length must equal the product of <paramref name="shape"/>.</param>
    /// <param name="shape">Dimensions, outermost first (each zero or more); none for a scalar.</param>
    /// <returns>This writer, for chaining.</returns>
    public SafeTensorsWriter Add(string name, ReadOnlyMemory<float> data, params int[] shape)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(shape);
        if (name == SafeTensorsFormat.MetadataKey)
            throw new ArgumentException($"'{SafeTensorsFormat.MetadataKey}' is reserved for metadata and cannot name a tensor.", nameof(name));
        long count = 1;
        foreach (int d in shape)
        {
            if (d < 0) throw new ArgumentOutOfRangeException(nameof(shape), $"Tensor '{name}' has a negative dimension ({d}).");
            count *= d;
            if (count > int.MaxValue) throw new ArgumentOutOfRangeException(nameof(shape), $"Tensor '{name}' has too many elements.");
        }
        if (count != data.Length)
        {
            throw new ArgumentException(
                $"Tensor '{name}' has shape {SafeTensorsFormat.ShapeText(shape)} ({count} elements) but {data.Length} values were given.", nameof(data));
        }
        if (!_names.Add(name)) throw new ArgumentException($"A tensor named '{name}' was already added.", nameof(name));
        _tensors.Add((name, data, (int[])shape.Clone()));
        return this;
    }

    /// <summary>Writes the file to <paramref name="stream"/> at its current position.</summary>
    /// <param name="stream">The destination.</param>
    public void WriteTo(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        byte[] header = BuildHeader();
        Span<byte> lengthField = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(lengthField, (ulong)header.Length);
        stream.Write(lengthField);
        stream.Write(header);

        byte[]? swap = null;
        foreach ((_, ReadOnlyMemory<float> data, _) in _tensors)
        {
            if (BitConverter.IsLittleEndian)
            {
                stream.Write(MemoryMarshal.AsBytes(data.Span));
                continue;
            }
            swap ??= new byte[4096];
            ReadOnlySpan<float> values = data.Span;
            for (int start = 0; start < values.Length; start += swap.Length / 4)
            {
                int n = Math.Min(swap.Length / 4, values.Length - start);
                for (int i = 0; i < n; i++) BinaryPrimitives.WriteSingleLittleEndian(swap.AsSpan(4 * i), values[start + i]);
                stream.Write(swap, 0, 4 * n);
            }
        }
    }

    /// <summary>The whole file as bytes.</summary>
    /// <returns>A new array holding the file.</returns>
    public byte[] ToArray()
    {
        using var stream = new MemoryStream();
        WriteTo(stream);
        return stream.ToArray();
    }

    /// <summary>Writes the file to <paramref name="path"/> atomically: a temporary file beside it, flushed, then moved over it.</summary>
    /// <param name="path">The destination; replaced if it exists.</param>
    public void Save(string path)
    {
        AtomicFile.Write(path, WriteTo);
    }

    // The JSON header, padded with spaces so the data section starts at a multiple of 8 bytes.
    private byte[] BuildHeader()
    {
        var buffer = new ArrayBufferWriter<byte>();
        var options = new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
        using (var json = new Utf8JsonWriter(buffer, options))
        {
            json.WriteStartObject();
            if (Metadata.Count > 0)
            {
                var keys = new List<string>(Metadata.Keys);
                keys.Sort(StringComparer.Ordinal);
                json.WriteStartObject(SafeTensorsFormat.MetadataKey);
                foreach (string key in keys) json.WriteString(key, Metadata[key]);
                json.WriteEndObject();
            }

            long offset = 0;
            foreach ((string name, ReadOnlyMemory<float> data, int[] shape) in _tensors)
            {
                long end = offset + 4L * data.Length;
                json.WriteStartObject(name);
                json.WriteString("dtype", "F32");
                json.WriteStartArray("shape");
                foreach (int d in shape) json.WriteNumberValue(d);
                json.WriteEndArray();
                json.WriteStartArray("data_offsets");
                json.WriteNumberValue(offset);
                json.WriteNumberValue(end);
                json.WriteEndArray();
                json.WriteEndObject();
                offset = end;
            }
            json.WriteEndObject();
        }

        int padding = (8 - buffer.WrittenCount % 8) % 8;
        var header = new byte[buffer.WrittenCount + padding];
        buffer.WrittenSpan.CopyTo(header);
        header.AsSpan(buffer.WrittenCount).Fill((byte)' ');
        return header;
    }
}

// One tensor's header entry, validated.
internal readonly record struct Entry(string Name, SafeTensorsDType DType, long[] Shape, long ElementCount, long Begin, long End);

// A validated header: entries in header order, their indices in data order, and the metadata.
internal sealed record Layout(List<Entry> Entries, int[] DataOrder, Dictionary<string, string> Metadata);

// Parsing and validation of the JSON header against the length of the data section.
internal static class SafeTensorsFormat
{
    public const string MetadataKey = "__metadata__";

    public static string ShapeText(IReadOnlyList<long> shape)
    {
        var text = new StringBuilder("[");
        for (int i = 0; i < shape.Count; i++) text.Append(i == 0 ? "" : ", ").Append(shape[i].ToString(CultureInfo.InvariantCulture));
        return text.Append(']').ToString();
    }

    public static string ShapeText(int[] shape) => "[" + string.Join(", ", shape) + "]";

    public static string DTypeName(SafeTensorsDType dtype) => dtype switch
    {
        SafeTensorsDType.Bool => "BOOL",
        SafeTensorsDType.U8 => "U8",
        SafeTensorsDType.I8 => "I8",
        SafeTensorsDType.F8E5M2 => "F8_E5M2",
        SafeTensorsDType.F8E4M3 => "F8_E4M3",
        SafeTensorsDType.I16 => "I16",
        SafeTensorsDType.U16 => "U16",
        SafeTensorsDType.F16 => "F16",
        SafeTensorsDType.BF16 => "BF16",
        SafeTensorsDType.I32 => "I32",
        SafeTensorsDType.U32 => "U32",
        SafeTensorsDType.F32 => "F32",
        SafeTensorsDType.F64 => "F64",
        SafeTensorsDType.I64 => "I64",
        SafeTensorsDType.U64 => "U64",
        _ => dtype.ToString(),
    };

    private static bool TryParseDType(string text, out SafeTensorsDType dtype, out int elementSize)
    {
        (dtype, elementSize) = text switch
        {
            "BOOL" => (SafeTensorsDType.Bool, 1),
            "U8" => (SafeTensorsDType.U8, 1),
            "I8" => (SafeTensorsDType.I8, 1),
            "F8_E5M2" => (SafeTensorsDType.F8E5M2, 1),
            "F8_E4M3" => (SafeTensorsDType.F8E4M3, 1),
            "I16" => (SafeTensorsDType.I16, 2),
            "U16" => (SafeTensorsDType.U16, 2),
            "F16" => (SafeTensorsDType.F16, 2),
            "BF16" => (SafeTensorsDType.BF16, 2),
            "I32" => (SafeTensorsDType.I32, 4),
            "U32" => (SafeTensorsDType.U32, 4),
            "F32" => (SafeTensorsDType.F32, 4),
            "F64" => (SafeTensorsDType.F64, 8),
            "I64" => (SafeTensorsDType.I64, 8),
            "U64" => (SafeTensorsDType.U64, 8),
            _ => (default, 0),
        };
        return elementSize != 0;
    }

    public static Layout ParseHeader(byte[] header, long dataLength)
    {
        if (header.Length == 0) throw new SafeTensorsException("The header is empty (length 0); it must be a JSON object.");
        if (!Utf8.IsValid(header)) throw new SafeTensorsException("The header is not valid UTF-8.");

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(header);
        }
        catch (JsonException ex)
        {
            throw new SafeTensorsException($"The header is not valid JSON: {ex.Message}", ex);
        }

        using (document)
        {
            JsonElement root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
                throw new SafeTensorsException($"The header must be a JSON object, but it is {Describe(root.ValueKind)}.");

            var entries = new List<Entry>();
            var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (JsonProperty property in root.EnumerateObject())
            {
                string name = property.Name;
                if (!seen.Add(name)) throw new SafeTensorsException($"The header lists '{name}' more than once.", name == MetadataKey ? null : name, null);
                if (name == MetadataKey) ReadMetadata(property.Value, metadata);
                else entries.Add(ReadEntry(name, property.Value, dataLength));
            }

            return new Layout(entries, CheckTiling(entries, dataLength), metadata);
        }
    }

    private static void ReadMetadata(JsonElement value, Dictionary<string, string> metadata)
    {
        if (value.ValueKind != JsonValueKind.Object)
            throw new SafeTensorsException($"'{MetadataKey}' must be an object of strings, but it is {Describe(value.ValueKind)}.");
        foreach (JsonProperty item in value.EnumerateObject())
        {
            if (item.Value.ValueKind != JsonValueKind.String)
            {
                throw new SafeTensorsException(
                    $"'{MetadataKey}' entry '{item.Name}' must be a string, but it is {Describe(item.Value.ValueKind)}.");
            }
            if (!metadata.TryAdd(item.Name, item.Value.GetString()!))
                throw new SafeTensorsException($"'{MetadataKey}' lists '{item.Name}' more than once.");
        }
    }

    private static Entry ReadEntry(string name, JsonElement value, long dataLength)
    {
        if (value.ValueKind != JsonValueKind.Object)
        {
            throw new SafeTensorsException(
                $"Tensor '{name}': expected an object with dtype, shape and data_offsets, but found {Describe(value.ValueKind)}.", name, null);
        }

        JsonElement? dtypeField = null, shapeField = null, offsetsField = null;
        foreach (JsonProperty field in value.EnumerateObject())
        {
            switch (field.Name)
            {
                case "dtype": dtypeField = Once(dtypeField, field, name); break;
                case "shape": shapeField = Once(shapeField, field, name); break;
                case "data_offsets": offsetsField = Once(offsetsField, field, name); break;
                default: break; // Unknown fields are tolerated, as in the reference implementation.
            }
        }

        // dtype
        if (dtypeField is not JsonElement dtypeValue) throw new SafeTensorsException($"Tensor '{name}': the field 'dtype' is missing.", name, null);
        if (dtypeValue.ValueKind != JsonValueKind.String)
            throw new SafeTensorsException($"Tensor '{name}': 'dtype' must be a string, but it is {Describe(dtypeValue.ValueKind)}.", name, null);
        string dtypeText = dtypeValue.GetString()!;
        if (!TryParseDType(dtypeText, out SafeTensorsDType dtype, out int elementSize))
            throw new SafeTensorsException($"Tensor '{name}': unknown dtype '{dtypeText}'.", name, null);

        // shape
        if (shapeField is not JsonElement shapeValue) throw new SafeTensorsException($"Tensor '{name}': the field 'shape' is missing.", name, null);
        if (shapeValue.ValueKind != JsonValueKind.Array)
            throw new SafeTensorsException($"Tensor '{name}': 'shape' must be an array, but it is {Describe(shapeValue.ValueKind)}.", name, null);
        var shape = new long[shapeValue.GetArrayLength()];
        long elementCount = 1;
        bool overflow = false;
        int axis = 0;
        foreach (JsonElement dim in shapeValue.EnumerateArray())
        {
            long d = ReadInteger(dim, name, $"shape[{axis}]");
            if (d < 0) throw new SafeTensorsException($"Tensor '{name}': shape[{axis}] is {d}; dimensions must not be negative.", name, null);
            shape[axis++] = d;
            if (d == 0) elementCount = 0;
            else if (elementCount > long.MaxValue / d) overflow = true;
            else elementCount *= d;
        }
        if (overflow && elementCount != 0)
            throw new SafeTensorsException($"Tensor '{name}': shape {ShapeText(shape)} has more elements than any file can hold.", name, null);

        // data_offsets
        if (offsetsField is not JsonElement offsetsValue) throw new SafeTensorsException($"Tensor '{name}': the field 'data_offsets' is missing.", name, null);
        if (offsetsValue.ValueKind != JsonValueKind.Array || offsetsValue.GetArrayLength() != 2)
        {
            throw new SafeTensorsException(
                $"Tensor '{name}': 'data_offsets' must be an array of two integers [begin, end], but it is {Describe(offsetsValue)}.", name, null);
        }
        long begin = ReadInteger(offsetsValue[0], name, "data_offsets[0]");
        long end = ReadInteger(offsetsValue[1], name, "data_offsets[1]");
        if (begin < 0 || end < 0)
            throw new SafeTensorsException($"Tensor '{name}': data_offsets [{begin}, {end}] must not be negative.", name, null);
        if (end < begin)
            throw new SafeTensorsException($"Tensor '{name}': data_offsets [{begin}, {end}] end before they begin.", name, null);
        if (end > dataLength)
        {
            throw new SafeTensorsException(
                $"Tensor '{name}': data_offsets [{begin}, {end}] reach beyond the data section, which has {dataLength} bytes.", name, null);
        }

        long byteLength = end - begin;
        if (elementCount > byteLength / elementSize || elementCount * elementSize != byteLength)
        {
            string needed = elementCount > long.MaxValue / elementSize ? "more bytes than any file can hold" : $"{elementCount * elementSize} bytes";
            throw new SafeTensorsException(
                $"Tensor '{name}': shape {ShapeText(shape)} of {dtypeText} needs {needed}, but data_offsets [{begin}, {end}] cover {byteLength}.", name, null);
        }

        return new Entry(name, dtype, shape, elementCount, begin, end);
    }

    private static JsonElement Once(JsonElement? previous, JsonProperty field, string tensor)
    {
        if (previous is not null) throw new SafeTensorsException($"Tensor '{tensor}': the field '{field.Name}' appears more than once.", tensor, null);
        return field.Value;
    }

    private static long ReadInteger(JsonElement value, string tensor, string field)
    {
        if (value.ValueKind != JsonValueKind.Number)
            throw new SafeTensorsException($"Tensor '{tensor}': {field} must be an integer, but it is {Describe(value.ValueKind)}.", tensor, null);
        if (!value.TryGetInt64(out long result))
            throw new SafeTensorsException($"Tensor '{tensor}': {field} is {value.GetRawText()}, which is not a 64-bit integer.", tensor, null);
        return result;
    }

    // The byte ranges, sorted, must cover [0, dataLength) exactly once: no overlaps, no holes, no tail.
    private static int[] CheckTiling(List<Entry> entries, long dataLength)
    {
        var order = new int[entries.Count];
        for (int i = 0; i < order.Length; i++) order[i] = i;
        Array.Sort(order, (a, b) =>
        {
            int c = entries[a].Begin.CompareTo(entries[b].Begin);
            if (c == 0) c = entries[a].End.CompareTo(entries[b].End);
            return c != 0 ? c : a.CompareTo(b); // ties keep header order, so messages are deterministic

        });

        long covered = 0;
        Entry? previous = null;
        foreach (int i in order)
        {
            Entry e = entries[i];
            if (e.Begin < covered)
            {
                Entry p = previous!.Value;
                throw new SafeTensorsException(
                    $"Tensor '{e.Name}': data_offsets [{e.Begin}, {e.End}] overlap those of tensor '{p.Name}' [{p.Begin}, {p.End}].", e.Name, null);
            }
            if (e.Begin > covered)
            {
                string after = previous is Entry p ? $"after tensor '{p.Name}'" : "at the start of the data section";
                throw new SafeTensorsException(
                    $"Tensor '{e.Name}': data_offsets [{e.Begin}, {e.End}] leave bytes [{covered}, {e.Begin}) {after} unused; the data section must have no holes.", e.Name, null);
            }
            covered = e.End;
            previous = e;
        }

        if (covered != dataLength)
        {
            throw new SafeTensorsException(entries.Count == 0
                ? $"The header lists no tensors, but the data section has {dataLength} bytes."
                : $"The tensors cover {covered} bytes, but the data section has {dataLength}; the {dataLength - covered} bytes after tensor '{previous!.Value.Name}' belong to no tensor.",
                previous?.Name, null);
        }
        return order;
    }

    private static string Describe(JsonValueKind kind) => kind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        JsonValueKind.Null => "null",
        _ => "undefined",
    };

    private static string Describe(JsonElement value) =>
        value.ValueKind == JsonValueKind.Array ? $"an array of {value.GetArrayLength()}" : Describe(value.ValueKind);
}
