using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Google.Protobuf;
using Microsoft.ML.OnnxRuntime;
using RnnGen.IO.Onnx;
using RnnGen.IO.Onnx.Proto;
using RnnGen.Tests.Networks;
using RnnGen.Tests.Numerics;
using Xunit;
using Xunit.Abstractions;

namespace RnnGen.Tests.IO;

/// <summary>
/// ONNX export against ONNX Runtime, import round trips, and the importer's errors: every
/// configuration of the numerical matrix (RNN tanh/relu, LSTM, GRU; 1–3 layers; forward and
/// bidirectional; dense and embedding input; with and without head) plus the extra networks of
/// <see cref="OnnxTestNetworks"/>.
/// </summary>
public class OnnxTests(ITestOutputHelper log)
{
    private const double Tolerance = 1e-5;

    // The ONNX-only variants (reset-first GRU, peepholes) are covered by the conformance cases;
    // export supports PyTorch's cells.
    private static readonly NetworkCase[] s_cases = NetworkMatrix.All.Concat(OnnxTestNetworks.All)
        .Where(c => c.Config.LinearBeforeReset && !c.Config.Peepholes).ToArray();

    public static TheoryData<string> Cases => new(s_cases.Select(c => c.Name));

    private static NetworkCase Find(string name) => s_cases.Single(c => c.Name == name);

    internal static OnnxNetworkShape ShapeOf(NetworkConfig c) =>
        new(c.Cell, c.InputSize, c.HiddenSize, c.Layers, c.Bidirectional, c.Relu, c.VocabularySize, c.OutputSize);

    // ------------------------------------------------------------------ export vs ONNX Runtime

    [Theory]
    [MemberData(nameof(Cases))]
    public void Export_RunsInOnnxRuntime_LikeForward(string name)
    {
        NetworkCase c = Find(name);
        NetworkConfig cfg = c.Config;
        NetworkAdapter net = c.Create(17);
        OnnxNetworkShape shape = ShapeOf(cfg);
        const int batch = 5, steps = 6;
        TestBatch data = TestBatch.Create(cfg, batch, steps, seed: 23);
        Assert.Contains(data.Lengths, l => l < steps); // the batch really is ragged

        foreach (bool withInitialState in new[] { false, true })
        {
            byte[] model = OnnxExporter.ExportToBytes(net.Network, shape, new OnnxExportOptions { InitialStateInputs = withInitialState });
            int stateLength = cfg.StateCount * batch * cfg.HiddenSize;
            bool lstm = cfg.Cell == CellKind.Lstm;
            float[] h0 = new float[withInitialState ? stateLength : 0], c0 = new float[withInitialState && lstm ? stateLength : 0];
            new SeededRandom(5).FillUniform(h0, -1, 1);
            new SeededRandom(6).FillUniform(c0, -1, 1);

            var output = new float[batch * steps * cfg.StepOutputSize];
            var finalH = new float[stateLength];
            var finalC = new float[lstm ? stateLength : 0];
            net.Forward(data.Inputs, data.Tokens, data.Lengths, output, finalH, h0, finalC, c0, false);

            OrtResult ort = OrtRunner.Run(model, cfg, data, withInitialState ? h0 : null, withInitialState && lstm ? c0 : null);

            double outputError = MaxRelativeError(ort.Output, output);
            double hiddenError = MaxRelativeError(ort.FinalHidden, finalH);
            double cellError = lstm ? MaxRelativeError(ort.FinalCell!, finalC) : 0;
            log.WriteLine($"{name} initial={withInitialState}: max rel. error output {outputError:E2}, final_hidden {hiddenError:E2}{(lstm ? $", final_cell {cellError:E2}" : "")}");
            Assert.True(outputError <= Tolerance, $"output differs by {outputError} (initial state {withInitialState})");
            Assert.True(hiddenError <= Tolerance, $"final hidden differs by {hiddenError} (initial state {withInitialState})");
            Assert.True(cellError <= Tolerance, $"final cell differs by {cellError} (initial state {withInitialState})");

            // Padded steps are exactly zero in both (the graph masks them, RnnGen never writes them).
            for (int b = 0; b < batch; b++)
                for (int t = data.Lengths[b]; t < steps; t++)
                    for (int j = 0; j < cfg.StepOutputSize; j++)
                        Assert.Equal(0f, ort.Output[(b * steps + t) * cfg.StepOutputSize + j]);
        }
    }

