using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using RnnGen.IO.Onnx;
using Xunit;
using Xunit.Abstractions;

namespace RnnGen.Tests.IO;

/// <summary>
/// The ONNX backend node test cases for RNN, LSTM and GRU (Fixtures/onnx-node-rnn, see its
/// README.md): each case's W, R, B (and P) are loaded into a generated network of the case's
/// shape and layout (time-major for layout 0), X, sequence_lens and the initial states are passed
/// to <c>Forward</c> as stored, and the network's output and final hidden state must equal the
/// case's Y and Y_h, as stored, within |a − b| ≤ 1e-5 · max(1, |b|). The five cases that need
/// <c>LinearBeforeReset = false</c> or <c>Peepholes = true</c> are in <see cref="OnnxConformanceVariantTests"/>.
/// </summary>
public class OnnxConformanceTests(ITestOutputHelper log)
{
    [Fact]
    public void test_simple_rnn_defaults() => Check(OnnxConformance.Run("test_simple_rnn_defaults", new OnnxSimpleRnnDefaults(),
        (n, x, lengths, y, yh, h0, c0) => n.Forward(x, lengths, y, yh, h0)));

    [Fact]
    public void test_simple_rnn_with_initial_bias() => Check(OnnxConformance.Run("test_simple_rnn_with_initial_bias", new OnnxSimpleRnnWithInitialBias(),
        (n, x, lengths, y, yh, h0, c0) => n.Forward(x, lengths, y, yh, h0)));

    [Fact]
    public void test_simple_rnn_batchwise() => Check(OnnxConformance.Run("test_simple_rnn_batchwise", new OnnxSimpleRnnBatchwise(),
        (n, x, lengths, y, yh, h0, c0) => n.Forward(x, lengths, y, yh, h0)));

    [Fact]
    public void test_rnn_seq_length() => Check(OnnxConformance.Run("test_rnn_seq_length", new OnnxRnnSeqLength(),
        (n, x, lengths, y, yh, h0, c0) => n.Forward(x, lengths, y, yh, h0)));

    [Fact]
    public void test_lstm_defaults() => Check(OnnxConformance.Run("test_lstm_defaults", new OnnxLstmDefaults(),
        (n, x, lengths, y, yh, h0, c0) => n.Forward(x, lengths, y, yh, h0, default, c0)));

    [Fact]
    public void test_lstm_with_initial_bias() => Check(OnnxConformance.Run("test_lstm_with_initial_bias", new OnnxLstmWithInitialBias(),
        (n, x, lengths, y, yh, h0, c0) => n.Forward(x, lengths, y, yh, h0, default, c0)));

    [Fact]
    public void test_lstm_batchwise() => Check(OnnxConformance.Run("test_lstm_batchwise", new OnnxLstmBatchwise(),
        (n, x, lengths, y, yh, h0, c0) => n.Forward(x, lengths, y, yh, h0, default, c0)));

    /// <summary>
    /// The attribute table (taken from ONNX's rnn.py, lstm.py, gru.py, since the cases ship no
    /// model.onnx) agrees with the data of all twelve cases: tensor names in input/output order,
    /// W, R, B, P, initial states and outputs shaped for the case's hidden_size, layout and
    /// direction, and no extra files.
    /// </summary>
    [Theory]
    [MemberData(nameof(AllCases))]
    public void AttributeTable_AgreesWithTheData(string name)
    {
        OnnxNodeCase c = OnnxNodeCase.Load(name); // checks names, order and file count
        OnnxNodeAttributes node = c.Node;
        int g = OnnxConformance.Gates(node.Cell), h = node.HiddenSize, d = c.Directions;
        Assert.Equal(node.Direction == "bidirectional" ? 2 : 1, d);
        Assert.Equal([d, g * h, c.InputSize], c.Inputs["W"].Dims);
        Assert.Equal([d, g * h, h], c.Inputs["R"].Dims);
        if (c.Inputs.TryGetValue("B", out OnnxTensor? b)) Assert.Equal([d, 2 * g * h], b.Dims);
        if (c.Inputs.TryGetValue("P", out OnnxTensor? p)) Assert.Equal([d, 3 * h], p.Dims);
        int[] state = node.Layout == 0 ? [d, c.Batch, h] : [c.Batch, d, h];
        foreach (string s in new[] { "initial_h", "initial_c" })
            if (c.Inputs.TryGetValue(s, out OnnxTensor? t)) Assert.Equal(state, t.Dims);
        if (c.Inputs.TryGetValue("sequence_lens", out OnnxTensor? lens))
        {
            Assert.Equal([c.Batch], lens.Dims);
            Assert.All(lens.ToInt32Array(), l => Assert.InRange(l, 1, c.Steps));
        }
        int[] output = node.Layout == 0 ? [c.Steps, d, c.Batch, h] : [c.Batch, c.Steps, d, h];
        if (c.Outputs.TryGetValue("Y", out OnnxTensor? y)) Assert.Equal(output, y.Dims);
        if (c.Outputs.TryGetValue("Y_h", out OnnxTensor? yh)) Assert.Equal(state, yh.Dims);
    }

