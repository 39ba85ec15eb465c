using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace RnnGen.Kernels;

// The vector layer under the fused cell kernels (Cells.cs). A cell kernel is written once, as a
// generic loop body over a vector type TVec and its operations TOps; the JIT compiles it once per
// width (Vector512, Vector256, Vector128, and float for the scalar tail), so every element of a row
// goes through the same formulas whatever its position. The activations are computed in registers:
// sigmoid and tanh from one exponential of a non-positive argument (a polynomial on the reduced
// range and an exponent shift), tanh of small arguments from an odd polynomial. Against
// double-precision math (CellMathTests): exp < 0.9 ulp, tanh < 1.5 ulp, sigmoid < 2.4 ulp.

/// <summary>Operations on one vector of floats (or on one float, for the scalar tail).</summary>
internal interface IFloatOps<TVec> where TVec : struct
{
    /// <summary>Lanes per vector.</summary>
    static abstract int Count { get; }

    /// <summary>Loads <see cref="Count"/> floats at <paramref name="source"/>[<paramref name="index"/>]; no bounds check.</summary>
    static abstract TVec Load(ref readonly float source, int index);

    /// <summary>Stores <see cref="Count"/> floats at <paramref name="destination"/>[<paramref name="index"/>]; no bounds check.</summary>
    static abstract void Store(TVec value, ref float destination, int index);

    static abstract TVec Broadcast(float value);
    static abstract TVec Add(TVec a, TVec b);
    static abstract TVec Subtract(TVec a, TVec b);
    static abstract TVec Multiply(TVec a, TVec b);
    static abstract TVec Divide(TVec a, TVec b);

    /// <summary>
    /// a·b + c: fused (one rounding) where the hardware has FMA, else a multiply and an add, never a
    /// software emulation (a NativeAOT build for baseline x64 has no FMA).
    /// </summary>
    static abstract TVec MultiplyAdd(TVec a, TVec b, TVec c);

    static abstract TVec Abs(TVec a);

    /// <summary>The larger of a and b, NaN if either is NaN (IEEE 754 maximum).</summary>
    static abstract TVec Max(TVec a, TVec b);

    /// <summary>The larger of a and b for ordered inputs; for NaN the platform decides.</summary>
    static abstract TVec MaxNative(TVec a, TVec b);

    /// <summary>All bits set in the lanes where a &lt; b, zero elsewhere.</summary>
    static abstract TVec LessThan(TVec a, TVec b);

    /// <summary>All bits set in the lanes where a &gt; b, zero elsewhere.</summary>
    static abstract TVec GreaterThan(TVec a, TVec b);

    /// <summary>All bits set in the lanes that hold NaN.</summary>
    static abstract TVec IsNaN(TVec a);

    /// <summary>Lanes of <paramref name="whenTrue"/> where <paramref name="mask"/> is set, else of <paramref name="whenFalse"/>.</summary>
    static abstract TVec Select(TVec mask, TVec whenTrue, TVec whenFalse);

    /// <summary>|magnitude| with the sign of <paramref name="sign"/>.</summary>
    static abstract TVec CopySign(TVec magnitude, TVec sign);

    /// <summary>p·2^k where the low bits of <paramref name="shifted"/>'s representation hold the integer k (see <see cref="CellMath.Exp"/>).</summary>
    static abstract TVec ScaleByShiftedExponent(TVec p, TVec shifted);
}

