using System;
using System.Collections.Generic;
using System.Globalization;

namespace RnnGen.Training;

/// <summary>
/// The end of one training iteration, guarded: after forward and backward have produced a loss
/// and accumulated gradients, <see cref="Apply(IRecurrentNetwork, float)"/> checks that the loss
/// and every gradient are finite, clips the gradients by global norm, sets the learning rate from
/// the schedule, lets the optimizer update the parameters, and clears the gradients. A NaN or ±∞
/// never reaches the parameters or the optimizer state: the step is refused and, according to
/// <see cref="Policy"/>, an exception is thrown or the step is skipped and counted.
/// </summary>
/// <example>
/// <code>
/// var step = new TrainingStep(new AdamW(3e-4), NonFinitePolicy.SkipStep)
/// {
///     MaxGradientNorm = 1.0,
///     Schedule = new LinearWarmup(200, new CosineAnnealing(3e-4f, 10_000)),
/// };
/// float loss = net.ForwardBackward(batch);   // accumulates into net.Gradients
/// TrainingStepResult r = step.Apply(net, loss);
/// </code>
/// </example>
public sealed class TrainingStep
{
    private NonFinitePolicy _policy;
    private double? _maxGradientNorm;

    /// <summary>Creates the guard around <paramref name="optimizer"/>.</summary>
    /// <param name="optimizer">The optimizer that applies accepted steps.</param>
    /// <param name="policy">What to do with a non-finite loss or gradient (default: throw).</param>
    /// <exception cref="ArgumentNullException"><paramref name="optimizer"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="policy"/> is not a defined value.</exception>
    public TrainingStep(Optimizer optimizer, NonFinitePolicy policy = NonFinitePolicy.Throw)
    {
        ArgumentNullException.ThrowIfNull(optimizer);
        Optimizer = optimizer;
        Policy = policy;
    }

    /// <summary>The optimizer that applies accepted steps.</summary>
    public Optimizer Optimizer { get; }

    /// <summary>What to do with a non-finite loss or gradient.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is not a defined <see cref="NonFinitePolicy"/>.</exception>
    public NonFinitePolicy Policy
    {
        get => _policy;
        set
        {
            if (value is not (NonFinitePolicy.Throw or NonFinitePolicy.SkipStep))
                throw new ArgumentOutOfRangeException(nameof(value), value, $"'{value}' is not a NonFinitePolicy; use Throw or SkipStep.");
            _policy = value;
        }
    }

    /// <summary>When set, gradients are clipped to this global L2 norm before the update (like <c>clip_grad_norm_</c>); null = no clipping.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is not finite and positive.</exception>
    public double? MaxGradientNorm
    {
        get => _maxGradientNorm;
        set
        {
            if (value is double v) GradientClipping.CheckMaxNorm(v);
            _maxGradientNorm = value;
        }
    }

    /// <summary>When set, the optimizer's learning rate is set to <c>Schedule.LearningRate(Optimizer.StepCount)</c> before each accepted update.</summary>
    public LearningRateSchedule? Schedule { get; set; }

    /// <summary>Whether the gradients are zeroed after each applied or skipped step (default true), ready for the next backward pass to accumulate into.</summary>
    public bool ClearGradients { get; set; } = true;

    /// <summary>Steps refused because of a non-finite loss or gradient, in total.</summary>
    public long SkippedSteps { get; private set; }

    /// <summary>Steps refused in a row since the last applied step; a steadily growing value means training has diverged.</summary>
    public int ConsecutiveSkips { get; private set; }

    /// <summary>Guards and applies one update to <paramref name="network"/>; see <see cref="Apply(float[], float[], float)"/>. Errors name the parameter tensor of the first bad gradient.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="network"/> is null.</exception>
    /// <exception cref="NonFiniteGradientException">The loss or a gradient is not finite and <see cref="Policy"/> is <see cref="NonFinitePolicy.Throw"/>.</exception>
    public TrainingStepResult Apply(IRecurrentNetwork network, float loss)
    {
        ArgumentNullException.ThrowIfNull(network);
        return Apply(network.Parameters, network.Gradients, loss, network.Tensors);
    }

    /// <summary>
    /// Guards and applies one update. If <paramref name="loss"/> or any gradient is NaN or ±∞,
    /// nothing is updated: with <see cref="NonFinitePolicy.Throw"/> a
    /// <see cref="NonFiniteGradientException"/> is thrown and the gradients are left as they are
    /// (for inspection); with <see cref="NonFinitePolicy.SkipStep"/> the step is counted in
    /// <see cref="SkippedSteps"/>. Otherwise the gradients are clipped (if
    /// <see cref="MaxGradientNorm"/> is set), the learning rate is taken from <see cref="Schedule"/>
    /// (if set), and the optimizer steps. Then the gradients are cleared if <see cref="ClearGradients"/>.
    /// </summary>
    /// <param name="parameters">The flat parameter array, updated in place.</param>
    /// <param name="gradients">The flat gradient array, same layout.</param>
    /// <param name="loss">The loss of the batch the gradients come from.</param>
    /// <returns>Whether the step was applied, the gradient norm before clipping, and the learning rate used.</returns>
    /// <exception cref="ArgumentNullException">An array is null.</exception>
    /// <exception cref="ArgumentException">The arrays do not fit each other or the optimizer.</exception>
    /// <exception cref="NonFiniteGradientException">The loss or a gradient is not finite and <see cref="Policy"/> is <see cref="NonFinitePolicy.Throw"/>.</exception>
    public TrainingStepResult Apply(float[] parameters, float[] gradients, float loss) => Apply(parameters, gradients, loss, null);

