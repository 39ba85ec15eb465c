using System;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace RnnGen.Training;

/// <summary>
/// Adam with L2 weight decay added to the gradient: the update of <c>torch.optim.Adam</c>, with its
/// defaults (γ = 1e-3, β = (0.9, 0.999), ε = 1e-8, λ = 0), including the AMSGrad variant.
/// </summary>
/// <remarks>
/// For step t with gradient g (bias corrections computed in double, as torch.optim does):
/// <code>
/// g ← g + λ·θ                                   (if λ ≠ 0)
/// m ← m + (1 − β₁)·(g − m)                      (m ← β₁·m + (1 − β₁)·g, as a lerp)
/// v ← β₂·v + (1 − β₂)·g·g
/// v̂ ← max(v̂, v)                                 (AMSGrad only; the denominator then uses v̂)
/// θ ← θ − (γ / (1 − β₁ᵗ)) · m / (√v / √(1 − β₂ᵗ) + ε)
/// </code>
/// State: <c>exp_avg</c> (m), <c>exp_avg_sq</c> (v), and <c>max_exp_avg_sq</c> (v̂) with AMSGrad.
/// See <see cref="AdamW"/> for decoupled weight decay.
/// </remarks>
public sealed class Adam : AdamFamily
{
    /// <summary>Creates an Adam optimizer; the defaults are PyTorch's.</summary>
    /// <param name="learningRate">γ, finite and ≥ 0.</param>
    /// <param name="beta1">β₁ in [0, 1): decay of the first-moment average.</param>
    /// <param name="beta2">β₂ in [0, 1): decay of the second-moment average.</param>
    /// <param name="epsilon">ε, finite and ≥ 0: added to the denominator after the bias correction.</param>
    /// <param name="weightDecay">λ, finite and ≥ 0: L2 penalty added to the gradient (coupled).</param>
    /// <param name="amsgrad">Use the AMSGrad variant (keeps the running maximum of v).</param>
    /// <exception cref="ArgumentOutOfRangeException">A hyperparameter is out of range.</exception>
    public Adam(double learningRate = 1e-3, double beta1 = 0.9, double beta2 = 0.999, double epsilon = 1e-8,
                double weightDecay = 0, bool amsgrad = false)
        : base(learningRate, beta1, beta2, epsilon, weightDecay, amsgrad, decoupled: false)
    {
    }

    /// <inheritdoc/>
    public override string Kind => "Adam";
}

/// <summary>
/// AdamW: Adam with decoupled weight decay, the update of <c>torch.optim.AdamW</c>, with its
/// defaults (γ = 1e-3, β = (0.9, 0.999), ε = 1e-8, λ = 1e-2), including the AMSGrad variant.
/// </summary>
/// <remarks>
/// Identical to <see cref="Adam"/> except for the weight decay, which shrinks the parameters
/// directly instead of entering the gradient and the moments:
/// <code>
/// θ ← θ·(1 − γ·λ)
/// m ← m + (1 − β₁)·(g − m);   v ← β₂·v + (1 − β₂)·g·g;   v̂ ← max(v̂, v) (AMSGrad)
/// θ ← θ − (γ / (1 − β₁ᵗ)) · m / (√v / √(1 − β₂ᵗ) + ε)
/// </code>
/// State: <c>exp_avg</c>, <c>exp_avg_sq</c>, and <c>max_exp_avg_sq</c> with AMSGrad.
/// </remarks>
public sealed class AdamW : AdamFamily
{
    /// <summary>Creates an AdamW optimizer; the defaults are PyTorch's.</summary>
    /// <param name="learningRate">γ, finite and ≥ 0.</param>
    /// <param name="beta1">β₁ in [0, 1): decay of the first-moment average.</param>
    /// <param name="beta2">β₂ in [0, 1): decay of the second-moment average.</param>
    /// <param name="epsilon">ε, finite and ≥ 0: added to the denominator after the bias correction.</param>
    /// <param name="weightDecay">λ, finite and ≥ 0: decoupled decay, θ ← θ·(1 − γ·λ) each step.</param>
    /// <param name="amsgrad">Use the AMSGrad variant (keeps the running maximum of v).</param>
    /// <exception cref="ArgumentOutOfRangeException">A hyperparameter is out of range.</exception>
    public AdamW(double learningRate = 1e-3, double beta1 = 0.9, double beta2 = 0.999, double epsilon = 1e-8,
                 double weightDecay = 1e-2, bool amsgrad = false)
        : base(learningRate, beta1, beta2, epsilon, weightDecay, amsgrad, decoupled: true)
    {
    }

    /// <inheritdoc/>
    public override string Kind => "AdamW";
}

/// <summary>
/// What <see cref="Adam"/> and <see cref="AdamW"/> share: the hyperparameters, the state tensors and
/// the fused update; they differ only in how the weight decay enters.
/// </summary>
public abstract class AdamFamily : Optimizer
{
    private readonly bool _decoupled;

    private protected AdamFamily(double learningRate, double beta1, double beta2, double epsilon, double weightDecay, bool amsgrad, bool decoupled)
        : base(learningRate, AdamUpdate.StateNames(amsgrad))
    {
        Beta1 = CheckUnitInterval(beta1, nameof(beta1), "beta1");
        Beta2 = CheckUnitInterval(beta2, nameof(beta2), "beta2");
        Epsilon = CheckNonNegative(epsilon, nameof(epsilon), "epsilon");
        WeightDecay = CheckNonNegative(weightDecay, nameof(weightDecay), "the weight decay");
        Amsgrad = amsgrad;
        _decoupled = decoupled;
    }

