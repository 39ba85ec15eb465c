using System;
using System.Collections.Generic;
using System.Numerics.Tensors;
using RnnGen;
using RnnGen.Data;
using RnnGen.Training;

namespace PosTagger;

/// <summary>
/// Runs the tagger on a group of sentences: character encoder for every word, then the word
/// tagger. Each worker owns replicas of the two networks (shared parameters, own gradients and
/// workspace) and its own word-embedding gradient, so two workers can run on two cores.
/// </summary>
public sealed class TaggerWorker
{
    private const int SpellingHalf = 48; // CharacterEncoderNet.HiddenSize
    private readonly TaggerModel _model;
    private readonly CharacterEncoderNet _chars;
    private readonly WordTaggerNet _tagger;
    private readonly float[] _embeddingGradient;
    private readonly bool[] _touched;
    private readonly List<int> _touchedRows = new();

    // Buffers, grown to the largest group seen.
    private int[] _charTokens = [], _charLengths = [], _lengths = [], _targets = [];
    private float[] _charOutput = [], _spelling = [], _dSpelling = [], _wordInput = [], _dWordInput = [], _logProbs = [], _dLogProbs = [];

    public TaggerWorker(TaggerModel model)
    {
        _model = model;
        _chars = model.CharacterNet.CreateReplica();
        _tagger = model.TaggerNet.CreateReplica();
        _embeddingGradient = new float[model.WordEmbedding.Parameters.Length];
        _touched = new bool[model.WordEmbedding.Rows];
        _tagger.InputDropout = 0f;
    }

    public CharacterEncoderNet CharacterNet => _chars;
    public WordTaggerNet TaggerNet => _tagger;

    /// <summary>Sets dropout for training (0 for evaluation) and the seed of this worker's masks.</summary>
    public void ConfigureDropout(float input, ulong seed)
    {
        _tagger.InputDropout = input;
        _tagger.SeedDropout(seed);
    }

    /// <summary>
    /// Forward, loss and backward for <paramref name="group"/>; gradients of (summed loss ×
    /// <paramref name="gradientScale"/>) land in this worker's replicas and embedding gradient.
    /// </summary>
    public LossSum Train(IReadOnlyList<EncodedSentence> sentences, ReadOnlySpan<int> group, float gradientScale, float wordDropout, SeededRandom random)
    {
        ClearGradients();
        int steps = Prepare(sentences, group, training: true, wordDropout, random, out int words);
        int batch = group.Length, rows = batch * steps;
        Span<float> logProbs = _logProbs.AsSpan(0, rows * WordTaggerNet.OutputSize), dLogProbs = _dLogProbs.AsSpan(0, rows * WordTaggerNet.OutputSize);
        _tagger.ForwardTraining(_wordInput.AsSpan(0, rows * WordTaggerNet.InputSize), _lengths.AsSpan(0, batch), logProbs);
        LossSum loss = SequenceLoss.NegativeLogLikelihood(dLogProbs, logProbs, _targets.AsSpan(0, rows), _lengths.AsSpan(0, batch), steps, WordTaggerNet.OutputSize, LossKind.PerStep, gradientScale);
        Span<float> dInput = _dWordInput.AsSpan(0, rows * WordTaggerNet.InputSize);
        _tagger.Backward(dLogProbs, dInput);

        // Split ∂L/∂input: the word part goes to embedding rows, the spelling part to the encoder's final states.
        Span<float> dSpelling = _dSpelling.AsSpan(0, 2 * words * SpellingHalf);
        int n = 0;
        for (int b = 0; b < batch; b++)
        {
            EncodedSentence s = sentences[group[b]];
            for (int t = 0; t < _lengths[b]; t++, n++)
            {
                ReadOnlySpan<float> d = dInput.Slice((b * steps + t) * WordTaggerNet.InputSize, WordTaggerNet.InputSize);
                int id = _wordIds[n];
                Span<float> g = _embeddingGradient.AsSpan(id * WordTaggerNet.WordWidth, WordTaggerNet.WordWidth);
                TensorPrimitives.Add(g, d.Slice(0, WordTaggerNet.WordWidth), g);
                if (!_touched[id]) { _touched[id] = true; _touchedRows.Add(id); }
                int r = _charRowOf[n];
                d.Slice(WordTaggerNet.WordWidth, SpellingHalf).CopyTo(dSpelling.Slice(r * SpellingHalf));
                d.Slice(WordTaggerNet.WordWidth + SpellingHalf, SpellingHalf).CopyTo(dSpelling.Slice((words + r) * SpellingHalf));
            }
        }
        int charSteps = _charSteps;
        Span<float> dCharOutput = _charOutput.AsSpan(0, words * charSteps * CharacterEncoderNet.StepOutputSize);
        dCharOutput.Clear();
        _chars.Backward(dCharOutput, dSpelling);
        return loss;
    }

