using System;
using System.IO;
using System.Linq;
using Google.Protobuf;
using RnnGen.IO.Onnx;
using RnnGen.IO.Onnx.Proto;
using Xunit;

namespace RnnGen.Tests.IO;

/// <summary>Reading the TensorProto files of ONNX's backend test cases (input_N.pb, output_N.pb).</summary>
public class OnnxTensorFileTests
{
    private static string CaseFile(string file) =>
        Path.Combine(AppContext.BaseDirectory, "IO", "Fixtures", "onnx-node", "test_lstm_with_peepholes", "test_data_set_0", file);

    [Fact]
    public void Reads_TheLstmWithPeepholesCase()
    {
        // X [seq_length 1, batch 2, input 4] = 1 … 8.
        OnnxTensor x = OnnxTensorFile.Read(CaseFile("input_0.pb"));
        Assert.Equal("X", x.Name);
        Assert.Equal(OnnxElementType.Float, x.ElementType);
        Assert.Equal([1, 2, 4], x.Dims);
        Assert.Equal(Enumerable.Range(1, 8).Select(v => (float)v), x.ToFloatArray());

        // W [1, 4·3, 4], R [1, 12, 3], B [1, 24], all 0.1 or 0 in this case.
        OnnxTensor w = OnnxTensorFile.Read(CaseFile("input_1.pb"));
        Assert.Equal("W", w.Name);
        Assert.Equal([1, 12, 4], w.Dims);
        Assert.All(w.ToFloatArray(), v => Assert.Equal(0.1f, v));
        Assert.Equal([1, 12, 3], OnnxTensorFile.Read(CaseFile("input_2.pb")).Dims);
        OnnxTensor b = OnnxTensorFile.Read(CaseFile("input_3.pb"));
        Assert.Equal([1, 24], b.Dims);
        Assert.All(b.ToFloatArray(), v => Assert.Equal(0f, v));

        // sequence_lens: INT32 [2] = 1, 1.
        OnnxTensor lens = OnnxTensorFile.Read(CaseFile("input_4.pb"));
        Assert.Equal("sequence_lens", lens.Name);
        Assert.Equal(OnnxElementType.Int32, lens.ElementType);
        Assert.Equal([2], lens.Dims);
        Assert.Equal([1, 1], lens.ToInt32Array());
        Assert.Equal([1L, 1L], lens.ToInt64Array());
        Assert.Throws<InvalidOperationException>(() => lens.ToFloatArray());

        Assert.Equal("initial_h", OnnxTensorFile.Read(CaseFile("input_5.pb")).Name);
        Assert.Equal("initial_c", OnnxTensorFile.Read(CaseFile("input_6.pb")).Name);
        OnnxTensor p = OnnxTensorFile.Read(CaseFile("input_7.pb"));
        Assert.Equal(("P", 9), (p.Name, p.ElementCount));

        // Y_h [1, 2, 3]: identical rows, since both sequences and all weights are alike per row.
        OnnxTensor yh = OnnxTensorFile.Read(CaseFile("output_0.pb"));
        Assert.Equal("Y_h", yh.Name);
        Assert.Equal([1, 2, 3], yh.Dims);
        float[] y = yh.ToFloatArray();
        Assert.All(y, v => Assert.InRange(v, 0f, 1f));
        Assert.Equal(y[0], y[1]);
    }

