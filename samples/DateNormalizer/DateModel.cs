using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using RnnGen.IO;

namespace DateNormalizer;

/// <summary>
/// A trained (or training) date normalizer: the network, which attention it uses, and the batch
/// buffers for decoding. Saved as one safetensors file whose metadata names the attention kind
/// and the alphabets, so a model file is self-describing.
/// </summary>
public sealed class DateModel
{
    /// <summary>Metadata key: the attention kind (<c>bahdanau</c>, <c>none</c>, …).</summary>
    public const string AttentionKey = "datenormalizer.attention";

    /// <summary>Metadata key: the source alphabet's characters.</summary>
    public const string SourceKey = "datenormalizer.source";

    /// <summary>Metadata key: the target alphabet's characters.</summary>
    public const string TargetKey = "datenormalizer.target";

    /// <summary>Metadata key: the years the model was trained on.</summary>
    public const string YearsKey = "datenormalizer.years";

    /// <summary>Inputs decoded together.</summary>
    public const int DecodeBatch = 128;

    private readonly SourceBatch _batch = new(DecodeBatch);
    private readonly int[] _output = new int[DecodeBatch * DateAlphabets.MaxOutputLength];
    private readonly int[] _outputLengths = new int[DecodeBatch];
    private float[] _attention = [];

    /// <summary>Wraps <paramref name="network"/>, which uses attention <paramref name="attention"/>.</summary>
    public DateModel(IDateNetwork network, string attention)
    {
        Network = network ?? throw new ArgumentNullException(nameof(network));
        Attention = attention ?? throw new ArgumentNullException(nameof(attention));
    }

    /// <summary>The network.</summary>
    public IDateNetwork Network { get; }

    /// <summary>The attention kind, as on the command line.</summary>
    public string Attention { get; }

    /// <summary>A new model with freshly initialized parameters.</summary>
    /// <exception cref="ArgumentException"><paramref name="attention"/> is not one of <see cref="DateNetworks.AttentionKinds"/>.</exception>
    public static DateModel Create(string attention, ulong seed) => new(DateNetworks.Create(attention, seed), attention);

