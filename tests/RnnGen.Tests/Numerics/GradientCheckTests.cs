using System;
using System.Linq;
using RnnGen.Tests.Networks;
using RnnGen.Tests.Reference;
using Xunit;

namespace RnnGen.Tests.Numerics;

/// <summary>
/// Generated backpropagation through time against central finite differences of the scalar
/// reference, computed in double (step 1e-5), so the only float error is the generated code's.
/// Loss: L = Σ R⊙output + Σ Rh⊙finalHidden (+ Σ Rc⊙finalCell) with fixed random R.
/// Tolerance: ‖g − g_fd‖₂ / ‖g_fd‖₂ ≤ 1e-3 per tensor.
/// </summary>
public class GradientCheckTests
{
    public static TheoryData<string> Cases => new(NetworkMatrix.All.Where(c => c.Config.HiddenSize <= 33).Select(c => c.Name));

    private const double Step = 1e-5;
    private const double Tolerance = 1e-3;

    [Theory]
    [MemberData(nameof(Cases))]
    public void BackwardMatchesFiniteDifferences(string name)
    {
        NetworkCase c = NetworkMatrix.All.Single(x => x.Name == name);
        NetworkConfig cfg = c.Config;
        NetworkAdapter net = c.Create(11);
        const int batch = 3, steps = 5;
        TestBatch data = TestBatch.Create(cfg, batch, steps, seed: 21);
        bool lstm = cfg.Cell == CellKind.Lstm;
        int stateLength = cfg.StateCount * batch * cfg.HiddenSize;
        var random = new SeededRandom(99);
        float[] r = new float[batch * steps * cfg.StepOutputSize], rh = new float[stateLength], rc = new float[lstm ? stateLength : 0];
        float[] h0 = new float[stateLength], c0 = new float[lstm ? stateLength : 0];
        random.FillUniform(r, -1, 1); random.FillUniform(rh, -1, 1); random.FillUniform(rc, -1, 1);
        random.FillUniform(h0, -0.5f, 0.5f); random.FillUniform(c0, -0.5f, 0.5f);

        // Analytic gradients from the generated code.
        var output = new float[r.Length];
        net.Forward(data.Inputs, data.Tokens, data.Lengths, output, new float[stateLength], h0, new float[rc.Length], c0, true);
        float[] dInputs = new float[cfg.HasEmbedding ? 0 : data.Inputs.Length], dH0 = new float[stateLength], dC0 = new float[rc.Length];
        Array.Clear(net.Network.Gradients);
        net.Backward(r, dInputs, rh, dH0, rc, dC0);

        double[] p = net.Network.Parameters.Select(v => (double)v).ToArray();
        double[]? x = data.InputsAsDouble(cfg);
        double[] h0d = h0.Select(v => (double)v).ToArray(), c0d = c0.Select(v => (double)v).ToArray();
        double Loss()
        {
            var res = ScalarReference.Run(cfg, net.Network.Tensors, p, x, data.Tokens, data.Lengths, steps, h0d, lstm ? c0d : null);
            double l = 0;
            for (int i = 0; i < r.Length; i++) l += r[i] * res.Output[i];
            for (int i = 0; i < rh.Length; i++) l += rh[i] * res.FinalHidden[i];
            for (int i = 0; i < rc.Length; i++) l += rc[i] * res.FinalCell[i];
            return l;
        }
        double Central(double[] values, int index)
        {
            double keep = values[index];
            values[index] = keep + Step; double plus = Loss();
            values[index] = keep - Step; double minus = Loss();
            values[index] = keep;
            return (plus - minus) / (2 * Step);
        }

        // Every parameter tensor, up to 24 sampled entries each (all of them for small tensors).
        var pick = new SeededRandom(5);
        foreach (TensorDescriptor t in net.Network.Tensors)
        {
            int[] indices = t.Length <= 24 ? Enumerable.Range(0, t.Length).ToArray() : Enumerable.Range(0, 24).Select(_ => pick.NextInt(t.Length)).ToArray();
            if (t.Name == "embedding.weight")
            {
                // Sample rows of tokens that occur, plus one that does not (its gradient must be exactly 0).
                int used = data.Tokens[0];
                int unused = Enumerable.Range(0, cfg.VocabularySize).First(v => !RealTokens(data).Contains(v));
                indices = Enumerable.Range(0, cfg.InputSize).Select(i => used * cfg.InputSize + i)
                    .Concat(Enumerable.Range(0, cfg.InputSize).Select(i => unused * cfg.InputSize + i)).ToArray();
                Assert.All(indices.Skip(cfg.InputSize), i => Assert.Equal(0f, net.Network.Gradients[t.Offset + i]));
            }
            double[] analytic = indices.Select(i => (double)net.Network.Gradients[t.Offset + i]).ToArray();
            double[] numeric = indices.Select(i => Central(p, t.Offset + i)).ToArray();
            double err = Compare.RelativeNormError(analytic, numeric);
            Assert.True(err <= Tolerance, $"{t.Name}: relative error {err:E2}");
        }

        // Inputs (dense) and initial states.
        if (!cfg.HasEmbedding)
        {
            int[] real = Enumerable.Range(0, batch).SelectMany(b => Enumerable.Range(0, data.Lengths[b] * cfg.InputSize).Select(i => b * steps * cfg.InputSize + i)).ToArray();
            int[] sample = real.Where((_, k) => k % 3 == 0).ToArray();
            double err = Compare.RelativeNormError(sample.Select(i => (double)dInputs[i]).ToArray(), sample.Select(i => Central(x!, i)).ToArray());
            Assert.True(err <= Tolerance, $"inputs: relative error {err:E2}");
            for (int b = 0; b < batch; b++)
                Assert.All(dInputs.AsSpan((b * steps + data.Lengths[b]) * cfg.InputSize, (steps - data.Lengths[b]) * cfg.InputSize).ToArray(), v => Assert.Equal(0f, v));
        }
        double errH = Compare.RelativeNormError(dH0.Select(v => (double)v).ToArray(), Enumerable.Range(0, stateLength).Select(i => Central(h0d, i)).ToArray());
        Assert.True(errH <= Tolerance, $"initial hidden: relative error {errH:E2}");
        if (lstm)
        {
            double errC = Compare.RelativeNormError(dC0.Select(v => (double)v).ToArray(), Enumerable.Range(0, stateLength).Select(i => Central(c0d, i)).ToArray());
            Assert.True(errC <= Tolerance, $"initial cell: relative error {errC:E2}");
        }
    }

    private static int[] RealTokens(TestBatch data) =>
        Enumerable.Range(0, data.Batch).SelectMany(b => Enumerable.Range(0, data.Lengths[b]).Select(t => data.Tokens[b * data.Steps + t])).ToArray();
}
