using System;

namespace RnnGen.Training;

/// <summary>What <see cref="TrainingStep"/> does when the loss or a gradient is NaN or infinite.</summary>
public enum NonFinitePolicy
{
    /// <summary>Throw a <see cref="NonFiniteGradientException"/>; parameters, gradients and optimizer state are left untouched.</summary>
    Throw,

    /// <summary>Do not apply the step, count it in <see cref="TrainingStep.SkippedSteps"/>, and go on (like AMP's gradient scaler).</summary>
    SkipStep,
}

/// <summary>
/// Thrown when a training step meets a NaN or infinite loss or gradient; the update was not applied.
/// </summary>
public sealed class NonFiniteGradientException : ArithmeticException
{
    /// <summary>Creates the exception with a generic message.</summary>
    public NonFiniteGradientException()
        : this("The loss or a gradient is NaN or infinite; the update was not applied.")
    {
    }

    /// <summary>Creates the exception with <paramref name="message"/>.</summary>
    public NonFiniteGradientException(string message)
        : base(message)
    {
        GradientIndex = -1;
        Loss = float.NaN;
    }

    /// <summary>Creates the exception with <paramref name="message"/> and the exception that caused it.</summary>
    public NonFiniteGradientException(string message, Exception innerException)
        : base(message, innerException)
    {
        GradientIndex = -1;
        Loss = float.NaN;
    }

    /// <summary>Creates the exception describing what was found.</summary>
    /// <param name="message">The full message.</param>
    /// <param name="step">The 1-based number of the step that was refused.</param>
    /// <param name="loss">The loss of that step.</param>
    /// <param name="gradientIndex">Index of the first non-finite gradient, or −1 when all gradients are finite.</param>
    /// <param name="gradientValue">The value at <paramref name="gradientIndex"/> (NaN or ±∞), or 0.</param>
    /// <param name="tensorName">The parameter tensor holding that gradient, when known.</param>
    public NonFiniteGradientException(string message, long step, float loss, int gradientIndex, float gradientValue, string? tensorName)
        : base(message)
    {
        Step = step;
        Loss = loss;
        GradientIndex = gradientIndex;
        GradientValue = gradientValue;
        TensorName = tensorName;
    }

    /// <summary>The 1-based number of the step that was refused (the optimizer's step count + 1).</summary>
    public long Step { get; }

    /// <summary>The loss reported for the step (may itself be the non-finite value).</summary>
    public float Loss { get; }

    /// <summary>Index in the flat gradient array of the first NaN or ±∞, or −1 when every gradient is finite (only the loss was not).</summary>
    public int GradientIndex { get; }

    /// <summary>The gradient at <see cref="GradientIndex"/> (NaN or ±∞), or 0 when there is none.</summary>
    public float GradientValue { get; }

    /// <summary>Name of the parameter tensor holding that gradient, when the network's tensor table was available.</summary>
    public string? TensorName { get; }
}
