using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using RnnGen.IO;
using RnnGen.Tests.Networks;
using Xunit;
using Xunit.Abstractions;

namespace RnnGen.Tests.Numerics;

/// <summary>
/// Generated networks against PyTorch 1.13 itself: fixtures written by
/// tests/fixtures-scripts/make_pytorch_fixtures.py (committed; CI needs no Python) hold a
/// state_dict, a padded batch of 3 sequences of different lengths with initial states, PyTorch's
/// outputs after pack_padded_sequence / pad_packed_sequence, and PyTorch's gradients of
/// L = Σ R⊙output + Σ Rh⊙h_n (+ Σ Rc⊙c_n). The network loads the state_dict from the same file,
/// runs forward and backward, and must agree within |a − b| ≤ tol·max(1, |b|): 1e-5 for outputs and
/// final states, 1e-4 for every parameter gradient and the input / initial-state gradients.
/// See docs/pytorch-fixtures.md.
/// </summary>
public class PyTorchFixtureTests(ITestOutputHelper log)
{
    private const double OutputTolerance = 1e-5;
    private const double GradientTolerance = 1e-4;

    public static TheoryData<string> Fixtures => new(PyTorchNetworks.All.Select(c => c.Name));

    private static string FixtureFolder => Path.Combine(AppContext.BaseDirectory, "Fixtures", "PyTorch");

    private static string FixturePath(string name) => Path.Combine(FixtureFolder, name + ".safetensors");

    private static NetworkCase Find(string name) => PyTorchNetworks.All.Single(c => c.Name == name);

    [Fact]
    public void EveryFixtureFileHasANetwork_AndEveryNetworkAFixture()
    {
        string[] files = Directory.GetFiles(FixtureFolder, "*.safetensors").Select(f => Path.GetFileNameWithoutExtension(f)).Order(StringComparer.Ordinal).ToArray();
        string[] networks = PyTorchNetworks.All.Select(c => c.Name).Order(StringComparer.Ordinal).ToArray();
        Assert.Equal(networks, files);
        Assert.True(files.Length >= 16, $"expected the 16 cell × layers × direction fixtures and more, found {files.Length}");
    }

