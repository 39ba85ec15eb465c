using System;

namespace RnnGen.Training;

/// <summary>
/// A learning rate as a function of the optimizer step: <c>LearningRate(step)</c> is the rate of
/// the update whose 0-based index is <c>step</c> (the optimizer's <see cref="Optimizer.StepCount"/>
/// before that update). Schedules are pure functions of the step, so resuming from a checkpoint
/// needs nothing but the saved step count. Compose them: <c>new LinearWarmup(500, new CosineAnnealing(3e-4f, 10_000))</c>.
/// </summary>
public abstract class LearningRateSchedule
{
    /// <summary>The learning rate for the update with 0-based index <paramref name="step"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="step"/> is negative.</exception>
    public float LearningRate(long step)
    {
        if (step < 0)
            throw new ArgumentOutOfRangeException(nameof(step), step, $"'step' is {step}; steps are counted from 0.");
        return (float)Compute(step);
    }

    /// <summary>The rate for a step ≥ 0, in double (rounded to float once, by <see cref="LearningRate"/>).</summary>
    protected internal abstract double Compute(long step);

    /// <summary>Checks a learning rate is finite and ≥ 0 and returns it.</summary>
    private protected static float CheckRate(float value, string parameterName)
    {
        if (!(value >= 0) || float.IsInfinity(value))
            throw new ArgumentOutOfRangeException(parameterName, value, $"'{parameterName}' is {value}; a learning rate must be a finite number ≥ 0.");
        return value;
    }

    /// <summary>Checks a step count is positive and returns it.</summary>
    private protected static long CheckSteps(long value, string parameterName)
    {
        if (value <= 0)
            throw new ArgumentOutOfRangeException(parameterName, value, $"'{parameterName}' is {value}; it must be at least 1 step.");
        return value;
    }
}

/// <summary>The same learning rate at every step.</summary>
public sealed class ConstantLearningRate : LearningRateSchedule
{
    /// <summary>Creates the schedule.</summary>
    /// <param name="learningRate">The rate, finite and ≥ 0.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="learningRate"/> is negative or not finite.</exception>
    public ConstantLearningRate(float learningRate) => Rate = CheckRate(learningRate, nameof(learningRate));

    /// <summary>The rate returned for every step.</summary>
    public float Rate { get; }

    /// <inheritdoc/>
    protected internal override double Compute(long step) => Rate;
}

/// <summary>
/// Step decay, like <c>torch.optim.lr_scheduler.StepLR</c>: the rate is multiplied by γ every
/// <see cref="StepSize"/> steps, <c>lr(t) = lr₀ · γ^⌊t / stepSize⌋</c>.
/// </summary>
public sealed class StepDecay : LearningRateSchedule
{
    /// <summary>Creates the schedule.</summary>
    /// <param name="initialLearningRate">lr₀, finite and ≥ 0.</param>
    /// <param name="stepSize">Steps between two decays, ≥ 1.</param>
    /// <param name="gamma">Factor applied at each decay, finite and ≥ 0 (PyTorch's default 0.1).</param>
    /// <exception cref="ArgumentOutOfRangeException">An argument is out of range.</exception>
    public StepDecay(float initialLearningRate, long stepSize, double gamma = 0.1)
    {
        InitialLearningRate = CheckRate(initialLearningRate, nameof(initialLearningRate));
        StepSize = CheckSteps(stepSize, nameof(stepSize));
        if (!(gamma >= 0) || double.IsInfinity(gamma))
            throw new ArgumentOutOfRangeException(nameof(gamma), gamma, $"'gamma' is {gamma}; it must be a finite number ≥ 0.");
        Gamma = gamma;
    }

    /// <summary>lr₀, the rate of steps 0 … stepSize − 1.</summary>
    public float InitialLearningRate { get; }

    /// <summary>Steps between two decays.</summary>
    public long StepSize { get; }

    /// <summary>γ, the factor applied at each decay.</summary>
    public double Gamma { get; }

    /// <inheritdoc/>
    protected internal override double Compute(long step) => InitialLearningRate * Math.Pow(Gamma, step / StepSize);
}

