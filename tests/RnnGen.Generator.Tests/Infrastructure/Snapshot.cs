using System;
using System.IO;
using System.Linq;
using System.Runtime.CompilerServices;
using System.Text;
using Xunit.Sdk;

namespace RnnGen.Generator.Tests.Infrastructure;

/// <summary>
/// Snapshot testing of generated text (a small stand-in for Verify). The accepted output lives in
/// <c>Snapshots/&lt;Name&gt;.verified.cs</c> in the test project's source folder and is committed.
/// On a mismatch the new output is written beside it as <c>&lt;Name&gt;.received.cs</c> (git-ignored)
/// and the test fails with the first differing lines. To accept a change, review the received file
/// and rename it over the verified one, or run the tests with RNNGEN_ACCEPT_SNAPSHOTS=1.
/// </summary>
public static class Snapshot
{
    private const int ContextLines = 3;
    private const int MaxHunkLines = 40;

    /// <summary>Compares <paramref name="actual"/> with the verified snapshot <paramref name="name"/>.</summary>
    public static void Verify(string name, string actual, [CallerFilePath] string callerFile = "")
    {
        string folder = SnapshotFolder(callerFile);
        string verifiedPath = Path.Combine(folder, name + ".verified.cs");
        string receivedPath = Path.Combine(folder, name + ".received.cs");
        actual = Normalize(actual);
        bool accept = Environment.GetEnvironmentVariable("RNNGEN_ACCEPT_SNAPSHOTS") == "1";

        if (!File.Exists(verifiedPath))
        {
            if (accept)
            {
                Write(verifiedPath, actual);
                return;
            }
            Write(receivedPath, actual);
            throw new XunitException(
                $"No verified snapshot '{name}' yet. The generator's output was written to\n  {receivedPath}\n" +
                $"Read it as a maintainer would; if it is right, rename it to\n  {verifiedPath}\n" +
                "and commit it (or run the tests once with RNNGEN_ACCEPT_SNAPSHOTS=1).");
        }

        string expected = Normalize(File.ReadAllText(verifiedPath));
        if (expected == actual)
        {
            if (File.Exists(receivedPath)) File.Delete(receivedPath); // stale output of an earlier failure
            return;
        }
        if (accept)
        {
            Write(verifiedPath, actual);
            return;
        }
        Write(receivedPath, actual);
        throw new XunitException(
            $"Generated source differs from snapshot '{name}'.\n" +
            $"  verified: {verifiedPath}\n  received: {receivedPath}\n" +
            "If the change is intended, review the received file and rename it over the verified one " +
            "(or run with RNNGEN_ACCEPT_SNAPSHOTS=1).\n\n" + Diff(expected, actual));
    }

    /// <summary>
    /// A unified-style hunk around the first difference: lines common to both ends are trimmed,
    /// what remains is shown as '-' (verified) and '+' (received) lines with a little context.
    /// </summary>
    public static string Diff(string expected, string actual)
    {
        string[] a = expected.Split('\n'), b = actual.Split('\n');
        int prefix = 0;
        while (prefix < a.Length && prefix < b.Length && a[prefix] == b[prefix]) prefix++;
        int suffix = 0;
        while (suffix < a.Length - prefix && suffix < b.Length - prefix && a[a.Length - 1 - suffix] == b[b.Length - 1 - suffix]) suffix++;

        int start = Math.Max(0, prefix - ContextLines);
        int endA = a.Length - suffix, endB = b.Length - suffix; // exclusive ends of the changed ranges
        var text = new StringBuilder();
        text.Append("@@ -").Append(prefix + 1).Append(',').Append(endA - prefix)
            .Append(" +").Append(prefix + 1).Append(',').Append(endB - prefix).Append(" @@\n");
        for (int i = start; i < prefix; i++) text.Append("  ").Append(a[i]).Append('\n');
        int shown = 0;
        for (int i = prefix; i < endA && shown < MaxHunkLines; i++, shown++) text.Append("- ").Append(a[i]).Append('\n');
        for (int i = prefix; i < endB && shown < 2 * MaxHunkLines; i++, shown++) text.Append("+ ").Append(b[i]).Append('\n');
        if (endA - prefix + endB - prefix > shown) text.Append("  … (").Append(endA - prefix + endB - prefix - shown).Append(" more changed lines)\n");
        for (int i = endA; i < Math.Min(a.Length, endA + ContextLines); i++) text.Append("  ").Append(a[i]).Append('\n');
        return text.ToString();
    }

    private static string Normalize(string text) => text.Replace("\r\n", "\n");

    private static void Write(string path, string text) => File.WriteAllText(path, text, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false));

    /// <summary>
    /// The Snapshots folder of the test project's sources: found from the calling file's path
    /// (walking up to the folder with the .csproj), else from the test binaries' folder.
    /// </summary>
    private static string SnapshotFolder(string callerFile)
    {
        string? project = FindProjectFolder(Path.GetDirectoryName(callerFile)) ?? FindProjectFolder(AppContext.BaseDirectory)
            ?? throw new InvalidOperationException("Cannot find the test project's folder from " + callerFile + " or " + AppContext.BaseDirectory);
        string folder = Path.Combine(project, "Snapshots");
        Directory.CreateDirectory(folder);
        return folder;
    }

    private static string? FindProjectFolder(string? start)
    {
        for (string? dir = start; !string.IsNullOrEmpty(dir); dir = Path.GetDirectoryName(dir))
        {
            if (Directory.Exists(dir) && Directory.EnumerateFiles(dir, "RnnGen.Generator.Tests.csproj").Any()) return dir;
        }
        return null;
    }
}