    [Theory]
    [MemberData(nameof(Fixtures))]
    public void ForwardAndBackwardMatchPyTorch(string name)
    {
        NetworkCase c = Find(name);
        NetworkConfig cfg = c.Config;
        string path = FixturePath(name);
        SafeTensorsFile fixture = SafeTensorsFile.Read(path);
        NetworkAdapter net = c.Create(12345);
        IRecurrentNetwork network = net.Network;

        // The fixture was written for this shape (the tensor shapes alone cannot tell tanh from relu).
        Assert.Equal(ExpectedSignature(fixture.Metadata), network.Signature);

        // The state_dict loads by name; the fixture's other tensors (input.*, output.*, grad.*) are extra.
        SafeTensorsFile.LoadInto(network, path, allowExtra: true);
        foreach (TensorDescriptor d in network.Tensors)
            Assert.True(d.Slice(network.Parameters).SequenceEqual(fixture[d.Name].ToSingleArray()), $"{d.Name} did not load bit-exactly");

        // Inputs.
        int[] lengths = ReadIntegers(fixture["input.lengths"]);
        int batch = lengths.Length;
        int steps = checked((int)fixture["output.y"].Shape[1]);
        Assert.Equal([batch, steps, cfg.StepOutputSize], fixture["output.y"].Shape.Select(v => (int)v));
        bool lstm = cfg.Cell == CellKind.Lstm;
        float[] inputs = cfg.HasEmbedding ? [] : fixture["input.x"].ToSingleArray();
        int[] tokens = cfg.HasEmbedding ? ReadIntegers(fixture["input.tokens"]) : [];
        float[] h0 = fixture["input.h0"].ToSingleArray();
        float[] c0 = lstm ? fixture["input.c0"].ToSingleArray() : [];
        int stateLength = cfg.StateCount * batch * cfg.HiddenSize;
        Assert.Equal(stateLength, h0.Length);

        var errors = new ErrorTable(name);

        // Inference forward.
        var output = new float[batch * steps * cfg.StepOutputSize];
        var finalH = new float[stateLength];
        var finalC = new float[lstm ? stateLength : 0];
        net.Forward(inputs, tokens, lengths, output, finalH, h0, finalC, c0, false);
        errors.Add("Forward: output.y", output, fixture["output.y"], OutputTolerance);
        errors.Add("Forward: output.h_n", finalH, fixture["output.h_n"], OutputTolerance);
        if (lstm) errors.Add("Forward: output.c_n", finalC, fixture["output.c_n"], OutputTolerance);

        // Training forward (no dropout is configured, so it computes the same).
        Array.Clear(output); Array.Clear(finalH); Array.Clear(finalC);
        net.Forward(inputs, tokens, lengths, output, finalH, h0, finalC, c0, true);
        errors.Add("ForwardTraining: output.y", output, fixture["output.y"], OutputTolerance);
        errors.Add("ForwardTraining: output.h_n", finalH, fixture["output.h_n"], OutputTolerance);
        if (lstm) errors.Add("ForwardTraining: output.c_n", finalC, fixture["output.c_n"], OutputTolerance);

        // Backward of L: ∂L/∂output = R, ∂L/∂h_n = Rh, ∂L/∂c_n = Rc.
        float[] r = fixture["loss.r"].ToSingleArray();
        float[] rh = fixture["loss.rh"].ToSingleArray();
        float[] rc = lstm ? fixture["loss.rc"].ToSingleArray() : [];
        var dInputs = new float[inputs.Length];
        var dH0 = new float[stateLength];
        var dC0 = new float[c0.Length];
        Array.Clear(network.Gradients);
        net.Backward(r, dInputs, rh, dH0, rc, dC0);
        foreach (TensorDescriptor d in network.Tensors)
            errors.Add("grad." + d.Name, d.Slice(network.Gradients), fixture["grad." + d.Name], GradientTolerance);
        if (!cfg.HasEmbedding) errors.Add("grad.input.x", dInputs, fixture["grad.input.x"], GradientTolerance);
        errors.Add("grad.input.h0", dH0, fixture["grad.input.h0"], GradientTolerance);
        if (lstm) errors.Add("grad.input.c0", dC0, fixture["grad.input.c0"], GradientTolerance);

        log.WriteLine(errors.Summary());
        Assert.True(errors.Failures.Count == 0, errors.FailureReport());

        // Each training forward serves one Backward (backward overwrites the kept gate activations with
        // their gradients, as PyTorch frees its graph): a second Backward is refused and changes nothing.
        float[] once = (float[])network.Gradients.Clone();
        var refused = Assert.Throws<InvalidOperationException>(() => net.Backward(r, dInputs, rh, dH0, rc, dC0));
        Assert.Contains("each ForwardTraining serves one Backward", refused.Message);
        Assert.Equal(once, network.Gradients);

        // Another training forward and Backward add the same gradient again (Gradients accumulate, as
        // PyTorch's .grad does), while the input and initial-state gradients are written afresh into
        // the spans given ("receives"), whatever they held before.
        net.Forward(inputs, tokens, lengths, output, finalH, h0, finalC, c0, true);
        dInputs.AsSpan().Fill(float.NaN); dH0.AsSpan().Fill(float.NaN); dC0.AsSpan().Fill(float.NaN);
        net.Backward(r, dInputs, rh, dH0, rc, dC0);
        var again = new ErrorTable(name + " (second forward and Backward)");
        foreach (TensorDescriptor d in network.Tensors)
        {
            float[] twice = fixture["grad." + d.Name].ToSingleArray().Select(v => 2 * v).ToArray();
            again.Add("2 × grad." + d.Name, d.Slice(network.Gradients), twice, fixture["grad." + d.Name].Shape, GradientTolerance);
        }
        if (!cfg.HasEmbedding) again.Add("grad.input.x", dInputs, fixture["grad.input.x"], GradientTolerance);
        again.Add("grad.input.h0", dH0, fixture["grad.input.h0"], GradientTolerance);
        if (lstm) again.Add("grad.input.c0", dC0, fixture["grad.input.c0"], GradientTolerance);
        Assert.True(again.Failures.Count == 0, again.FailureReport());
    }

