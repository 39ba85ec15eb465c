using System;

namespace RnnGen;

/// <summary>
/// A small, fast, reproducible random source (xoshiro128** seeded through SplitMix64). The
/// sequence for a seed is fixed by this library, not by the .NET version, so runs reproduce.
/// </summary>
public sealed class SeededRandom
{
    private uint _s0, _s1, _s2, _s3;

    /// <summary>Creates a generator whose whole sequence is determined by <paramref name="seed"/>.</summary>
    public SeededRandom(ulong seed) => Reset(seed);

    /// <summary>Restarts the sequence as if the generator were created with <paramref name="seed"/> (no allocation).</summary>
    public void Reset(ulong seed)
    {
        ulong x = seed;
        ulong a = SplitMix(ref x), b = SplitMix(ref x);
        _s0 = (uint)a; _s1 = (uint)(a >> 32); _s2 = (uint)b; _s3 = (uint)(b >> 32);
        if ((_s0 | _s1 | _s2 | _s3) == 0) _s0 = 1;
    }

    private static ulong SplitMix(ref ulong x)
    {
        ulong z = x += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>The next 32 random bits.</summary>
    public uint NextUInt32()
    {
        uint result = uint.RotateLeft(_s1 * 5, 7) * 9;
        uint t = _s1 << 9;
        _s2 ^= _s0; _s3 ^= _s1; _s1 ^= _s2; _s0 ^= _s3;
        _s2 ^= t;
        _s3 = uint.RotateLeft(_s3, 11);
        return result;
    }

    /// <summary>Uniform in [0, 1) with 24 bits of precision.</summary>
    public float NextSingle() => (NextUInt32() >> 8) * (1.0f / 16777216f);

    /// <summary>Uniform in [0, 1) with 53 bits of precision.</summary>
    public double NextDouble() => ((((ulong)NextUInt32() << 32) | NextUInt32()) >> 11) * (1.0 / 9007199254740992.0);

    /// <summary>Standard normal sample (Box–Muller).</summary>
    public float NextGaussian()
    {
        double u1 = 1.0 - NextDouble(), u2 = NextDouble();
        return (float)(Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2));
    }

    /// <summary>Uniform integer in [0, <paramref name="maxExclusive"/>).</summary>
    public int NextInt(int maxExclusive)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxExclusive);
        return (int)((ulong)NextUInt32() * (ulong)maxExclusive >> 32);
    }

    /// <summary>Fills <paramref name="destination"/> with values uniform in [<paramref name="low"/>, <paramref name="high"/>).</summary>
    public void FillUniform(Span<float> destination, float low, float high)
    {
        float range = high - low;
        for (int i = 0; i < destination.Length; i++) destination[i] = low + range * NextSingle();
    }

    /// <summary>Shuffles <paramref name="items"/> in place (Fisher–Yates).</summary>
    public void Shuffle<T>(Span<T> items)
    {
        for (int i = items.Length - 1; i > 0; i--)
        {
            int j = NextInt(i + 1);
            (items[i], items[j]) = (items[j], items[i]);
        }
    }
}
