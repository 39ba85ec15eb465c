using System;
using System.Collections.Generic;
using System.Linq;
using RnnGen;
using Xunit;
using Xunit.Abstractions;

namespace RnnGen.Tests.IO;

// The five ONNX backend cases that need the attribute options beyond PyTorch's cells:
//   - GRU with linear_before_reset = 0 (ONNX's default, the Cho et al. form):
//     n = tanh(W_in x + b_in + W_hn (r ⊙ h) + b_hn), declared with LinearBeforeReset = false;
//   - LSTM with peepholes, declared with Peepholes = true: a tensor weight_peephole_l0 [3·H],
//     blocks i, f, o (ONNX's P [D, 3·H] is i, o, f), i = σ(… + p_i ⊙ c), f = σ(… + p_f ⊙ c),
//     o = σ(… + p_o ⊙ c') with c' the new cell state.
// OnnxEquations below also checks, for all twelve cases, that the parameter conversion these
// tests use (gate reordering, B halves, the peephole order) reproduces the expected outputs.

/// <summary><c>test_gru_defaults</c>: GRU, hidden_size 5, linear_before_reset 0, X [1, 3, 2]; inputs X, W, R.</summary>
[RecurrentNetwork(CellKind.Gru, InputSize = 2, HiddenSize = 5, LinearBeforeReset = false, Layout = SequenceLayout.TimeMajor)]
public partial class OnnxGruDefaults;

/// <summary><c>test_gru_with_initial_bias</c>: GRU, hidden_size 3, linear_before_reset 0, X [1, 3, 3]; inputs X, W, R, B.</summary>
[RecurrentNetwork(CellKind.Gru, InputSize = 3, HiddenSize = 3, LinearBeforeReset = false, Layout = SequenceLayout.TimeMajor)]
public partial class OnnxGruWithInitialBias;

/// <summary><c>test_gru_batchwise</c>: GRU, hidden_size 6, layout 1, linear_before_reset 0, X [3, 1, 2]; inputs X, W, R.</summary>
[RecurrentNetwork(CellKind.Gru, InputSize = 2, HiddenSize = 6, LinearBeforeReset = false, Layout = SequenceLayout.BatchFirst)]
public partial class OnnxGruBatchwise;

/// <summary><c>test_gru_seq_length</c>: GRU, hidden_size 5, linear_before_reset 0, X [2, 3, 3] (two steps); inputs X, W, R, B.</summary>
[RecurrentNetwork(CellKind.Gru, InputSize = 3, HiddenSize = 5, LinearBeforeReset = false, Layout = SequenceLayout.TimeMajor)]
public partial class OnnxGruSeqLength;

/// <summary><c>test_lstm_with_peepholes</c>: LSTM, hidden_size 3, X [1, 2, 4]; inputs X, W, R, B, sequence_lens, initial_h, initial_c, P.</summary>
[RecurrentNetwork(CellKind.Lstm, InputSize = 4, HiddenSize = 3, Peepholes = true, Layout = SequenceLayout.TimeMajor)]
public partial class OnnxLstmWithPeepholes;

/// <summary>
/// The ONNX conformance cases that need <c>LinearBeforeReset = false</c> (four GRUs) or
/// <c>Peepholes = true</c> (one LSTM), and checks of the conversion they rely on; see the
/// comment at the top of this file.
/// </summary>
public class OnnxConformanceVariantTests(ITestOutputHelper log)
{
    [Fact]
    public void test_gru_defaults()
    {
        Check(OnnxConformance.Run("test_gru_defaults", new OnnxGruDefaults(),
            (n, x, lengths, y, yh, h0, c0) => n.Forward(x, lengths, y, yh, h0)));
    }

    [Fact]
    public void test_gru_with_initial_bias()
    {
        Check(OnnxConformance.Run("test_gru_with_initial_bias", new OnnxGruWithInitialBias(),
            (n, x, lengths, y, yh, h0, c0) => n.Forward(x, lengths, y, yh, h0)));
    }

    [Fact]
    public void test_gru_batchwise()
    {
        Check(OnnxConformance.Run("test_gru_batchwise", new OnnxGruBatchwise(),
            (n, x, lengths, y, yh, h0, c0) => n.Forward(x, lengths, y, yh, h0)));
    }

    [Fact]
    public void test_gru_seq_length()
    {
        Check(OnnxConformance.Run("test_gru_seq_length", new OnnxGruSeqLength(),
            (n, x, lengths, y, yh, h0, c0) => n.Forward(x, lengths, y, yh, h0)));
    }

    [Fact]
    public void test_lstm_with_peepholes()
    {
        // LoadParameters fills weight_peephole_l0 from P (i, o, f → i, f, o) and fails if the
        // network has no such tensor; sequence_lens, initial_h and initial_c are passed as given.
        Check(OnnxConformance.Run("test_lstm_with_peepholes", new OnnxLstmWithPeepholes(),
            (n, x, lengths, y, yh, h0, c0) => n.Forward(x, lengths, y, yh, h0, default, c0)));
    }