internal readonly struct Float512 : IFloatOps<Vector512<float>>
{
    public static int Count => Vector512<float>.Count;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Load(ref readonly float source, int index) => Vector512.LoadUnsafe(in source, (nuint)index);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static void Store(Vector512<float> value, ref float destination, int index) => value.StoreUnsafe(ref destination, (nuint)index);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Broadcast(float value) => Vector512.Create(value);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Add(Vector512<float> a, Vector512<float> b) => a + b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Subtract(Vector512<float> a, Vector512<float> b) => a - b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Multiply(Vector512<float> a, Vector512<float> b) => a * b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Divide(Vector512<float> a, Vector512<float> b) => a / b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> MultiplyAdd(Vector512<float> a, Vector512<float> b, Vector512<float> c) => Vector512.MultiplyAddEstimate(a, b, c);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Abs(Vector512<float> a) => Vector512.Abs(a);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Max(Vector512<float> a, Vector512<float> b) => Vector512.Max(a, b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> MaxNative(Vector512<float> a, Vector512<float> b) => Vector512.MaxNative(a, b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> LessThan(Vector512<float> a, Vector512<float> b) => Vector512.LessThan(a, b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> GreaterThan(Vector512<float> a, Vector512<float> b) => Vector512.GreaterThan(a, b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> IsNaN(Vector512<float> a) => Vector512.IsNaN(a);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Select(Vector512<float> mask, Vector512<float> whenTrue, Vector512<float> whenFalse) => Vector512.ConditionalSelect(mask, whenTrue, whenFalse);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> CopySign(Vector512<float> magnitude, Vector512<float> sign) => Vector512.CopySign(magnitude, sign);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> ScaleByShiftedExponent(Vector512<float> p, Vector512<float> shifted) =>
        (p.AsInt32() + Vector512.ShiftLeft(shifted.AsInt32(), 23)).AsSingle();
}

internal readonly struct Float256 : IFloatOps<Vector256<float>>
{
    public static int Count => Vector256<float>.Count;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Load(ref readonly float source, int index) => Vector256.LoadUnsafe(in source, (nuint)index);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static void Store(Vector256<float> value, ref float destination, int index) => value.StoreUnsafe(ref destination, (nuint)index);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Broadcast(float value) => Vector256.Create(value);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Add(Vector256<float> a, Vector256<float> b) => a + b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Subtract(Vector256<float> a, Vector256<float> b) => a - b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Multiply(Vector256<float> a, Vector256<float> b) => a * b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Divide(Vector256<float> a, Vector256<float> b) => a / b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> MultiplyAdd(Vector256<float> a, Vector256<float> b, Vector256<float> c) => Vector256.MultiplyAddEstimate(a, b, c);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Abs(Vector256<float> a) => Vector256.Abs(a);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Max(Vector256<float> a, Vector256<float> b) => Vector256.Max(a, b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> MaxNative(Vector256<float> a, Vector256<float> b) => Vector256.MaxNative(a, b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> LessThan(Vector256<float> a, Vector256<float> b) => Vector256.LessThan(a, b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> GreaterThan(Vector256<float> a, Vector256<float> b) => Vector256.GreaterThan(a, b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> IsNaN(Vector256<float> a) => Vector256.IsNaN(a);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Select(Vector256<float> mask, Vector256<float> whenTrue, Vector256<float> whenFalse) => Vector256.ConditionalSelect(mask, whenTrue, whenFalse);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> CopySign(Vector256<float> magnitude, Vector256<float> sign) => Vector256.CopySign(magnitude, sign);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> ScaleByShiftedExponent(Vector256<float> p, Vector256<float> shifted) =>
        (p.AsInt32() + Vector256.ShiftLeft(shifted.AsInt32(), 23)).AsSingle();
}

internal readonly struct Float128 : IFloatOps<Vector128<float>>
{
    public static int Count => Vector128<float>.Count;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<float> Load(ref readonly float source, int index) => Vector128.LoadUnsafe(in source, (nuint)index);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static void Store(Vector128<float> value, ref float destination, int index) => value.StoreUnsafe(ref destination, (nuint)index);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<float> Broadcast(float value) => Vector128.Create(value);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<float> Add(Vector128<float> a, Vector128<float> b) => a + b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<float> Subtract(Vector128<float> a, Vector128<float> b) => a - b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<float> Multiply(Vector128<float> a, Vector128<float> b) => a * b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<float> Divide(Vector128<float> a, Vector128<float> b) => a / b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<float> MultiplyAdd(Vector128<float> a, Vector128<float> b, Vector128<float> c) => Vector128.MultiplyAddEstimate(a, b, c);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<float> Abs(Vector128<float> a) => Vector128.Abs(a);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<float> Max(Vector128<float> a, Vector128<float> b) => Vector128.Max(a, b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<float> MaxNative(Vector128<float> a, Vector128<float> b) => Vector128.MaxNative(a, b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<float> LessThan(Vector128<float> a, Vector128<float> b) => Vector128.LessThan(a, b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<float> GreaterThan(Vector128<float> a, Vector128<float> b) => Vector128.GreaterThan(a, b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<float> IsNaN(Vector128<float> a) => Vector128.IsNaN(a);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<float> Select(Vector128<float> mask, Vector128<float> whenTrue, Vector128<float> whenFalse) => Vector128.ConditionalSelect(mask, whenTrue, whenFalse);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<float> CopySign(Vector128<float> magnitude, Vector128<float> sign) => Vector128.CopySign(magnitude, sign);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> ScaleByShiftedExponent(Vector128<float> p, Vector128<float> shifted) =>
        (p.AsInt32() + Vector128.ShiftLeft(shifted.AsInt32(), 23)).AsSingle();
}

/// <summary>One float at a time, for the tail of a row: the same formulas as the vector widths.</summary>
internal readonly struct Float1 : IFloatOps<float>
{
    private static float Mask(bool set) => set ? BitConverter.Int32BitsToSingle(-1) : 0f;

    public static int Count => 1;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Load(ref readonly float source, int index) => Unsafe.Add(ref Unsafe.AsRef(in source), index);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static void Store(float value, ref float destination, int index) => Unsafe.Add(ref destination, index) = value;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Broadcast(float value) => value;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Add(float a, float b) => a + b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Subtract(float a, float b) => a - b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Multiply(float a, float b) => a * b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Divide(float a, float b) => a / b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float MultiplyAdd(float a, float b, float c) => float.MultiplyAddEstimate(a, b, c);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Abs(float a) => MathF.Abs(a);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Max(float a, float b) => MathF.Max(a, b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float MaxNative(float a, float b) => a > b ? a : b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float LessThan(float a, float b) => Mask(a < b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float GreaterThan(float a, float b) => Mask(a > b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float IsNaN(float a) => Mask(float.IsNaN(a));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Select(float mask, float whenTrue, float whenFalse) => BitConverter.SingleToInt32Bits(mask) != 0 ? whenTrue : whenFalse;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float CopySign(float magnitude, float sign) => MathF.CopySign(magnitude, sign);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float ScaleByShiftedExponent(float p, float shifted) =>
        BitConverter.Int32BitsToSingle(BitConverter.SingleToInt32Bits(p) + (BitConverter.SingleToInt32Bits(shifted) << 23));
}

/// <summary>
/// Sigmoid, tanh and their building block exp, generic over the vector width. Written for the
/// cell kernels' needs: float32 results within a few ulp of the exact value (tested against
/// double), saturation to exactly 0 and ±1 for large |x|, NaN in → NaN out.
/// </summary>
internal static class CellMath
{
    // exp(a) for a in [MinArgument, 0]: a = k·ln2 + r with k an integer and |r| ≤ ln2/2 (ln2 split
    // in two parts, Cody–Waite, so k·ln2 is exact), e^r = 1 + r + r²·q(r) with q a degree-4
    // Chebyshev fit of (e^r − 1 − r)/r² (relative error of e^r below 2⁻²⁶), then 2^k by adding k to
    // the exponent field. Adding 1.5·2²³ rounds a·log2(e) to the integer k and leaves k in the low
    // bits of the sum's representation, which ScaleByShiftedExponent shifts into the exponent.
    // The lower limit keeps 2^k a normal number (k ≥ −125).
    internal const float MinArgument = -86f;
    private const float Log2E = 1.44269504088896341f;
    private const float RoundingShift = 12582912f;  // 1.5·2²³
    private const float Ln2High = 0.693359375f;     // ln 2 to 9 bits: k·Ln2High is exact for |k| < 2¹⁵
    private const float Ln2Low = -2.12194440e-4f;   // ln 2 − Ln2High
    private const float Q4 = 0.00139261761199f, Q3 = 0.00836317307451f, Q2 = 0.0416665546621f, Q1 = 0.166665770256f, Q0 = 0.5f;

    // tanh(x) = x + x³·P(x²) for |x| < TanhSmall, P a degree-5 Chebyshev fit (relative error of
    // tanh below 2⁻³⁰); above it, tanh|x| = (1 − e)/(1 + e) with e = exp(−2|x|) ≤ 0.29, where
    // neither the subtraction nor the division loses accuracy.
    private const float TanhSmall = 0.625f;
    private const float P5 = 0.00229274481618f, P4 = -0.00834394551584f, P3 = 0.021768918651f,
        P2 = -0.0539592595772f, P1 = 0.133333035569f, P0 = -0.333333331721f;

    /// <summary>e^a for a in [<see cref="MinArgument"/>, 0] (the caller clamps).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static TVec Exp<TOps, TVec>(TVec a) where TOps : IFloatOps<TVec> where TVec : struct
    {
        TVec shifted = TOps.MultiplyAdd(a, TOps.Broadcast(Log2E), TOps.Broadcast(RoundingShift));
        TVec k = TOps.Subtract(shifted, TOps.Broadcast(RoundingShift));
        TVec r = TOps.MultiplyAdd(k, TOps.Broadcast(-Ln2High), a);
        r = TOps.MultiplyAdd(k, TOps.Broadcast(-Ln2Low), r);
        TVec p = TOps.MultiplyAdd(TOps.Broadcast(Q4), r, TOps.Broadcast(Q3));
        p = TOps.MultiplyAdd(p, r, TOps.Broadcast(Q2));
        p = TOps.MultiplyAdd(p, r, TOps.Broadcast(Q1));
        p = TOps.MultiplyAdd(p, r, TOps.Broadcast(Q0));
        p = TOps.MultiplyAdd(p, r, TOps.Broadcast(1f));
        p = TOps.MultiplyAdd(p, r, TOps.Broadcast(1f));
        return TOps.ScaleByShiftedExponent(p, shifted);
    }

    // σ(x) = 1/(1 + e) for x ≥ 0 and e/(1 + e) for x < 0, e = exp(−|x|): no overflow, and the
    // small values on the negative side keep their relative accuracy; one division either way. The
    // error is that of e (< 0.9 ulp) plus the roundings of 1 + e and of the quotient. Below MinArgument the result
    // (< 5·10⁻³⁸) is flushed to 0.
    /// <summary>1/(1 + e^−x).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static TVec Sigmoid<TOps, TVec>(TVec x) where TOps : IFloatOps<TVec> where TVec : struct
    {
        TVec a = TOps.MaxNative(TOps.Subtract(TOps.Broadcast(0f), TOps.Abs(x)), TOps.Broadcast(MinArgument));
        TVec e = Exp<TOps, TVec>(a);
        TVec numerator = TOps.Select(TOps.LessThan(x, TOps.Broadcast(0f)), e, TOps.Broadcast(1f));
        TVec s = TOps.Divide(numerator, TOps.Add(TOps.Broadcast(1f), e));
        s = TOps.Select(TOps.LessThan(x, TOps.Broadcast(MinArgument)), TOps.Broadcast(0f), s);
        return TOps.Select(TOps.IsNaN(x), x, s);
    }

    /// <summary>tanh x.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static TVec Tanh<TOps, TVec>(TVec x) where TOps : IFloatOps<TVec> where TVec : struct
    {
        TVec t = TOps.Abs(x);
        TVec e = Exp<TOps, TVec>(TOps.MaxNative(TOps.Multiply(t, TOps.Broadcast(-2f)), TOps.Broadcast(MinArgument)));
        TVec large = TOps.Divide(TOps.Subtract(TOps.Broadcast(1f), e), TOps.Add(TOps.Broadcast(1f), e));
        TVec u = TOps.Multiply(t, t);
        TVec p = TOps.MultiplyAdd(TOps.Broadcast(P5), u, TOps.Broadcast(P4));
        p = TOps.MultiplyAdd(p, u, TOps.Broadcast(P3));
        p = TOps.MultiplyAdd(p, u, TOps.Broadcast(P2));
        p = TOps.MultiplyAdd(p, u, TOps.Broadcast(P1));
        p = TOps.MultiplyAdd(p, u, TOps.Broadcast(P0));
        TVec small = TOps.MultiplyAdd(TOps.Multiply(t, u), p, t);
        TVec magnitude = TOps.Select(TOps.LessThan(t, TOps.Broadcast(TanhSmall)), small, large);
        return TOps.Select(TOps.IsNaN(x), x, TOps.CopySign(magnitude, x));
    }
}

/// <summary>An elementwise pass over one row of a cell, written once for every vector width.</summary>
internal interface IRowKernel
{
    /// <summary>Processes whole vectors of <typeparamref name="TVec"/> from <paramref name="start"/> while they fit in the row; returns where it stopped.</summary>
    int Run<TOps, TVec>(int start) where TOps : IFloatOps<TVec> where TVec : struct;
}

/// <summary>Runs a row kernel at the widest accelerated vector width, then narrower ones, then one float at a time.</summary>
internal static class RowKernel
{
    // maxWidth (in floats) lets tests run the narrower paths over a whole row.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void Run<TKernel>(ref TKernel kernel, int maxWidth = 16) where TKernel : IRowKernel, allows ref struct
    {
        int j = 0;
        if (Vector512.IsHardwareAccelerated && maxWidth >= 16) j = kernel.Run<Float512, Vector512<float>>(j);
        if (Vector256.IsHardwareAccelerated && maxWidth >= 8) j = kernel.Run<Float256, Vector256<float>>(j);
        if (Vector128.IsHardwareAccelerated && maxWidth >= 4) j = kernel.Run<Float128, Vector128<float>>(j);
        kernel.Run<Float1, float>(j);
    }

    /// <summary>Throws unless both biases are empty or both hold <paramref name="needed"/> elements.</summary>
    internal static void CheckBiases(ReadOnlySpan<float> biasIh, ReadOnlySpan<float> biasHh, int needed)
    {
        if (biasIh.IsEmpty && biasHh.IsEmpty) return;
        Check(biasIh.Length, needed, nameof(biasIh));
        Check(biasHh.Length, needed, nameof(biasHh));
    }

    /// <summary>Throws unless <paramref name="length"/> ≥ <paramref name="needed"/> (the kernels read and write without bounds checks).</summary>
    internal static void Check(int length, int needed, string name)
    {
        if (length < needed) Throw(length, needed, name);
    }

    private static void Throw(int length, int needed, string name) =>
        throw new ArgumentException($"{name} has {length} elements; the cell needs {needed}.", name);
}

/// <summary>
/// A cell's pre-activations at one index: (xProj + biasIh) + (hProj + biasHh), or xProj + hProj when
/// the biases are empty (then already added by the caller).
/// </summary>
internal readonly ref struct PreActivation(ReadOnlySpan<float> xProj, ReadOnlySpan<float> hProj, ReadOnlySpan<float> biasIh, ReadOnlySpan<float> biasHh)
{
    private readonly ReadOnlySpan<float> _xProj = xProj, _hProj = hProj, _biasIh = biasIh, _biasHh = biasHh;

    /// <summary>The input part, xProj (+ biasIh).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public TVec Input<TOps, TVec>(int index) where TOps : IFloatOps<TVec> where TVec : struct
    {
        TVec x = TOps.Load(in MemoryMarshal.GetReference(_xProj), index);
        return _biasIh.IsEmpty ? x : TOps.Add(x, TOps.Load(in MemoryMarshal.GetReference(_biasIh), index));
    }

    /// <summary>The recurrent part, hProj (+ biasHh).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public TVec Recurrent<TOps, TVec>(int index) where TOps : IFloatOps<TVec> where TVec : struct
    {
        TVec h = TOps.Load(in MemoryMarshal.GetReference(_hProj), index);
        return _biasHh.IsEmpty ? h : TOps.Add(h, TOps.Load(in MemoryMarshal.GetReference(_biasHh), index));
    }

    /// <summary>Both parts added.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public TVec At<TOps, TVec>(int index) where TOps : IFloatOps<TVec> where TVec : struct =>
        TOps.Add(Input<TOps, TVec>(index), Recurrent<TOps, TVec>(index));
}