    [Fact]
    public void Export_AtTheHighestOpset_RunsInOnnxRuntime()
    {
        NetworkCase c = Find("GruI5H7L2BiEmbHead");
        NetworkAdapter net = c.Create(4);
        TestBatch data = TestBatch.Create(c.Config, 3, 5, seed: 8);
        byte[] model = OnnxExporter.ExportToBytes(net.Network, ShapeOf(c.Config), new OnnxExportOptions { Opset = OnnxExporter.MaxOpset });
        Assert.Equal(OnnxExporter.MaxOpset, ModelProto.Parser.ParseFrom(model).OpsetImport.Single().Version);
        var output = new float[3 * 5 * c.Config.StepOutputSize];
        var finalH = new float[c.Config.StateCount * 3 * c.Config.HiddenSize];
        net.Forward(data.Inputs, data.Tokens, data.Lengths, output, finalH, default, default, default, false);
        OrtResult ort = OrtRunner.Run(model, c.Config, data, null, null);
        Assert.True(MaxRelativeError(ort.Output, output) <= Tolerance);
        Assert.True(MaxRelativeError(ort.FinalHidden, finalH) <= Tolerance);
    }

    /// <summary>
    /// The model has the network's layout. A time-major network's graph takes and returns
    /// [steps, batch, …], its recurrent nodes say <c>layout = 0</c>, and nothing transposes its
    /// input; a batch-first network's graph has no <c>layout</c> attribute and transposes into and
    /// out of the recurrent nodes as before. The weights are the same. (That the time-major models
    /// compute Forward is <see cref="Export_RunsInOnnxRuntime_LikeForward"/> over the *TimeMajor cases.)
    /// </summary>
    [Theory]
    [InlineData("GruI5H7L2BiEmbHeadTimeMajor", "GruI5H7L2BiEmbHead")]
    [InlineData("LstmI5H7L2BiDenseHeadTimeMajor", "LstmI5H7L2BiDenseHead")]
    [InlineData("GruI5H7L1FwDenseTimeMajor", "GruI5H7L1FwDense")]
    public void Export_WritesTheNetworksLayout(string timeMajorName, string batchFirstName)
    {
        NetworkCase tmCase = Find(timeMajorName), bfCase = Find(batchFirstName);
        IRecurrentNetwork tmNet = tmCase.Create(3).Network, bfNet = bfCase.Create(3).Network;
        Assert.Equal(SequenceLayout.TimeMajor, tmNet.Layout);
        Assert.Equal(SequenceLayout.BatchFirst, bfNet.Layout);
        ModelProto tm = Export(tmNet, ShapeOf(tmCase.Config)), bf = Export(bfNet, ShapeOf(bfCase.Config));
        string source = tmCase.Config.HasEmbedding ? OnnxExporter.TokensName : OnnxExporter.InputName;
        static string[] Dims(ValueInfoProto v) => v.Type.TensorType.Shape.Dim.Select(d => d.DimParam.Length > 0 ? d.DimParam : d.DimValue.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        static bool Recurrent(NodeProto n) => n.OpType is "RNN" or "LSTM" or "GRU";

        string perStep = tmCase.Config.HasEmbedding ? "" : "5";
        Assert.Equal(new[] { "steps", "batch", perStep }.Where(d => d.Length > 0), Dims(tm.Graph.Input.Single(i => i.Name == source)));
        Assert.Equal(["steps", "batch", tmCase.Config.StepOutputSize.ToString(System.Globalization.CultureInfo.InvariantCulture)], Dims(tm.Graph.Output.Single(o => o.Name == OnnxExporter.OutputName)));
        Assert.All(tm.Graph.Node.Where(Recurrent), n => Assert.Equal(0, n.Attribute.Single(a => a.Name == "layout").I));
        Assert.Equal(tmCase.Config.Layers, tm.Graph.Node.Count(Recurrent));
        Assert.DoesNotContain(tm.Graph.Node, n => n.OpType == "Transpose" && n.Input.Contains(source));
        Assert.Equal(tmCase.Config.HasEmbedding ? "embedding/lookup" : OnnxExporter.InputName, tm.Graph.Node.First(Recurrent).Input[0]);
        if (tmCase.Config.HasEmbedding) Assert.Equal("embedding/tokens_masked", tm.Graph.Node.Single(n => n.Name == "embedding/lookup").Input[1]);

        Assert.Equal(new[] { "batch", "steps", perStep }.Where(d => d.Length > 0), Dims(bf.Graph.Input.Single(i => i.Name == source)));
        Assert.All(bf.Graph.Node.Where(Recurrent), n => Assert.DoesNotContain(n.Attribute, a => a.Name == "layout"));
        Assert.Contains(bf.Graph.Node, n => n.Name == "output/batch_first");
        Assert.Contains(bf.Graph.Node, n => n.Name is "input/time_major" or "embedding/tokens_time_major");

        Assert.Equal(bf.Graph.Initializer.Select(t => (t.Name, Convert.ToHexString(t.RawData.ToByteArray()))),
            tm.Graph.Initializer.Select(t => (t.Name, Convert.ToHexString(t.RawData.ToByteArray()))));
    }

    /// <summary>
    /// Pins down what ONNX Runtime itself does at padded steps, which docs/onnx.md relies on:
    /// with the exporter's final mask removed, Y past sequence_lens[b] is already zero for every
    /// cell and direction, and the reverse direction starts at each sequence's own last step.
    /// The mask matters for heads: a zero state would become log-softmax(bias), not zero.
    /// </summary>
    [Theory]
    [InlineData("RnnI5H7L1BiDense")]
    [InlineData("LstmI5H7L1BiDense")]
    [InlineData("GruI5H7L1BiDense")]
    public void OnnxRuntime_ZeroesRecurrentOutputsPastSequenceLengths(string name)
    {
        NetworkCase c = Find(name);
        NetworkAdapter net = c.Create(9);
        const int batch = 4, steps = 7;
        TestBatch data = TestBatch.Create(c.Config, batch, steps, seed: 31);
        ModelProto model = ModelProto.Parser.ParseFrom(OnnxExporter.ExportToBytes(net.Network, ShapeOf(c.Config)));
        // Drop the mask: the reshaped Y becomes the graph output directly.
        NodeProto mask = model.Graph.Node.Single(n => n.Name == "output/mask");
        model.Graph.Node.Remove(mask);
        model.Graph.Node.Single(n => n.Name == "output/features").Output[0] = OnnxExporter.OutputName;

        var output = new float[batch * steps * c.Config.StepOutputSize];
        var finalH = new float[c.Config.StateCount * batch * c.Config.HiddenSize];
        var finalC = new float[c.Config.Cell == CellKind.Lstm ? finalH.Length : 0];
        net.Forward(data.Inputs, data.Tokens, data.Lengths, output, finalH, default, finalC, default, false);
        OrtResult ort = OrtRunner.Run(model.ToByteArray(), c.Config, data, null, null);
        Assert.True(MaxRelativeError(ort.Output, output) <= Tolerance, "unmasked ORT output differs from Forward");
        Assert.Contains(output, v => v != 0f);
        int perStep = c.Config.StepOutputSize;
        for (int b = 0; b < batch; b++)
            for (int t = data.Lengths[b]; t < steps; t++)
                Assert.All(ort.Output.AsSpan((b * steps + t) * perStep, perStep).ToArray(), v => Assert.Equal(0f, v));
    }

    // ------------------------------------------------------------------ import

    [Theory]
    [MemberData(nameof(Cases))]
    public void ExportThenImport_IntoAFreshNetwork_IsBitExact(string name)
    {
        NetworkCase c = Find(name);
        IRecurrentNetwork source = c.Create(1).Network, target = c.Create(2).Network;
        OnnxNetworkShape shape = ShapeOf(c.Config);
        Assert.NotEqual(Bits(source.Parameters), Bits(target.Parameters));

        string path = Path.Combine(Path.GetTempPath(), $"rnngen-onnx-{Guid.NewGuid():N}.onnx");
        try
        {
            OnnxExporter.Export(source, shape, path);
            OnnxImporter.LoadWeights(target, shape, path);
        }
        finally
        {
            File.Delete(path);
        }
        Assert.Equal(Bits(source.Parameters), Bits(target.Parameters));
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void ShapeOf_ReadsTheSignature_AndAgreesWithTheConfiguration(string name)
    {
        NetworkCase c = Find(name);
        Assert.Equal(ShapeOf(c.Config), OnnxNetworkShape.Of(c.Create(1).Network));
    }

    [Fact]
    public void Import_ReadsFloatDataAndConstantNodes_AsWellAsRawData()
    {
        var source = new LstmI5H7L2BiEmbHead(1);
        var target = new LstmI5H7L2BiEmbHead(2);
        OnnxNetworkShape shape = OnnxNetworkShape.Of(source);
        ModelProto model = Export(source, shape);
        GraphProto graph = model.Graph;
        // layer0.W as float_data, layer1.R as a Constant node, head.weight as float_data.
        foreach (TensorProto t in graph.Initializer.Where(t => t.Name is "layer0.W" or "head.weight"))
        {
            float[] values = TensorData.Floats(t, TensorData.Count(TensorData.Dims(t, t.Name)), t.Name);
            t.RawData = ByteString.Empty;
            t.FloatData.AddRange(values);
        }
        TensorProto r1 = graph.Initializer.Single(t => t.Name == "layer1.R");
        graph.Initializer.Remove(r1);
        var constant = new NodeProto { OpType = "Constant", Name = "r1_constant" };
        constant.Output.Add("layer1.R");
        constant.Attribute.Add(new AttributeProto { Name = "value", Type = AttributeProto.Types.AttributeType.Tensor, T = r1 });
        graph.Node.Insert(0, constant);

        OnnxImporter.LoadWeights(target, shape, model.ToByteArray());
        Assert.Equal(Bits(source.Parameters), Bits(target.Parameters));
    }

    [Fact]
    public void Import_WithoutBias_LoadsZeroBiases()
    {
        var source = new GruI5H7L1FwDense(1);
        var target = new GruI5H7L1FwDense(2);
        OnnxNetworkShape shape = OnnxNetworkShape.Of(source);
        ModelProto model = Export(source, shape);
        NodeProto gru = model.Graph.Node.Single(n => n.OpType == "GRU");
        gru.Input[3] = "";
        OnnxImporter.LoadWeights(target, shape, model.ToByteArray());
        Assert.All(target.BiasIhL0.ToArray(), v => Assert.Equal(0f, v));
        Assert.All(target.BiasHhL0.ToArray(), v => Assert.Equal(0f, v));
        Assert.Equal(source.WeightIhL0.ToArray(), target.WeightIhL0.ToArray());
    }

    [Fact]
    public void Import_ReadsAHeadStoredAsMatMulByATransposedConstant_OrAsGemm()
    {
        var source = new GruI5H7L1FwDenseHead(1);
        OnnxNetworkShape shape = OnnxNetworkShape.Of(source);
        int o = shape.OutputSize, f = shape.HiddenSize;
        float[] w = source.HeadWeight.ToArray();
        var wt = new float[w.Length];
        for (int i = 0; i < o; i++) for (int j = 0; j < f; j++) wt[j * o + i] = w[i * f + j];

        // As PyTorch's exporter writes a Linear on a 3-D input: MatMul(x, Wᵀ constant) + b.
        ModelProto model = Export(source, shape);
        GraphProto graph = model.Graph;
        graph.Node.Remove(graph.Node.Single(n => n.Name == "head/weight_t"));
        graph.Node.Single(n => n.Name == "head/matmul").Input[1] = "onnx::MatMul_7";
        graph.Node.Single(n => n.Name == "head/logits").Input[1] = "linear.bias";
        graph.Initializer.Single(t => t.Name == "head.weight").Name = "unused";
        graph.Initializer.Remove(graph.Initializer.Single(t => t.Name == "unused"));
        graph.Initializer.Single(t => t.Name == "head.bias").Name = "linear.bias";
        var transposed = new TensorProto { Name = "onnx::MatMul_7", DataType = 1, RawData = TensorData.Raw(wt) };
        transposed.Dims.AddRange([f, o]);
        graph.Initializer.Add(transposed);
        var target = new GruI5H7L1FwDenseHead(2);
        OnnxImporter.LoadWeights(target, shape, model.ToByteArray());
        Assert.Equal(Bits(source.Parameters), Bits(target.Parameters));

        // As a Gemm with transB = 1 (weights in PyTorch layout).
        ModelProto gemmModel = Export(source, shape);
        graph = gemmModel.Graph;
        foreach (string n in new[] { "head/weight_t", "head/matmul", "head/logits" })
            graph.Node.Remove(graph.Node.Single(x => x.Name == n));
        var gemm = new NodeProto { OpType = "Gemm", Name = "gemm" };
        gemm.Input.AddRange(["flat", "fc.weight", "fc.bias"]);
        gemm.Output.Add("head/logits");
        gemm.Attribute.Add(new AttributeProto { Name = "transB", Type = AttributeProto.Types.AttributeType.Int, I = 1 });
        graph.Node.Add(gemm);
        graph.Initializer.Single(t => t.Name == "head.weight").Name = "fc.weight";
        graph.Initializer.Single(t => t.Name == "head.bias").Name = "fc.bias";
        target = new GruI5H7L1FwDenseHead(3);
        OnnxImporter.LoadWeights(target, shape, gemmModel.ToByteArray());
        Assert.Equal(Bits(source.Parameters), Bits(target.Parameters));
    }

    public static TheoryData<string, string, string> ImportErrors => new()
    {
        // network, mutation, words the message must contain
        { "LstmI5H7L1FwDense", "peepholes", "peephole" },
        { "LstmI5H7L1FwDense", "input_forget", "input_forget" },
        { "LstmI5H7L1FwDense", "clip", "clip" },
        { "LstmI5H7L1FwDense", "activation_alpha", "activation_alpha" },
        { "LstmI5H7L1FwDense", "unknown_attribute", "'colour'" },
        { "LstmI5H7L1FwDense", "activations", "activations" },
        { "GruI5H7L1FwDense", "linear_before_reset_0", "linear_before_reset = 0" },
        { "GruI5H7L1FwDense", "linear_before_reset_absent", "linear_before_reset = 0" },
        { "GruI5H7L1FwDense", "missing_W", "'layer0.W' is not an initializer" },
        { "GruI5H7L1FwDense", "missing_R_input", "lacks its weight input R" },
        { "GruI5H7L1FwDense", "W_wrong_shape", "[1, 21, 4]" },
        { "GruI5H7L1FwDense", "W_computed", "computed by Identity node" },
        { "GruI5H7L1FwDense", "W_double", "DOUBLE" },
        { "GruI5H7L1FwDense", "W_short_raw_data", "bytes of raw_data" },
        { "GruI5H7L1FwDense", "W_external", "external" },
        { "GruI5H7L1FwDense", "hidden_size", "hidden_size 8" },
        { "GruI5H7L1FwDense", "reverse", "'reverse'" },
        { "GruI5H7L1FwDense", "no_graph", "no graph" },
        { "GruI5H7L1FwDense", "no_recurrent_node", "no GRU node" },
        { "GruI5H7L1FwDense", "old_opset", "opset 6" },
        { "GruI5H7L1FwDense", "duplicate_initializer", "two initializers named 'layer0.R'" },
        { "RnnI5H7L2FwDenseRelu", "relu_as_tanh", "default activation Tanh" },
        { "RnnI5H7L1FwDenseHead", "no_head", "no initializers 'head.weight'" },
        { "RnnI5H7L1FwEmb", "no_embedding", "no initializer 'embedding.weight'" },
    };

    [Theory]
    [MemberData(nameof(ImportErrors))]
    public void Import_RejectsWhatItCannotRepresent_NamingIt(string name, string mutation, string expected)
    {
        NetworkCase c = Find(name);
        IRecurrentNetwork source = c.Create(1).Network, target = c.Create(2).Network;
        OnnxNetworkShape shape = ShapeOf(c.Config);
        ModelProto model = Export(source, shape);
        GraphProto graph = model.Graph;
        NodeProto? cell = graph.Node.FirstOrDefault(n => n.OpType is "RNN" or "LSTM" or "GRU");
        TensorProto Init(string n) => graph.Initializer.Single(t => t.Name == n);
        AttributeProto IntAttribute(string n, long v) => new() { Name = n, Type = AttributeProto.Types.AttributeType.Int, I = v };
        switch (mutation)
        {
            case "peepholes":
                while (cell!.Input.Count < 7) cell.Input.Add("");
                cell.Input.Add("layer0.B");
                break;
            case "input_forget": cell!.Attribute.Add(IntAttribute("input_forget", 1)); break;
            case "clip": cell!.Attribute.Add(new AttributeProto { Name = "clip", Type = AttributeProto.Types.AttributeType.Float, F = 3 }); break;
            case "activation_alpha":
                cell!.Attribute.Add(new AttributeProto { Name = "activation_alpha", Type = AttributeProto.Types.AttributeType.Floats, Floats = { 1f } });
                break;
            case "unknown_attribute": cell!.Attribute.Add(IntAttribute("colour", 1)); break;
            case "activations":
                var acts = new AttributeProto { Name = "activations", Type = AttributeProto.Types.AttributeType.Strings };
                foreach (string a in new[] { "Sigmoid", "Relu", "Tanh" }) acts.Strings.Add(ByteString.CopyFromUtf8(a));
                cell!.Attribute.Add(acts);
                break;
            case "linear_before_reset_0": cell!.Attribute.Single(a => a.Name == "linear_before_reset").I = 0; break;
            case "linear_before_reset_absent": cell!.Attribute.Remove(cell.Attribute.Single(a => a.Name == "linear_before_reset")); break;
            case "missing_W": graph.Initializer.Remove(Init("layer0.W")); break;
            case "missing_R_input": cell!.Input[2] = ""; break;
            case "W_wrong_shape": Init("layer0.W").Dims[2] = 4; break;
            case "W_computed":
                graph.Initializer.Single(t => t.Name == "layer0.W").Name = "w_source";
                var identity = new NodeProto { OpType = "Identity", Name = "make_w" };
                identity.Input.Add("w_source");
                identity.Output.Add("layer0.W");
                graph.Node.Insert(0, identity);
                break;
            case "W_double": Init("layer0.W").DataType = 11; break;
            case "W_short_raw_data": Init("layer0.W").RawData = ByteString.CopyFrom(Init("layer0.W").RawData.Span[4..]); break;
            case "W_external":
                Init("layer0.W").ExternalData.Add(new StringStringEntryProto { Key = "location", Value = "weights.bin" });
                Init("layer0.W").DataLocation = TensorProto.Types.DataLocation.External;
                break;
            case "hidden_size": cell!.Attribute.Single(a => a.Name == "hidden_size").I = 8; break;
            case "reverse": cell!.Attribute.Single(a => a.Name == "direction").S = ByteString.CopyFromUtf8("reverse"); break;
            case "no_graph": model.Graph = null; break;
            case "no_recurrent_node": graph.Node.Remove(cell!); break;
            case "old_opset": model.OpsetImport[0].Version = 6; break;
            case "duplicate_initializer": graph.Initializer.Add(Init("layer0.R").Clone()); break;
            case "relu_as_tanh": graph.Node.First(n => n.OpType == "RNN").Attribute.Remove(graph.Node.First(n => n.OpType == "RNN").Attribute.Single(a => a.Name == "activations")); break;
            case "no_head":
                Init("head.weight").Name = "x";
                Init("head.bias").Name = "y";
                graph.Node.Remove(graph.Node.Single(n => n.Name == "head/matmul"));
                break;
            case "no_embedding":
                Init("embedding.weight").Name = "table";
                graph.Node.Remove(graph.Node.Single(n => n.Name == "embedding/lookup"));
                break;
            default: throw new ArgumentException(mutation);
        }
        uint[] before = Bits(target.Parameters);
        var e = Assert.Throws<OnnxFormatException>(() => OnnxImporter.LoadWeights(target, shape, model.ToByteArray()));
        log.WriteLine($"{mutation}: {e.Message}");
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
        Assert.Equal(before, Bits(target.Parameters)); // nothing was written
    }

    [Fact]
    public void Import_RejectsAModelOfAnotherShape()
    {
        byte[] lstm = OnnxExporter.ExportToBytes(new LstmI5H7L1FwDense(1), OnnxNetworkShape.Of(new LstmI5H7L1FwDense(1)));
        var gru = new GruI5H7L1FwDense(1);
        Assert.Contains("is an LSTM", Assert.Throws<OnnxFormatException>(() => OnnxImporter.LoadWeights(gru, OnnxNetworkShape.Of(gru), lstm)).Message);

        var twoLayers = new LstmI5H7L2FwDense(1);
        Assert.Contains("1 LSTM node(s); the network has 2 layer(s)", Assert.Throws<OnnxFormatException>(() => OnnxImporter.LoadWeights(twoLayers, OnnxNetworkShape.Of(twoLayers), lstm)).Message);

        var bi = new LstmI5H7L1BiDense(1);
        Assert.Contains("forward-only; the network is bidirectional", Assert.Throws<OnnxFormatException>(() => OnnxImporter.LoadWeights(bi, OnnxNetworkShape.Of(bi), lstm)).Message);

        var wider = new LstmI16H33L1BiDenseHead(1);
        byte[] widerModel = OnnxExporter.ExportToBytes(wider, OnnxNetworkShape.Of(wider));
        var narrow = new LstmI5H7L1BiDenseHead(1);
        Assert.Contains("hidden_size 33", Assert.Throws<OnnxFormatException>(() => OnnxImporter.LoadWeights(narrow, OnnxNetworkShape.Of(narrow), widerModel)).Message);
    }

    [Fact]
    public void Shape_ThatDoesNotDescribeTheNetwork_IsAnArgumentError()
    {
        var net = new LstmI5H7L2BiEmbHead(1);
        OnnxNetworkShape right = OnnxNetworkShape.Of(net);
        Assert.Contains("embedding.weight", Assert.Throws<ArgumentException>(() => OnnxExporter.ExportToBytes(net, right with { InputSize = 4 })).Message);
        Assert.Contains("weight_ih_l2", Assert.Throws<ArgumentException>(() => OnnxExporter.ExportToBytes(net, right with { Layers = 3 })).Message);
        Assert.Contains("'head.", Assert.Throws<ArgumentException>(() => OnnxExporter.ExportToBytes(net, right with { OutputSize = 0 })).Message);
        Assert.Contains("Relu", Assert.Throws<ArgumentException>(() => OnnxExporter.ExportToBytes(net, right with { Relu = true })).Message);
        Assert.Throws<ArgumentException>(() => OnnxImporter.LoadWeights(net, right with { Cell = CellKind.Gru }, Array.Empty<byte>()));
        Assert.Throws<ArgumentOutOfRangeException>(() => new OnnxExportOptions { Opset = 13 });
    }

    // ------------------------------------------------------------------ mutation

    /// <summary>
    /// Truncations at every length, thousands of byte flips and corrupted tensor headers of a valid
    /// model: the importer either loads it or throws <see cref="OnnxFormatException"/> (never the
    /// protobuf parser's exceptions, an index or overflow error, or an out-of-memory), and a failed
    /// load leaves the network unchanged.
    /// </summary>
    [Fact]
    public void Import_OfMutatedModels_OnlyEverThrowsOnnxFormatException()
    {
        var source = new LstmI5H7L2BiEmbHead(1);
        var target = new LstmI5H7L2BiEmbHead(2);
        OnnxNetworkShape shape = OnnxNetworkShape.Of(source);
        byte[] valid = OnnxExporter.ExportToBytes(source, shape);
        float[] pristine = (float[])target.Parameters.Clone();
        int accepted = 0, rejected = 0;

        void Attempt(byte[] bytes, string what, bool mustReject = false)
        {
            try
            {
                OnnxImporter.LoadWeights(target, shape, bytes);
                Assert.False(mustReject, $"{what}: the corrupted model was accepted");
                accepted++;
                pristine.CopyTo(target.Parameters, 0);
            }
            catch (OnnxFormatException)
            {
                rejected++;
                Assert.True(pristine.AsSpan().SequenceEqual(target.Parameters), $"{what}: a failed load changed the network");
            }
            catch (Exception e)
            {
                Assert.Fail($"{what}: {e.GetType().Name}: {e.Message}");
            }
        }

        // Every length near the ends (headers, the last tensors and the graph outputs), every third in between.
        for (int length = 0; length < valid.Length; length += length < 1024 || length > valid.Length - 1024 ? 1 : 3)
            Attempt(valid[..length], $"truncated to {length} bytes");

        var random = new Random(12345);
        for (int i = 0; i < 3000; i++)
        {
            byte[] bytes = (byte[])valid.Clone();
            int flips = i < 2000 ? 1 : 1 + random.Next(8);
            var where = new List<int>();
            for (int k = 0; k < flips; k++)
            {
                int p = random.Next(bytes.Length);
                bytes[p] = i % 2 == 0 ? (byte)(bytes[p] ^ (1 << random.Next(8))) : (byte)random.Next(256);
                where.Add(p);
            }
            Attempt(bytes, $"bytes changed at {string.Join(", ", where)}");
        }

        // Tensor headers: every parameter tensor the importer reads, with wrong dims or types.
        ModelProto model = ModelProto.Parser.ParseFrom(valid);
        string[] read = ["embedding.weight", "layer0.W", "layer0.R", "layer0.B", "layer1.W", "layer1.R", "layer1.B", "head.weight", "head.bias"];
        for (int index = 0; index < model.Graph.Initializer.Count; index++)
        {
            TensorProto original = model.Graph.Initializer[index];
            bool isRead = read.Contains(original.Name);
            var corruptions = new List<(string What, Action<TensorProto> Apply)>
            {
                ("dim -1", t => { if (t.Dims.Count > 0) t.Dims[0] = -1; else t.Dims.Add(-1); }),
                ("dim 0", t => { if (t.Dims.Count > 0) t.Dims[0] = 0; else t.Dims.Add(0); }),
                ("dim 2^40", t => { if (t.Dims.Count > 0) t.Dims[^1] = 1L << 40; else t.Dims.Add(1L << 40); }),
                ("dim int.MaxValue", t => { if (t.Dims.Count > 0) t.Dims[^1] = int.MaxValue; else t.Dims.Add(int.MaxValue); }),
                ("dims of 2^31 elements", t => { t.Dims.Clear(); t.Dims.AddRange([1 << 16, 1 << 15]); }),
                ("dim + 1", t => { if (t.Dims.Count > 0) t.Dims[0] += 1; else t.Dims.Add(2); }),
                ("extra dim", t => t.Dims.Add(1)),
                ("dim removed", t => { if (t.Dims.Count > 0) t.Dims.RemoveAt(0); else t.Dims.Add(3); }),
                ("dims reversed", t => { if (t.Dims.Count < 2 || t.Dims[0] == t.Dims[^1]) t.Dims.Add(1); var d = t.Dims.Reverse().ToArray(); t.Dims.Clear(); t.Dims.AddRange(d); }),
                ("64 dims", t => { for (int k = 0; k < 64; k++) t.Dims.Add(1); }),
                ("data type 0", t => t.DataType = 0),
                ("data type INT32", t => t.DataType = 6),
                ("data type 99", t => t.DataType = 99),
                ("raw data cut", t => t.RawData = ByteString.CopyFrom(t.RawData.Span[..(t.RawData.Length / 2)])),
                ("raw data and float_data", t => t.FloatData.Add(1f)),
                ("segment", t => t.Segment = new TensorProto.Types.Segment { Begin = 0, End = 1 }),
            };
            foreach ((string what, Action<TensorProto> apply) in corruptions)
            {
                ModelProto mutated = model.Clone();
                apply(mutated.Graph.Initializer[index]);
                Attempt(mutated.ToByteArray(), $"initializer '{original.Name}' {what}", mustReject: isRead);
            }
        }
        log.WriteLine($"{accepted} mutated models loaded, {rejected} rejected with OnnxFormatException");
        Assert.True(rejected > 2000, $"only {rejected} of the mutated models were rejected");
    }

    // ------------------------------------------------------------------ helpers

    private static ModelProto Export(IRecurrentNetwork net, OnnxNetworkShape shape) => ModelProto.Parser.ParseFrom(OnnxExporter.ExportToBytes(net, shape));

    internal static uint[] Bits(float[] values) => values.Select(BitConverter.SingleToUInt32Bits).ToArray();

    /// <summary>Largest |actual − expected| / max(1, |expected|).</summary>
    internal static double MaxRelativeError(ReadOnlySpan<float> actual, ReadOnlySpan<float> expected)
    {
        Assert.Equal(expected.Length, actual.Length);
        double worst = 0;
        for (int i = 0; i < actual.Length; i++)
        {
            double e = Math.Abs((double)actual[i] - expected[i]) / Math.Max(1.0, Math.Abs((double)expected[i]));
            if (double.IsNaN(e)) return double.PositiveInfinity;
            worst = Math.Max(worst, e);
        }
        return worst;
    }
}

internal sealed record OrtResult(float[] Output, float[] FinalHidden, float[]? FinalCell);

/// <summary>Runs an exported model in ONNX Runtime on one thread, with the inputs the network's Forward got.</summary>
internal static class OrtRunner
{
    public static OrtResult Run(byte[] model, NetworkConfig cfg, TestBatch data, float[]? initialHidden, float[]? initialCell)
    {
        using var options = new SessionOptions { IntraOpNumThreads = 1, InterOpNumThreads = 1 };
        using var session = new InferenceSession(model, options);
        int batch = data.Batch, steps = data.Steps;
        // A time-major network's model takes and returns time-major tensors, as its Forward does;
        // the batch and the result stay batch-first here, like the adapters'.
        bool timeMajor = cfg.Layout == SequenceLayout.TimeMajor;
        long[] sequence = timeMajor ? [steps, batch] : [batch, steps];
        var inputs = new Dictionary<string, OrtValue>();
        try
        {
            if (cfg.HasEmbedding)
            {
                int[] tokens = timeMajor ? Transpose.ToTimeMajor<int>(data.Tokens, batch, steps, 1) : data.Tokens;
                inputs[OnnxExporter.TokensName] = OrtValue.CreateTensorValueFromMemory(tokens.Select(t => (long)t).ToArray(), sequence);
            }
            else
            {
                float[] x = timeMajor ? Transpose.ToTimeMajor<float>(data.Inputs, batch, steps, cfg.InputSize) : data.Inputs;
                inputs[OnnxExporter.InputName] = OrtValue.CreateTensorValueFromMemory(x, [.. sequence, cfg.InputSize]);
            }
            inputs[OnnxExporter.SequenceLengthsName] = OrtValue.CreateTensorValueFromMemory(data.Lengths, [batch]);
            long[] stateShape = [cfg.StateCount, batch, cfg.HiddenSize];
            if (initialHidden is not null) inputs[OnnxExporter.InitialHiddenName] = OrtValue.CreateTensorValueFromMemory(initialHidden, stateShape);
            if (initialCell is not null) inputs[OnnxExporter.InitialCellName] = OrtValue.CreateTensorValueFromMemory(initialCell, stateShape);

            using var runOptions = new RunOptions();
            var names = session.OutputNames.ToList();
            using var outputs = session.Run(runOptions, inputs, names);
            float[] Get(string name)
            {
                OrtValue v = outputs[names.IndexOf(name)];
                return v.GetTensorDataAsSpan<float>().ToArray();
            }
            OrtValue outputValue = outputs[names.IndexOf(OnnxExporter.OutputName)];
            Assert.Equal([.. sequence, cfg.StepOutputSize], outputValue.GetTensorTypeAndShape().Shape);
            float[] output = Get(OnnxExporter.OutputName);
            if (timeMajor) output = Transpose.ToBatchFirst<float>(output, batch, steps, cfg.StepOutputSize);
            return new OrtResult(output, Get(OnnxExporter.FinalHiddenName),
                cfg.Cell == CellKind.Lstm ? Get(OnnxExporter.FinalCellName) : null);
        }
        finally
        {
            foreach (OrtValue v in inputs.Values) v.Dispose();
        }
    }
}
