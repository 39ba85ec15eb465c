using System;
using System.Collections.Generic;
using System.Linq;
using RnnGen;
using RnnGen.Training;
using Xunit;

namespace RnnGen.Tests.Training;

/// <summary>
/// The optimizers against references written here, in double, from torch.optim's documented
/// update equations (the textbook form: bias-corrected m̂ and v̂), over several steps and a
/// parameter count that exercises both the SIMD body and the scalar tail.
/// </summary>
public class OptimizerTests
{
    private const int N = 37;      // not a multiple of any vector width
    private const int Steps = 6;

    // ---------------------------------------------------------------- references (double)

    // torch.optim.SGD: g += λθ; b = g (t = 1) or μb + (1−τ)g; g = g + μb (Nesterov) or b; θ −= γg
    private static void SgdReference(double[] p, double[] buf, float[] g, int t,
                                     double lr, double momentum, double dampening, double weightDecay, bool nesterov)
    {
        for (int i = 0; i < p.Length; i++)
        {
            double d = g[i] + weightDecay * p[i];
            if (momentum != 0)
            {
                buf[i] = t == 1 ? d : momentum * buf[i] + (1 - dampening) * d;
                d = nesterov ? d + momentum * buf[i] : buf[i];
            }
            p[i] -= lr * d;
        }
    }

    // torch.optim.Adam / AdamW: m = β₁m + (1−β₁)g; v = β₂v + (1−β₂)g²; m̂ = m/(1−β₁ᵗ); v̂ = v/(1−β₂ᵗ);
    // θ −= γ m̂ / (√v̂ + ε). Adam adds λθ to g; AdamW multiplies θ by (1 − γλ) first.
    private static void AdamReference(double[] p, double[] m, double[] v, double[] vMax, float[] g, int t,
                                      double lr, double beta1, double beta2, double eps, double weightDecay,
                                      bool amsgrad, bool decoupled)
    {
        for (int i = 0; i < p.Length; i++)
        {
            double d = g[i];
            if (decoupled) p[i] *= 1 - lr * weightDecay;
            else d += weightDecay * p[i];
            m[i] = beta1 * m[i] + (1 - beta1) * d;
            v[i] = beta2 * v[i] + (1 - beta2) * d * d;
            vMax[i] = Math.Max(vMax[i], v[i]);
            double mHat = m[i] / (1 - Math.Pow(beta1, t));
            double vHat = (amsgrad ? vMax[i] : v[i]) / (1 - Math.Pow(beta2, t));
            p[i] -= lr * mHat / (Math.Sqrt(vHat) + eps);
        }
    }

    private static float[] InitialParameters(ulong seed)
    {
        var p = new float[N];
        new SeededRandom(seed).FillUniform(p, -1f, 1f);
        return p;
    }

    private static float[] Gradient(SeededRandom random, int step)
    {
        var g = new float[N];
        // Magnitudes vary over orders of magnitude, and a few are exactly 0, to reach every branch of the update.
        for (int i = 0; i < N; i++)
            g[i] = (i % 11 == 3) ? 0f : (2 * random.NextSingle() - 1) * MathF.Pow(10, (i + step) % 4 - 2);
        return g;
    }

    private static void AssertClose(double[] expected, float[] actual, double tolerance, string what)
    {
        for (int i = 0; i < expected.Length; i++)
        {
            double err = Math.Abs(expected[i] - actual[i]);
            Assert.True(err <= tolerance + 1e-5 * Math.Abs(expected[i]),
                $"{what}[{i}]: expected {expected[i]:R}, got {actual[i]:R} (error {err:E2})");
        }
    }

    private static float[] StateOf(Optimizer o, string name) => o.State.Single(s => s.Name == name).Values;

    // ---------------------------------------------------------------- SGD

    public static IEnumerable<object[]> SgdCases() =>
    [
        // lr,  momentum, dampening, weight decay, nesterov
        [0.1, 0.0, 0.0, 0.0, false],
        [0.1, 0.0, 0.0, 0.05, false],
        [0.1, 0.9, 0.0, 0.0, false],
        [0.05, 0.9, 0.3, 0.05, false],
        [0.1, 0.8, 0.0, 0.0, true],
        [0.07, 0.9, 0.0, 0.02, true],
    ];