    public static TheoryData<string> AllCases => new(OnnxConformance.Attributes.Keys);

    private void Check(ConformanceResult result)
    {
        log.WriteLine(result.ToString());
        OnnxConformance.AssertWithinTolerance(result);
    }
}

/// <summary>
/// The attributes of a case's node and the names of its inputs and outputs in file order
/// (input_0.pb …, output_0.pb …). The .pb files hold only tensors; these come from the case
/// definitions in the ONNX repository, onnx/backend/test/case/node/rnn.py, lstm.py and gru.py.
/// </summary>
/// <param name="Cell">The operator: RNN, LSTM or GRU.</param>
/// <param name="HiddenSize">The node's <c>hidden_size</c>.</param>
/// <param name="Inputs">The node's inputs, in order, present ones only (no case leaves a gap).</param>
/// <param name="Outputs">The node's outputs that the case writes, in file order.</param>
/// <param name="Layout">0: X [T, B, I], Y [T, D, B, H], states [D, B, H]; 1: X [B, T, I], Y [B, T, D, H], states [B, D, H].</param>
/// <param name="LinearBeforeReset">GRU only: ONNX's <c>linear_before_reset</c> (default 0); null for RNN and LSTM.</param>
public sealed record OnnxNodeAttributes(CellKind Cell, int HiddenSize, string[] Inputs, string[] Outputs, int Layout = 0, int? LinearBeforeReset = null)
{
    /// <summary>Every case is a single forward layer.</summary>
    public string Direction => "forward";

    /// <summary>ONNX's default activations of the operator (no case sets <c>activations</c>, <c>clip</c> or <c>input_forget</c>).</summary>
    public string Activations => Cell switch
    {
        CellKind.Rnn => "Tanh",
        CellKind.Lstm => "Sigmoid, Tanh, Tanh",
        _ => "Sigmoid, Tanh",
    };

    /// <summary>LSTM with the P input.</summary>
    public bool Peepholes => Inputs.Contains("P");
}

/// <summary>One case's tensors, and (for the double-precision reference, <see cref="OnnxEquations"/>) their conversion to batch-first.</summary>
public sealed class OnnxNodeCase
{
    private OnnxNodeCase(string name, OnnxNodeAttributes node, Dictionary<string, OnnxTensor> inputs, Dictionary<string, OnnxTensor> outputs)
    {
        Name = name;
        Node = node;
        Inputs = inputs;
        Outputs = outputs;
        IReadOnlyList<int> x = inputs["X"].Dims;
        Assert.Equal(3, x.Count);
        (Steps, Batch) = node.Layout == 0 ? (x[0], x[1]) : (x[1], x[0]);
        InputSize = x[2];
        Directions = inputs["W"].Dims[0];
    }

    public string Name { get; }

    public OnnxNodeAttributes Node { get; }

    /// <summary>The input tensors by ONNX input name (X, W, R, B, sequence_lens, initial_h, initial_c, P).</summary>
    public IReadOnlyDictionary<string, OnnxTensor> Inputs { get; }

    /// <summary>The expected outputs by name (Y, Y_h).</summary>
    public IReadOnlyDictionary<string, OnnxTensor> Outputs { get; }

