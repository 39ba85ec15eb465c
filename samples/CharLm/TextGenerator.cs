using System;
using RnnGen.Data;
using RnnGen.Training;

namespace CharLm;

/// <summary>
/// Generates text one character at a time: a single stream (batch 1) advanced with
/// <see cref="CharLmNet.Step"/>, each character drawn from the model's next-character distribution
/// by a <see cref="TokenSampler"/> (temperature, top-k). Allocation-free per character.
/// </summary>
public sealed class TextGenerator
{
    private readonly CharLmNet _net;
    private readonly CharacterSet _characters;
    private readonly TokenSampler _sampler;
    private readonly CharLmNet.State _state = new(batch: 1);
    private readonly int[] _token = new int[1];
    private readonly float[] _logProbs = new float[CharLmNet.OutputSize];
    private readonly float[] _masked;

    public TextGenerator(CharLmNet net, CharacterSet characters, TokenSampler sampler)
    {
        _net = net;
        _characters = characters;
        _sampler = sampler;
        // Only real characters can be drawn: padding, unknown and unused ids are masked out.
        _masked = new float[characters.Count];
        Prime("");
    }

    /// <summary>
    /// Starts a new text: reads a line break and then <paramref name="prime"/> as the context. The
    /// line break matters: training carries the state from chunk to chunk, so the model meets the
    /// all-zero state only once per stream and epoch and predicts poorly from it (after a bare
    /// "ROMEO:" it expects 'j'); one line break, the text's own separator, brings it to a state it
    /// knows (after "\nROMEO:" it expects a line break with probability 1.00).
    /// </summary>
    public void Prime(string prime)
    {
        _state.Reset();
        int[] ids = _characters.Encode("\n" + prime);
        var output = new float[ids.Length * CharLmNet.OutputSize];
        _net.Step(ids, _state, output);
        output.AsSpan(output.Length - CharLmNet.OutputSize).CopyTo(_logProbs);
    }

    /// <summary>Draws the next character, feeds it back, and returns it.</summary>
    public string Next()
    {
        _logProbs.AsSpan(0, _masked.Length).CopyTo(_masked);
        _masked[Vocabulary.PaddingId] = float.NegativeInfinity;
        _masked[Vocabulary.UnknownId] = float.NegativeInfinity;
        int id = _sampler.Sample(_masked);
        _token[0] = id;
        _net.Step(_token, _state, _logProbs);
        return _characters.GetText(id);
    }
}
