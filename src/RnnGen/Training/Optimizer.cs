using System;
using System.Collections.Generic;

namespace RnnGen.Training;

/// <summary>
/// Base class of the optimizers: updates one flat parameter array from the gradient array of the
/// same layout (a network's <see cref="IRecurrentNetwork.Parameters"/> and
/// <see cref="IRecurrentNetwork.Gradients"/>), and owns the per-element state tensors the update
/// keeps between steps (momentum buffers, moment estimates).
/// </summary>
/// <remarks>
/// <para>
/// Hyperparameters are <see cref="double"/>, like the Python floats of <c>torch.optim</c>: the
/// per-step scalars (bias corrections, step sizes) are computed in double and the element-wise
/// update runs in float32, as PyTorch does on the CPU. Writing β₂ = 0.999 as a float would move
/// Adam's first bias correction by about 1e-5 relative.
/// </para>
/// <para>
/// State is allocated lazily on the first <see cref="Step(float[], float[])"/>, sized to that
/// parameter array; from then on the optimizer accepts only arrays of that length (use one
/// optimizer per parameter array, or <see cref="Reset"/>). <see cref="State"/>,
/// <see cref="StepCount"/> and <see cref="RestoreState"/> let a checkpoint save and resume it.
/// </para>
/// </remarks>
public abstract class Optimizer
{
    private readonly string[] _stateNames;
    private float[]?[] _state;
    private double _learningRate;
    private int _parameterCount = -1;

    /// <summary>Initializes the shared part of an optimizer.</summary>
    /// <param name="learningRate">The initial learning rate (finite, ≥ 0).</param>
    /// <param name="stateNames">
    /// Names of the per-element state tensors this configuration keeps, in a fixed order (PyTorch's
    /// names where they exist, for example <c>exp_avg</c>); empty when the update is stateless.
    /// </param>
    protected Optimizer(double learningRate, params string[] stateNames)
    {
        ArgumentNullException.ThrowIfNull(stateNames);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (string name in stateNames)
        {
            if (string.IsNullOrEmpty(name))
                throw new ArgumentException("A state tensor name is null or empty; every state tensor needs a name.", nameof(stateNames));
            if (!seen.Add(name))
                throw new ArgumentException($"The state tensor name '{name}' appears twice; state tensor names must be unique.", nameof(stateNames));
        }
        LearningRate = learningRate;
        _stateNames = (string[])stateNames.Clone();
        _state = new float[]?[_stateNames.Length];
    }

    /// <summary>
    /// A short name of the algorithm, written into checkpoints so that state saved by one kind of
    /// optimizer is never loaded into another (for example <c>SGD</c>, <c>Adam</c>, <c>AdamW</c>).
    /// </summary>
    public abstract string Kind { get; }

    /// <summary>The learning rate used by the next step; schedules set it before each step.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is negative, NaN or infinite.</exception>
    public double LearningRate
    {
        get => _learningRate;
        set => _learningRate = CheckNonNegative(value, "LearningRate", "the learning rate");
    }

    /// <summary>Number of steps applied so far (PyTorch's per-parameter <c>step</c>); the next step is <c>StepCount + 1</c>.</summary>
    public long StepCount { get; private set; }

    /// <summary>
    /// Length of the parameter array the state is sized for, or −1 while that is not yet known
    /// (before the first step, and after restoring a state with no tensors).
    /// </summary>
    public int ParameterCount => _parameterCount;

    /// <summary>Names of the state tensors this optimizer keeps once it has stepped, in a fixed order.</summary>
    public IReadOnlyList<string> StateNames => _stateNames;

    /// <summary>
    /// The state tensors, in the order of <see cref="StateNames"/>: empty before the first step
    /// (state is allocated lazily), then one array per name, each as long as the parameter array.
    /// The arrays are the live state, not copies: read them to save a checkpoint, do not resize them.
    /// </summary>
    public IReadOnlyList<(string Name, float[] Values)> State
    {
        get
        {
            if (_stateNames.Length == 0 || _state[0] is null) return Array.Empty<(string, float[])>();
            var list = new (string Name, float[] Values)[_stateNames.Length];
            for (int i = 0; i < list.Length; i++) list[i] = (_stateNames[i], _state[i]!);
            return list;
        }
    }