    /// <summary>Tags the sentences of <paramref name="group"/>; writes the best tag id per word.</summary>
    public void Predict(IReadOnlyList<EncodedSentence> sentences, ReadOnlySpan<int> group, int[][] predictions)
    {
        int steps = Prepare(sentences, group, training: false, 0f, null, out _);
        int batch = group.Length, rows = batch * steps;
        Span<float> logProbs = _logProbs.AsSpan(0, rows * WordTaggerNet.OutputSize);
        _tagger.Forward(_wordInput.AsSpan(0, rows * WordTaggerNet.InputSize), _lengths.AsSpan(0, batch), logProbs);
        for (int b = 0; b < batch; b++)
        {
            int[] tags = predictions[group[b]] = new int[_lengths[b]];
            for (int t = 0; t < tags.Length; t++)
                tags[t] = TensorPrimitives.IndexOfMax(logProbs.Slice((b * steps + t) * WordTaggerNet.OutputSize, WordTaggerNet.OutputSize));
        }
    }

    /// <summary>Adds this worker's gradients to the model's (called in worker order for a deterministic sum).</summary>
    public void AddGradientsTo(TaggerModel model)
    {
        TensorPrimitives.Add(model.CharacterNet.Gradients, _chars.Gradients, model.CharacterNet.Gradients);
        TensorPrimitives.Add(model.TaggerNet.Gradients, _tagger.Gradients, model.TaggerNet.Gradients);
        float[] total = model.WordEmbedding.Gradients;
        const int w = WordTaggerNet.WordWidth;
        foreach (int row in _touchedRows)
        {
            Span<float> target = total.AsSpan(row * w, w);
            TensorPrimitives.Add(target, _embeddingGradient.AsSpan(row * w, w), target);
        }
    }

    private void ClearGradients()
    {
        Array.Clear(_chars.Gradients);
        Array.Clear(_tagger.Gradients);
        const int w = WordTaggerNet.WordWidth;
        foreach (int row in _touchedRows)
        {
            _embeddingGradient.AsSpan(row * w, w).Clear();
            _touched[row] = false;
        }
        _touchedRows.Clear();
    }

    private int[] _wordIds = [], _charRowOf = [], _wordOfCharRow = [], _sortKeys = [];
    private int[][] _wordCharacters = [];
    private int _charSteps;

