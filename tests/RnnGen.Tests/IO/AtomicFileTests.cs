using System;
using System.IO;
using RnnGen.Data;
using RnnGen.IO;
using Xunit;

namespace RnnGen.Tests.IO;

public sealed class AtomicFileTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "rnngen-atomic-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_folder)) Directory.Delete(_folder, recursive: true);
    }

    [Fact]
    public void WritesTheContentAndLeavesNoTemporaryFile()
    {
        Directory.CreateDirectory(_folder);
        string path = Path.Combine(_folder, "a.bin");
        AtomicFile.Write(path, s => s.Write([1, 2, 3]));
        Assert.Equal(new byte[] { 1, 2, 3 }, File.ReadAllBytes(path));
        Assert.False(File.Exists(path + AtomicFile.TemporarySuffix));
    }

    [Fact]
    public void AFailedWriteKeepsThePreviousFileAndRemovesTheTemporary()
    {
        Directory.CreateDirectory(_folder);
        string path = Path.Combine(_folder, "a.bin");
        AtomicFile.Write(path, s => s.Write([7, 7]));
        var crash = Assert.Throws<IOException>(() => AtomicFile.Write(path, s =>
        {
            s.Write([9, 9, 9, 9]);
            throw new IOException("disk full (simulated)");
        }));
        Assert.Equal("disk full (simulated)", crash.Message);
        Assert.Equal(new byte[] { 7, 7 }, File.ReadAllBytes(path));
        Assert.False(File.Exists(path + AtomicFile.TemporarySuffix));
    }

    [Fact]
    public void VocabularySaveIsAtomic()
    {
        Directory.CreateDirectory(_folder);
        string path = Path.Combine(_folder, "words.txt");
        var first = Vocabulary.FromList(["a", "b"]);
        first.Save(path);
        // A stale temporary file from an earlier crash is replaced, not read.
        File.WriteAllText(path + AtomicFile.TemporarySuffix, "garbage");
        var second = Vocabulary.FromList(["c", "d", "e"]);
        second.Save(path);
        Vocabulary loaded = Vocabulary.Load(path);
        Assert.Equal(second.Count, loaded.Count);
        Assert.Equal(second.GetId("e"), loaded.GetId("e"));
        Assert.False(File.Exists(path + AtomicFile.TemporarySuffix));
    }

    [Fact]
    public void BadArgumentsAreRejected()
    {
        Assert.Throws<ArgumentException>(() => AtomicFile.Write("", _ => { }));
        Assert.Throws<ArgumentNullException>(() => AtomicFile.Write(Path.Combine(_folder, "x"), null!));
        Assert.Throws<DirectoryNotFoundException>(() => AtomicFile.Write(Path.Combine(_folder, "missing", "x"), _ => { }));
        Assert.False(Directory.Exists(Path.Combine(_folder, "missing")));
    }
}
