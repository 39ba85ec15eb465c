using System;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace RnnGen.Training;

/// <summary>
/// Stochastic gradient descent with optional momentum, dampening, Nesterov momentum and L2 weight
/// decay: the update of <c>torch.optim.SGD</c>, with its defaults.
/// </summary>
/// <remarks>
/// For step t with gradient g, learning rate γ, weight decay λ, momentum μ, dampening τ:
/// <code>
/// g ← g + λ·θ                         (if λ ≠ 0)
/// b ← g               at t = 1        (if μ ≠ 0; no dampening on the first step)
/// b ← μ·b + (1 − τ)·g at t &gt; 1
/// g ← g + μ·b  (Nesterov)  or  g ← b
/// θ ← θ − γ·g
/// </code>
/// State: <c>momentum_buffer</c> when μ ≠ 0, none otherwise.
/// </remarks>
public sealed class Sgd : Optimizer
{
    /// <summary>Creates an SGD optimizer; the defaults are PyTorch's.</summary>
    /// <param name="learningRate">γ, finite and ≥ 0 (PyTorch's default 1e-3).</param>
    /// <param name="momentum">μ, finite and ≥ 0; 0 disables momentum and its state.</param>
    /// <param name="dampening">τ, finite; scales the new gradient by (1 − τ) in the momentum buffer after the first step.</param>
    /// <param name="weightDecay">λ, finite and ≥ 0: L2 penalty added to the gradient.</param>
    /// <param name="nesterov">Use Nesterov momentum; needs μ &gt; 0 and τ = 0, as in PyTorch.</param>
    /// <exception cref="ArgumentOutOfRangeException">A hyperparameter is out of range.</exception>
    /// <exception cref="ArgumentException">Nesterov momentum without momentum or with dampening.</exception>
    public Sgd(double learningRate = 1e-3, double momentum = 0, double dampening = 0, double weightDecay = 0, bool nesterov = false)
        : base(learningRate, CheckNonNegative(momentum, nameof(momentum), "the momentum") != 0 ? ["momentum_buffer"] : [])
    {
        if (!double.IsFinite(dampening))
            throw new ArgumentOutOfRangeException(nameof(dampening), dampening, $"The dampening is {dampening}; it must be a finite number.");
        if (nesterov && (momentum <= 0 || dampening != 0))
            throw new ArgumentException(
                $"Nesterov momentum needs a momentum > 0 and a dampening of 0 (got momentum {momentum}, dampening {dampening}).",
                nameof(nesterov));
        Momentum = momentum;
        Dampening = dampening;
        WeightDecay = CheckNonNegative(weightDecay, nameof(weightDecay), "the weight decay");
        Nesterov = nesterov;
    }

    /// <inheritdoc/>
    public override string Kind => "SGD";

    /// <summary>μ: momentum factor (0 = plain SGD).</summary>
    public double Momentum { get; }

    /// <summary>τ: dampening of the gradient's contribution to the momentum buffer.</summary>
    public double Dampening { get; }

    /// <summary>λ: L2 penalty coefficient, added to the gradient as λ·θ.</summary>
    public double WeightDecay { get; }

    /// <summary>Whether the update uses Nesterov momentum.</summary>
    public bool Nesterov { get; }

    /// <inheritdoc/>
    protected override void Update(Span<float> parameters, ReadOnlySpan<float> gradients, long step)
    {
        float lr = (float)LearningRate, wd = (float)WeightDecay, mu = (float)Momentum, keep = (float)(1 - Dampening);
        if (Momentum == 0)
        {
            Plain(parameters, gradients, lr, wd);
            return;
        }
        Span<float> buffer = StateTensor(0);
        WithMomentum(parameters, gradients, buffer, lr, wd, mu, keep, first: step == 1, Nesterov);
    }

    // θ[n] ← θ[n] − γ·(g[n] + λ·θ[n])
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Plain(Span<float> p, ReadOnlySpan<float> g, float lr, float wd)
    {
        Span<Vector<float>> pv = MemoryMarshal.Cast<float, Vector<float>>(p);
        ReadOnlySpan<Vector<float>> gv = MemoryMarshal.Cast<float, Vector<float>>(g);
        var vLr = new Vector<float>(-lr);
        var vWd = new Vector<float>(wd);
        bool decay = wd != 0;
        for (int i = 0; i < pv.Length; i++)
        {
            Vector<float> d = gv[i];
            if (decay) d += vWd * pv[i];
            pv[i] += vLr * d;
        }
        for (int n = pv.Length * Vector<float>.Count; n < p.Length; n++)
        {
            float d = g[n];
            if (decay) d += wd * p[n];
            p[n] += -lr * d;
        }
    }

    // d = g + λ·θ;  b ← d (first) or μ·b + (1−τ)·d;  d ← d + μ·b (Nesterov) or b;  θ ← θ − γ·d
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void WithMomentum(Span<float> p, ReadOnlySpan<float> g, Span<float> b,
                                     float lr, float wd, float mu, float keep, bool first, bool nesterov)
    {
        Span<Vector<float>> pv = MemoryMarshal.Cast<float, Vector<float>>(p);
        ReadOnlySpan<Vector<float>> gv = MemoryMarshal.Cast<float, Vector<float>>(g);
        Span<Vector<float>> bv = MemoryMarshal.Cast<float, Vector<float>>(b);
        var vLr = new Vector<float>(-lr);
        var vWd = new Vector<float>(wd);
        var vMu = new Vector<float>(mu);
        var vKeep = new Vector<float>(keep);
        bool decay = wd != 0;
        for (int i = 0; i < pv.Length; i++)
        {
            Vector<float> d = gv[i];
            if (decay) d += vWd * pv[i];
            Vector<float> buf = first ? d : vMu * bv[i] + vKeep * d;
            bv[i] = buf;
            d = nesterov ? d + vMu * buf : buf;
            pv[i] += vLr * d;
        }
        for (int n = pv.Length * Vector<float>.Count; n < p.Length; n++)
        {
            float d = g[n];
            if (decay) d += wd * p[n];
            float buf = first ? d : mu * b[n] + keep * d;
            b[n] = buf;
            d = nesterov ? d + mu * buf : buf;
            p[n] += -lr * d;
        }
    }
}
