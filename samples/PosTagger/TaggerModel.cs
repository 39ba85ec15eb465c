using System;
using System.Collections.Generic;
using System.IO;
using System.IO.Compression;
using System.Linq;
using RnnGen;
using RnnGen.Data;
using RnnGen.IO;

namespace PosTagger;

/// <summary>A sentence as ids: word ids, character ids per word (capped), tag ids.</summary>
public sealed record EncodedSentence(string[] Forms, int[] Words, int[][] Characters, int[] Tags);

/// <summary>
/// The trained tagger: vocabularies and three parameter sets (word embedding, character encoder,
/// word tagger). Saved as one file: a zip archive holding the vocabularies and a checkpoint per part.
/// </summary>
public sealed class TaggerModel
{
    /// <summary>Characters kept per word: the first and last half of longer words.</summary>
    public const int MaxWordCharacters = 16;

    public TaggerModel(Vocabulary words, Vocabulary characters, ulong seed)
    {
        if (characters.Count > CharacterEncoderNet.CharacterCapacity)
            throw new ArgumentException($"The character set has {characters.Count} entries; the encoder holds {CharacterEncoderNet.CharacterCapacity}.", nameof(characters));
        Words = words;
        Characters = characters;
        WordEmbedding = new EmbeddingTable("word_embedding.weight", words.Count, WordTaggerNet.WordWidth, seed, scale: 0.1f);
        CharacterNet = new CharacterEncoderNet(seed + 1);
        TaggerNet = new WordTaggerNet(seed + 2);
    }

    public Vocabulary Words { get; }
    public Vocabulary Characters { get; }
    public EmbeddingTable WordEmbedding { get; }
    public CharacterEncoderNet CharacterNet { get; }
    public WordTaggerNet TaggerNet { get; }

    /// <summary>The parameter sets, in a fixed order (optimizers, clipping, checkpoints).</summary>
    public IRecurrentNetwork[] Parts => [WordEmbedding, CharacterNet, TaggerNet];

    /// <summary>Words are lowercased with digits folded to 0; the character encoder sees the original spelling.</summary>
    public static string NormalizeWord(string form)
    {
        Span<char> buffer = form.Length <= 256 ? stackalloc char[form.Length] : new char[form.Length];
        for (int i = 0; i < form.Length; i++)
        {
            char c = char.ToLowerInvariant(form[i]);
            buffer[i] = char.IsAsciiDigit(c) ? '0' : c;
        }
        return new string(buffer);
    }

    /// <summary>Builds vocabularies from the training sentences: words seen at least twice, characters seen at least 5 times.</summary>
    public static TaggerModel Create(IReadOnlyList<ConllUSentence> train, ulong seed)
    {
        var words = Vocabulary.FromTokens(train.SelectMany(s => s.GetForms()).Select(NormalizeWord), minFrequency: 2);
        var chars = Vocabulary.FromTokens(train.SelectMany(s => s.GetForms()).SelectMany(f => f.Select(c => c.ToString())),
            minFrequency: 5, maxCount: CharacterEncoderNet.CharacterCapacity);
        return new TaggerModel(words, chars, seed);
    }

    public EncodedSentence Encode(string[] forms, int[]? tags = null)
    {
        var wordIds = new int[forms.Length];
        var charIds = new int[forms.Length][];
        for (int i = 0; i < forms.Length; i++)
        {
            wordIds[i] = Words.GetId(NormalizeWord(forms[i]));
            string f = forms[i];
            int n = Math.Min(f.Length, MaxWordCharacters);
            var ids = new int[Math.Max(n, 1)];
            for (int k = 0; k < n; k++)
            {
                // Long words keep their first and last MaxWordCharacters/2 characters (prefix and suffix carry the signal).
                int source = k < MaxWordCharacters / 2 || f.Length <= MaxWordCharacters ? k : f.Length - (MaxWordCharacters - k);
                ids[k] = Characters.GetId(f[source].ToString());
            }
            if (n == 0) ids[0] = Vocabulary.UnknownId;
            charIds[i] = ids;
        }
        return new EncodedSentence(forms, wordIds, charIds, tags ?? new int[forms.Length]);
    }

    public EncodedSentence Encode(ConllUSentence sentence) => Encode(sentence.GetForms(), sentence.GetUposIds());

    // ───────────── persistence ─────────────

    private const string FormatTag = "rnngen-postagger-1";

    /// <summary>Writes the model atomically: a temporary file in the same folder, then a rename.</summary>
    public void Save(string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        AtomicFile.Write(path, stream =>
        {
            using var zip = new ZipArchive(stream, ZipArchiveMode.Create, leaveOpen: true);
            WriteText(zip, "format.txt", w => w.WriteLine(FormatTag));
            WriteText(zip, "words.txt", Words.Save);
            WriteText(zip, "characters.txt", Characters.Save);
            // Each part as a safetensors file with PyTorch's names: readable outside RnnGen too.
            foreach (IRecurrentNetwork part in Parts)
            {
                using Stream entry = zip.CreateEntry(PartName(part) + ".safetensors", CompressionLevel.Fastest).Open();
                SafeTensorsFile.Save(part, entry);
            }
        });
    }

    /// <summary>Loads a model written by <see cref="Save"/>; a damaged or foreign file raises <see cref="InvalidDataException"/>.</summary>
    public static TaggerModel Load(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"Model file '{path}' does not exist.", path);
        try
        {
            using var zip = ZipFile.OpenRead(path);
            string format = ReadText(zip, "format.txt").Trim();
            if (format != FormatTag) throw new InvalidDataException($"'{path}' is not a tagger model (format '{format}', expected '{FormatTag}').");
            var words = Vocabulary.Load(new StringReader(ReadText(zip, "words.txt")), sourceName: path + ":words.txt");
            var chars = Vocabulary.Load(new StringReader(ReadText(zip, "characters.txt")), sourceName: path + ":characters.txt");
            var model = new TaggerModel(words, chars, 0);
            foreach (IRecurrentNetwork part in model.Parts)
            {
                ZipArchiveEntry entry = zip.GetEntry(PartName(part) + ".safetensors") ?? throw new InvalidDataException($"'{path}' has no {PartName(part)} parameters.");
                using var buffer = new MemoryStream();
                using (Stream source = entry.Open()) source.CopyTo(buffer); // the zip checks the entry's CRC here
                buffer.Position = 0;
                SafeTensorsFile.LoadInto(part, buffer);
            }
            return model;
        }
        catch (Exception e) when (e is not InvalidDataException and not FileNotFoundException)
        {
            throw new InvalidDataException($"'{path}' is not a readable tagger model: {e.Message}", e);
        }
    }

    private static string PartName(IRecurrentNetwork part) => part switch
    {
        EmbeddingTable => "word_embedding",
        CharacterEncoderNet => "character_encoder",
        _ => "word_tagger",
    };

    private static void WriteText(ZipArchive zip, string name, Action<TextWriter> write)
    {
        using var writer = new StreamWriter(zip.CreateEntry(name, CompressionLevel.Fastest).Open());
        write(writer);
    }

    private static string ReadText(ZipArchive zip, string name)
    {
        ZipArchiveEntry entry = zip.GetEntry(name) ?? throw new InvalidDataException($"The model has no '{name}'.");
        using var reader = new StreamReader(entry.Open());
        return reader.ReadToEnd();
    }
}
