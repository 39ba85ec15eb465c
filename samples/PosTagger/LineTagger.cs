using System;
using System.Linq;
using RnnGen.Data;

namespace PosTagger;

/// <summary>
/// Tags whitespace-tokenized sentences one at a time. One worker serves every line and reuses its networks'
/// workspaces: a new worker per line (two network replicas, their gradients and an embedding gradient) cost most of
/// the time of a line. A line is one sentence, so the word tagger runs at batch 1: with its weights frozen it packs
/// W_hh and W_ihᵀ once instead of per line (sentences under five words then round differently in the last bits).
/// Not thread-safe; the model must not change while it is in use.
/// </summary>
public sealed class LineTagger
{
    /// <summary>Longest sentence taken: the worker's buffers grow to the longest line and stay that size.</summary>
    public const int MaxWords = 1000;

    private readonly TaggerModel _model;
    private readonly TaggerWorker _worker;
    private readonly int[][] _predictions = new int[1][]; // the one sentence's tag ids, written by Predict

    /// <summary>Creates the worker that will tag every line with <paramref name="model"/>.</summary>
    public LineTagger(TaggerModel model)
    {
        _model = model;
        _worker = new TaggerWorker(model); // inference only: Predict never drops
        _worker.TaggerNet.WeightsFrozen = true;
    }

    /// <summary>Writes "word/TAG …" for <paramref name="line"/> (empty for an empty line); returns why a line was refused, or null.</summary>
    public string? Tag(string line, out string tagged)
    {
        tagged = "";
        string[] forms = line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        if (forms.Length == 0) return null;
        if (forms.Length > MaxWords) return $"{forms.Length} words; a line is one sentence of at most {MaxWords} words";
        _worker.Predict([_model.Encode(forms)], [0], _predictions);
        tagged = string.Join(' ', forms.Zip(_predictions[0], (f, t) => f + "/" + UposTags.GetName(t)));
        return null;
    }
}