    /// <summary>
    /// For every case, ONNX's equations evaluated in double on the converted parameters
    /// (PyTorch names, shapes and gate order; the GRU variant and peepholes as the case's
    /// attributes say) reproduce Y and Y_h: the loading the tests above use is right, so a
    /// failure once the guards are gone points at the generated code.
    /// </summary>
    [Theory]
    [MemberData(nameof(OnnxConformanceTests.AllCases), MemberType = typeof(OnnxConformanceTests))]
    public void ConvertedParameters_ReproduceTheCase_InOnnxEquations(string name)
    {
        OnnxNodeCase c = OnnxNodeCase.Load(name);
        var result = OnnxEquations.Compare(c, c.PyTorchParameters(), linearBeforeReset: c.Node.LinearBeforeReset == 1);
        log.WriteLine("reference " + result);
        OnnxConformance.AssertWithinTolerance(result);
    }

    /// <summary>
    /// What the cases can tell apart. Every case but the two seq_length ones has all-equal
    /// weights (W, R, P each one value) and equal biases across gates, so any permutation of the
    /// gate blocks gives the same result, and for GRU the reset gate is the same for every unit
    /// and R's b_h is 0, so both linear_before_reset variants agree. The converse checks:
    /// only test_gru_seq_length notices a missing gate reordering or the wrong GRU variant, and
    /// test_lstm_with_peepholes notices P being ignored but not its block order.
    /// </summary>
    [Fact]
    public void WhatTheCasesDetect()
    {
        var wrongGateOrder = new List<string>();
        var wrongGruVariant = new List<string>();
        var peepholesIgnored = new List<string>();
        var peepholesUnordered = new List<string>();
        foreach (string name in OnnxConformance.Attributes.Keys)
        {
            OnnxNodeCase c = OnnxNodeCase.Load(name);
            bool lbr = c.Node.LinearBeforeReset == 1;
            static bool Fails(ConformanceResult r) => (r.OutputError ?? 0) > OnnxConformance.Tolerance || (r.FinalHiddenError ?? 0) > OnnxConformance.Tolerance;

            Dictionary<string, float[]> unordered = c.PyTorchParameters(reorderGates: false);
            if (c.Node.Peepholes)
            {
                // Gates in the right order, P alone left in ONNX's i, o, f.
                Dictionary<string, float[]> p = c.PyTorchParameters();
                p["weight_peephole_l0"] = unordered["weight_peephole_l0"];
                if (Fails(OnnxEquations.Compare(c, p, lbr))) peepholesUnordered.Add(name);
                p["weight_peephole_l0"] = new float[p["weight_peephole_l0"].Length];
                if (Fails(OnnxEquations.Compare(c, p, lbr))) peepholesIgnored.Add(name);
                // For the gate-order check below, only the gates stay in ONNX's order.
                unordered["weight_peephole_l0"] = c.PyTorchParameters()["weight_peephole_l0"];
            }
            if (Fails(OnnxEquations.Compare(c, unordered, lbr))) wrongGateOrder.Add(name);
            if (c.Node.Cell == CellKind.Gru && Fails(OnnxEquations.Compare(c, c.PyTorchParameters(), !lbr))) wrongGruVariant.Add(name);
        }
        log.WriteLine($"wrong gate order detected by: {string.Join(", ", wrongGateOrder)}");
        log.WriteLine($"wrong GRU variant detected by: {string.Join(", ", wrongGruVariant)}");
        log.WriteLine($"peepholes ignored detected by: {string.Join(", ", peepholesIgnored)}; P order by: {string.Join(", ", peepholesUnordered)}");
        Assert.Equal(["test_gru_seq_length"], wrongGateOrder);
        Assert.Equal(["test_gru_seq_length"], wrongGruVariant);
        Assert.Equal(["test_lstm_with_peepholes"], peepholesIgnored);
        Assert.Empty(peepholesUnordered);
    }

    private void Check(ConformanceResult result)
    {
        log.WriteLine(result.ToString());
        OnnxConformance.AssertWithinTolerance(result);
    }
}

/// <summary>
/// ONNX's RNN, LSTM and GRU equations in double, written from the operator specification and
/// evaluated on parameters in PyTorch's names and gate order (RnnGen's layout): RNN
/// h' = tanh(W x + b_W + R h + b_R); LSTM gates i, f, g, o with optional peepholes; GRU gates
/// r, z, n with either linear_before_reset variant. Output [B, T, D·H] and final hidden [D, B, H].
/// </summary>
public static class OnnxEquations
{
    public static ConformanceResult Compare(OnnxNodeCase c, IReadOnlyDictionary<string, float[]> p, bool linearBeforeReset)
    {
        (double[] y, double[] yh) = Run(c, p, linearBeforeReset);
        float[]? expectedOutput = c.ExpectedOutput(), expectedFinal = c.ExpectedFinalHidden();
        return new ConformanceResult(c.Name,
            expectedOutput is null ? null : OnnxConformance.MaxRelativeError(y, expectedOutput),
            expectedFinal is null ? null : OnnxConformance.MaxRelativeError(yh, expectedFinal));
    }