    public int Steps { get; }

    public int Batch { get; }

    public int InputSize { get; }

    public int Directions { get; }

    public static string Folder(string name) =>
        Path.Combine(AppContext.BaseDirectory, "Fixtures", "onnx-node-rnn", name, "test_data_set_0");

    /// <summary>Reads every input_N.pb and output_N.pb of the case and checks their names and number against the attribute table.</summary>
    public static OnnxNodeCase Load(string name)
    {
        OnnxNodeAttributes node = OnnxConformance.Attributes[name];
        string folder = Folder(name);
        Dictionary<string, OnnxTensor> Read(string prefix, string[] names)
        {
            Assert.Equal(names.Length, Directory.GetFiles(folder, prefix + "_*.pb").Length);
            var tensors = new Dictionary<string, OnnxTensor>(StringComparer.Ordinal);
            for (int i = 0; i < names.Length; i++)
            {
                OnnxTensor t = OnnxTensorFile.Read(Path.Combine(folder, $"{prefix}_{i}.pb"));
                Assert.True(t.Name == names[i], $"{name}/{prefix}_{i}.pb holds '{t.Name}', the table says '{names[i]}'");
                tensors.Add(t.Name, t);
            }
            return tensors;
        }
        return new OnnxNodeCase(name, node, Read("input", node.Inputs), Read("output", node.Outputs));
    }

    /// <summary>X as <c>Forward</c> reads it: batch-first [B, T, I].</summary>
    public float[] BatchFirstInputs()
    {
        float[] x = Inputs["X"].ToFloatArray();
        if (Node.Layout == 1) return x; // already [B, T, I]
        var result = new float[x.Length];
        for (int t = 0; t < Steps; t++)
            for (int b = 0; b < Batch; b++)
                x.AsSpan((t * Batch + b) * InputSize, InputSize).CopyTo(result.AsSpan((b * Steps + t) * InputSize));
        return result;
    }

    /// <summary>sequence_lens when the case has it, else every sequence is T long.</summary>
    public int[] Lengths() =>
        Inputs.TryGetValue("sequence_lens", out OnnxTensor? lens) ? lens.ToInt32Array() : Enumerable.Repeat(Steps, Batch).ToArray();

    /// <summary>initial_h / initial_c as [D, B, H] (RnnGen's [StateCount, B, H] for one layer), or empty when absent (zeros).</summary>
    public float[] InitialState(string name) =>
        Inputs.TryGetValue(name, out OnnxTensor? t) ? StateToDirectionMajor(t.ToFloatArray()) : [];

    /// <summary>The case's Y as <c>Forward</c>'s output [B, T, D·H], or null when the case has no Y.</summary>
    public float[]? ExpectedOutput()
    {
        if (!Outputs.TryGetValue("Y", out OnnxTensor? y)) return null;
        float[] v = y.ToFloatArray();
        if (Node.Layout == 1) return v; // [B, T, D, H] is [B, T, D·H]
        int h = Node.HiddenSize, d = Directions;
        var result = new float[v.Length];
        for (int t = 0; t < Steps; t++)
            for (int k = 0; k < d; k++)
                for (int b = 0; b < Batch; b++)
                    v.AsSpan(((t * d + k) * Batch + b) * h, h).CopyTo(result.AsSpan((b * Steps + t) * d * h + k * h));
        return result;
    }

    /// <summary>The case's Y_h as [D, B, H], or null when the case has no Y_h.</summary>
    public float[]? ExpectedFinalHidden() =>
        Outputs.TryGetValue("Y_h", out OnnxTensor? yh) ? StateToDirectionMajor(yh.ToFloatArray()) : null;

