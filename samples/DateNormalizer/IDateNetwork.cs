using System;
using RnnGen;
using RnnGen.Training;

namespace DateNormalizer;

/// <summary>
/// What the sample needs of a generated encoder-decoder network, so that training, evaluation and
/// translation are written once for the networks with and without attention. The generated
/// classes implement it with the methods the generator writes for them.
/// </summary>
public interface IDateNetwork : IRecurrentNetwork
{
    /// <summary>
    /// Forward and backward through encoder and decoder with teacher forcing; accumulates the
    /// gradients of the summed negative log-likelihood of the target tokens into <see cref="IRecurrentNetwork.Gradients"/>.
    /// </summary>
    /// <param name="source">Padded source ids, [batch × maxSourceLength].</param>
    /// <param name="sourceLengths">Real length of each source, [batch].</param>
    /// <param name="target">Padded target ids ending with the end token (no start token), [batch × maxTargetLength].</param>
    /// <param name="targetLengths">Real length of each target including the end token, [batch].</param>
    /// <param name="teacherForcingRatio">Probability that the decoder reads the true previous token rather than its own guess.</param>
    /// <param name="seed">Seeds the teacher-forcing draws.</param>
    /// <returns>The summed loss and the number of target tokens.</returns>
    LossSum ForwardBackward(ReadOnlySpan<int> source, ReadOnlySpan<int> sourceLengths, ReadOnlySpan<int> target, ReadOnlySpan<int> targetLengths,
                            float teacherForcingRatio = 1f, ulong seed = 0);

    /// <summary>Greedy decoding of a batch: output ids [batch × maxLength], lengths, and optionally attention [batch × maxLength × maxSourceLength].</summary>
    void Greedy(ReadOnlySpan<int> source, ReadOnlySpan<int> sourceLengths, Span<int> output, Span<int> outputLengths, int maxLength,
                Span<float> attention = default);

    /// <summary>Beam search over a batch; arguments as for <see cref="Greedy"/>, plus the beam width, the length penalty and the best hypothesis' scores.</summary>
    void BeamSearch(ReadOnlySpan<int> source, ReadOnlySpan<int> sourceLengths, int beamWidth, Span<int> output, Span<int> outputLengths, int maxLength,
                    float lengthPenalty = 1f, Span<float> attention = default, Span<float> scores = default);

    /// <summary>Sets every gradient to zero.</summary>
    void ZeroGradients();
}
