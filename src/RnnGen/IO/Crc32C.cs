using System;
using System.Buffers.Binary;
using System.Runtime.Intrinsics.Arm;
using System.Runtime.Intrinsics.X86;

namespace RnnGen.IO;

/// <summary>
/// CRC-32C (Castagnoli, reflected polynomial 0x82F63B78), the checksum of iSCSI, ext4 and
/// Snappy: detects every single-bit and every burst error up to 32 bits. Uses the CPU's CRC32
/// instruction (SSE4.2 on x64, CRC32 on Arm64), else a table; both give the same result.
/// CRC-32C("123456789") = 0xE3069283.
/// </summary>
internal static class Crc32C
{
    private const uint Polynomial = 0x82F63B78u;
    private static readonly uint[] Table = CreateTable();

    /// <summary>
    /// Extends <paramref name="crc"/> (the CRC of the bytes so far, 0 for none) by <paramref name="data"/>:
    /// <c>Append(Append(0, a), b) == Append(0, a ++ b)</c>.
    /// </summary>
    public static uint Append(uint crc, ReadOnlySpan<byte> data)
    {
        uint state = ~crc;
        if (Sse42.X64.IsSupported)
        {
            while (data.Length >= 8)
            {
                state = (uint)Sse42.X64.Crc32(state, BinaryPrimitives.ReadUInt64LittleEndian(data));
                data = data.Slice(8);
            }
            foreach (byte b in data) state = Sse42.Crc32(state, b);
            return ~state;
        }
        if (Crc32.Arm64.IsSupported)
        {
            while (data.Length >= 8)
            {
                state = Crc32.Arm64.ComputeCrc32C(state, BinaryPrimitives.ReadUInt64LittleEndian(data));
                data = data.Slice(8);
            }
            foreach (byte b in data) state = Crc32.ComputeCrc32C(state, b);
            return ~state;
        }
        return ~AppendTable(state, data);
    }

    /// <summary>The table-driven path, whatever the CPU; the tests compare it with <see cref="Append"/>.</summary>
    internal static uint AppendSoftware(uint crc, ReadOnlySpan<byte> data) => ~AppendTable(~crc, data);

    private static uint AppendTable(uint state, ReadOnlySpan<byte> data)
    {
        uint[] table = Table;
        foreach (byte b in data) state = table[(byte)(state ^ b)] ^ (state >> 8);
        return state;
    }

    private static uint[] CreateTable()
    {
        var table = new uint[256];
        for (uint i = 0; i < 256; i++)
        {
            uint c = i;
            for (int k = 0; k < 8; k++) c = (c & 1) != 0 ? (c >> 1) ^ Polynomial : c >> 1;
            table[i] = c;
        }
        return table;
    }
}
