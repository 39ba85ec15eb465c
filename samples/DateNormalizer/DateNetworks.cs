using System;
using System.Collections.Generic;
using System.Linq;

namespace DateNormalizer;

/// <summary>The networks this build has, by attention kind as named on the command line.</summary>
public static partial class DateNetworks
{
    /// <summary>The attention kind <c>train</c> uses unless told otherwise.</summary>
    public const string DefaultAttention = "bahdanau";

    /// <summary>The attention kinds <c>train --attention</c> accepts.</summary>
    public static IReadOnlyList<string> AttentionKinds { get; } = ["bahdanau", "luong-general", "luong-dot", "none"];

    /// <summary>Whether <paramref name="attention"/> names one of <see cref="AttentionKinds"/>.</summary>
    public static bool IsKnown(string attention) => AttentionKinds.Contains(attention);

    /// <summary>A network with freshly initialized parameters for <paramref name="attention"/>.</summary>
    /// <exception cref="ArgumentException"><paramref name="attention"/> is not one of <see cref="AttentionKinds"/>.</exception>
    public static IDateNetwork Create(string attention, ulong seed) =>
        IsKnown(attention) ? CreateKnown(attention, seed) : throw new ArgumentException($"Unknown attention kind '{attention}'.", nameof(attention));
}
