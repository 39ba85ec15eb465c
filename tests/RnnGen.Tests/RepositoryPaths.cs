using System;
using System.IO;

namespace RnnGen.Tests;

/// <summary>Finds files of the repository from a test: walks up from the test binaries to the folder holding RnnGen.sln.</summary>
internal static class RepositoryPaths
{
    private static readonly Lazy<string> s_root = new(FindRoot);

    /// <summary>The repository root (the folder containing RnnGen.sln).</summary>
    public static string Root => s_root.Value;

    /// <summary>A path under the repository root, from '/'-separated or separate parts.</summary>
    public static string Combine(params string[] parts)
    {
        string path = Root;
        foreach (string part in parts)
        {
            path = Path.Combine(path, part.Replace('/', Path.DirectorySeparatorChar));
        }
        return path;
    }

    private static string FindRoot()
    {
        for (DirectoryInfo? dir = new(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "RnnGen.sln"))) return dir.FullName;
        }
        throw new InvalidOperationException($"No folder containing RnnGen.sln above '{AppContext.BaseDirectory}'.");
    }
}