    /// <summary>Applies one update to <paramref name="network"/>'s parameters from its gradients (the gradients are not cleared).</summary>
    /// <exception cref="ArgumentNullException"><paramref name="network"/> is null.</exception>
    public void Step(IRecurrentNetwork network)
    {
        ArgumentNullException.ThrowIfNull(network);
        Step(network.Parameters, network.Gradients);
    }

    /// <summary>
    /// Applies one update to <paramref name="parameters"/> from <paramref name="gradients"/> (same
    /// layout) and increments <see cref="StepCount"/>. The first call allocates the state, sized to
    /// <paramref name="parameters"/>. The gradients are read, never modified.
    /// </summary>
    /// <exception cref="ArgumentNullException">An array is null.</exception>
    /// <exception cref="ArgumentException">
    /// The arrays differ in length, are empty, or do not match the length the state was sized for.
    /// </exception>
    public void Step(float[] parameters, float[] gradients)
    {
        CheckStepArguments(parameters, gradients);
        if (_parameterCount < 0)
        {
            for (int i = 0; i < _state.Length; i++) _state[i] = new float[parameters.Length];
            _parameterCount = parameters.Length;
        }
        long step = StepCount + 1;
        Update(parameters, gradients, step);
        StepCount = step;
    }

    /// <summary>The argument checks of <see cref="Step(float[], float[])"/>, also used by <c>TrainingStep</c> before it touches anything.</summary>
    internal void CheckStepArguments(float[] parameters, float[] gradients)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        ArgumentNullException.ThrowIfNull(gradients);
        if (parameters.Length == 0)
            throw new ArgumentException("'parameters' is empty; there is nothing to optimize.", nameof(parameters));
        if (gradients.Length != parameters.Length)
            throw new ArgumentException(
                $"'gradients' holds {gradients.Length} values but 'parameters' holds {parameters.Length}; both must have the same layout.",
                nameof(gradients));
        if (_parameterCount >= 0 && parameters.Length != _parameterCount)
            throw new ArgumentException(
                $"'parameters' holds {parameters.Length} values but this {Kind} optimizer's state is sized for {_parameterCount}; " +
                "use one optimizer per parameter array, or call Reset() first.",
                nameof(parameters));
    }

    /// <summary>
    /// Replaces the step count and state with saved ones (a copy is taken), as
    /// <c>Optimizer.load_state_dict</c> does. The state must hold exactly the tensors of
    /// <see cref="StateNames"/> (in any order), all of one positive length, or be empty when
    /// <paramref name="stepCount"/> is 0 or the optimizer keeps no state. Nothing changes when the
    /// arguments are rejected.
    /// </summary>
    /// <param name="stepCount">Steps applied when the state was saved (≥ 0).</param>
    /// <param name="state">The saved state tensors, for example a previous <see cref="State"/>.</param>
    /// <exception cref="ArgumentNullException"><paramref name="state"/> or one of its arrays is null.</exception>
    /// <exception cref="ArgumentException">The state does not fit this optimizer; the message says why.</exception>
    public void RestoreState(long stepCount, IReadOnlyList<(string Name, float[] Values)> state)
    {
        ArgumentNullException.ThrowIfNull(state);
        string? problem = CheckState(stepCount, state);
        if (problem is not null) throw new ArgumentException(problem, nameof(state));

        StepCount = stepCount;
        if (state.Count == 0)
        {
            Array.Clear(_state);
            _parameterCount = -1;
            return;
        }
        int length = state[0].Values.Length;
        for (int i = 0; i < _stateNames.Length; i++)
        {
            float[] source = Find(state, _stateNames[i]);
            float[]? target = _state[i];
            if (target is null || target.Length != length) target = _state[i] = new float[length];
            source.AsSpan().CopyTo(target);
        }
        _parameterCount = length;
    }

    /// <summary>Forgets all state and sets <see cref="StepCount"/> to 0; the next step starts afresh (the learning rate is kept).</summary>
    public void Reset()
    {
        Array.Clear(_state);
        _parameterCount = -1;
        StepCount = 0;
    }

    /// <summary>
    /// Performs the update. Called by <see cref="Step(float[], float[])"/> after the arguments are
    /// checked and the state is allocated; <paramref name="step"/> is the 1-based number of this step.
    /// </summary>
    /// <param name="parameters">The parameters to update in place.</param>
    /// <param name="gradients">The gradients, same length.</param>
    /// <param name="step">1 for the first step after creation, <see cref="Reset"/> or a restore of step count 0.</param>
    protected abstract void Update(Span<float> parameters, ReadOnlySpan<float> gradients, long step);

    /// <summary>The state tensor <see cref="StateNames"/>[<paramref name="index"/>]; valid inside <see cref="Update"/>.</summary>
    protected Span<float> StateTensor(int index) =>
        _state[index] ?? throw new InvalidOperationException($"State tensor '{_stateNames[index]}' is not allocated yet; it exists once Step has been called.");

    /// <summary>Checks a hyperparameter is finite and ≥ 0 and returns it.</summary>
    private protected static double CheckNonNegative(double value, string parameterName, string what)
    {
        if (!(value >= 0) || double.IsInfinity(value))
            throw new ArgumentOutOfRangeException(parameterName, value, $"{Capitalize(what)} is {value}; it must be a finite number ≥ 0.");
        return value;
    }

    /// <summary>Checks a decay rate (momentum average coefficient) is in [0, 1) and returns it.</summary>
    private protected static double CheckUnitInterval(double value, string parameterName, string what)
    {
        if (!(value >= 0 && value < 1))
            throw new ArgumentOutOfRangeException(parameterName, value, $"{Capitalize(what)} is {value}; it must be in [0, 1).");
        return value;
    }

    private static string Capitalize(string s) => s.Length == 0 ? s : char.ToUpperInvariant(s[0]) + s.Substring(1);

    /// <summary>
    /// Returns null when <see cref="RestoreState"/> would accept the arguments, else the reason in a
    /// sentence. Checkpoint loading calls this before it changes anything.
    /// </summary>
    internal string? CheckState(long stepCount, IReadOnlyList<(string Name, float[] Values)> state)
    {
        if (stepCount < 0) return $"The step count is {stepCount}; it must be ≥ 0.";
        if (state.Count == 0)
        {
            if (stepCount == 0 || _stateNames.Length == 0) return null;
            return $"The saved {Kind} state is empty but its step count is {stepCount}; after a step this optimizer keeps [{string.Join(", ", _stateNames)}].";
        }
        if (stepCount == 0)
            return $"The saved state holds {state.Count} tensor(s) but its step count is 0; state exists only after a step.";

        var names = new List<string>(state.Count);
        int length = -1;
        foreach ((string name, float[] values) in state)
        {
            if (values is null) return $"The saved state tensor '{name}' has no values (null).";
            if (values.Length == 0) return $"The saved state tensor '{name}' is empty; state tensors are as long as the parameter array.";
            if (length < 0) length = values.Length;
            else if (values.Length != length)
                return $"The saved state tensor '{name}' holds {values.Length} values but '{state[0].Name}' holds {length}; all state tensors are as long as the parameter array.";
            names.Add(name);
        }
        bool sameSet = names.Count == _stateNames.Length
            && new HashSet<string>(names, StringComparer.Ordinal).SetEquals(_stateNames)
            && new HashSet<string>(names, StringComparer.Ordinal).Count == names.Count;
        if (!sameSet)
            return $"The saved state holds tensors [{string.Join(", ", names)}] but this {Kind} optimizer, as configured, keeps [{string.Join(", ", _stateNames)}].";
        return null;
    }

    private static float[] Find(IReadOnlyList<(string Name, float[] Values)> state, string name)
    {
        foreach ((string n, float[] values) in state)
            if (string.Equals(n, name, StringComparison.Ordinal)) return values;
        throw new InvalidOperationException($"State tensor '{name}' is missing.");
    }
}