    public static (double[] Output, double[] FinalHidden) Run(OnnxNodeCase c, IReadOnlyDictionary<string, float[]> p, bool linearBeforeReset)
    {
        int batch = c.Batch, steps = c.Steps, inputSize = c.InputSize, h = c.Node.HiddenSize, dirs = c.Directions;
        int rows = OnnxConformance.Gates(c.Node.Cell) * h;
        float[] x = c.BatchFirstInputs(), h0 = c.InitialState("initial_h"), c0 = c.InitialState("initial_c");
        int[] lengths = c.Lengths();
        var output = new double[batch * steps * dirs * h];
        var final = new double[dirs * batch * h];
        static double Sigmoid(double v) => 1 / (1 + Math.Exp(-v));

        for (int d = 0; d < dirs; d++)
        {
            string suffix = d == 0 ? "l0" : "l0_reverse";
            float[] wih = p["weight_ih_" + suffix], whh = p["weight_hh_" + suffix], bih = p["bias_ih_" + suffix], bhh = p["bias_hh_" + suffix];
            float[] peep = p.TryGetValue("weight_peephole_" + suffix, out float[]? pp) ? pp : new float[3 * h]; // i, f, o
            for (int b = 0; b < batch; b++)
            {
                var state = new double[h];
                var cell = new double[h];
                for (int j = 0; j < h; j++)
                {
                    state[j] = h0.Length > 0 ? h0[(d * batch + b) * h + j] : 0;
                    cell[j] = c0.Length > 0 ? c0[(d * batch + b) * h + j] : 0;
                }
                for (int s = 0; s < lengths[b]; s++)
                {
                    int t = d == 0 ? s : lengths[b] - 1 - s;
                    // a = W_ih x + b_ih, r = W_hh h + b_hh, per gate row
                    var a = new double[rows];
                    var r = new double[rows];
                    for (int g = 0; g < rows; g++)
                    {
                        double sa = bih[g], sr = bhh[g];
                        for (int i = 0; i < inputSize; i++) sa += (double)wih[g * inputSize + i] * x[(b * steps + t) * inputSize + i];
                        for (int k = 0; k < h; k++) sr += (double)whh[g * h + k] * state[k];
                        a[g] = sa;
                        r[g] = sr;
                    }
                    var next = new double[h];
                    switch (c.Node.Cell)
                    {
                        case CellKind.Rnn:
                            for (int j = 0; j < h; j++) next[j] = Math.Tanh(a[j] + r[j]);
                            break;
                        case CellKind.Lstm:
                            for (int j = 0; j < h; j++)
                            {
                                double ig = Sigmoid(a[j] + r[j] + peep[j] * cell[j]);
                                double fg = Sigmoid(a[h + j] + r[h + j] + peep[h + j] * cell[j]);
                                double gg = Math.Tanh(a[2 * h + j] + r[2 * h + j]);
                                cell[j] = fg * cell[j] + ig * gg;
                                double og = Sigmoid(a[3 * h + j] + r[3 * h + j] + peep[2 * h + j] * cell[j]);
                                next[j] = og * Math.Tanh(cell[j]);
                            }
                            break;
                        default:
                            var reset = new double[h];
                            for (int j = 0; j < h; j++) reset[j] = Sigmoid(a[j] + r[j]);
                            for (int j = 0; j < h; j++)
                            {
                                double z = Sigmoid(a[h + j] + r[h + j]);
                                double recurrent;
                                if (linearBeforeReset)
                                {
                                    recurrent = reset[j] * r[2 * h + j]; // r ⊙ (W_hn h + b_hn)
                                }
                                else
                                {
                                    recurrent = bhh[2 * h + j]; // W_hn (r ⊙ h) + b_hn
                                    for (int k = 0; k < h; k++) recurrent += (double)whh[(2 * h + j) * h + k] * reset[k] * state[k];
                                }
                                double n = Math.Tanh(a[2 * h + j] + recurrent);
                                next[j] = (1 - z) * n + z * state[j];
                            }
                            break;
                    }
                    state = next;
                    for (int j = 0; j < h; j++) output[((b * steps + t) * dirs + d) * h + j] = state[j];
                }
                for (int j = 0; j < h; j++) final[(d * batch + b) * h + j] = state[j];
            }
        }
        return (output, final);
    }
}

public class OnnxVariantExportTests
{
    [Fact]
    public void ResetFirstGruIsNotExportedAsPyTorchGru()
    {
        var net = new RnnGen.Tests.Networks.GruI5H7L1FwDenseResetFirst(1);
        var shape = new RnnGen.IO.Onnx.OnnxNetworkShape(CellKind.Gru, 5, 7, 1, false, false, 0, 0);
        var e = Assert.Throws<ArgumentException>(() => shape.CheckAgainst(net));
        Assert.Contains("LinearBeforeReset = false", e.Message);
    }
}
