using System;
using System.IO;
using System.IO.Compression;
using System.Text;

namespace RnnGen.Data;

/// <summary>
/// Opens text data files that may be gzip-compressed. Compression is recognised from the file's
/// first two bytes (the gzip magic number 1F 8B), not from its name, so <c>x.conllu</c> and
/// <c>x.conllu.gz</c> are read the same way. Text is UTF-8 (a byte-order mark is honoured).
/// </summary>
public static class DataFiles
{
    private const int BufferSize = 1 << 16;

    /// <summary>Opens <paramref name="path"/> for reading text, decompressing gzip on the fly.</summary>
    /// <param name="path">The file to read, plain or gzip-compressed.</param>
    /// <returns>A reader the caller disposes; it disposes the underlying file.</returns>
    /// <exception cref="ArgumentException"><paramref name="path"/> is null, empty or white space.</exception>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    public static TextReader OpenText(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, BufferSize, FileOptions.SequentialScan);
        try
        {
            Stream stream = IsGzip(file) ? new GZipStream(file, CompressionMode.Decompress) : file;
            return new StreamReader(stream, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true),
                                    detectEncodingFromByteOrderMarks: true, BufferSize);
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    /// <summary>Reads the whole of <paramref name="path"/> as text, decompressing gzip if needed.</summary>
    /// <param name="path">The file to read, plain or gzip-compressed.</param>
    /// <exception cref="ArgumentException"><paramref name="path"/> is null, empty or white space.</exception>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    public static string ReadAllText(string path)
    {
        using TextReader reader = OpenText(path);
        return reader.ReadToEnd();
    }

    // Peeks at the first two bytes and rewinds.
    private static bool IsGzip(FileStream file)
    {
        Span<byte> magic = stackalloc byte[2];
        int read = file.ReadAtLeast(magic, 2, throwOnEndOfStream: false);
        file.Position = 0;
        return read == 2 && magic[0] == 0x1F && magic[1] == 0x8B;
    }
}