/// <summary>
/// Cosine annealing from lr₀ down to lr_min over <see cref="TotalSteps"/> steps, the closed form of
/// <c>torch.optim.lr_scheduler.CosineAnnealingLR</c>:
/// <c>lr(t) = lr_min + (lr₀ − lr_min)·(1 + cos(π·t / T))/2</c> for t ≤ T.
/// Unlike PyTorch's closed form, which rises again after T, the rate then stays at lr_min.
/// </summary>
public sealed class CosineAnnealing : LearningRateSchedule
{
    /// <summary>Creates the schedule.</summary>
    /// <param name="initialLearningRate">lr₀, the rate at step 0; finite and ≥ 0.</param>
    /// <param name="totalSteps">T, the step at which the rate reaches lr_min; ≥ 1.</param>
    /// <param name="minimumLearningRate">lr_min (PyTorch's <c>eta_min</c>), finite, ≥ 0 and ≤ lr₀.</param>
    /// <exception cref="ArgumentOutOfRangeException">An argument is out of range.</exception>
    public CosineAnnealing(float initialLearningRate, long totalSteps, float minimumLearningRate = 0f)
    {
        InitialLearningRate = CheckRate(initialLearningRate, nameof(initialLearningRate));
        TotalSteps = CheckSteps(totalSteps, nameof(totalSteps));
        MinimumLearningRate = CheckRate(minimumLearningRate, nameof(minimumLearningRate));
        if (minimumLearningRate > initialLearningRate)
            throw new ArgumentOutOfRangeException(nameof(minimumLearningRate), minimumLearningRate,
                $"'minimumLearningRate' is {minimumLearningRate}, above 'initialLearningRate' {initialLearningRate}; annealing goes down.");
    }

    /// <summary>lr₀, the rate at step 0.</summary>
    public float InitialLearningRate { get; }

    /// <summary>T, the number of steps of the descent.</summary>
    public long TotalSteps { get; }

    /// <summary>lr_min, reached at step T and kept afterwards.</summary>
    public float MinimumLearningRate { get; }

    /// <inheritdoc/>
    protected internal override double Compute(long step)
    {
        if (step >= TotalSteps) return MinimumLearningRate;
        double lo = MinimumLearningRate, hi = InitialLearningRate;
        return lo + (hi - lo) * (1 + Math.Cos(Math.PI * step / TotalSteps)) / 2;
    }
}

/// <summary>
/// Linear warm-up followed by another schedule: for t &lt; W the rate rises linearly from
/// <c>startFactor · lr_peak</c> toward <c>lr_peak</c> = <c>then.LearningRate(0)</c>,
/// <c>lr(t) = lr_peak · (startFactor + (1 − startFactor) · t / W)</c>; from step W on it is
/// <c>then.LearningRate(t − W)</c>, so the following schedule starts at its own step 0.
/// </summary>
public sealed class LinearWarmup : LearningRateSchedule
{
    /// <summary>Creates the schedule.</summary>
    /// <param name="warmupSteps">W, the number of warm-up steps, ≥ 1.</param>
    /// <param name="then">The schedule that follows the warm-up (use <see cref="ConstantLearningRate"/> for a plain warm-up).</param>
    /// <param name="startFactor">Fraction of the peak rate used at step 0, in [0, 1].</param>
    /// <exception cref="ArgumentNullException"><paramref name="then"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An argument is out of range.</exception>
    public LinearWarmup(long warmupSteps, LearningRateSchedule then, double startFactor = 0)
    {
        WarmupSteps = CheckSteps(warmupSteps, nameof(warmupSteps));
        ArgumentNullException.ThrowIfNull(then);
        if (!(startFactor >= 0 && startFactor <= 1))
            throw new ArgumentOutOfRangeException(nameof(startFactor), startFactor, $"'startFactor' is {startFactor}; it must be in [0, 1].");
        Then = then;
        StartFactor = startFactor;
    }

    /// <summary>W, the number of warm-up steps.</summary>
    public long WarmupSteps { get; }

    /// <summary>The schedule that follows the warm-up.</summary>
    public LearningRateSchedule Then { get; }

    /// <summary>Fraction of the peak rate used at step 0.</summary>
    public double StartFactor { get; }

    /// <inheritdoc/>
    protected internal override double Compute(long step)
    {
        if (step >= WarmupSteps) return Then.Compute(step - WarmupSteps);
        double peak = Then.Compute(0);
        return peak * (StartFactor + (1 - StartFactor) * step / WarmupSteps);
    }
}