    /// <summary>RnnGen → Save → a fresh network: every parameter bit-exact, for every fixture shape.</summary>
    [Theory]
    [MemberData(nameof(Fixtures))]
    public void SafeTensorsRoundTripIsBitExact(string name)
    {
        NetworkCase c = Find(name);
        IRecurrentNetwork original = c.Create(7).Network;
        // A few values whose bits a careless writer would lose.
        original.Parameters[0] = -0f;
        original.Parameters[1] = float.Epsilon;
        original.Parameters[2] = BitConverter.Int32BitsToSingle(0x3F800001);

        string dir = Directory.CreateTempSubdirectory("rnngen-pytorch-").FullName;
        try
        {
            string saved = Path.Combine(dir, name + ".safetensors");
            SafeTensorsFile.Save(original, saved);
            IRecurrentNetwork copy = c.Create(8).Network;
            Assert.NotEqual(original.Parameters, copy.Parameters);
            SafeTensorsFile.LoadInto(copy, saved);
            Assert.Equal(Bits(original.Parameters), Bits(copy.Parameters));

            // The file holds exactly the state_dict keys, in table order, F32, with PyTorch's shapes.
            SafeTensorsFile file = SafeTensorsFile.Read(saved);
            Assert.Equal(original.Tensors.Select(t => t.Name), file.Tensors.Select(t => t.Name));
            foreach (TensorDescriptor d in original.Tensors)
            {
                Assert.Equal(SafeTensorsDType.F32, file[d.Name].DType);
                Assert.Equal(d.Shape.Select(v => (long)v), file[d.Name].Shape);
            }
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    /// <summary>
    /// PyTorch's weights → RnnGen → Save: the file RnnGen writes holds PyTorch's state_dict bit for bit,
    /// so <c>load_state_dict</c> gets back exactly what it saved. With RNNGEN_EXPORT_DIR set, the files are
    /// kept there for the manual PyTorch check of docs/pytorch-fixtures.md.
    /// </summary>
    [Theory]
    [MemberData(nameof(Fixtures))]
    public void PyTorchWeightsSurviveLoadAndSave(string name)
    {
        NetworkCase c = Find(name);
        IRecurrentNetwork net = c.Create(1).Network;
        SafeTensorsFile fixture = SafeTensorsFile.Read(FixturePath(name));
        fixture.CopyInto(net, allowExtra: true);

        string? exportDir = Environment.GetEnvironmentVariable("RNNGEN_EXPORT_DIR");
        string dir = string.IsNullOrEmpty(exportDir) ? Directory.CreateTempSubdirectory("rnngen-pytorch-").FullName : Directory.CreateDirectory(exportDir).FullName;
        string saved = Path.Combine(dir, name + ".safetensors");
        try
        {
            SafeTensorsFile.Save(net, saved);
            SafeTensorsFile written = SafeTensorsFile.Read(saved);
            foreach (SafeTensor t in written.Tensors)
                Assert.True(t.RawData.Span.SequenceEqual(fixture[t.Name].RawData.Span), $"{t.Name} differs from the PyTorch state_dict");
            Assert.Equal(net.Tensors.Count, written.Tensors.Count);
        }
        finally
        {
            if (string.IsNullOrEmpty(exportDir)) Directory.Delete(dir, recursive: true);
        }
    }

    // The signature the generator gives the fixture's shape, from the fixture's __metadata__.
    private static string ExpectedSignature(IReadOnlyDictionary<string, string> m)
    {
        string cell = m["cell"] switch
        {
            "lstm" => "Lstm",
            "gru" => "Gru",
            "rnn" => $"Rnn({m["nonlinearity"]})",
            string other => throw new InvalidDataException($"unknown cell '{other}' in the fixture's metadata"),
        };
        return string.Create(CultureInfo.InvariantCulture,
            $"{cell} I={m["input_size"]} H={m["hidden_size"]} L={m["layers"]} {(m["bidirectional"] == "true" ? "bidirectional" : "forward")} V={m["vocabulary_size"]} O={m["output_size"]}");
    }

    // Integer tensors: lengths are I64 (as PyTorch keeps them), token ids F32 (whole numbers).
    private static int[] ReadIntegers(SafeTensor t)
    {
        if (t.DType == SafeTensorsDType.I64)
        {
            var result = new int[t.ElementCount];
            for (int i = 0; i < result.Length; i++)
                result[i] = checked((int)BinaryPrimitives.ReadInt64LittleEndian(t.RawData.Span.Slice(8 * i, 8)));
            return result;
        }
        float[] values = t.ToSingleArray();
        return values.Select(v => v == MathF.Round(v) ? (int)v : throw new InvalidDataException($"{t.Name} holds {v}, not an integer")).ToArray();
    }

    private static int[] Bits(float[] values) => values.Select(BitConverter.SingleToInt32Bits).ToArray();

    /// <summary>Per-tensor maximum of |a − b| / max(1, |b|), and which tensors exceed their tolerance.</summary>
    private sealed class ErrorTable(string fixture)
    {
        private readonly List<(string Name, double Error, double Tolerance, string Where)> _rows = [];

        public List<string> Failures { get; } = [];

        public void Add(string what, ReadOnlySpan<float> actual, SafeTensor expected, double tolerance) =>
            Add(what, actual, expected.ToSingleArray(), expected.Shape, tolerance);

        public void Add(string what, ReadOnlySpan<float> actual, float[] expected, IReadOnlyList<long> shape, double tolerance)
        {
            Assert.True(actual.Length == expected.Length, $"{fixture}: {what} has {actual.Length} values, PyTorch's has {expected.Length} (shape [{string.Join(", ", shape)}])");
            double worst = 0;
            int at = -1;
            for (int i = 0; i < actual.Length; i++)
            {
                double e = Math.Abs((double)actual[i] - expected[i]) / Math.Max(1.0, Math.Abs((double)expected[i]));
                if (double.IsNaN(e)) { worst = double.NaN; at = i; break; } // NaN (or infinity against a number) fails
                if (e > worst) { worst = e; at = i; }
            }
            string where = at < 0 ? "" : string.Create(CultureInfo.InvariantCulture,
                $"at {Index(shape, at)}: RnnGen {actual[at]:R}, PyTorch {expected[at]:R}");
            _rows.Add((what, worst, tolerance, where));
            if (!(worst <= tolerance))
                Failures.Add(string.Create(CultureInfo.InvariantCulture, $"{what}: max relative error {worst:E2} > {tolerance:E0} {where}"));
        }

        public string Summary()
        {
            var text = new StringBuilder();
            text.Append(CultureInfo.InvariantCulture, $"{fixture}: max relative error of outputs {Max(r => r.Tolerance == OutputTolerance):E2}, of gradients {Max(r => r.Tolerance == GradientTolerance):E2}");
            foreach (var r in _rows) text.Append(CultureInfo.InvariantCulture, $"\n  {r.Name,-32} {r.Error:E2} (tolerance {r.Tolerance:E0})");
            return text.ToString();
        }

        public string FailureReport() =>
            $"{fixture}: {Failures.Count} of {_rows.Count} comparisons with PyTorch fail:\n  " + string.Join("\n  ", Failures) + "\n" + Summary();

        private double Max(Func<(string Name, double Error, double Tolerance, string Where), bool> which) =>
            _rows.Where(which).Select(r => r.Error).DefaultIfEmpty(0).Max();

        private static string Index(IReadOnlyList<long> shape, int flat)
        {
            var index = new long[shape.Count];
            for (int d = shape.Count - 1; d >= 0; d--)
            {
                index[d] = shape[d] == 0 ? 0 : flat % shape[d];
                flat = shape[d] == 0 ? flat : (int)(flat / shape[d]);
            }
            return "[" + string.Join(", ", index) + "]";
        }
    }
}
