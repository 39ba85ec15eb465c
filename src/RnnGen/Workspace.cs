using System;
using System.ComponentModel;

namespace RnnGen;

/// <summary>
/// Reusable buffers of generated networks: a buffer is replaced only when a call needs more than it
/// holds, so calls with sizes seen before allocate nothing. Called by generated code.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class Workspace
{
    /// <summary>Replaces <paramref name="buffer"/> by a larger zeroed one when it holds fewer than <paramref name="length"/> elements.</summary>
    public static void Grow(ref float[] buffer, long length)
    {
        if (buffer.Length < length) buffer = new float[checked((int)length)];
    }

    /// <summary>Replaces <paramref name="buffer"/> by a larger zeroed one when it holds fewer than <paramref name="length"/> elements.</summary>
    public static void Grow(ref int[] buffer, long length)
    {
        if (buffer.Length < length) buffer = new int[checked((int)length)];
    }
}
