using System;
using System.IO;

namespace RnnGen.IO;

/// <summary>
/// A checkpoint file cannot be loaded: it is not a checkpoint, is of an unsupported format version,
/// is truncated or corrupted, or was saved from a network or optimizer of another shape or kind.
/// When this is thrown, the network and the optimizer are unchanged. It is an <see cref="IOException"/>
/// (<see cref="InvalidDataException"/> is sealed), so code that handles I/O failures handles it too.
/// </summary>
public sealed class CheckpointException : IOException
{
    /// <summary>Creates the exception with a generic message.</summary>
    public CheckpointException()
        : base("The checkpoint cannot be loaded.")
    {
    }

    /// <summary>Creates the exception with <paramref name="message"/>.</summary>
    public CheckpointException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with <paramref name="message"/> and the exception that caused it.</summary>
    public CheckpointException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception for the file at <paramref name="path"/>.</summary>
    /// <param name="path">The checkpoint file.</param>
    /// <param name="message">What is wrong, as a sentence that names the file.</param>
    /// <param name="innerException">The exception that caused it, if any.</param>
    public CheckpointException(string? path, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        FilePath = path;
    }

    /// <summary>The checkpoint file, when known.</summary>
    public string? FilePath { get; }
}