    /// <summary>Saves the parameters and metadata to <paramref name="path"/>, atomically (temporary file, then rename).</summary>
    /// <param name="path">The model file.</param>
    /// <param name="extra">More metadata to store (for example how it was trained).</param>
    public void Save(string path, IReadOnlyDictionary<string, string>? extra = null)
    {
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            [AttentionKey] = Attention,
            [SourceKey] = DateAlphabets.SourceCharacters,
            [TargetKey] = DateAlphabets.TargetCharacters,
            [YearsKey] = FormattableString.Invariant($"{DateText.FirstYear}-{DateText.LastYear}"),
        };
        if (extra is not null)
        {
            foreach (KeyValuePair<string, string> kv in extra) metadata[kv.Key] = kv.Value;
        }
        SafeTensorsFile.Save(Network, path, metadata);
    }

    /// <summary>Loads a model saved by <see cref="Save"/>: reads the metadata, builds the network it names, loads the parameters.</summary>
    /// <exception cref="FileNotFoundException">There is no file at <paramref name="path"/>.</exception>
    /// <exception cref="InvalidDataException">The file is not a date normalizer model of this build (other alphabets, unknown attention kind).</exception>
    public static DateModel Load(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"no model at '{path}' (train one with: DateNormalizer train --model {path})", path);
        SafeTensorsFile file = SafeTensorsFile.Read(path);
        IReadOnlyDictionary<string, string> metadata = file.Metadata;
        if (!metadata.TryGetValue(AttentionKey, out string? attention))
            throw new InvalidDataException($"'{path}' is not a date normalizer model (no '{AttentionKey}' in its metadata).");
        if (metadata.GetValueOrDefault(SourceKey) != DateAlphabets.SourceCharacters || metadata.GetValueOrDefault(TargetKey) != DateAlphabets.TargetCharacters)
            throw new InvalidDataException($"'{path}' was trained with other alphabets than this build's.");
        if (!DateNetworks.IsKnown(attention))
            throw new InvalidDataException($"'{path}' uses attention '{attention}', which this build does not have (it has {string.Join(", ", DateNetworks.AttentionKinds)}).");
        var model = new DateModel(DateNetworks.Create(attention, seed: 0), attention);
        file.CopyInto(model.Network);
        return model;
    }

    /// <summary>
    /// Normalizes <paramref name="texts"/>: the ISO date the model writes for each (whatever it
    /// writes, even if it is not a valid date). Greedy for <paramref name="beamWidth"/> 1, beam
    /// search otherwise. With <paramref name="attention"/>, adds one map per text.
    /// </summary>
    /// <exception cref="ArgumentException">A text is empty or longer than <see cref="DateAlphabets.MaxSourceLength"/>.</exception>
    public string[] Normalize(IReadOnlyList<string> texts, int beamWidth = 1, List<AttentionMap>? attention = null)
    {
        ArgumentNullException.ThrowIfNull(texts);
        ArgumentOutOfRangeException.ThrowIfLessThan(beamWidth, 1);
        var results = new string[texts.Count];
        const int maxLength = DateAlphabets.MaxOutputLength;
        for (int start = 0; start < texts.Count; start += DecodeBatch)
        {
            int count = Math.Min(DecodeBatch, texts.Count - start);
            _batch.SetSources(texts, start, count);
            int width = _batch.MaxSourceLength;
            Span<float> weights = default;
            if (attention is not null)
            {
                int needed = count * maxLength * width;
                if (_attention.Length < needed) _attention = new float[needed];
                weights = _attention.AsSpan(0, needed);
                weights.Clear();
            }
            Span<int> output = _output.AsSpan(0, count * maxLength), lengths = _outputLengths.AsSpan(0, count);
            if (beamWidth == 1)
                Network.Greedy(_batch.Source, _batch.SourceLengths, output, lengths, maxLength, weights);
            else
                Network.BeamSearch(_batch.Source, _batch.SourceLengths, beamWidth, output, lengths, maxLength, attention: weights);
            for (int b = 0; b < count; b++)
            {
                ReadOnlySpan<int> ids = output.Slice(b * maxLength, Math.Clamp(lengths[b], 0, maxLength));
                results[start + b] = DateAlphabets.DecodeTarget(ids);
                if (attention is not null) attention.Add(MapOf(texts[start + b], ids, weights.Slice(b * maxLength * width, maxLength * width), width));
            }
        }
        return results;
    }

    // One map: a row per output token (up to and including the end token), a column per source character.
    private static AttentionMap MapOf(string text, ReadOnlySpan<int> ids, ReadOnlySpan<float> weights, int width)
    {
        var rows = new List<string>();
        foreach (int id in ids)
        {
            rows.Add(DateAlphabets.Target.Label(id));
            if (id == DateAlphabets.EndId) break;
        }
        var columns = new string[text.Length];
        for (int j = 0; j < text.Length; j++) columns[j] = text[j].ToString();
        var cells = new float[rows.Count * text.Length];
        for (int i = 0; i < rows.Count; i++)
            weights.Slice(i * width, text.Length).CopyTo(cells.AsSpan(i * text.Length, text.Length));
        return new AttentionMap(columns, rows, cells);
    }

    /// <summary>A short description: attention kind, parameter count, signature.</summary>
    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"attention {Attention}, {Network.Parameters.Length:N0} parameters ({Network.Signature})");
}

/// <summary>Reusable buffers for a padded batch of source texts, [count × longest].</summary>
public sealed class SourceBatch
{
    private readonly int[] _source, _lengths;
    private int _count, _width;

    /// <summary>Buffers for up to <paramref name="capacity"/> texts.</summary>
    public SourceBatch(int capacity)
    {
        _source = new int[capacity * DateAlphabets.MaxSourceLength];
        _lengths = new int[capacity];
    }

    /// <summary>The longest source in the batch (the padded width).</summary>
    public int MaxSourceLength => _width;

    /// <summary>Padded source ids of the current batch, [count × <see cref="MaxSourceLength"/>].</summary>
    public ReadOnlySpan<int> Source => _source.AsSpan(0, _count * _width);

    /// <summary>Source lengths of the current batch.</summary>
    public ReadOnlySpan<int> SourceLengths => _lengths.AsSpan(0, _count);

    /// <summary>Encodes <paramref name="count"/> texts from <paramref name="start"/> as the current batch.</summary>
    public void SetSources(IReadOnlyList<string> texts, int start, int count)
    {
        if (count > _lengths.Length) throw new ArgumentOutOfRangeException(nameof(count), $"The batch holds at most {_lengths.Length} texts.");
        int width = 1;
        for (int b = 0; b < count; b++)
        {
            string text = texts[start + b];
            if (text.Length == 0 || text.Length > DateAlphabets.MaxSourceLength)
                throw new ArgumentException(text.Length == 0 ? "An empty line is not a date." : $"'{text}' has {text.Length} characters; the model reads at most {DateAlphabets.MaxSourceLength}.");
            width = Math.Max(width, text.Length);
        }
        Span<int> source = _source.AsSpan(0, count * width);
        source.Fill(DateAlphabets.SourcePaddingId);
        for (int b = 0; b < count; b++)
            _lengths[b] = DateAlphabets.EncodeSource(texts[start + b], source.Slice(b * width, width));
        _count = count;
        _width = width;
    }
}