    /// <summary>
    /// The parameters in PyTorch's (RnnGen's) names, shapes and gate order, per direction d
    /// (suffix "" or "_reverse"): <c>weight_ih</c> = W[d], <c>weight_hh</c> = R[d], rows reordered;
    /// <c>bias_ih</c> = first half of B[d] (Wb), <c>bias_hh</c> = second half (Rb), each reordered,
    /// zeros when B is absent; LSTM <c>weight_peephole</c> = P[d] reordered from ONNX's i, o, f to i, f, o.
    /// </summary>
    /// <param name="reorderGates">False keeps ONNX's gate order (only to show which cases would notice a wrong order).</param>
    public Dictionary<string, float[]> PyTorchParameters(bool reorderGates = true)
    {
        int h = Node.HiddenSize, g = OnnxConformance.Gates(Node.Cell);
        int[] gates = reorderGates ? OnnxConformance.GateBlocks(Node.Cell) : Enumerable.Range(0, g).ToArray();
        int[] peepholes = reorderGates ? OnnxConformance.PeepholeBlocks : [0, 1, 2];
        float[] w = Inputs["W"].ToFloatArray(), r = Inputs["R"].ToFloatArray();
        float[] bias = Inputs.TryGetValue("B", out OnnxTensor? b) ? b.ToFloatArray() : new float[Directions * 2 * g * h];
        float[]? p = Inputs.TryGetValue("P", out OnnxTensor? pt) ? pt.ToFloatArray() : null;
        var result = new Dictionary<string, float[]>(StringComparer.Ordinal);
        for (int d = 0; d < Directions; d++)
        {
            string suffix = d == 0 ? "l0" : "l0_reverse";
            result["weight_ih_" + suffix] = Reorder(w.AsSpan(d * g * h * InputSize, g * h * InputSize), gates, h * InputSize);
            result["weight_hh_" + suffix] = Reorder(r.AsSpan(d * g * h * h, g * h * h), gates, h * h);
            result["bias_ih_" + suffix] = Reorder(bias.AsSpan(d * 2 * g * h, g * h), gates, h);
            result["bias_hh_" + suffix] = Reorder(bias.AsSpan(d * 2 * g * h + g * h, g * h), gates, h);
            if (p is not null) result["weight_peephole_" + suffix] = Reorder(p.AsSpan(d * 3 * h, 3 * h), peepholes, h);
        }
        return result;
    }

    /// <summary>
    /// Writes <see cref="PyTorchParameters"/> into <paramref name="network"/> by tensor name.
    /// The network must have exactly these tensors, of these sizes: a tensor the case cannot
    /// fill, or a case tensor (like P) the network lacks, fails the test.
    /// </summary>
    public void LoadParameters(IRecurrentNetwork network)
    {
        Dictionary<string, float[]> parameters = PyTorchParameters();
        Array.Fill(network.Parameters, float.NaN);
        foreach (TensorDescriptor t in network.Tensors)
        {
            Assert.True(parameters.Remove(t.Name, out float[]? values), $"{Name}: the network has {t.Name} {t.ShapeText}, which the case has no data for");
            Assert.True(values!.Length == t.Length, $"{Name}: {t.Name} {t.ShapeText} holds {t.Length} values, the case gives {values.Length}");
            values.CopyTo(t.Slice(network.Parameters));
        }
        Assert.True(parameters.Count == 0, $"{Name}: the network has no tensor for {string.Join(", ", parameters.Keys)}");
        Assert.False(network.Parameters.Any(float.IsNaN), $"{Name}: some parameters were not loaded");
    }

    /// <summary>ONNX block j (H rows of <paramref name="blockLength"/> values) goes to PyTorch block <c>toPyTorch[j]</c>.</summary>
    private static float[] Reorder(ReadOnlySpan<float> onnx, int[] toPyTorch, int blockLength)
    {
        var result = new float[onnx.Length];
        for (int j = 0; j < toPyTorch.Length; j++)
            onnx.Slice(j * blockLength, blockLength).CopyTo(result.AsSpan(toPyTorch[j] * blockLength));
        return result;
    }

    private float[] StateToDirectionMajor(float[] state)
    {
        if (Node.Layout == 0) return state; // [D, B, H]
        int h = Node.HiddenSize;
        var result = new float[state.Length];
        for (int b = 0; b < Batch; b++)
            for (int d = 0; d < Directions; d++)
                state.AsSpan((b * Directions + d) * h, h).CopyTo(result.AsSpan((d * Batch + b) * h));
        return result;
    }
}

