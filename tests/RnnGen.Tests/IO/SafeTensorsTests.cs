using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.RegularExpressions;
using RnnGen.IO;
using Xunit;

namespace RnnGen.Tests.IO;

public sealed class SafeTensorsTests
{
    // ───────────────────────────── helpers ─────────────────────────────

    // Builds a safetensors file by hand, straight from the format description, without the writer:
    // u64 little-endian header length, the header text as UTF-8, then the data section.
    private static byte[] Hand(string header, params byte[] data)
    {
        byte[] json = Encoding.UTF8.GetBytes(header);
        var file = new byte[8 + json.Length + data.Length];
        BinaryPrimitives.WriteUInt64LittleEndian(file, (ulong)json.Length);
        json.CopyTo(file, 8);
        data.CopyTo(file, 8 + json.Length);
        return file;
    }

    private static byte[] F32Bytes(params float[] values)
    {
        var bytes = new byte[4 * values.Length];
        for (int i = 0; i < values.Length; i++) BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(4 * i), values[i]);
        return bytes;
    }

    private static byte[] U16Bytes(params ushort[] values)
    {
        var bytes = new byte[2 * values.Length];
        for (int i = 0; i < values.Length; i++) BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(2 * i), values[i]);
        return bytes;
    }

    private static string FixturePath(string name) => Path.Combine(AppContext.BaseDirectory, "IO", "Fixtures", name);

    private static SafeTensorsException ReadFails(byte[] file)
    {
        // Every entry point must reject the same bytes with the same message.
        SafeTensorsException fromSpan = Assert.Throws<SafeTensorsException>(() => SafeTensorsFile.Read(file));
        SafeTensorsException fromStream = Assert.Throws<SafeTensorsException>(() => SafeTensorsFile.Read(new MemoryStream(file)));
        SafeTensorsException fromPipe = Assert.Throws<SafeTensorsException>(() => SafeTensorsFile.Read(new ForwardOnlyStream(file)));
        Assert.Equal(fromSpan.Message, fromStream.Message);
        Assert.Equal(fromSpan.Message, fromPipe.Message);
        return fromSpan;
    }

    private static void AssertBitsEqual(ReadOnlySpan<float> expected, ReadOnlySpan<float> actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.True(BitConverter.SingleToUInt32Bits(expected[i]) == BitConverter.SingleToUInt32Bits(actual[i]),
                $"element {i}: expected {expected[i]} (0x{BitConverter.SingleToUInt32Bits(expected[i]):X8}), got {actual[i]} (0x{BitConverter.SingleToUInt32Bits(actual[i]):X8})");
        }
    }

    // ───────────────────────────── round trip ─────────────────────────────

    [Fact]
    public void RoundTrip_IsBitExact_ThroughEveryEntryPoint()
    {
        float[] special =
        [
            0f, -0f, 1f, -1.5f, float.Epsilon, -float.Epsilon, 1e-40f, float.MaxValue, float.MinValue,
            float.PositiveInfinity, float.NegativeInfinity, BitConverter.UInt32BitsToSingle(0x7FC12345), MathF.PI,
        ];
        var random = new Random(42);
        float[] matrix = Enumerable.Range(0, 12 * 7).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();

        var writer = new SafeTensorsWriter();
        writer.Metadata["note"] = "päramètres + \"quotes\" <&>";
        writer.Add("special", special, special.Length)
              .Add("weight_hh_l0_reverse", matrix, 12, 7)
              .Add("scalar", new[] { 3.5f })
              .Add("empty", Array.Empty<float>(), 0, 5);
        byte[] bytes = writer.ToArray();

        string path = Path.Combine(Path.GetTempPath(), $"rnngen-roundtrip-{Guid.NewGuid():N}.safetensors");
        writer.Save(path);
        try
        {
            Assert.Equal(bytes, File.ReadAllBytes(path));
            foreach (SafeTensorsFile file in new[]
                     {
                         SafeTensorsFile.Read(bytes), SafeTensorsFile.Read(new MemoryStream(bytes)),
                         SafeTensorsFile.Read(new ForwardOnlyStream(bytes)), SafeTensorsFile.Read(path),
                     })
            {
                Assert.Equal(new[] { "special", "weight_hh_l0_reverse", "scalar", "empty" }, file.Tensors.Select(t => t.Name));
                Assert.Equal("päramètres + \"quotes\" <&>", file.Metadata["note"]);
                AssertBitsEqual(special, file["special"].ToSingleArray());
                AssertBitsEqual(matrix, file["weight_hh_l0_reverse"].ToSingleArray());
                Assert.Equal(new long[] { 12, 7 }, file["weight_hh_l0_reverse"].Shape);
                Assert.Equal(SafeTensorsDType.F32, file["weight_hh_l0_reverse"].DType);
                Assert.Empty(file["scalar"].Shape);
                Assert.Equal(1, file["scalar"].ElementCount);
                Assert.Equal(3.5f, file["scalar"].ToSingleArray()[0]);
                Assert.Equal(new long[] { 0, 5 }, file["empty"].Shape);
                Assert.Empty(file["empty"].ToSingleArray());
            }
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Writer_PadsHeaderSoDataIsEightByteAligned_AndWritesCompactJson()
    {
        byte[] bytes = new SafeTensorsWriter().Add("a", new[] { 1f, 2f, 3f }, 3).ToArray();
        ulong headerLength = BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        Assert.Equal(0UL, (8 + headerLength) % 8);
        string header = Encoding.UTF8.GetString(bytes, 8, (int)headerLength);
        Assert.Equal("{\"a\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,12]}}", header.TrimEnd(' '));
        Assert.Equal(8 + (int)headerLength + 12, bytes.Length);
    }

    [Fact]
    public void Writer_RejectsBadInput()
    {
        var writer = new SafeTensorsWriter().Add("a", new float[6], 2, 3);
        Assert.Throws<ArgumentException>(() => writer.Add("a", new float[1], 1));
        Assert.Throws<ArgumentException>(() => writer.Add("__metadata__", new float[1], 1));
        Assert.Throws<ArgumentException>(() => writer.Add("b", new float[5], 2, 3));
        Assert.Throws<ArgumentOutOfRangeException>(() => writer.Add("c", new float[0], -1, 0));
        Assert.Equal(1, writer.Count);
    }

    // ───────────────────────────── F16 / BF16 decoding ─────────────────────────────

    public static TheoryData<ushort, float> HalfCases => new()
    {
        { 0x3C00, 1f },                                  // exponent 15 = bias, mantissa 0
        { 0xC000, -2f },                                 // sign, exponent 16
        { 0x3800, 0.5f },
        { 0x3555, 0.333251953125f },                     // 2^-2 * (1 + 341/1024)
        { 0x7BFF, 65504f },                              // largest finite: 2^15 * (2 - 2^-10)
        { 0x0400, 6.103515625e-05f },                    // smallest normal: 2^-14
        { 0x0001, 5.9604644775390625e-08f },             // smallest subnormal: 2^-24
        { 0x03FF, 6.097555160522461e-05f },              // largest subnormal: 1023 * 2^-24
        { 0x8001, -5.9604644775390625e-08f },
        { 0x7C00, float.PositiveInfinity },
        { 0xFC00, float.NegativeInfinity },
        { 0x0000, 0f },
    };

    [Theory]
    [MemberData(nameof(HalfCases))]
    public void F16_DecodesToTheExactFloat(ushort bits, float expected)
    {
        byte[] file = Hand("{\"h\":{\"dtype\":\"F16\",\"shape\":[1],\"data_offsets\":[0,2]}}", U16Bytes(bits));
        SafeTensor t = SafeTensorsFile.Read(file)["h"];
        Assert.Equal(SafeTensorsDType.F16, t.DType);
        AssertBitsEqual(new[] { expected }, t.ToSingleArray());
    }

    public static TheoryData<ushort, float> BFloatCases => new()
    {
        { 0x3F80, 1f },                                  // exactly the top half of 0x3F800000
        { 0xC040, -3f },
        { 0x3DCD, 0.10009765625f },                      // 0.1 rounded to bfloat16
        { 0x0080, 1.1754943508222875e-38f },             // smallest normal: 2^-126
        { 0x0001, 9.183549615799121e-41f },              // smallest subnormal: 2^-133
        { 0x007F, 1.1663108012064884e-38f },             // largest subnormal: 127 * 2^-133
        { 0x7F7F, 3.3895313892515355e+38f },             // largest finite: 2^127 * (2 - 2^-7)
        { 0x7F80, float.PositiveInfinity },
        { 0xFF80, float.NegativeInfinity },
        { 0x8000, -0f },
    };

    [Theory]
    [MemberData(nameof(BFloatCases))]
    public void BF16_DecodesToTheExactFloat(ushort bits, float expected)
    {
        byte[] file = Hand("{\"b\":{\"dtype\":\"BF16\",\"shape\":[1],\"data_offsets\":[0,2]}}", U16Bytes(bits));
        SafeTensor t = SafeTensorsFile.Read(file)["b"];
        Assert.Equal(SafeTensorsDType.BF16, t.DType);
        AssertBitsEqual(new[] { expected }, t.ToSingleArray());
    }

    [Fact]
    public void F16_AndBF16_NaNsStayNaN_AndNegativeZeroKeepsItsSign()
    {
        byte[] file = Hand(
            "{\"h\":{\"dtype\":\"F16\",\"shape\":[3],\"data_offsets\":[0,6]},\"b\":{\"dtype\":\"BF16\",\"shape\":[2],\"data_offsets\":[6,10]}}",
            [.. U16Bytes(0x7E00, 0xFE01, 0x8000), .. U16Bytes(0x7FC0, 0xFFC1)]);
        SafeTensorsFile f = SafeTensorsFile.Read(file);
        float[] h = f["h"].ToSingleArray();
        Assert.True(float.IsNaN(h[0]) && float.IsNaN(h[1]));
        Assert.Equal(0x80000000u, BitConverter.SingleToUInt32Bits(h[2]));
        float[] b = f["b"].ToSingleArray();
        Assert.Equal(0x7FC00000u, BitConverter.SingleToUInt32Bits(b[0]));
        Assert.Equal(0xFFC10000u, BitConverter.SingleToUInt32Bits(b[1]));
    }

    [Fact]
    public void F16_LongTensor_DecodesEveryElement()
    {
        // All 65536 half bit patterns: checks the vectorized conversion element by element
        // against the definition (sign, 5-bit exponent with bias 15, 10-bit mantissa).
        var bits = new ushort[65536];
        for (int i = 0; i < bits.Length; i++) bits[i] = (ushort)i;
        byte[] file = Hand("{\"h\":{\"dtype\":\"F16\",\"shape\":[256,256],\"data_offsets\":[0,131072]}}", U16Bytes(bits));
        float[] values = SafeTensorsFile.Read(file)["h"].ToSingleArray();
        for (int i = 0; i < bits.Length; i++)
        {
            int sign = i >> 15, exponent = (i >> 10) & 0x1F, mantissa = i & 0x3FF;
            double magnitude = exponent switch
            {
                0 => mantissa * Math.Pow(2, -24),
                31 => mantissa == 0 ? double.PositiveInfinity : double.NaN,
                _ => (1 + mantissa / 1024.0) * Math.Pow(2, exponent - 15),
            };
            double expected = sign == 1 ? -magnitude : magnitude;
            if (double.IsNaN(expected)) Assert.True(float.IsNaN(values[i]), $"0x{i:X4}");
            else Assert.True(BitConverter.SingleToUInt32Bits((float)expected) == BitConverter.SingleToUInt32Bits(values[i]), $"0x{i:X4}: {values[i]} != {expected}");
        }
    }

    // ───────────────────────────── hand-built file ─────────────────────────────

    [Fact]
    public void HandBuiltFile_WithKeysOutOfDataOrder_PaddingAndMetadata_ReadsCorrectly()
    {
        // Header keys are deliberately not in data order (legal: the ranges, sorted, must tile the
        // data section), there is whitespace, an unknown extra field, and trailing space padding.
        const string header = """
            { "second": {"shape": [2], "dtype": "BF16", "data_offsets": [8, 12], "extra": true},
              "__metadata__": {"format": "pt", "author": "hand"},
              "first":  {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]},
              "ints":   {"dtype": "I32", "shape": [], "data_offsets": [12, 16]} }      
            """;
        byte[] data = [.. F32Bytes(1.5f, -2f), .. U16Bytes(0x4049, 0xBF80), 0x2A, 0x00, 0x00, 0x00];
        SafeTensorsFile f = SafeTensorsFile.Read(Hand(header, data));

        Assert.Equal(new[] { "second", "first", "ints" }, f.Tensors.Select(t => t.Name));
        Assert.Equal(2, f.Metadata.Count);
        Assert.Equal("hand", f.Metadata["author"]);
        Assert.Equal(new[] { 1.5f, -2f }, f["first"].ToSingleArray());
        Assert.Equal(new[] { 3.140625f, -1f }, f["second"].ToSingleArray()); // 0x4049 = 2 * (1 + 73/128)
        SafeTensor ints = f["ints"];
        Assert.Equal(SafeTensorsDType.I32, ints.DType);
        Assert.Equal("I32", ints.DTypeName);
        Assert.False(ints.CanConvertToSingle);
        Assert.Equal(42, BinaryPrimitives.ReadInt32LittleEndian(ints.RawData.Span));
        SafeTensorsException e = Assert.Throws<SafeTensorsException>(() => ints.ToSingleArray());
        Assert.Contains("'ints'", e.Message);
        Assert.Contains("I32", e.Message);
        Assert.False(f.TryGetTensor("missing", out _));
        Assert.Throws<KeyNotFoundException>(() => f["missing"]);
    }

    [Fact]
    public void EmptyFile_WithNoTensors_IsValid()
    {
        SafeTensorsFile f = SafeTensorsFile.Read(Hand("{}"));
        Assert.Empty(f.Tensors);
        Assert.Empty(f.Metadata);
    }

    [Fact]
    public void StreamRead_StartsAtTheCurrentPosition()
    {
        byte[] file = Hand("{\"x\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", F32Bytes(9f));
        var stream = new MemoryStream([0xDE, 0xAD, 0xBE, .. file]) { Position = 3 };
        Assert.Equal(9f, SafeTensorsFile.Read(stream)["x"].ToSingleArray()[0]);
        Assert.Equal(stream.Length, stream.Position);
    }

    // ───────────────────────────── PyTorch-written fixtures ─────────────────────────────

    [Fact]
    public void PythonWrittenFixture_ReadsF32F16BF16AndI64()
    {
        SafeTensorsFile f = SafeTensorsFile.Read(FixturePath("python_written.safetensors"));
        Assert.Equal("pt", f.Metadata["format"]);
        Assert.Equal(new[] { "f32", "f16", "bf16", "step" }, f.Tensors.Select(t => t.Name));

        Assert.Equal(new long[] { 2, 3 }, f["f32"].Shape);
        AssertBitsEqual(new[] { 0f, 1f, -2.5f, 3.25f, 1e-40f, float.NegativeInfinity }, f["f32"].ToSingleArray());

        // torch.float16 of 1, -2, 0.5, 65504, 2^-24, inf, 0.1  (0.1 rounds to 0x2E66 = 2^-4 * (1 + 614/1024))
        Assert.Equal(SafeTensorsDType.F16, f["f16"].DType);
        AssertBitsEqual(new[] { 1f, -2f, 0.5f, 65504f, MathF.ScaleB(1f, -24), float.PositiveInfinity, 0.0999755859375f },
                        f["f16"].ToSingleArray());

        // torch.bfloat16 of 1, -3, 2^-133, -inf, 0.1, 3e38  (3e38 rounds to 0x7F62 = 2^127 * (1 + 98/128))
        Assert.Equal(SafeTensorsDType.BF16, f["bf16"].DType);
        Assert.Equal(new long[] { 2, 3 }, f["bf16"].Shape);
        AssertBitsEqual(new[] { 1f, -3f, MathF.ScaleB(1f, -133), float.NegativeInfinity, 0.10009765625f, MathF.ScaleB(1.765625f, 127) },
                        f["bf16"].ToSingleArray());

        SafeTensor step = f["step"];
        Assert.Equal(SafeTensorsDType.I64, step.DType);
        Assert.Empty(step.Shape);
        Assert.Equal(7L, BinaryPrimitives.ReadInt64LittleEndian(step.RawData.Span));
    }

    private static FakeNetwork BidirectionalLstm3x2() => new(
        ("weight_ih_l0", [8, 3]), ("weight_hh_l0", [8, 2]), ("bias_ih_l0", [8]), ("bias_hh_l0", [8]),
        ("weight_ih_l0_reverse", [8, 3]), ("weight_hh_l0_reverse", [8, 2]), ("bias_ih_l0_reverse", [8]), ("bias_hh_l0_reverse", [8]));

    [Theory]
    [InlineData("lstm.")]
    [InlineData("lstm")]
    public void PythonLstmStateDict_LoadsUnderItsModulePrefix(string prefix)
    {
        string path = FixturePath("python_lstm.safetensors");
        FakeNetwork net = BidirectionalLstm3x2();
        SafeTensorsFile.LoadInto(net, path, prefix); // "fc.*" lies outside the prefix and is ignored.

        SafeTensorsFile file = SafeTensorsFile.Read(path);
        foreach (TensorDescriptor d in net.Tensors)
            AssertBitsEqual(file["lstm." + d.Name].ToSingleArray(), d.Slice(net.Parameters));
        // Values PyTorch printed when it wrote the fixture (torch.manual_seed(1234)).
        Assert.Equal(-0.6661239266395569f, net.Parameters[0]);
        Assert.Equal(0.3275328576564789f, net.Parameters[net.Tensors[7].Offset + 2]);
    }

    [Fact]
    public void PythonLstmStateDict_WithoutPrefix_ReportsMissingKeysAndSuggestsThePrefix()
    {
        FakeNetwork net = BidirectionalLstm3x2();
        SafeTensorsException e = Assert.Throws<SafeTensorsException>(
            () => SafeTensorsFile.LoadInto(net, FixturePath("python_lstm.safetensors")));
        Assert.Contains("'weight_ih_l0' is missing", e.Message);
        Assert.Contains("did you mean prefix \"lstm.\"", e.Message);
        Assert.Contains("python_lstm.safetensors", e.Message);
        Assert.All(net.Parameters, p => Assert.Equal(0f, p));
    }

    // ───────────────────────────── malformed headers ─────────────────────────────

    private const string Ok = "\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]";

    public static TheoryData<string, byte[], string, string?> Malformed()
    {
        byte[] eight = F32Bytes(1, 2);
        byte[] bigLength = new byte[16];
        BinaryPrimitives.WriteUInt64LittleEndian(bigLength, 200_000_000);
        byte[] hugeLength = new byte[16];
        BinaryPrimitives.WriteUInt64LittleEndian(hugeLength, ulong.MaxValue);
        byte[] pastEnd = Hand("{}");
        BinaryPrimitives.WriteUInt64LittleEndian(pastEnd, 3);
        byte[] badUtf8 = Hand("{\"a\":{" + Ok + "}}", eight);
        badUtf8[10] = 0xFF;

        return new()
        {
            { "empty file", [], "0 bytes, too few", null },
            { "seven bytes", [1, 0, 0, 0, 0, 0, 0], "7 bytes, too few", null },
            { "header above limit", bigLength, "above the limit", null },
            { "header length 2^64-1", hugeLength, "above the limit", null },
            { "header past end", pastEnd, "only 2 bytes follow", null },
            { "empty header", Hand(""), "header is empty", null },
            { "not JSON", Hand("{\"a\":", eight), "not valid JSON", null },
            { "trailing garbage", Hand("{} x"), "not valid JSON", null },
            { "array header", Hand("[1,2]"), "must be a JSON object, but it is an array", null },
            { "string header", Hand("\"hi\""), "must be a JSON object, but it is a string", null },
            { "bad UTF-8", badUtf8, "not valid UTF-8", null },
            { "entry not object", Hand("{\"a\":[0,8]}", eight), "Tensor 'a': expected an object", "a" },
            { "missing dtype", Hand("{\"a\":{\"shape\":[2],\"data_offsets\":[0,8]}}", eight), "Tensor 'a': the field 'dtype' is missing", "a" },
            { "missing shape", Hand("{\"a\":{\"dtype\":\"F32\",\"data_offsets\":[0,8]}}", eight), "Tensor 'a': the field 'shape' is missing", "a" },
            { "missing offsets", Hand("{\"a\":{\"dtype\":\"F32\",\"shape\":[2]}}", eight), "Tensor 'a': the field 'data_offsets' is missing", "a" },
            { "dtype not string", Hand("{\"a\":{\"dtype\":4,\"shape\":[2],\"data_offsets\":[0,8]}}", eight), "'dtype' must be a string", "a" },
            { "unknown dtype", Hand("{\"a\":{\"dtype\":\"F33\",\"shape\":[2],\"data_offsets\":[0,8]}}", eight), "Tensor 'a': unknown dtype 'F33'", "a" },
            { "lower-case dtype", Hand("{\"a\":{\"dtype\":\"f32\",\"shape\":[2],\"data_offsets\":[0,8]}}", eight), "unknown dtype 'f32'", "a" },
            { "shape not array", Hand("{\"a\":{\"dtype\":\"F32\",\"shape\":2,\"data_offsets\":[0,8]}}", eight), "'shape' must be an array", "a" },
            { "negative dim", Hand("{\"a\":{\"dtype\":\"F32\",\"shape\":[-2,-1],\"data_offsets\":[0,8]}}", eight), "shape[0] is -2; dimensions must not be negative", "a" },
            { "fractional dim", Hand("{\"a\":{\"dtype\":\"F32\",\"shape\":[2.5],\"data_offsets\":[0,8]}}", eight), "shape[0] is 2.5, which is not a 64-bit integer", "a" },
            { "string dim", Hand("{\"a\":{\"dtype\":\"F32\",\"shape\":[\"2\"],\"data_offsets\":[0,8]}}", eight), "shape[0] must be an integer", "a" },
            { "dim beyond int64", Hand("{\"a\":{\"dtype\":\"F32\",\"shape\":[99999999999999999999],\"data_offsets\":[0,8]}}", eight), "not a 64-bit integer", "a" },
            { "shape product overflows", Hand("{\"a\":{\"dtype\":\"F32\",\"shape\":[4294967296,4294967296],\"data_offsets\":[0,8]}}", eight), "more elements than any file can hold", "a" },
            { "shape bytes overflow", Hand("{\"a\":{\"dtype\":\"F32\",\"shape\":[4611686018427387904],\"data_offsets\":[0,8]}}", eight), "more bytes than any file can hold", "a" },
            { "shape mismatch", Hand("{\"a\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,8]}}", eight), "shape [3] of F32 needs 12 bytes, but data_offsets [0, 8] cover 8", "a" },
            { "dtype size mismatch", Hand("{\"a\":{\"dtype\":\"F16\",\"shape\":[2],\"data_offsets\":[0,8]}}", eight), "shape [2] of F16 needs 4 bytes", "a" },
            { "offsets not array", Hand("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":8}}", eight), "'data_offsets' must be an array of two integers", "a" },
            { "offsets of three", Hand("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,4,8]}}", eight), "but it is an array of 3", "a" },
            { "negative offset", Hand("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[-8,0]}}", eight), "must not be negative", "a" },
            { "reversed offsets", Hand("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[8,0]}}", eight), "data_offsets [8, 0] end before they begin", "a" },
            { "offsets beyond data", Hand("{\"a\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]}}", eight), "data_offsets [0, 16] reach beyond the data section, which has 8 bytes", "a" },
            {
                "overlap",
                Hand("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}", F32Bytes(1, 2, 3)),
                "Tensor 'b': data_offsets [4, 12] overlap those of tensor 'a' [0, 8]", "b"
            },
            {
                "same range twice",
                Hand("{\"a\":{" + Ok + "},\"b\":{" + Ok + "}}", eight),
                "overlap those of tensor 'a'", "b"
            },
            {
                "hole",
                Hand("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[8,12]}}", F32Bytes(1, 2, 3)),
                "leave bytes [4, 8) after tensor 'a' unused", "b"
            },
            { "hole at start", Hand("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", eight), "leave bytes [0, 4) at the start", "a" },
            { "trailing data", Hand("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", eight), "the 4 bytes after tensor 'a' belong to no tensor", "a" },
            { "data but no tensors", Hand("{\"__metadata__\":{}}", eight), "lists no tensors, but the data section has 8 bytes", null },
            { "duplicate tensor", Hand("{\"a\":{" + Ok + "},\"a\":{" + Ok + "}}", eight), "lists 'a' more than once", "a" },
            { "duplicate field", Hand("{\"a\":{" + Ok + ",\"dtype\":\"F16\"}}", eight), "Tensor 'a': the field 'dtype' appears more than once", "a" },
            { "metadata not object", Hand("{\"__metadata__\":[\"x\"],\"a\":{" + Ok + "}}", eight), "'__metadata__' must be an object of strings", null },
            { "metadata value not string", Hand("{\"__metadata__\":{\"epochs\":3},\"a\":{" + Ok + "}}", eight), "'__metadata__' entry 'epochs' must be a string, but it is a number", null },
            { "metadata twice", Hand("{\"__metadata__\":{},\"a\":{" + Ok + "},\"__metadata__\":{}}", eight), "lists '__metadata__' more than once", null },
            { "deep nesting", Hand(new string('[', 100) + new string(']', 100)), "not valid JSON", null },
        };
    }

    [Theory]
    [MemberData(nameof(Malformed))]
    public void MalformedFile_RaisesSafeTensorsExceptionNamingTheProblem(string scenario, byte[] file, string expectedText, string? tensor)
    {
        SafeTensorsException e = ReadFails(file);
        Assert.True(e.Message.Contains(expectedText, StringComparison.Ordinal), $"{scenario}: message was: {e.Message}");
        Assert.Equal(tensor, e.TensorName);
        Assert.IsAssignableFrom<IOException>(e);
    }

    [Fact]
    public void HeaderLimit_IsConfigurable_AndReadFromPathNamesTheFile()
    {
        byte[] file = Hand("{\"a\":{" + Ok + "}}", F32Bytes(1, 2));
        Assert.Contains("above the limit of 16 bytes", Assert.Throws<SafeTensorsException>(() => SafeTensorsFile.Read(file, maxHeaderLength: 16)).Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => SafeTensorsFile.Read(file, maxHeaderLength: 0));

        string path = Path.Combine(Path.GetTempPath(), $"rnngen-bad-{Guid.NewGuid():N}.safetensors");
        File.WriteAllBytes(path, file[..^1]);
        try
        {
            SafeTensorsException e = Assert.Throws<SafeTensorsException>(() => SafeTensorsFile.Read(path));
            Assert.StartsWith(path + ": ", e.Message);
            Assert.Contains("reach beyond the data section", e.Message);
            Assert.Equal("a", e.TensorName);
        }
        finally
        {
            File.Delete(path);
        }
    }

    // ───────────────────────────── mutation testing ─────────────────────────────

    private static IEnumerable<(string Name, byte[] Bytes)> ValidFiles()
    {
        var writer = new SafeTensorsWriter();
        writer.Metadata["format"] = "pt";
        writer.Add("weight_ih_l0", Enumerable.Range(0, 12).Select(i => i * 0.25f).ToArray(), 4, 3)
              .Add("bias_ih_l0", new[] { 1f, -1f, 2f, -2f }, 4)
              .Add("scalar", new[] { 5f });
        yield return ("writer", writer.ToArray());
        yield return ("python_written", File.ReadAllBytes(FixturePath("python_written.safetensors")));
        yield return ("hand", Hand(
            "{\"b\":{\"dtype\":\"BF16\",\"shape\":[2],\"data_offsets\":[8,12]},\"a\":{\"dtype\":\"F16\",\"shape\":[2,2],\"data_offsets\":[0,8]},\"z\":{\"dtype\":\"U8\",\"shape\":[0],\"data_offsets\":[12,12]}}",
            [.. U16Bytes(0x3C00, 0x4000, 0x0001, 0x7C00), .. U16Bytes(0x3F80, 0x0001)]));
    }

    // Reads through all three entry points; returns true when valid. Any exception other than
    // SafeTensorsException fails the test, as does disagreement between the entry points.
    private static bool TryReadOnlySafeTensorsException(byte[] bytes, string what)
    {
        string? first = null;
        bool? valid = null;
        foreach (Func<SafeTensorsFile> read in new Func<SafeTensorsFile>[]
                 {
                     () => SafeTensorsFile.Read(bytes), () => SafeTensorsFile.Read(new MemoryStream(bytes)), () => SafeTensorsFile.Read(new ForwardOnlyStream(bytes)),
                 })
        {
            string outcome;
            try
            {
                SafeTensorsFile f = read();
                foreach (SafeTensor t in f.Tensors)
                {
                    if (t.CanConvertToSingle) _ = t.ToSingleArray();
                }
                outcome = "ok";
            }
            catch (SafeTensorsException e)
            {
                outcome = e.Message;
            }
            catch (Exception e)
            {
                Assert.Fail($"{what}: {e.GetType().FullName} escaped: {e}");
                throw;
            }
            first ??= outcome;
            Assert.True(first == outcome, $"{what}: entry points disagree: '{first}' vs '{outcome}'");
            valid = outcome == "ok";
        }
        return valid!.Value;
    }

    [Fact]
    public void Mutation_EveryTruncation_IsRejectedWithSafeTensorsException()
    {
        foreach ((string name, byte[] bytes) in ValidFiles())
        {
            Assert.True(TryReadOnlySafeTensorsException(bytes, name));
            for (int length = 0; length < bytes.Length; length++)
            {
                Assert.False(TryReadOnlySafeTensorsException(bytes[..length], $"{name} truncated to {length}"), $"{name} truncated to {length} was accepted");
            }
            // Appending bytes makes the data section longer than the tensors: also invalid.
            Assert.False(TryReadOnlySafeTensorsException([.. bytes, 0], $"{name} plus one byte"));
        }
    }

    [Fact]
    public void Mutation_FlippedBytes_OnlyEverRaiseSafeTensorsException_AndDataFlipsStayReadable()
    {
        byte[] masks = [0x01, 0x02, 0x10, 0x20, 0x40, 0x80, 0xFF];
        int rejected = 0;
        foreach ((string name, byte[] bytes) in ValidFiles())
        {
            int dataStart = 8 + (int)BinaryPrimitives.ReadUInt64LittleEndian(bytes);
            SafeTensorsFile original = SafeTensorsFile.Read(bytes);
            for (int position = 0; position < bytes.Length; position++)
            {
                foreach (byte mask in masks)
                {
                    byte[] mutated = (byte[])bytes.Clone();
                    mutated[position] ^= mask;
                    bool valid = TryReadOnlySafeTensorsException(mutated, $"{name} byte {position} ^ 0x{mask:X2}");
                    if (!valid) rejected++;
                    if (position >= dataStart)
                    {
                        // The data section carries no structure: the file stays valid, and only the one tensor changes.
                        Assert.True(valid, $"{name}: flipping data byte {position} was rejected");
                        SafeTensorsFile f = SafeTensorsFile.Read(mutated);
                        int changed = f.Tensors.Count(t => !t.RawData.Span.SequenceEqual(original[t.Name].RawData.Span));
                        Assert.Equal(1, changed);
                    }
                    else if (position < 8)
                    {
                        Assert.False(valid, $"{name}: flipping length byte {position} was accepted");
                    }
                }
            }
        }
        Assert.True(rejected > 1000, $"only {rejected} mutations were rejected");
    }

    [Fact]
    public void Mutation_EditedNumbersAndCharactersInTheHeader_OnlyEverRaiseSafeTensorsException()
    {
        string[] replacements =
        [
            "0", "1", "-1", "3", "7", "12", "9999", "4294967296", "9223372036854775807", "9223372036854775808",
            "-9223372036854775808", "18446744073709551615", "1e3", "1.0", "0.5", "-0", "null", "\"8\"", "[]", "{}", "true",
        ];
        int checkedCount = 0;
        foreach ((string name, byte[] bytes) in ValidFiles())
        {
            int headerLength = (int)BinaryPrimitives.ReadUInt64LittleEndian(bytes);
            string header = Encoding.UTF8.GetString(bytes, 8, headerLength);
            byte[] data = bytes[(8 + headerLength)..];

            // Every integer in the header (offsets and dimensions) replaced by each variant.
            foreach (Match m in Regex.Matches(header, "-?[0-9]+"))
            {
                foreach (string r in replacements)
                {
                    if (r == m.Value) continue;
                    string edited = header[..m.Index] + r + header[(m.Index + m.Length)..];
                    TryReadOnlySafeTensorsException(Hand(edited, data), $"{name}: '{m.Value}' at {m.Index} -> '{r}'");
                    checkedCount++;
                }
            }

            // Every header character deleted, and a structural character inserted at every position.
            for (int i = 0; i < header.Length; i++)
            {
                TryReadOnlySafeTensorsException(Hand(header.Remove(i, 1), data), $"{name}: delete char {i}");
                foreach (string insert in new[] { "{", "}", "[", "]", "\"", ",", ":", "-", "\\" })
                {
                    TryReadOnlySafeTensorsException(Hand(header.Insert(i, insert), data), $"{name}: insert '{insert}' at {i}");
                }
                checkedCount += 10;
            }

            // Swapping the two offsets of each range, and shifting every offset by the data length.
            foreach (Match m in Regex.Matches(header, "(?<=\"data_offsets\":)\\[(\\d+),(\\d+)\\]"))
            {
                string swapped = header[..m.Index] + $"[{m.Groups[2].Value},{m.Groups[1].Value}]" + header[(m.Index + m.Length)..];
                bool valid = TryReadOnlySafeTensorsException(Hand(swapped, data), $"{name}: swapped {m.Value}");
                Assert.True(!valid || m.Groups[1].Value == m.Groups[2].Value, $"{name}: swapped offsets {m.Value} accepted");
                checkedCount++;
            }
        }

        // Random byte soup in the header region, from a fixed seed.
        var random = new Random(20261127);
        const string alphabet = "{}[]\":,0123456789-.eE abcdtypeshapdt_ofsF32BI6UL\\u";
        for (int trial = 0; trial < 3000; trial++)
        {
            int length = random.Next(0, 80);
            var text = new char[length];
            for (int i = 0; i < length; i++) text[i] = alphabet[random.Next(alphabet.Length)];
            var data = new byte[random.Next(0, 24)];
            random.NextBytes(data);
            TryReadOnlySafeTensorsException(Hand(new string(text), data), $"random header '{new string(text)}'");
            checkedCount++;
        }
        Assert.True(checkedCount > 5000);
    }

    [Fact]
    public void Mutation_HeaderLengthField_OnlyEverRaisesSafeTensorsException()
    {
        foreach ((string name, byte[] bytes) in ValidFiles())
        {
            ulong original = BinaryPrimitives.ReadUInt64LittleEndian(bytes);
            foreach (ulong value in new ulong[] { 0, 1, 2, original - 1, original + 1, original + 8, (ulong)bytes.Length, 100_000_000, 100_000_001, int.MaxValue, uint.MaxValue, long.MaxValue, ulong.MaxValue })
            {
                byte[] mutated = (byte[])bytes.Clone();
                BinaryPrimitives.WriteUInt64LittleEndian(mutated, value);
                bool valid = TryReadOnlySafeTensorsException(mutated, $"{name}: header length {value}");
                Assert.False(valid, $"{name}: header length {value} accepted");
            }
        }
    }

    // ───────────────────────────── networks ─────────────────────────────

    private static FakeNetwork SmallRnn()
    {
        var net = new FakeNetwork(("weight_ih_l0", [3, 2]), ("weight_hh_l0", [3, 3]), ("bias_ih_l0", [3]), ("bias_hh_l0", [3]));
        for (int i = 0; i < net.Parameters.Length; i++) net.Parameters[i] = 0.125f * (i + 1) * (i % 2 == 0 ? 1 : -1);
        return net;
    }

    [Fact]
    public void SaveThenLoad_RoundTripsTheNetworkExactly_AndWritesAPyTorchStyleHeader()
    {
        FakeNetwork source = SmallRnn();
        string path = Path.Combine(Path.GetTempPath(), $"rnngen-net-{Guid.NewGuid():N}.safetensors");
        try
        {
            File.WriteAllText(path, "an older file that the save replaces");
            SafeTensorsFile.Save(source, path, new Dictionary<string, string> { ["epoch"] = "12" });

            SafeTensorsFile file = SafeTensorsFile.Read(path);
            Assert.Equal(new[] { "weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0" }, file.Tensors.Select(t => t.Name));
            Assert.All(file.Tensors, t => Assert.Equal(SafeTensorsDType.F32, t.DType));
            Assert.Equal(new long[] { 3, 2 }, file["weight_ih_l0"].Shape);
            Assert.Equal("pt", file.Metadata["format"]);
            Assert.Equal("12", file.Metadata["epoch"]);
            Assert.Equal(source.Signature, file.Metadata["rnngen.signature"]);

            // Table order is data order: offsets ascend through the table.
            byte[] bytes = File.ReadAllBytes(path);
            string header = Encoding.UTF8.GetString(bytes, 8, (int)BinaryPrimitives.ReadUInt64LittleEndian(bytes));
            Assert.Contains("\"weight_ih_l0\":{\"dtype\":\"F32\",\"shape\":[3,2],\"data_offsets\":[0,24]}", header);
            Assert.Contains("\"bias_hh_l0\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[72,84]}", header);

            FakeNetwork target = SmallRnn();
            Array.Clear(target.Parameters);
            SafeTensorsFile.LoadInto(target, path);
            AssertBitsEqual(source.Parameters, target.Parameters);
            Assert.All(target.Gradients, g => Assert.Equal(0f, g));

            // The temporary file is gone.
            Assert.Empty(Directory.GetFiles(Path.GetDirectoryName(path)!, "." + Path.GetFileName(path) + ".*"));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Save_ToStream_AndLoad_FromStream()
    {
        FakeNetwork source = SmallRnn();
        var stream = new MemoryStream();
        SafeTensorsFile.Save(source, stream);
        stream.Position = 0;
        FakeNetwork target = SmallRnn();
        Array.Clear(target.Parameters);
        SafeTensorsFile.LoadInto(target, stream);
        AssertBitsEqual(source.Parameters, target.Parameters);
    }

    private static byte[] StateDict(params (string Name, float[] Data, int[] Shape)[] tensors)
    {
        var writer = new SafeTensorsWriter();
        foreach ((string name, float[] data, int[] shape) in tensors) writer.Add(name, data, shape);
        return writer.ToArray();
    }

    private static (string, float[], int[]) T(string name, params int[] shape) =>
        (name, Enumerable.Range(0, shape.Aggregate(1, (a, b) => a * b)).Select(i => 100f + i).ToArray(), shape);

    private static SafeTensorsException LoadFails(FakeNetwork net, byte[] file, string? prefix = null, bool allowExtra = false)
    {
        float[] before = (float[])net.Parameters.Clone();
        SafeTensorsException e = Assert.Throws<SafeTensorsException>(
            () => SafeTensorsFile.Read(file).CopyInto(net, prefix, allowExtra));
        Assert.Equal(before, net.Parameters); // nothing written unless everything validates
        Assert.Contains(net.Signature, e.Message);
        return e;
    }

    [Fact]
    public void Load_MissingKey_NamesItAndTheExpectedShape()
    {
        byte[] file = StateDict(T("weight_ih_l0", 3, 2), T("weight_hh_l0", 3, 3), T("bias_ih_l0", 3));
        SafeTensorsException e = LoadFails(SmallRnn(), file);
        Assert.Contains("'bias_hh_l0' is missing from the file (the network expects shape [3])", e.Message);
        Assert.Contains("1 problem:", e.Message);
        Assert.Equal("bias_hh_l0", e.TensorName);
    }

    [Fact]
    public void Load_ExtraKey_IsAnErrorUnlessAllowed()
    {
        byte[] file = StateDict(T("weight_ih_l0", 3, 2), T("weight_hh_l0", 3, 3), T("bias_ih_l0", 3), T("bias_hh_l0", 3), T("weight_ih_l1", 3, 3));
        SafeTensorsException e = LoadFails(SmallRnn(), file);
        Assert.Contains("'weight_ih_l1' (F32 [3, 3]) is in the file, but the network has no such tensor", e.Message);
        Assert.Equal("weight_ih_l1", e.TensorName);

        FakeNetwork net = SmallRnn();
        SafeTensorsFile.Read(file).CopyInto(net, allowExtra: true);
        Assert.Equal(100f, net.Parameters[0]);
        Assert.Equal(102f, net.Parameters[net.Tensors[3].Offset + 2]);
    }

    [Fact]
    public void Load_WrongShape_NamesTheTensorAndBothShapes()
    {
        // Same element count, different shape: still refused, like PyTorch's load_state_dict.
        byte[] file = StateDict(T("weight_ih_l0", 2, 3), T("weight_hh_l0", 3, 3), T("bias_ih_l0", 3), T("bias_hh_l0", 4));
        SafeTensorsException e = LoadFails(SmallRnn(), file);
        Assert.Contains("'weight_ih_l0' has shape [2, 3] in the file, but the network expects [3, 2]", e.Message);
        Assert.Contains("'bias_hh_l0' has shape [4] in the file, but the network expects [3]", e.Message);
        Assert.Contains("2 problems:", e.Message);
        Assert.Equal("weight_ih_l0", e.TensorName);
    }

    [Fact]
    public void Load_UnsupportedDType_IsRefused_ButHalfPrecisionLoads()
    {
        string Entry(string name, string dtype, string shape, int begin, int end) =>
            $"\"{name}\":{{\"dtype\":\"{dtype}\",\"shape\":{shape},\"data_offsets\":[{begin},{end}]}}";

        byte[] f64 = Hand("{" + string.Join(",",
            Entry("weight_ih_l0", "F64", "[3,2]", 0, 48), Entry("weight_hh_l0", "F32", "[3,3]", 48, 84),
            Entry("bias_ih_l0", "F16", "[3]", 84, 90), Entry("bias_hh_l0", "BF16", "[3]", 90, 96)) + "}", new byte[96]);
        SafeTensorsException e = LoadFails(SmallRnn(), f64);
        Assert.Contains("'weight_ih_l0' has dtype F64 in the file, which cannot be loaded as float32", e.Message);

        byte[] halves = Hand("{" + string.Join(",",
            Entry("weight_ih_l0", "F16", "[3,2]", 0, 12), Entry("weight_hh_l0", "BF16", "[3,3]", 12, 30),
            Entry("bias_ih_l0", "F32", "[3]", 30, 42), Entry("bias_hh_l0", "F16", "[3]", 42, 48)) + "}",
            [.. U16Bytes(0x3C00, 0x4000, 0x4200, 0x4400, 0x4500, 0x4600), .. U16Bytes(0x3F80, 0x4000, 0x4040, 0x4080, 0x40A0, 0x40C0, 0x40E0, 0x4100, 0x4110),
             .. F32Bytes(0.25f, 0.5f, 0.75f), .. U16Bytes(0xBC00, 0x0001, 0x7C00)]);
        FakeNetwork net = SmallRnn();
        SafeTensorsFile.Read(halves).CopyInto(net);
        AssertBitsEqual(new[] { 1f, 2f, 3f, 4f, 5f, 6f, 1f, 2f, 3f, 4f, 5f, 6f, 7f, 8f, 9f, 0.25f, 0.5f, 0.75f, -1f, MathF.ScaleB(1f, -24), float.PositiveInfinity },
                        net.Parameters);
    }

    [Fact]
    public void Load_WithPrefix_IgnoresOtherModules_ButReportsExtrasUnderThePrefix()
    {
        byte[] file = StateDict(
            T("embedding.weight", 10, 2), T("rnn.weight_ih_l0", 3, 2), T("rnn.weight_hh_l0", 3, 3), T("rnn.bias_ih_l0", 3),
            T("rnn.bias_hh_l0", 3), T("fc.weight", 4, 3));
        FakeNetwork net = SmallRnn();
        SafeTensorsFile.Read(file).CopyInto(net, "rnn.");
        Assert.Equal(100f, net.Parameters[0]);

        byte[] withExtra = StateDict(
            T("rnn.weight_ih_l0", 3, 2), T("rnn.weight_hh_l0", 3, 3), T("rnn.bias_ih_l0", 3), T("rnn.bias_hh_l0", 3), T("rnn.weight_ih_l1", 3, 3));
        SafeTensorsException e = LoadFails(SmallRnn(), withExtra, "rnn");
        Assert.Contains("'rnn.weight_ih_l1'", e.Message);

        SafeTensorsException wrongPrefix = LoadFails(SmallRnn(), file, "lstm.");
        Assert.Contains("'lstm.weight_ih_l0' is missing", wrongPrefix.Message);
        Assert.Contains("did you mean prefix \"rnn.\"", wrongPrefix.Message);
    }

    [Fact]
    public void Load_ListsEveryProblemAtOnce()
    {
        byte[] file = StateDict(T("weight_ih_l0", 3, 3), T("bias_ih_l0", 3), T("bias_hh_l0", 3), T("extra", 1));
        SafeTensorsException e = LoadFails(SmallRnn(), file);
        Assert.Contains("3 problems:", e.Message);
        Assert.Contains("'weight_ih_l0' has shape [3, 3] in the file, but the network expects [3, 2]", e.Message);
        Assert.Contains("'weight_hh_l0' is missing", e.Message);
        Assert.Contains("'extra' (F32 [1]) is in the file", e.Message);
    }

    // ───────────────────────────── test doubles ─────────────────────────────

    // A network with only a tensor table, laid out contiguously in the order given.
    private sealed class FakeNetwork : IRecurrentNetwork
    {
        public FakeNetwork(params (string Name, int[] Shape)[] tensors)
        {
            var table = new List<TensorDescriptor>();
            int offset = 0;
            foreach ((string name, int[] shape) in tensors)
            {
                var d = new TensorDescriptor(name, offset, shape);
                table.Add(d);
                offset += d.Length;
            }
            Tensors = table;
            Parameters = new float[offset];
            Gradients = new float[offset];
            Signature = "Fake(" + string.Join(", ", table.Select(t => t.Name + t.ShapeText)) + ")";
        }

        public string Signature { get; }

        public float[] Parameters { get; }

        public float[] Gradients { get; }

        public IReadOnlyList<TensorDescriptor> Tensors { get; }
    }

    // A stream that can only be read forward, like a network or pipe stream.
    private sealed class ForwardOnlyStream(byte[] bytes) : Stream
    {
        private readonly MemoryStream _inner = new(bytes, writable: false);

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => _inner.Read(buffer, offset, Math.Min(count, 7)); // short reads on purpose

        public override void Flush() { }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
