using System;
using Microsoft.CodeAnalysis.Text;

namespace RnnGen.Generator.Tests.Infrastructure;

/// <summary>
/// Test sources with the expected diagnostic span marked as <c>[|…|]</c> (the convention of
/// Roslyn's own tests): <c>[RecurrentNetwork(CellKind.Lstm, [|InputSize = 0|], HiddenSize = 8)]</c>.
/// </summary>
public readonly record struct Markup(string Source, TextSpan Span)
{
    public static Markup Parse(string markup)
    {
        int open = markup.IndexOf("[|", StringComparison.Ordinal);
        int close = markup.IndexOf("|]", StringComparison.Ordinal);
        if (open < 0 || close < open || markup.IndexOf("[|", open + 2, StringComparison.Ordinal) >= 0)
            throw new ArgumentException("Markup needs exactly one [|span|]: " + markup);
        string source = markup.Substring(0, open) + markup.Substring(open + 2, close - open - 2) + markup.Substring(close + 2);
        return new Markup(source, TextSpan.FromBounds(open, close - 2));
    }

    /// <summary>The marked text.</summary>
    public string Marked => Source.Substring(Span.Start, Span.Length);
}