    [Theory]
    [MemberData(nameof(SgdCases))]
    public void Sgd_matches_the_torch_update_over_several_steps(double lr, double momentum, double dampening, double weightDecay, bool nesterov)
    {
        float[] p = InitialParameters(7);
        double[] reference = p.Select(x => (double)x).ToArray();
        var buffer = new double[N];
        var sgd = new Sgd(lr, momentum, dampening, weightDecay, nesterov);
        var random = new SeededRandom(99);
        for (int t = 1; t <= Steps; t++)
        {
            float[] g = Gradient(random, t);
            float[] gCopy = (float[])g.Clone();
            sgd.Step(p, g);
            Assert.Equal(gCopy, g);   // gradients are read, never written
            SgdReference(reference, buffer, g, t, lr, momentum, dampening, weightDecay, nesterov);
            AssertClose(reference, p, 1e-6, $"SGD step {t} θ");
            if (momentum != 0) AssertClose(buffer, StateOf(sgd, "momentum_buffer"), 1e-6, $"SGD step {t} momentum_buffer");
        }
        Assert.Equal(Steps, sgd.StepCount);
        Assert.Equal(momentum != 0 ? ["momentum_buffer"] : Array.Empty<string>(), sgd.StateNames);
    }

    [Fact]
    public void Sgd_momentum_by_hand()
    {
        // θ₀ = 1, g = 1 every step, γ = 0.1, μ = 0.9:
        // b₁ = 1, θ₁ = 0.9; b₂ = 1.9, θ₂ = 0.71; b₃ = 2.71, θ₃ = 0.439.
        var sgd = new Sgd(learningRate: 0.1, momentum: 0.9);
        float[] p = [1f], g = [1f];
        sgd.Step(p, g);
        Assert.Equal(0.9f, p[0], 6);
        sgd.Step(p, g);
        Assert.Equal(0.71f, p[0], 6);
        sgd.Step(p, g);
        Assert.Equal(0.439f, p[0], 6);
        Assert.Equal(2.71f, StateOf(sgd, "momentum_buffer")[0], 6);

        // Nesterov: g' = g + μb. b₁ = 1, θ₁ = 1 − 0.1·1.9 = 0.81; b₂ = 1.9, θ₂ = 0.81 − 0.1·(1 + 1.71) = 0.539.
        var nag = new Sgd(learningRate: 0.1, momentum: 0.9, nesterov: true);
        float[] q = [1f];
        nag.Step(q, g);
        Assert.Equal(0.81f, q[0], 6);
        nag.Step(q, g);
        Assert.Equal(0.539f, q[0], 6);

        // Dampening applies from the second step: b₁ = 1, b₂ = 0.9·1 + 0.5·1 = 1.4.
        var damped = new Sgd(learningRate: 0.1, momentum: 0.9, dampening: 0.5);
        float[] r = [1f];
        damped.Step(r, g);
        Assert.Equal(1f, StateOf(damped, "momentum_buffer")[0]);
        damped.Step(r, g);
        Assert.Equal(1.4f, StateOf(damped, "momentum_buffer")[0], 6);
    }

    [Fact]
    public void Sgd_defaults_and_argument_checks_follow_pytorch()
    {
        var sgd = new Sgd();
        Assert.Equal(1e-3, sgd.LearningRate);
        Assert.Equal(0, sgd.Momentum);
        Assert.Equal(0, sgd.Dampening);
        Assert.Equal(0, sgd.WeightDecay);
        Assert.False(sgd.Nesterov);
        Assert.Equal("SGD", sgd.Kind);
        Assert.Empty(sgd.StateNames);

        Assert.Contains("Nesterov", Assert.Throws<ArgumentException>(() => new Sgd(0.1, momentum: 0, nesterov: true)).Message);
        Assert.Contains("Nesterov", Assert.Throws<ArgumentException>(() => new Sgd(0.1, momentum: 0.9, dampening: 0.1, nesterov: true)).Message);
        Assert.Contains("momentum", Assert.Throws<ArgumentOutOfRangeException>(() => new Sgd(0.1, momentum: -0.1)).Message);
        Assert.Contains("learning rate", Assert.Throws<ArgumentOutOfRangeException>(() => new Sgd(-1)).Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => new Sgd(double.NaN));
        Assert.Contains("weight decay", Assert.Throws<ArgumentOutOfRangeException>(() => new Sgd(0.1, weightDecay: -1)).Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => sgd.LearningRate = double.PositiveInfinity);
    }