    [Fact]
    public void WriteThenRead_RoundTrips()
    {
        string path = Path.Combine(Path.GetTempPath(), $"rnngen-tensor-{Guid.NewGuid():N}.pb");
        try
        {
            OnnxTensor t = OnnxTensor.FromFloats("Y", [2, 1, 3], [1f, -2f, 3.5f, float.Epsilon, -0f, 1e30f]);
            OnnxTensorFile.Write(path, t);
            OnnxTensor back = OnnxTensorFile.Read(path);
            Assert.Equal("Y", back.Name);
            Assert.Equal([2, 1, 3], back.Dims);
            Assert.Equal(t.ToFloatArray().Select(BitConverter.SingleToUInt32Bits), back.ToFloatArray().Select(BitConverter.SingleToUInt32Bits));

            OnnxTensor ids = OnnxTensor.FromInt64s("tokens", [3], [5L, -1L, 1L << 40]);
            OnnxTensor idsBack = OnnxTensorFile.Parse(OnnxTensorFile.ToBytes(ids));
            Assert.Equal([5L, -1L, 1L << 40], idsBack.ToInt64Array());
            Assert.Throws<InvalidOperationException>(() => idsBack.ToInt32Array());
            Assert.Equal(OnnxElementType.Int32, OnnxTensorFile.Parse(OnnxTensorFile.ToBytes(OnnxTensor.FromInt32s("s", [], [7]))).ElementType);
        }
        finally
        {
            File.Delete(path);
        }
        Assert.Throws<ArgumentException>(() => OnnxTensor.FromFloats("bad", [2, 2], [1f]));
    }

    // Integer tensors may keep their elements in int32_data / int64_data instead of raw_data; both forms decode
    // alike, and a count that disagrees with the dimensions, or both forms at once, is refused by name.
    [Fact]
    public void IntegerTensors_ReadTypedFieldsAndRawData_Alike()
    {
        var typed32 = new TensorProto { Name = "lens", DataType = (int)OnnxElementType.Int32 };
        typed32.Dims.Add(3);
        typed32.Int32Data.AddRange([4, -2, int.MaxValue]);
        Assert.Equal([4, -2, int.MaxValue], OnnxTensor.FromProto(typed32, "lens").ToInt32Array());
        var raw32 = new TensorProto { Name = "lens", DataType = (int)OnnxElementType.Int32, RawData = TensorData.Raw([4, -2, int.MaxValue]) };
        raw32.Dims.Add(3);
        Assert.Equal([4, -2, int.MaxValue], OnnxTensor.FromProto(raw32, "lens").ToInt32Array());

        var typed64 = new TensorProto { Name = "ids", DataType = (int)OnnxElementType.Int64 };
        typed64.Dims.Add(2);
        typed64.Int64Data.AddRange([1L << 40, -7L]);
        Assert.Equal([1L << 40, -7L], OnnxTensor.FromProto(typed64, "ids").ToInt64Array());

        typed64.Int64Data.Add(3L);
        Assert.Contains("int64_data", Assert.Throws<OnnxFormatException>(() => OnnxTensor.FromProto(typed64, "ids")).Message);
        raw32.Int32Data.Add(1);
        Assert.Throws<OnnxFormatException>(() => OnnxTensor.FromProto(raw32, "lens"));

        // A few bytes that claim 2³¹ − 1 elements are refused before anything that size is allocated.
        var huge = new TensorProto { Name = "huge", DataType = (int)OnnxElementType.Float };
        huge.Dims.Add(int.MaxValue);
        Assert.Contains("float_data", Assert.Throws<OnnxFormatException>(() => OnnxTensorFile.Parse(huge.ToByteArray())).Message);
        huge.RawData = ByteString.CopyFrom(new byte[8]);
        Assert.Throws<OnnxFormatException>(() => OnnxTensorFile.Parse(huge.ToByteArray()));
    }

    [Fact]
    public void MutatedFiles_OnlyEverThrowOnnxFormatException()
    {
        byte[] valid = File.ReadAllBytes(CaseFile("input_1.pb"));
        var random = new Random(7);
        int rejected = 0;
        for (int i = 0; i < valid.Length + 2000; i++)
        {
            byte[] bytes;
            if (i < valid.Length)
            {
                bytes = valid[..i];
            }
            else
            {
                bytes = (byte[])valid.Clone();
                bytes[random.Next(bytes.Length)] = (byte)random.Next(256);
            }
            try
            {
                OnnxTensorFile.Parse(bytes);
            }
            catch (OnnxFormatException)
            {
                rejected++;
            }
            catch (Exception e)
            {
                Assert.Fail($"mutation {i}: {e.GetType().Name}: {e.Message}");
            }
        }
        Assert.True(rejected > valid.Length / 2);
    }
}