    private TrainingStepResult Apply(float[] parameters, float[] gradients, float loss, IReadOnlyList<TensorDescriptor>? tensors)
    {
        Optimizer.CheckStepArguments(parameters, gradients);

        // One pass: the norm, accumulated in double, is finite exactly when every gradient is.
        double norm = GradientClipping.GlobalNorm(gradients);
        if (!float.IsFinite(loss) || !double.IsFinite(norm))
        {
            if (Policy == NonFinitePolicy.Throw) throw Describe(gradients, loss, tensors);
            SkippedSteps++;
            ConsecutiveSkips++;
            if (ClearGradients) Array.Clear(gradients);
            return new TrainingStepResult(false, loss, norm, Optimizer.LearningRate, Optimizer.StepCount);
        }

        if (_maxGradientNorm is double maxNorm) GradientClipping.ScaleToNorm(gradients, norm, maxNorm);
        if (Schedule is not null) Optimizer.LearningRate = Schedule.LearningRate(Optimizer.StepCount);
        double learningRate = Optimizer.LearningRate;
        Optimizer.Step(parameters, gradients);
        ConsecutiveSkips = 0;
        if (ClearGradients) Array.Clear(gradients);
        return new TrainingStepResult(true, loss, norm, learningRate, Optimizer.StepCount);
    }

    private NonFiniteGradientException Describe(float[] gradients, float loss, IReadOnlyList<TensorDescriptor>? tensors)
    {
        long step = Optimizer.StepCount + 1;
        int index = FiniteCheck.IndexOfNonFinite(gradients);
        string lossText = loss.ToString(CultureInfo.InvariantCulture);
        if (index < 0)
            return new NonFiniteGradientException(
                $"Step {step}: the loss is {lossText} (all gradients are finite); the update was not applied.",
                step, loss, -1, 0f, null);

        float value = gradients[index];
        string? tensorName = null;
        string where = $"gradient [{index}]";
        if (tensors is not null)
        {
            foreach (TensorDescriptor t in tensors)
            {
                if (index < t.Offset || index >= t.Offset + t.Length) continue;
                tensorName = t.Name;
                where = $"the gradient of {t.Name}[{string.Join(", ", Unflatten(index - t.Offset, t.Shape))}] (flat index {index})";
                break;
            }
        }
        int bad = 0;
        foreach (float g in gradients) if (!float.IsFinite(g)) bad++;
        return new NonFiniteGradientException(
            $"Step {step}: {where} is {value.ToString(CultureInfo.InvariantCulture)} ({bad} non-finite gradient(s) in all; loss {lossText}); the update was not applied.",
            step, loss, index, value, tensorName);
    }

    private static int[] Unflatten(int flat, IReadOnlyList<int> shape)
    {
        var index = new int[shape.Count];
        for (int d = shape.Count - 1; d >= 0; d--)
        {
            index[d] = flat % shape[d];
            flat /= shape[d];
        }
        return index;
    }
}

/// <summary>What <see cref="TrainingStep.Apply(float[], float[], float)"/> did.</summary>
public readonly struct TrainingStepResult
{
    /// <summary>Creates a result.</summary>
    /// <param name="applied">Whether the update was applied.</param>
    /// <param name="loss">The loss passed in.</param>
    /// <param name="gradientNorm">Global L2 norm of the gradients before clipping (NaN or ∞ when a gradient was not finite).</param>
    /// <param name="learningRate">The learning rate used, or the current one when the step was skipped.</param>
    /// <param name="stepCount">The optimizer's step count afterwards.</param>
    public TrainingStepResult(bool applied, float loss, double gradientNorm, double learningRate, long stepCount)
    {
        Applied = applied;
        Loss = loss;
        GradientNorm = gradientNorm;
        LearningRate = learningRate;
        StepCount = stepCount;
    }

    /// <summary>Whether the update was applied (false when it was skipped for a non-finite loss or gradient).</summary>
    public bool Applied { get; }

    /// <summary>The loss passed in.</summary>
    public float Loss { get; }

    /// <summary>Global L2 norm of the gradients before clipping, computed in double; NaN or ∞ when a gradient was not finite.</summary>
    public double GradientNorm { get; }

    /// <summary>The learning rate used for the update (the current one when the step was skipped).</summary>
    public double LearningRate { get; }

    /// <summary>The optimizer's step count after this call.</summary>
    public long StepCount { get; }

    /// <inheritdoc/>
    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"{(Applied ? "applied" : "skipped")} step {StepCount}: loss {Loss}, |g| {GradientNorm:G6}, lr {LearningRate:G6}");
}