    /// <summary>β₁: decay of the first-moment (mean) average.</summary>
    public double Beta1 { get; }

    /// <summary>β₂: decay of the second-moment (uncentered variance) average.</summary>
    public double Beta2 { get; }

    /// <summary>ε: added to the bias-corrected √v.</summary>
    public double Epsilon { get; }

    /// <summary>
    /// λ: the weight decay. <see cref="Adam"/> adds λ·θ to the gradient before the moments;
    /// <see cref="AdamW"/> multiplies the parameters by (1 − γ·λ) each step.
    /// </summary>
    public double WeightDecay { get; }

    /// <summary>Whether the AMSGrad variant is used.</summary>
    public bool Amsgrad { get; }

    /// <inheritdoc/>
    protected override void Update(Span<float> parameters, ReadOnlySpan<float> gradients, long step) =>
        AdamUpdate.Apply(parameters, gradients, StateTensor(0), StateTensor(1), Amsgrad ? StateTensor(2) : default,
                         step, LearningRate, Beta1, Beta2, Epsilon, WeightDecay, _decoupled);
}

/// <summary>The fused element-wise update shared by <see cref="Adam"/> and <see cref="AdamW"/>.</summary>
internal static class AdamUpdate
{
    public static string[] StateNames(bool amsgrad) =>
        amsgrad ? ["exp_avg", "exp_avg_sq", "max_exp_avg_sq"] : ["exp_avg", "exp_avg_sq"];

    // θ, g, m, v, v̂: [n]. One pass over all five arrays; per-step scalars computed once in double.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Apply(Span<float> p, ReadOnlySpan<float> g, Span<float> m, Span<float> v, Span<float> vMax,
                             long step, double lr, double beta1, double beta2, double eps, double weightDecay, bool decoupled)
    {
        double biasCorrection1 = 1 - Math.Pow(beta1, step);
        double biasCorrection2 = 1 - Math.Pow(beta2, step);
        float stepSize = (float)(lr / biasCorrection1);
        float bc2Sqrt = (float)Math.Sqrt(biasCorrection2);
        float w1 = (float)(1 - beta1);          // lerp weight toward g
        float b2 = (float)beta2, w2 = (float)(1 - beta2);
        float epsilon = (float)eps;
        bool coupledDecay = !decoupled && weightDecay != 0;
        bool decoupledDecay = decoupled && weightDecay != 0;
        float wd = (float)weightDecay;
        float shrink = (float)(1 - lr * weightDecay);
        // torch's lerp: start + w·(end − start) for w < 0.5, else end − (end − start)·(1 − w).
        bool lerpFromStart = w1 < 0.5f;
        float w1c = 1 - w1;
        bool amsgrad = !vMax.IsEmpty;

        Span<Vector<float>> pv = MemoryMarshal.Cast<float, Vector<float>>(p);
        ReadOnlySpan<Vector<float>> gv = MemoryMarshal.Cast<float, Vector<float>>(g);
        Span<Vector<float>> mv = MemoryMarshal.Cast<float, Vector<float>>(m);
        Span<Vector<float>> vv = MemoryMarshal.Cast<float, Vector<float>>(v);
        Span<Vector<float>> xv = amsgrad ? MemoryMarshal.Cast<float, Vector<float>>(vMax) : default;
        var vW1 = new Vector<float>(w1);
        var vW1c = new Vector<float>(w1c);
        var vB2 = new Vector<float>(b2);
        var vW2 = new Vector<float>(w2);
        var vWd = new Vector<float>(wd);
        var vShrink = new Vector<float>(shrink);
        var vStep = new Vector<float>(-stepSize);
        var vBc2 = new Vector<float>(bc2Sqrt);
        var vEps = new Vector<float>(epsilon);
        for (int i = 0; i < pv.Length; i++)
        {
            Vector<float> theta = pv[i];
            Vector<float> d = gv[i];
            if (coupledDecay) d += vWd * theta;
            if (decoupledDecay) theta *= vShrink;
            Vector<float> mi = mv[i];
            mi = lerpFromStart ? mi + vW1 * (d - mi) : d - (d - mi) * vW1c;
            mv[i] = mi;
            Vector<float> vi = vv[i] * vB2 + vW2 * d * d;
            vv[i] = vi;
            if (amsgrad) vi = xv[i] = Vector.Max(xv[i], vi);
            Vector<float> denom = Vector.SquareRoot(vi) / vBc2 + vEps;
            pv[i] = theta + vStep * mi / denom;
        }
        for (int n = pv.Length * Vector<float>.Count; n < p.Length; n++)
        {
            float theta = p[n];
            float d = g[n];
            if (coupledDecay) d += wd * theta;
            if (decoupledDecay) theta *= shrink;
            float mi = m[n];
            mi = lerpFromStart ? mi + w1 * (d - mi) : d - (d - mi) * w1c;
            m[n] = mi;
            float vi = v[n] * b2 + w2 * d * d;
            v[n] = vi;
            if (amsgrad) vi = vMax[n] = MathF.Max(vMax[n], vi);
            float denom = MathF.Sqrt(vi) / bc2Sqrt + epsilon;
            p[n] = theta + -stepSize * mi / denom;
        }
    }
}