    // ---------------------------------------------------------------- Adam and AdamW

    public static IEnumerable<object[]> AdamCases() =>
    [
        // lr,  β₁,  β₂,    ε,    weight decay, amsgrad
        [0.05, 0.9, 0.999, 1e-8, 0.0, false],
        [0.05, 0.9, 0.999, 1e-8, 0.1, false],
        [0.05, 0.9, 0.999, 1e-8, 0.0, true],
        [0.1, 0.8, 0.99, 0.1, 0.05, false],    // large ε: its place (after the bias correction of √v) matters
        [0.1, 0.3, 0.9, 1e-6, 0.02, true],     // β₁ < 0.5: the other branch of torch's lerp
    ];

    [Theory]
    [MemberData(nameof(AdamCases))]
    public void Adam_matches_the_torch_update_over_several_steps(double lr, double beta1, double beta2, double eps, double weightDecay, bool amsgrad)
    {
        var adam = new Adam(lr, beta1, beta2, eps, weightDecay, amsgrad);
        RunAdam(adam, lr, beta1, beta2, eps, weightDecay, amsgrad, decoupled: false);
    }

    public static IEnumerable<object[]> AdamWCases() =>
    [
        [0.05, 0.9, 0.999, 1e-8, 0.01, false],
        [0.05, 0.9, 0.999, 1e-8, 0.2, true],
        [0.1, 0.3, 0.95, 0.05, 0.05, false],
        [0.1, 0.9, 0.999, 1e-8, 0.0, false],
    ];

    [Theory]
    [MemberData(nameof(AdamWCases))]
    public void AdamW_matches_the_torch_update_over_several_steps(double lr, double beta1, double beta2, double eps, double weightDecay, bool amsgrad)
    {
        var adamW = new AdamW(lr, beta1, beta2, eps, weightDecay, amsgrad);
        RunAdam(adamW, lr, beta1, beta2, eps, weightDecay, amsgrad, decoupled: true);
    }

    private static void RunAdam(Optimizer optimizer, double lr, double beta1, double beta2, double eps, double weightDecay, bool amsgrad, bool decoupled)
    {
        float[] p = InitialParameters(3);
        double[] reference = p.Select(x => (double)x).ToArray();
        double[] m = new double[N], v = new double[N], vMax = new double[N];
        var random = new SeededRandom(42);
        Assert.Empty(optimizer.State);   // lazily allocated
        for (int t = 1; t <= Steps; t++)
        {
            float[] g = Gradient(random, t);
            // On the last steps shrink the gradients so that v decays and AMSGrad's maximum differs from v.
            if (t > 3) for (int i = 0; i < N; i++) g[i] *= 0.01f;
            optimizer.Step(p, g);
            AdamReference(reference, m, v, vMax, g, t, lr, beta1, beta2, eps, weightDecay, amsgrad, decoupled);
            AssertClose(reference, p, 2e-6, $"{optimizer.Kind} step {t} θ");
            AssertClose(m, StateOf(optimizer, "exp_avg"), 1e-7, $"{optimizer.Kind} step {t} exp_avg");
            AssertClose(v, StateOf(optimizer, "exp_avg_sq"), 1e-9, $"{optimizer.Kind} step {t} exp_avg_sq");
            if (amsgrad) AssertClose(vMax, StateOf(optimizer, "max_exp_avg_sq"), 1e-9, $"{optimizer.Kind} step {t} max_exp_avg_sq");
        }
        Assert.Equal(amsgrad ? 3 : 2, optimizer.State.Count);
        Assert.All(optimizer.State, s => Assert.Equal(N, s.Values.Length));
    }