/// <summary>Calls a network's <c>Forward</c> (the cell state is only passed to LSTMs).</summary>
public delegate void ConformanceForward<T>(T network, ReadOnlySpan<float> inputs, ReadOnlySpan<int> lengths, Span<float> output,
    Span<float> finalHidden, ReadOnlySpan<float> initialHidden, ReadOnlySpan<float> initialCell);

/// <summary>The largest relative error |a − b| / max(1, |b|) of each output a case has (null where it has none).</summary>
public sealed record ConformanceResult(string Case, double? OutputError, double? FinalHiddenError)
{
    public override string ToString() =>
        $"{Case}: max rel. error Y {(OutputError is { } y ? y.ToString("0.00e+0", System.Globalization.CultureInfo.InvariantCulture) : "(no Y)")}, " +
        $"Y_h {(FinalHiddenError is { } yh ? yh.ToString("0.00e+0", System.Globalization.CultureInfo.InvariantCulture) : "(no Y_h)")}";
}

public static class OnnxConformance
{
    public const double Tolerance = 1e-5;

    /// <summary>
    /// Every case's node, from onnx/backend/test/case/node/{rnn,lstm,gru}.py. Attributes not listed
    /// keep ONNX's defaults: direction forward, default activations, no clip, LSTM input_forget 0.
    /// </summary>
    public static readonly IReadOnlyDictionary<string, OnnxNodeAttributes> Attributes = new Dictionary<string, OnnxNodeAttributes>(StringComparer.Ordinal)
    {
        ["test_simple_rnn_defaults"] = new(CellKind.Rnn, 4, ["X", "W", "R"], ["Y_h"]),
        ["test_simple_rnn_with_initial_bias"] = new(CellKind.Rnn, 5, ["X", "W", "R", "B"], ["Y_h"]),
        ["test_simple_rnn_batchwise"] = new(CellKind.Rnn, 4, ["X", "W", "R"], ["Y", "Y_h"], Layout: 1),
        ["test_rnn_seq_length"] = new(CellKind.Rnn, 5, ["X", "W", "R", "B"], ["Y_h"]),
        ["test_lstm_defaults"] = new(CellKind.Lstm, 3, ["X", "W", "R"], ["Y_h"]),
        ["test_lstm_with_initial_bias"] = new(CellKind.Lstm, 4, ["X", "W", "R", "B"], ["Y_h"]),
        ["test_lstm_batchwise"] = new(CellKind.Lstm, 7, ["X", "W", "R"], ["Y", "Y_h"], Layout: 1),
        ["test_lstm_with_peepholes"] = new(CellKind.Lstm, 3, ["X", "W", "R", "B", "sequence_lens", "initial_h", "initial_c", "P"], ["Y_h"]),
        ["test_gru_defaults"] = new(CellKind.Gru, 5, ["X", "W", "R"], ["Y_h"], LinearBeforeReset: 0),
        ["test_gru_with_initial_bias"] = new(CellKind.Gru, 3, ["X", "W", "R", "B"], ["Y_h"], LinearBeforeReset: 0),
        ["test_gru_batchwise"] = new(CellKind.Gru, 6, ["X", "W", "R"], ["Y", "Y_h"], Layout: 1, LinearBeforeReset: 0),
        ["test_gru_seq_length"] = new(CellKind.Gru, 5, ["X", "W", "R", "B"], ["Y_h"], LinearBeforeReset: 0),
    };

    public static int Gates(CellKind cell) => cell switch { CellKind.Lstm => 4, CellKind.Gru => 3, _ => 1 };

    /// <summary>For each ONNX gate block, its PyTorch block.</summary>
    public static int[] GateBlocks(CellKind cell) => cell switch
    {
        // ONNX i, o, f, c → PyTorch i (0), f (1), g (2), o (3); ONNX's c is PyTorch's g.
        CellKind.Lstm => [0, 3, 1, 2],
        // ONNX z, r, h → PyTorch r (0), z (1), n (2); ONNX's h is PyTorch's n.
        CellKind.Gru => [1, 0, 2],
        _ => [0],
    };

