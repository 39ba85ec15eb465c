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

    /// <summary>Starts a new text: reads <paramref name="prime"/> (or a line break when it is empty) as the context.</summary>
    public void Prime(string prime)
    {
        _state.Reset();
        if (prime.Length == 0) prime = "\n";
        int[] ids = _characters.Encode(prime);
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