    [Fact]
    public void Adam_first_step_by_hand()
    {
        // At t = 1 the bias corrections cancel the averages: m̂ = g, v̂ = g², so θ₁ = θ₀ − γ·g/(|g| + ε).
        var adam = new Adam(learningRate: 0.1);
        float[] p = [1f, -2f, 0.5f], g = [0.5f, -3f, 0f];
        adam.Step(p, g);
        Assert.Equal(0.9f, p[0], 6);
        Assert.Equal(-1.9f, p[1], 6);
        Assert.Equal(0.5f, p[2]);   // zero gradient, zero step

        // AdamW with λ = 0.5 first shrinks θ by (1 − 0.1·0.5) = 0.95: 1·0.95 − 0.1 = 0.85.
        var adamW = new AdamW(learningRate: 0.1, weightDecay: 0.5);
        float[] q = [1f];
        adamW.Step(q, [0.5f]);
        Assert.Equal(0.85f, q[0], 6);

        // Adam with λ = 0.5 adds 0.5·θ to g instead: g' = 0.5 + 0.5 = 1, so θ₁ = 1 − 0.1 (sign step).
        var coupled = new Adam(learningRate: 0.1, weightDecay: 0.5);
        float[] r = [1f];
        coupled.Step(r, [0.5f]);
        Assert.Equal(0.9f, r[0], 6);
        Assert.Equal(0.1f, StateOf(coupled, "exp_avg")[0], 6);   // (1 − β₁)·g'
    }

    [Fact]
    public void Adam_and_AdamW_defaults_follow_pytorch()
    {
        var adam = new Adam();
        Assert.Equal((1e-3, 0.9, 0.999, 1e-8, 0.0, false), (adam.LearningRate, adam.Beta1, adam.Beta2, adam.Epsilon, adam.WeightDecay, adam.Amsgrad));
        Assert.Equal("Adam", adam.Kind);
        Assert.Equal(["exp_avg", "exp_avg_sq"], adam.StateNames);
        var adamW = new AdamW();
        Assert.Equal((1e-3, 0.9, 0.999, 1e-8, 1e-2, false), (adamW.LearningRate, adamW.Beta1, adamW.Beta2, adamW.Epsilon, adamW.WeightDecay, adamW.Amsgrad));
        Assert.Equal("AdamW", adamW.Kind);
        Assert.Equal(["exp_avg", "exp_avg_sq", "max_exp_avg_sq"], new AdamW(amsgrad: true).StateNames);

        Assert.Contains("beta1", Assert.Throws<ArgumentOutOfRangeException>(() => new Adam(beta1: 1.0)).Message);
        Assert.Contains("beta2", Assert.Throws<ArgumentOutOfRangeException>(() => new AdamW(beta2: -0.1)).Message);
        Assert.Contains("epsilon", Assert.Throws<ArgumentOutOfRangeException>(() => new Adam(epsilon: double.NaN)).Message);
        Assert.Contains("weight decay", Assert.Throws<ArgumentOutOfRangeException>(() => new AdamW(weightDecay: -0.01)).Message);
    }

    // ---------------------------------------------------------------- state handling

    [Fact]
    public void Step_checks_its_arrays_and_the_state_size()
    {
        var adam = new Adam();
        Assert.Throws<ArgumentNullException>(() => adam.Step(null!, new float[3]));
        Assert.Contains("same layout", Assert.Throws<ArgumentException>(() => adam.Step(new float[3], new float[4])).Message);
        Assert.Contains("empty", Assert.Throws<ArgumentException>(() => adam.Step(new float[0], new float[0])).Message);
        adam.Step(new float[3], new float[3]);
        var e = Assert.Throws<ArgumentException>(() => adam.Step(new float[5], new float[5]));
        Assert.Contains("sized for 3", e.Message);
        Assert.Equal(1, adam.StepCount);
        Assert.Equal(3, adam.ParameterCount);

        adam.Reset();
        Assert.Equal(0, adam.StepCount);
        Assert.Empty(adam.State);
        adam.Step(new float[5], new float[5]);   // after Reset any size is accepted again
        Assert.Equal(5, adam.ParameterCount);
    }

