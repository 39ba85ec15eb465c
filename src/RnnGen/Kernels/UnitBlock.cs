using System.Runtime.CompilerServices;

namespace RnnGen.Kernels;

// Reading and writing one block of hidden units at a time, for both batch-1 step kernels
// (RecurrentStep, RecurrentPackedStep): a block is one vector of units, and the last block of an H
// that is not a multiple of the vector width is only partly real, so its loads pad with zeros and its
// stores stop at the real units.
internal static unsafe class UnitBlock
{
    // Gate pre-activation: the recurrent product + b_hh + the input projection (which holds b_ih).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static TVec Pre<TOps, TVec>(TVec product, float* bias, float* x, int valid) where TOps : IFloatOps<TVec> where TVec : struct =>
        TOps.Add(TOps.Add(product, Part<TOps, TVec>(bias, valid)), Part<TOps, TVec>(x, valid));

    // Loads a vector of floats, or the first `valid` of them and zeros (the last block of an H that is not a multiple of the lanes).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static TVec Part<TOps, TVec>(float* p, int valid) where TOps : IFloatOps<TVec> where TVec : struct =>
        valid == TOps.Count ? TOps.Load(ref *p, 0) : LoadPartial<TOps, TVec>(p, valid);

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static TVec LoadPartial<TOps, TVec>(float* p, int valid) where TOps : IFloatOps<TVec> where TVec : struct
    {
        float* t = stackalloc float[16];
        for (int j = 0; j < 16; j++) t[j] = j < valid ? p[j] : 0f;
        return TOps.Load(ref *t, 0);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void Store<TOps, TVec>(TVec v, float* p, int valid) where TOps : IFloatOps<TVec> where TVec : struct
    {
        if (valid == TOps.Count) TOps.Store(v, ref *p, 0);
        else StorePartial<TOps, TVec>(v, p, valid);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void StorePartial<TOps, TVec>(TVec v, float* p, int valid) where TOps : IFloatOps<TVec> where TVec : struct
    {
        float* t = stackalloc float[16];
        TOps.Store(v, ref *t, 0);
        for (int j = 0; j < valid; j++) p[j] = t[j];
    }

    // h' goes to the next step's buffer (whole blocks) and to the output row.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void Finish<TOps, TVec>(TVec h, float* hNext, float* output, int valid) where TOps : IFloatOps<TVec> where TVec : struct
    {
        TOps.Store(h, ref *hNext, 0);
        Store<TOps, TVec>(h, output, valid);
    }
}
