using System;

namespace RnnGen.Data;

/// <summary>
/// Thrown when CoNLL-U input is malformed: a line with the wrong number of columns, a bad or
/// out-of-sequence ID, an empty column, a sentence without words, or a tag outside the tag set.
/// The message names the source (usually the file path) and the 1-based line number.
/// </summary>
public sealed class ConllUFormatException : FormatException
{
    /// <summary>Creates an exception with a default message and no location.</summary>
    public ConllUFormatException()
        : base("The CoNLL-U input is malformed.")
    {
        SourceName = string.Empty;
    }

    /// <summary>Creates an exception with the given message and no location.</summary>
    /// <param name="message">What is wrong.</param>
    public ConllUFormatException(string message)
        : base(message)
    {
        SourceName = string.Empty;
    }

    /// <summary>Creates an exception with the given message and inner exception, and no location.</summary>
    /// <param name="message">What is wrong.</param>
    /// <param name="innerException">The exception that caused this one.</param>
    public ConllUFormatException(string message, Exception innerException)
        : base(message, innerException)
    {
        SourceName = string.Empty;
    }

    /// <summary>
    /// Creates an exception for a problem at <paramref name="lineNumber"/> of
    /// <paramref name="sourceName"/>; the message reads "<c>source, line N: detail</c>".
    /// </summary>
    /// <param name="sourceName">The file path or other name of the input.</param>
    /// <param name="lineNumber">The 1-based line number of the offending line.</param>
    /// <param name="detail">What is wrong with the line.</param>
    public ConllUFormatException(string sourceName, int lineNumber, string detail)
        : base($"{sourceName}, line {lineNumber}: {detail}")
    {
        SourceName = sourceName;
        LineNumber = lineNumber;
    }

    /// <summary>The file path or other name of the input; empty when no location was given.</summary>
    public string SourceName { get; }

    /// <summary>The 1-based line number of the offending line; 0 when no location was given.</summary>
    public int LineNumber { get; }
}