    [Fact]
    public void Step_on_a_network_uses_its_flat_arrays()
    {
        FakeNetwork net = FakeNetwork.SmallRnn();
        float[] before = (float[])net.Parameters.Clone();
        net.FakeBackward(new SeededRandom(5));
        var sgd = new Sgd(learningRate: 0.5);
        sgd.Step(net);
        for (int i = 0; i < before.Length; i++) Assert.Equal(before[i] - 0.5f * net.Gradients[i], net.Parameters[i], 6);
    }

    [Theory]
    [InlineData("adam")]
    [InlineData("adamw-amsgrad")]
    [InlineData("sgd-nesterov")]
    public void RestoreState_resumes_bit_for_bit(string which)
    {
        Func<Optimizer> create = which switch
        {
            "adam" => () => new Adam(0.01, weightDecay: 0.01),
            "adamw-amsgrad" => () => new AdamW(0.01, amsgrad: true),
            _ => () => new Sgd(0.01, momentum: 0.9, nesterov: true),
        };
        float[] p = InitialParameters(11);
        var random = new SeededRandom(3);
        Optimizer first = create();
        for (int t = 1; t <= 3; t++) first.Step(p, Gradient(random, t));
        float[] pSaved = (float[])p.Clone();
        var saved = first.State.Select(s => (s.Name, (float[])s.Values.Clone())).ToList();
        long stepSaved = first.StepCount;
        float[] g4 = Gradient(random, 4), g5 = Gradient(random, 5);
        first.Step(p, g4);
        first.Step(p, g5);

        Optimizer resumed = create();
        resumed.RestoreState(stepSaved, saved);
        Assert.Equal(3, resumed.StepCount);
        saved[0].Item2[0] = 12345f;   // the optimizer took a copy
        resumed.Step(pSaved, g4);
        resumed.Step(pSaved, g5);
        Assert.Equal(p, pSaved);
        Assert.Equal(first.State.SelectMany(s => s.Values), resumed.State.SelectMany(s => s.Values));
    }

    [Fact]
    public void RestoreState_rejects_state_that_does_not_fit_and_changes_nothing()
    {
        var adam = new Adam(0.01);
        float[] p = new float[4], g = [1f, 2f, 3f, 4f];
        adam.Step(p, g);
        float[] m = (float[])StateOf(adam, "exp_avg").Clone();

        void Rejected(long step, (string, float[])[] state, string expected)
        {
            var e = Assert.Throws<ArgumentException>(() => adam.RestoreState(step, state));
            Assert.Contains(expected, e.Message);
            Assert.Equal(1, adam.StepCount);
            Assert.Equal(m, StateOf(adam, "exp_avg"));
        }

        Rejected(2, [("exp_avg", new float[4])], "keeps [exp_avg, exp_avg_sq]");
        Rejected(2, [("exp_avg", new float[4]), ("momentum_buffer", new float[4])], "momentum_buffer");
        Rejected(2, [("exp_avg", new float[4]), ("exp_avg", new float[4])], "keeps [exp_avg, exp_avg_sq]");
        Rejected(2, [("exp_avg", new float[4]), ("exp_avg_sq", new float[5])], "holds 5 values");
        Rejected(0, [("exp_avg", new float[4]), ("exp_avg_sq", new float[4])], "step count is 0");
        Rejected(2, [], "state is empty");
        Rejected(-1, [], "≥ 0");

        // Accepted: the saved tensors in another order, and the empty state at step 0.
        adam.RestoreState(7, [("exp_avg_sq", new float[6]), ("exp_avg", Enumerable.Repeat(0.5f, 6).ToArray())]);
        Assert.Equal(7, adam.StepCount);
        Assert.Equal(6, adam.ParameterCount);
        Assert.Equal(0.5f, StateOf(adam, "exp_avg")[5]);
        adam.RestoreState(0, []);
        Assert.Empty(adam.State);
        Assert.Equal(-1, adam.ParameterCount);
    }

    [Fact]
    public void Plain_sgd_restores_its_step_count_without_state()
    {
        var sgd = new Sgd(0.1);
        sgd.RestoreState(12, []);
        Assert.Equal(12, sgd.StepCount);
        Assert.Contains("momentum_buffer", Assert.Throws<ArgumentException>(() => sgd.RestoreState(3, [("momentum_buffer", new float[2])])).Message);
    }
}
