using System;
using System.IO;

namespace RnnGen.IO.Onnx;

/// <summary>
/// An ONNX model or tensor file cannot be read, or does not fit the network it is loaded into:
/// the bytes are not a valid protobuf message, a node or initializer is missing, a tensor has the
/// wrong shape, type or size, or the model uses an option RnnGen does not implement (peepholes,
/// clip, <c>linear_before_reset = 0</c>, …). The message names the node, input, tensor or attribute
/// at fault. Whenever it is thrown, the network is unchanged. It is an <see cref="IOException"/>
/// (<see cref="InvalidDataException"/> is sealed), so code that handles failed loads catching
/// <see cref="IOException"/> sees it too.
/// </summary>
public sealed class OnnxFormatException : IOException
{
    /// <summary>Creates the exception with a generic message.</summary>
    public OnnxFormatException()
        : base("The ONNX data cannot be read.")
    {
    }

    /// <summary>Creates the exception with <paramref name="message"/>.</summary>
    /// <param name="message">What is wrong, naming the node, tensor or attribute.</param>
    public OnnxFormatException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with <paramref name="message"/> and the exception that caused it.</summary>
    /// <param name="message">What is wrong.</param>
    /// <param name="innerException">The underlying error, for example the protobuf parser's.</param>
    public OnnxFormatException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}
