using System;
using System.IO;

namespace RnnGen.IO;

/// <summary>
/// Replaces a file so that a crash mid-write never loses the previous version: the content goes to a
/// temporary file in the same folder (same file system, so the final rename is atomic), is flushed to
/// disk, and then moved over the destination. On any failure the temporary file is removed and the
/// destination is left as it was. Checkpoints, safetensors files and vocabularies all save this way.
/// </summary>
public static class AtomicFile
{
    /// <summary>Suffix of the temporary file written beside the destination (<c>path + ".tmp"</c>).</summary>
    public const string TemporarySuffix = ".tmp";

    /// <summary>Writes <paramref name="path"/> atomically with the bytes <paramref name="write"/> puts into the stream it is given.</summary>
    /// <param name="path">The destination in an existing folder; an existing file is replaced.</param>
    /// <param name="write">Writes the whole content. The stream is flushed to disk after it returns.</param>
    /// <exception cref="ArgumentException"><paramref name="path"/> is null or empty.</exception>
    /// <exception cref="ArgumentNullException"><paramref name="write"/> is null.</exception>
    /// <exception cref="DirectoryNotFoundException">The folder of <paramref name="path"/> does not exist.</exception>
    public static void Write(string path, Action<Stream> write)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(write);
        string fullPath = Path.GetFullPath(path);
        string temporary = fullPath + TemporarySuffix;
        try
        {
            using (var file = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None, bufferSize: 1 << 16))
            {
                write(file);
                file.Flush(flushToDisk: true);
            }
            File.Move(temporary, fullPath, overwrite: true);
        }
        catch
        {
            try { File.Delete(temporary); }
            catch (IOException) { }
            catch (UnauthorizedAccessException) { }
            throw;
        }
    }
}