    /// <summary>Runs the character encoder over every word of the group and assembles the tagger's input.</summary>
    private int Prepare(IReadOnlyList<EncodedSentence> sentences, ReadOnlySpan<int> group, bool training, float wordDropout, SeededRandom? random, out int words)
    {
        int batch = group.Length, steps = 0, charSteps = 1;
        words = 0;
        foreach (int i in group)
        {
            EncodedSentence s = sentences[i];
            steps = Math.Max(steps, s.Words.Length);
            words += s.Words.Length;
            foreach (int[] c in s.Characters) charSteps = Math.Max(charSteps, c.Length);
        }
        _charSteps = charSteps;
        int rows = batch * steps;
        Grow(ref _lengths, batch); Grow(ref _targets, rows); Grow(ref _wordIds, words);
        Grow(ref _charTokens, words * charSteps); Grow(ref _charLengths, words); Grow(ref _wordCharacters, words);
        Grow(ref _charOutput, words * charSteps * CharacterEncoderNet.StepOutputSize);
        Grow(ref _spelling, 2 * words * SpellingHalf); Grow(ref _dSpelling, 2 * words * SpellingHalf);
        Grow(ref _wordInput, rows * WordTaggerNet.InputSize); Grow(ref _dWordInput, rows * WordTaggerNet.InputSize);
        Grow(ref _logProbs, rows * WordTaggerNet.OutputSize); Grow(ref _dLogProbs, rows * WordTaggerNet.OutputSize);

        // Every word of the group becomes one sequence of the character encoder, longest first so
        // that the encoder's time loop only computes the words still running.
        Grow(ref _charRowOf, words); Grow(ref _wordOfCharRow, words); Grow(ref _sortKeys, words);
        int n = 0;
        for (int b = 0; b < batch; b++)
        {
            EncodedSentence s = sentences[group[b]];
            _lengths[b] = s.Words.Length;
            for (int t = 0; t < steps; t++) _targets[b * steps + t] = t < s.Words.Length ? s.Tags[t] : 0;
            for (int t = 0; t < s.Words.Length; t++, n++)
            {
                int id = s.Words[t];
                // Word dropout: sometimes hide a known word so the unknown-word path learns from spelling.
                if (training && random is not null && wordDropout > 0f && random.NextSingle() < wordDropout) id = Vocabulary.UnknownId;
                _wordIds[n] = id;
                _sortKeys[n] = -s.Characters[t].Length;
                _wordOfCharRow[n] = n;
            }
        }
        _sortKeys.AsSpan(0, words).Sort(_wordOfCharRow.AsSpan(0, words));
        n = 0;
        for (int b = 0; b < batch; b++)
        {
            EncodedSentence s = sentences[group[b]];
            for (int t = 0; t < s.Words.Length; t++, n++) _wordCharacters[n] = s.Characters[t];
        }
        for (int r = 0; r < words; r++)
        {
            int word = _wordOfCharRow[r];
            _charRowOf[word] = r;
            int[] c = _wordCharacters[word];
            _charLengths[r] = c.Length;
            Span<int> row = _charTokens.AsSpan(r * charSteps, charSteps);
            row.Clear();
            c.CopyTo(row);
        }
        Span<float> spelling = _spelling.AsSpan(0, 2 * words * SpellingHalf);
        Span<float> charOutput = _charOutput.AsSpan(0, words * charSteps * CharacterEncoderNet.StepOutputSize);
        ReadOnlySpan<int> charTokens = _charTokens.AsSpan(0, words * charSteps), charLengths = _charLengths.AsSpan(0, words);
        if (training) _chars.ForwardTraining(charTokens, charLengths, charOutput, spelling);
        else _chars.Forward(charTokens, charLengths, charOutput, spelling);

        // Tagger input per word: [embedding row; forward final state; reverse final state], zeros at padding.
        Span<float> input = _wordInput.AsSpan(0, rows * WordTaggerNet.InputSize);
        input.Clear();
        n = 0;
        for (int b = 0; b < batch; b++)
        {
            for (int t = 0; t < _lengths[b]; t++, n++)
            {
                Span<float> x = input.Slice((b * steps + t) * WordTaggerNet.InputSize, WordTaggerNet.InputSize);
                _model.WordEmbedding.Row(_wordIds[n]).CopyTo(x);
                int r = _charRowOf[n];
                spelling.Slice(r * SpellingHalf, SpellingHalf).CopyTo(x.Slice(WordTaggerNet.WordWidth));
                spelling.Slice((words + r) * SpellingHalf, SpellingHalf).CopyTo(x.Slice(WordTaggerNet.WordWidth + SpellingHalf));
            }
        }
        return steps;
    }

    private static void Grow<T>(ref T[] array, int length)
    {
        if (array.Length < length) array = new T[Math.Max(length, array.Length * 3 / 2)];
    }
}
