using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using RnnGen.Data;

namespace CharLm;

/// <summary>
/// The character set of a model (a <see cref="Vocabulary"/> of one-character tokens) and the
/// encoding of text to ids and back. Characters are UTF-16 code units; the shipped corpus is ASCII.
/// </summary>
public sealed class CharacterSet
{
    private readonly int[] _ascii = new int[128];
    private readonly string[] _tokens;

    public CharacterSet(Vocabulary vocabulary)
    {
        if (vocabulary.Count > CharLmNet.CharacterCapacity)
            throw new ArgumentException($"The text has {vocabulary.Count - Vocabulary.ReservedCount} distinct characters; the model holds {CharLmNet.CharacterCapacity - Vocabulary.ReservedCount}.", nameof(vocabulary));
        foreach (string token in vocabulary.Tokens.Skip(Vocabulary.ReservedCount))
            if (token.Length != 1) throw new InvalidDataException($"The character set holds the token '{token}', which is not one character.");
        Vocabulary = vocabulary;
        _tokens = vocabulary.Tokens.ToArray();
        for (int c = 0; c < _ascii.Length; c++) _ascii[c] = vocabulary.GetId(((char)c).ToString());
    }

    public Vocabulary Vocabulary { get; }

    /// <summary>Ids in use, reserved ones included; ids from here to the capacity are never targets.</summary>
    public int Count => Vocabulary.Count;

    /// <summary>The distinct characters of <paramref name="text"/>, most frequent first, as many as the model holds (rarer ones become unknown).</summary>
    public static CharacterSet FromText(string text)
    {
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (char c in text)
        {
            string s = c.ToString();
            counts[s] = counts.GetValueOrDefault(s) + 1;
        }
        return new CharacterSet(Vocabulary.FromCounts(counts, maxCount: CharLmNet.CharacterCapacity));
    }

    public int GetId(char c) => c < 128 ? _ascii[c] : Vocabulary.GetId(c.ToString());

    public int[] Encode(ReadOnlySpan<char> text)
    {
        var ids = new int[text.Length];
        for (int i = 0; i < ids.Length; i++) ids[i] = GetId(text[i]);
        return ids;
    }

    /// <summary>The text of an id: its character, or "" for the reserved ids.</summary>
    public string GetText(int id) => id >= Vocabulary.ReservedCount && id < _tokens.Length ? _tokens[id] : "";

    /// <summary>The character set file that goes with a model file.</summary>
    public static string PathFor(string modelPath) => modelPath + ".vocab";

    /// <summary>Writes the character set atomically (Vocabulary.Save writes a temporary file, then renames it).</summary>
    public void Save(string path) => Vocabulary.Save(path);

    public static CharacterSet Load(string path) => new(Vocabulary.Load(path));
}

/// <summary>The corpus as character ids, cut into the training part (first 90%) and validation part (last 10%).</summary>
public sealed record Corpus(CharacterSet Characters, int[] Train, int[] Validation)
{
    /// <summary>Fraction of the characters, from the start, used for training.</summary>
    public const double TrainFraction = 0.9;

    /// <summary>The shipped Tiny Shakespeare file.</summary>
    public static string DefaultPath => Path.Combine(DataFolder(), "tinyshakespeare.txt.gz");

    /// <summary>Reads a text file (plain or gzip), splits it, and encodes it with <paramref name="characters"/> or with a character set built from the training part.</summary>
    public static Corpus Load(string path, CharacterSet? characters = null)
    {
        string text = DataFiles.ReadAllText(path);
        int split = (int)(text.Length * TrainFraction);
        if (split < 2 || text.Length - split < 2)
            throw new InvalidDataException($"'{path}' holds {text.Length} characters; too few to split into training and validation text.");
        string train = text[..split];
        characters ??= CharacterSet.FromText(train);
        return new Corpus(characters, characters.Encode(train), characters.Encode(text.AsSpan(split)));
    }

    /// <summary>samples/CharLm/data, found from the working directory or the executable's folder.</summary>
    private static string DataFolder()
    {
        foreach (string start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                string candidate = Path.Combine(dir.FullName, "samples", "CharLm", "data");
                if (File.Exists(Path.Combine(candidate, "tinyshakespeare.txt.gz"))) return candidate;
                if (dir.Name == "CharLm" && File.Exists(Path.Combine(dir.FullName, "data", "tinyshakespeare.txt.gz"))) return Path.Combine(dir.FullName, "data");
            }
        }
        return Path.Combine("samples", "CharLm", "data");
    }
}