    /// <summary>ONNX's P is [i, o, f]; RnnGen's <c>weight_peephole_l0</c> is [i, f, o].</summary>
    public static readonly int[] PeepholeBlocks = [0, 2, 1];

    /// <summary>
    /// Loads the case into <paramref name="network"/>, runs it on the case's tensors as stored and
    /// measures the errors of Y and Y_h as stored. The network must be declared in the case's
    /// layout; with one direction, layout 0's Y [T, 1, B, H] and Y_h [1, B, H] are a time-major
    /// network's output [T, B, H] and final state [StateCount, B, H] (layout 1's Y [B, T, 1, H] and
    /// Y_h [B, 1, H] a batch-first network's), so nothing is converted.
    /// </summary>
    public static ConformanceResult Run<T>(string name, T network, ConformanceForward<T> forward) where T : IRecurrentNetwork
    {
        OnnxNodeCase c = OnnxNodeCase.Load(name);
        Assert.True(network.Layout == (c.Node.Layout == 0 ? SequenceLayout.TimeMajor : SequenceLayout.BatchFirst),
            $"{name} has layout {c.Node.Layout}; the network is declared {network.Layout}");
        Assert.Equal(1, c.Directions);
        c.LoadParameters(network);
        int stepOutput = c.Directions * c.Node.HiddenSize;
        var output = new float[c.Batch * c.Steps * stepOutput];
        var finalHidden = new float[c.Directions * c.Batch * c.Node.HiddenSize];
        float[] Stored(string input) => c.Inputs.TryGetValue(input, out OnnxTensor? t) ? t.ToFloatArray() : [];
        forward(network, Stored("X"), c.Lengths(), output, finalHidden, Stored("initial_h"), Stored("initial_c"));

        // No case has sequence_lens shorter than T (only test_lstm_with_peepholes passes
        // sequence_lens, equal to T), so every position of Y is a real step; RnnGen would write
        // zeros past a length, as ONNX Runtime does.
        float[]? expectedOutput = c.Outputs.TryGetValue("Y", out OnnxTensor? y) ? y.ToFloatArray() : null;
        float[]? expectedFinal = c.Outputs.TryGetValue("Y_h", out OnnxTensor? yh) ? yh.ToFloatArray() : null;
        Assert.True(expectedOutput is not null || expectedFinal is not null, $"{name} has neither Y nor Y_h");
        return new ConformanceResult(name,
            expectedOutput is null ? null : MaxRelativeError(output, expectedOutput),
            expectedFinal is null ? null : MaxRelativeError(finalHidden, expectedFinal));
    }

    public static void AssertWithinTolerance(ConformanceResult result)
    {
        Assert.True((result.OutputError ?? 0) <= Tolerance, $"{result.Case}: Y differs by {result.OutputError} (relative)");
        Assert.True((result.FinalHiddenError ?? 0) <= Tolerance, $"{result.Case}: Y_h differs by {result.FinalHiddenError} (relative)");
    }

    /// <summary>Largest |actual − expected| / max(1, |expected|), expected being the case's output; NaN counts as infinitely wrong.</summary>
    public static double MaxRelativeError(ReadOnlySpan<float> actual, ReadOnlySpan<float> expected)
    {
        Assert.Equal(expected.Length, actual.Length);
        double worst = 0;
        for (int i = 0; i < actual.Length; i++) worst = Math.Max(worst, RelativeError(actual[i], expected[i]));
        return worst;
    }

    /// <inheritdoc cref="MaxRelativeError(ReadOnlySpan{float}, ReadOnlySpan{float})"/>
    public static double MaxRelativeError(ReadOnlySpan<double> actual, ReadOnlySpan<float> expected)
    {
        Assert.Equal(expected.Length, actual.Length);
        double worst = 0;
        for (int i = 0; i < actual.Length; i++) worst = Math.Max(worst, RelativeError(actual[i], expected[i]));
        return worst;
    }

    private static double RelativeError(double actual, double expected)
    {
        double e = Math.Abs(actual - expected) / Math.Max(1.0, Math.Abs(expected));
        return double.IsNaN(e) ? double.PositiveInfinity : e;
    }
}
